package dev.peregrine.engine.rules;

/**
 * One problem in a rule file, with where it is.
 *
 * @param file    the file name as given to the loader
 * @param line    1-based line, 0 when unknown (e.g. an unreadable file)
 * @param column  1-based column, 0 when unknown
 * @param item    the rule, macro or list the problem is in, or {@code null}
 * @param message what is wrong, in a rule author's words
 */
public record RuleLoadError(String file, int line, int column, String item, String message) {

    /** {@code file:line:column: message}, the form editors and CI logs link to. */
    @Override
    public String toString() {
        return line > 0 ? file + ":" + line + ":" + column + ": " + message : file + ": " + message;
    }
}
