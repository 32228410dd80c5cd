package dev.peregrine.engine.rules;

import dev.peregrine.engine.condition.EventPredicate;

/**
 * A {@code - macro:} item after loading.
 *
 * @param name      the macro's name
 * @param condition its condition text (appended parts joined by a space)
 * @param predicate the compiled condition
 * @param file      the file it was (first) defined in
 * @param line      the line it was (first) defined at
 */
public record MacroDef(String name, String condition, EventPredicate predicate, String file, int line) {
}
