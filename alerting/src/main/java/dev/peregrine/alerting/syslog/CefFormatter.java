package dev.peregrine.alerting.syslog;

import dev.peregrine.alerting.Alert;
import dev.peregrine.alerting.Priority;
import java.util.Map;
import java.util.Objects;

/**
 * Renders an alert as an ArcSight Common Event Format line:
 * {@code CEF:0|Peregrine|Peregrine|version|rule_id|rule name|severity|extensions}.
 *
 * <p>Extensions: {@code rt}, {@code start}, {@code end} (epoch ms of time, first and last seen),
 * {@code cnt} (count: the spec's baseEventCount, "how many times was this same event observed",
 * which SIEMs show as the event count, so a deduplicated storm reads {@code cnt=1000}),
 * {@code externalId} (the alert id, stable across redelivery and the same in a window's summaries), {@code msg}
 * (the rendered output), {@code cat} (event source), {@code dhost} (host the event came from),
 * {@code suser} ({@code user.name}), {@code sproc}/{@code spid} ({@code proc.name}/{@code proc.pid}),
 * {@code fname} ({@code fd.name}), {@code act} ({@code tool.outcome}, what the agent platform
 * did), {@code request}/{@code requestMethod} ({@code http.url}/{@code http.method}), and custom
 * strings {@code cs1}=agent, {@code cs2}=session, {@code cs3}=tags (comma-separated),
 * {@code cs4}=sandbox ({@code sandbox.id}), each with its {@code csNLabel}. Keys whose value is
 * empty are left out.
 *
 * <p>Escaping per the CEF spec: in header fields {@code \} and {@code |} get a backslash and
 * line breaks become spaces (the spec allows multi-line text only in extension values); in
 * extension values {@code \} and {@code =} get a backslash and CR/LF become {@code \r}/{@code \n}.
 */
public final class CefFormatter {

    private final String deviceVersion;

    /** A formatter announcing {@code deviceVersion} (Peregrine's version) in the header. */
    public CefFormatter(final String deviceVersion) {
        this.deviceVersion = Objects.requireNonNull(deviceVersion, "deviceVersion");
    }

    /** The CEF line for {@code alert}, without a trailing newline. */
    public String format(final Alert alert) {
        final StringBuilder cef = new StringBuilder(512).append("CEF:0|Peregrine|Peregrine|")
                .append(escapeHeader(deviceVersion)).append('|')
                .append(escapeHeader(alert.ruleId())).append('|')
                .append(escapeHeader(alert.rule())).append('|')
                .append(severityOf(alert.priority())).append('|');
        final Extensions ext = new Extensions(cef);
        ext.add("rt", Long.toString(millis(alert.timeNanos())));
        ext.add("start", Long.toString(millis(alert.firstSeenNanos())));
        ext.add("end", Long.toString(millis(alert.lastSeenNanos())));
        ext.add("cnt", Long.toString(alert.count()));
        ext.add("externalId", alert.id());
        ext.add("cat", alert.source());
        ext.add("dhost", alert.hostname());
        final Map<String, Object> fields = alert.outputFields();
        ext.add("suser", field(fields, "user.name"));
        ext.add("sproc", field(fields, "proc.name"));
        ext.add("spid", field(fields, "proc.pid"));
        ext.add("fname", field(fields, "fd.name"));
        ext.add("act", field(fields, "tool.outcome"));
        ext.add("request", field(fields, "http.url"));
        ext.add("requestMethod", field(fields, "http.method"));
        ext.labelled(1, "agent", alert.agent());
        ext.labelled(2, "session", alert.session());
        ext.labelled(3, "tags", String.join(",", alert.tags()));
        ext.labelled(4, "sandbox", field(fields, "sandbox.id"));
        // msg last: the longest, most often truncated by receivers
        ext.add("msg", alert.output());
        return cef.toString();
    }

    /**
     * CEF severity 0–10 from a Falco priority: Emergency 10, Alert 9, Critical 8, Error 7,
     * Warning 6, Notice 3, Informational 1, Debug 0 (ArcSight bands: 0–3 low, 4–6 medium,
     * 7–8 high, 9–10 very high).
     */
    public static int severityOf(final Priority priority) {
        switch (priority) {
            case EMERGENCY:
                return 10;
            case ALERT:
                return 9;
            case CRITICAL:
                return 8;
            case ERROR:
                return 7;
            case WARNING:
                return 6;
            case NOTICE:
                return 3;
            case INFORMATIONAL:
                return 1;
            default:
                return 0;
        }
    }

    /** Escapes a header field: {@code \} and {@code |}; line breaks become spaces. */
    public static String escapeHeader(final String value) {
        final StringBuilder out = new StringBuilder(value.length() + 8);
        for (int i = 0; i < value.length(); i++) {
            final char c = value.charAt(i);
            switch (c) {
                case '\\':
                case '|':
                    out.append('\\').append(c);
                    break;
                case '\r':
                case '\n':
                    out.append(' ');
                    break;
                default:
                    out.append(c);
            }
        }
        return out.toString();
    }

    /** Escapes an extension value: {@code \}, {@code =}, and CR/LF as {@code \r}/{@code \n}. */
    public static String escapeExtension(final String value) {
        final StringBuilder out = new StringBuilder(value.length() + 8);
        for (int i = 0; i < value.length(); i++) {
            final char c = value.charAt(i);
            switch (c) {
                case '\\':
                case '=':
                    out.append('\\').append(c);
                    break;
                case '\r':
                    out.append("\\r");
                    break;
                case '\n':
                    out.append("\\n");
                    break;
                default:
                    out.append(c);
            }
        }
        return out.toString();
    }

    private static long millis(final long nanos) {
        return Math.floorDiv(nanos, 1_000_000L);
    }

    private static String field(final Map<String, Object> fields, final String name) {
        final Object value = fields.get(name);
        return value == null ? "" : value.toString();
    }

    /** Appends {@code key=value} pairs separated by single spaces. */
    private static final class Extensions {
        private final StringBuilder out;
        private boolean first = true;

        Extensions(final StringBuilder out) {
            this.out = out;
        }

        void add(final String key, final String value) {
            if (value == null || value.isEmpty()) {
                return;
            }
            if (!first) {
                out.append(' ');
            }
            first = false;
            out.append(key).append('=').append(escapeExtension(value));
        }

        void labelled(final int slot, final String label, final String value) {
            if (value == null || value.isEmpty()) {
                return;
            }
            add("cs" + slot + "Label", label);
            add("cs" + slot, value);
        }
    }
}
