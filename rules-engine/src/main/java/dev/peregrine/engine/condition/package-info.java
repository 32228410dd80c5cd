/** The Falco-style condition language: lexer, parser, syntax tree, and predicates compiled against field slots. */
package dev.peregrine.engine.condition;
