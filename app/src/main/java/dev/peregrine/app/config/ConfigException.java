package dev.peregrine.app.config;

import java.util.List;

/** A configuration file that cannot be used, with every problem found, one line each. */
public final class ConfigException extends Exception {
    private static final long serialVersionUID = 1L;

    private final List<String> problems;

    ConfigException(final List<String> problems) {
        super(String.join(System.lineSeparator(), problems));
        this.problems = List.copyOf(problems);
    }

    /** Each problem as {@code file:line:column: key.path: what is wrong}. */
    public List<String> problems() {
        return problems;
    }
}
