package dev.peregrine.engine.detect;

import dev.peregrine.alerting.Alert;
import dev.peregrine.alerting.Priority;
import dev.peregrine.collector.event.Event;
import dev.peregrine.collector.event.StandardFields;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** How the built-in detections name what they watch and build their alerts, so all of them read alike. */
final class DetectionAlerts {

    private DetectionAlerts() {
    }

    /** The session an event belongs to: {@code agent.session}, else {@code sandbox.id}, else {@code agent.id}, else {@code null}. */
    static String sessionKey(final Event event) {
        final String session = event.getString(StandardFields.AGENT_SESSION);
        if (session != null) {
            return session;
        }
        final String sandbox = event.getString(StandardFields.SANDBOX_ID);
        return sandbox != null ? sandbox : event.getString(StandardFields.AGENT_ID);
    }

    /** The agent an event belongs to: {@code agent.id}, else {@code sandbox.id}, else {@code null}. */
    static String agentKey(final Event event) {
        final String agent = event.getString(StandardFields.AGENT_ID);
        return agent != null ? agent : event.getString(StandardFields.SANDBOX_ID);
    }

    /** The identity fields an alert about {@code event} starts its evidence with. */
    static Map<String, Object> identity(final Event event) {
        final Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("agent.id", event.getString(StandardFields.AGENT_ID));
        fields.put("agent.session", event.getString(StandardFields.AGENT_SESSION));
        fields.put("sandbox.id", event.getString(StandardFields.SANDBOX_ID));
        return fields;
    }

    /** Adds a piece of evidence the event carries; an absent one is left out rather than written as null. */
    static void putPresent(final Map<String, Object> fields, final String name, final Object value) {
        if (value != null) {
            fields.put(name, value);
        }
    }

    /**
     * An alert raised by a built-in detection about {@code event}'s agent and session.
     *
     * @param groupingKey  what the alert is about; with {@code ruleId} and {@code windowStart} it makes the id
     */
    static Alert alert(final String ruleId, final String rule, final Priority priority, final List<String> tags,
                       final Event event, final String groupingKey, final long windowStart, final String output,
                       final Map<String, Object> fields, final long count, final long firstSeen) {
        return new Alert(Alert.deterministicId(ruleId, groupingKey, windowStart), event.timeNanos(), ruleId, rule,
                priority, event.getString(StandardFields.EVT_SOURCE), event.getString(StandardFields.HOST_NAME), tags,
                output, fields, event.getString(StandardFields.AGENT_ID), event.getString(StandardFields.AGENT_SESSION),
                count, firstSeen, event.timeNanos());
    }

    /** A duration as people write it: {@code 60s}, {@code 5m}, {@code 1h30m}, {@code 7d}. */
    static String human(final Duration duration) {
        final long seconds = duration.toSeconds();
        if (seconds == 0) {
            return duration.toMillis() + "ms";
        }
        final StringBuilder text = new StringBuilder();
        long rest = seconds;
        if (rest >= 86_400 && rest % 3600 == 0) {
            text.append(rest / 86_400).append('d');
            rest %= 86_400;
        }
        if (rest >= 3600) {
            text.append(rest / 3600).append('h');
            rest %= 3600;
        }
        if (rest >= 60) {
            text.append(rest / 60).append('m');
            rest %= 60;
        }
        if (rest > 0) {
            text.append(rest).append('s');
        }
        return text.toString();
    }

    /** A nanosecond span in seconds with one decimal, for output text. */
    static String seconds(final long nanos) {
        return String.format(Locale.ROOT, "%.1fs", nanos / 1e9);
    }
}
