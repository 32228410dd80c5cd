package dev.peregrine.alerting.syslog;

import dev.peregrine.alerting.Alert;
import dev.peregrine.alerting.Priority;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Frames a message as RFC 5424: {@code <PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID - MSG}.
 *
 * <p>PRI = facility × 8 + severity, where severity is the Falco priority's syslog level (Falco's
 * levels are syslog's: Emergency 0 … Debug 7). TIMESTAMP is the alert's event time in UTC with
 * microseconds (RFC 5424 allows at most six fraction digits). MSGID is the rule id. No structured
 * data; MSG is written without a BOM because CEF receivers do not expect one.
 */
public final class Rfc5424Formatter {

    private static final DateTimeFormatter MICROS_UTC =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

    private final int facility;
    private final String header;

    /** Formats with the facility and sender identity of {@code config}. */
    public Rfc5424Formatter(final SyslogConfig config) {
        this.facility = config.facility();
        this.header = ' ' + field(config.hostname(), 255) + ' ' + field(config.appName(), 48) + ' '
                + field(config.procId(), 128) + ' ';
    }

    /** The syslog message carrying {@code msg} for {@code alert}. */
    public String format(final Alert alert, final String msg) {
        return "<" + (facility * 8 + severityOf(alert.priority())) + ">1 " + timestamp(alert.timeNanos())
                + header + field(alert.ruleId(), 32) + " - " + msg;
    }

    /** The syslog severity (0 emergency … 7 debug) of a Falco priority. */
    public static int severityOf(final Priority priority) {
        // Falco copied syslog's eight levels, in the same order
        return priority.ordinal();
    }

    /** RFC 3339 UTC with microseconds. */
    public static String timestamp(final long epochNanos) {
        final Instant instant = Instant.ofEpochSecond(Math.floorDiv(epochNanos, 1_000_000_000L),
                Math.floorMod(epochNanos, 1_000_000_000L));
        return MICROS_UTC.format(instant);
    }

    /** A header field: printable US-ASCII without spaces, at most {@code max} chars, {@code -} when empty. */
    static String field(final String value, final int max) {
        if (value == null || value.isEmpty()) {
            return "-";
        }
        final StringBuilder out = new StringBuilder(Math.min(value.length(), max));
        for (int i = 0; i < value.length() && out.length() < max; i++) {
            final char c = value.charAt(i);
            out.append(c > 32 && c < 127 ? c : '_');
        }
        return out.toString();
    }
}
