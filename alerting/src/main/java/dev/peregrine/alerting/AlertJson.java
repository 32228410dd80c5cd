package dev.peregrine.alerting;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;

/** Writes an {@link Alert} as one line of Falco-compatible JSON (spec §3). */
public final class AlertJson {

    private static final DateTimeFormatter NANOS_UTC =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSSSSS'Z'").withZone(ZoneOffset.UTC);

    private final JsonFactory factory = JsonFactory.builder().build();

    /** The alert as a single JSON object without a trailing newline. */
    public String toJson(final Alert alert) {
        final StringWriter out = new StringWriter(512);
        try (JsonGenerator json = factory.createGenerator(out)) {
            write(alert, json);
        } catch (final IOException e) {
            throw new UncheckedIOException("writing to a string cannot fail", e);
        }
        return out.toString();
    }

    /** Writes the alert object to {@code json}. */
    public void write(final Alert alert, final JsonGenerator json) throws IOException {
        json.writeStartObject();
        json.writeStringField("time", formatTime(alert.timeNanos()));
        json.writeStringField("rule", alert.rule());
        json.writeStringField("priority", alert.priority().displayName());
        json.writeStringField("source", alert.source());
        json.writeStringField("hostname", alert.hostname());
        json.writeArrayFieldStart("tags");
        for (final String tag : alert.tags()) {
            json.writeString(tag);
        }
        json.writeEndArray();
        json.writeStringField("output", alert.output());
        json.writeObjectFieldStart("output_fields");
        for (final Map.Entry<String, Object> field : alert.outputFields().entrySet()) {
            json.writeFieldName(field.getKey());
            writeValue(json, field.getValue());
        }
        json.writeEndObject();
        json.writeStringField("id", alert.id());
        json.writeStringField("rule_id", alert.ruleId());
        json.writeStringField("agent", alert.agent());
        json.writeStringField("session", alert.session());
        json.writeNumberField("count", alert.count());
        json.writeStringField("first_seen", formatTime(alert.firstSeenNanos()));
        json.writeStringField("last_seen", formatTime(alert.lastSeenNanos()));
        json.writeEndObject();
    }

    /** RFC 3339 UTC with nanoseconds, as Falco prints times. */
    public static String formatTime(final long epochNanos) {
        final Instant instant = Instant.ofEpochSecond(Math.floorDiv(epochNanos, 1_000_000_000L),
                Math.floorMod(epochNanos, 1_000_000_000L));
        return NANOS_UTC.format(instant);
    }

    private static void writeValue(final JsonGenerator json, final Object value) throws IOException {
        if (value == null) {
            json.writeNull();
        } else if (value instanceof Long number) {
            json.writeNumber(number);
        } else if (value instanceof Integer number) {
            json.writeNumber(number);
        } else if (value instanceof Double number) {
            json.writeNumber(number);
        } else if (value instanceof Boolean bool) {
            json.writeBoolean(bool);
        } else {
            json.writeString(value.toString());
        }
    }
}
