package dev.peregrine.engine.rules;

import java.util.List;

/**
 * A {@code - list:} item after loading.
 *
 * @param name  the list's name
 * @param items its values, with nested lists expanded and quotes removed
 * @param file  the file it was (first) defined in
 * @param line  the line it was (first) defined at
 */
public record ListDef(String name, List<String> items, String file, int line) {
    public ListDef {
        items = List.copyOf(items);
    }
}
