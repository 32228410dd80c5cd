package dev.peregrine.alerting.console;

import dev.peregrine.alerting.AlertSink;
import dev.peregrine.alerting.jsonl.JsonLinesSink;
import java.io.Writer;
import java.util.Locale;
import java.util.Optional;

/** How alerts look on stdout: Falco-compatible JSON lines, or one readable line of text each. */
public enum ConsoleFormat {
    /** One JSON object per line, as Falco's {@code json_output: true} (for pipes and log shippers). */
    JSON,
    /** One line of text per alert, for people watching a terminal. */
    TEXT;

    /**
     * A sink writing this format to {@code out}, flushing every alert. {@code colour} asks for ANSI
     * colours by priority in the text form (the caller decides, e.g. from {@code System.console()});
     * JSON is never coloured, a program reads it.
     */
    public AlertSink sink(final Writer out, final boolean colour) {
        return switch (this) {
            case JSON -> JsonLinesSink.toWriter(out);
            case TEXT -> new TextAlertSink(out, colour);
        };
    }

    /** Parses {@code json} or {@code text}, case-insensitive. */
    public static Optional<ConsoleFormat> parse(final String text) {
        if (text == null) {
            return Optional.empty();
        }
        for (final ConsoleFormat format : values()) {
            if (format.name().equalsIgnoreCase(text.trim())) {
                return Optional.of(format);
            }
        }
        return Optional.empty();
    }

    /** The spelling a command line or config file uses. */
    public String displayName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
