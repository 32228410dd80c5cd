package dev.peregrine.alerting.spool;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.peregrine.alerting.Alert;
import dev.peregrine.alerting.AlertJson;
import dev.peregrine.alerting.Priority;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An alert as one spool line: exactly the Falco-compatible JSON of {@link AlertJson}, so an
 * operator can read a spool (or dead-letter file) with the same tools as the alert stream, and
 * back again. Public for the distributed alerter, which reads alerts back from the alerts topic.
 */
public final class AlertRecord {

    private final JsonFactory factory = JsonFactory.builder().build();
    private final AlertJson alertJson = new AlertJson();

    /** The alert as one JSON line, without the newline. */
    public String encode(final Alert alert) {
        return alertJson.toJson(alert);
    }

    /** Reads an alert back; {@link IOException} names what is wrong with the line. */
    public Alert decode(final String line) throws IOException {
        try (JsonParser json = factory.createParser(line)) {
            if (json.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException("not a JSON object");
            }
            return readAlert(json);
        }
    }

    /** Reads the alert object whose START_OBJECT {@code json} is on. */
    Alert readAlert(final JsonParser json) throws IOException {
        String id = null;
        String ruleId = null;
        String rule = null;
        Priority priority = null;
        String source = "";
        String hostname = "";
        String output = "";
        String agent = "";
        String session = "";
        long time = 0;
        long firstSeen = 0;
        long lastSeen = 0;
        long count = 1;
        final List<String> tags = new ArrayList<>();
        final Map<String, Object> fields = new LinkedHashMap<>();
        while (json.nextToken() == JsonToken.FIELD_NAME) {
            final String name = json.currentName();
            json.nextToken();
            switch (name) {
                case "id" -> id = json.getValueAsString();
                case "rule_id" -> ruleId = json.getValueAsString();
                case "rule" -> rule = json.getValueAsString();
                case "priority" -> priority = Priority.parse(json.getValueAsString())
                        .orElseThrow(() -> new IOException("unknown priority " + safeText(json)));
                case "source" -> source = json.getValueAsString();
                case "hostname" -> hostname = json.getValueAsString();
                case "output" -> output = json.getValueAsString();
                case "agent" -> agent = json.getValueAsString();
                case "session" -> session = json.getValueAsString();
                case "count" -> count = json.getValueAsLong(1);
                case "time" -> time = nanos(json.getValueAsString());
                case "first_seen" -> firstSeen = nanos(json.getValueAsString());
                case "last_seen" -> lastSeen = nanos(json.getValueAsString());
                case "tags" -> readTags(json, tags);
                case "output_fields" -> readFields(json, fields);
                default -> json.skipChildren();
            }
        }
        if (id == null || ruleId == null || rule == null || priority == null) {
            throw new IOException("missing one of id, rule_id, rule, priority");
        }
        return new Alert(id, time, ruleId, rule, priority, source, hostname, tags, output, fields, agent, session,
                count, firstSeen, lastSeen);
    }

    private static void readTags(final JsonParser json, final List<String> tags) throws IOException {
        if (json.currentToken() != JsonToken.START_ARRAY) {
            throw new IOException("tags is not an array");
        }
        while (json.nextToken() != JsonToken.END_ARRAY) {
            tags.add(json.getValueAsString());
        }
    }

    private static void readFields(final JsonParser json, final Map<String, Object> fields) throws IOException {
        if (json.currentToken() != JsonToken.START_OBJECT) {
            throw new IOException("output_fields is not an object");
        }
        while (json.nextToken() == JsonToken.FIELD_NAME) {
            final String name = json.currentName();
            final JsonToken value = json.nextToken();
            switch (value) {
                case VALUE_NULL -> fields.put(name, null);
                case VALUE_TRUE, VALUE_FALSE -> fields.put(name, json.getBooleanValue());
                case VALUE_NUMBER_INT -> fields.put(name, json.getLongValue());
                case VALUE_NUMBER_FLOAT -> fields.put(name, json.getDoubleValue());
                case VALUE_STRING -> fields.put(name, json.getText());
                default -> {
                    json.skipChildren();
                    throw new IOException("output_fields." + name + " is not a scalar");
                }
            }
        }
    }

    private static long nanos(final String text) throws IOException {
        try {
            final Instant instant = Instant.parse(text);
            return Math.addExact(Math.multiplyExact(instant.getEpochSecond(), 1_000_000_000L), instant.getNano());
        } catch (final DateTimeParseException | ArithmeticException | NullPointerException e) {
            throw new IOException("bad time " + text, e);
        }
    }

    private static String safeText(final JsonParser json) {
        try {
            return json.getText();
        } catch (final IOException e) {
            return "?";
        }
    }
}
