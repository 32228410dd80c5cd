/** Loading Falco-style YAML rule files (lists, macros, rules) into an immutable, compiled {@link dev.peregrine.engine.rules.RuleSet}. */
package dev.peregrine.engine.rules;
