package dev.peregrine.alerting.webhook;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.peregrine.alerting.Alert;
import dev.peregrine.alerting.Priority;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;

/**
 * An alert as a Slack incoming-webhook message, using one legacy attachment (chosen over Block
 * Kit because only attachments carry a colour bar, which is how on-call reads severity at a glance):
 *
 * <pre>{"text": "[Warning] rule name ×count",
 *  "attachments": [{"fallback": …, "color": "#f2c744", "title": rule name, "text": output,
 *                   "fields": [{"title": "Agent", "value": …, "short": true}, …],
 *                   "footer": "Peregrine · id", "ts": epoch seconds}]}</pre>
 *
 * <p>Fields: Agent, Session, Priority, Rule ID, Host, Count (short), then Tags (long); empty ones
 * are left out. A deduplicated alert (count above 1) also says {@code ×count} after the rule name
 * in {@code text} and {@code fallback}; the footer carries the alert id, the same in a window's
 * first message and its summaries. Text is escaped as Slack asks ({@code &}, {@code <}, {@code >}) so an output
 * cannot inject links or mentions.
 */
public final class SlackMessage {

    private final JsonFactory factory = JsonFactory.builder().build();

    /** The message JSON for {@code alert}. */
    public String toJson(final Alert alert) {
        final StringWriter out = new StringWriter(1024);
        try (JsonGenerator json = factory.createGenerator(out)) {
            final String title = escape(alert.rule());
            final String headline = "[" + alert.priority().displayName() + "] " + title + times(alert.count());
            json.writeStartObject();
            json.writeStringField("text", headline);
            json.writeArrayFieldStart("attachments");
            json.writeStartObject();
            json.writeStringField("fallback", headline + ": " + escape(alert.output()));
            json.writeStringField("color", colorOf(alert.priority()));
            json.writeStringField("title", title);
            json.writeStringField("text", escape(alert.output()));
            json.writeArrayFieldStart("fields");
            field(json, "Agent", alert.agent(), true);
            field(json, "Session", alert.session(), true);
            field(json, "Priority", alert.priority().displayName(), true);
            field(json, "Rule ID", alert.ruleId(), true);
            field(json, "Host", alert.hostname(), true);
            field(json, "Count", Long.toString(alert.count()), true);
            field(json, "Tags", String.join(", ", alert.tags()), false);
            json.writeEndArray();
            json.writeStringField("footer", "Peregrine · " + alert.id());
            json.writeNumberField("ts", Math.floorDiv(alert.timeNanos(), 1_000_000_000L));
            json.writeEndObject();
            json.writeEndArray();
            json.writeEndObject();
        } catch (final IOException e) {
            throw new UncheckedIOException("writing to a string cannot fail", e);
        }
        return out.toString();
    }

    /** The attachment colour of a priority: dark red for the top three down to grey for Debug. */
    public static String colorOf(final Priority priority) {
        switch (priority) {
            case EMERGENCY:
                return "#7a0000";
            case ALERT:
                return "#b00020";
            case CRITICAL:
                return "#d50200";
            case ERROR:
                return "#e8590c";
            case WARNING:
                return "#f2c744";
            case NOTICE:
                return "#439fe0";
            case INFORMATIONAL:
                return "#2eb886";
            default:
                return "#999999";
        }
    }

    private static void field(final JsonGenerator json, final String title, final String value,
                              final boolean isShort) throws IOException {
        if (value.isEmpty()) {
            return;
        }
        json.writeStartObject();
        json.writeStringField("title", title);
        json.writeStringField("value", escape(value));
        json.writeBooleanField("short", isShort);
        json.writeEndObject();
    }

    /**
     * " ×1000" for a deduplicated alert, nothing for a single one: a summary is a new message in the
     * channel, and the notification (which shows only {@code text}) must say it stands for many.
     */
    private static String times(final long count) {
        return count > 1 ? " ×" + count : "";
    }

    /** Slack's three control characters; everything else is sent as is. */
    static String escape(final String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
