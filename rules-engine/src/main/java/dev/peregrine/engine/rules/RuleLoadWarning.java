package dev.peregrine.engine.rules;

/**
 * Something in a rule file that was accepted but ignored or may not do what its author meant.
 *
 * @param file    the file name as given to the loader
 * @param line    1-based line
 * @param column  1-based column
 * @param item    the rule, macro or list it concerns, or {@code null}
 * @param message what happened
 */
public record RuleLoadWarning(String file, int line, int column, String item, String message) {

    /** {@code file:line:column: warning: message}. */
    @Override
    public String toString() {
        return file + ":" + line + ":" + column + ": warning: " + message;
    }
}
