/**
 * Loading Falco-style YAML rule files (lists, macros, rules, and {@code - cep:} correlation items)
 * into an immutable, compiled {@link dev.peregrine.engine.rules.RuleSet}; cep items' EPL is checked
 * by the {@link dev.peregrine.engine.rules.CepValidator} the loader is given.
 */
package dev.peregrine.engine.rules;
