package dev.peregrine.engine.detect;

/**
 * One problem in the {@code detections:} section of a config file.
 *
 * @param file    the file name as given to the parser
 * @param line    1-based line
 * @param column  1-based column
 * @param key     the dotted key the problem is at, e.g. {@code detections.denied_burst.threshold}
 * @param message what is wrong
 */
public record DetectionSettingsError(String file, int line, int column, String key, String message) {

    /** {@code file:line:column: key: message}, the form editors and CI logs link to. */
    @Override
    public String toString() {
        return file + ":" + line + ":" + column + ": " + key + ": " + message;
    }
}
