package dev.peregrine.alerting.console;

import dev.peregrine.alerting.Alert;
import dev.peregrine.alerting.AlertJson;
import dev.peregrine.alerting.AlertSink;
import dev.peregrine.alerting.Priority;
import java.io.IOException;
import java.io.Writer;

/**
 * Writes each alert as one readable line:
 * {@code <time> <Priority> <rule_id> agent=<agent> session=<session> [count=N] <output>}.
 *
 * <p>Control characters in any field are escaped ({@code \n}, {@code \x1b} …): alert outputs
 * carry command lines an agent chose, and a raw escape sequence could rewrite the operator's
 * terminal or forge extra alert lines. With colour on, the priority is wrapped in an ANSI colour
 * (red for Error and worse, yellow for Warning, cyan for Notice, dim below).
 */
public final class TextAlertSink implements AlertSink {

    private static final String RESET = "\u001b[0m";

    private final Writer out;
    private final boolean colour;

    /** Writes to {@code out} (left open on close), with ANSI colours when {@code colour}. */
    public TextAlertSink(final Writer out, final boolean colour) {
        this.out = out;
        this.colour = colour;
    }

    @Override
    public void deliver(final Alert alert) throws IOException {
        out.write(format(alert));
        out.write('\n');
        // a person is watching: every alert shows as it happens
        out.flush();
    }

    @Override
    public void flush() throws IOException {
        out.flush();
    }

    /** The alert's line, without the newline. */
    public String format(final Alert alert) {
        final StringBuilder line = new StringBuilder(160);
        line.append(AlertJson.formatTime(alert.timeNanos())).append(' ');
        if (colour) {
            line.append(colourOf(alert.priority())).append(alert.priority().displayName()).append(RESET);
        } else {
            line.append(alert.priority().displayName());
        }
        line.append(' ');
        appendEscaped(line, alert.ruleId());
        line.append(" agent=");
        appendEscaped(line, alert.agent().isEmpty() ? "-" : alert.agent());
        line.append(" session=");
        appendEscaped(line, alert.session().isEmpty() ? "-" : alert.session());
        if (alert.count() > 1) {
            line.append(" count=").append(alert.count());
        }
        line.append(' ');
        appendEscaped(line, alert.output());
        return line.toString();
    }

    /** The ANSI colour sequence of a priority. */
    static String colourOf(final Priority priority) {
        return switch (priority) {
            case EMERGENCY, ALERT, CRITICAL -> "\u001b[1;31m";
            case ERROR -> "\u001b[31m";
            case WARNING -> "\u001b[33m";
            case NOTICE -> "\u001b[36m";
            case INFORMATIONAL, DEBUG -> "\u001b[2m";
        };
    }

    private static void appendEscaped(final StringBuilder line, final String text) {
        for (int i = 0; i < text.length(); i++) {
            final char c = text.charAt(i);
            if (c == '\n') {
                line.append("\\n");
            } else if (c == '\r') {
                line.append("\\r");
            } else if (c == '\t') {
                line.append("\\t");
            } else if (c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f)) {
                // C0, DEL and C1 controls (0x9b is a one-byte CSI on some terminals)
                line.append(String.format("\\x%02x", (int) c));
            } else {
                line.append(c);
            }
        }
    }
}
