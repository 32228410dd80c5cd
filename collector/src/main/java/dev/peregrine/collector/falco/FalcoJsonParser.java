package dev.peregrine.collector.falco;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import dev.peregrine.collector.deadletter.Rejection.Reason;
import dev.peregrine.collector.event.Event;
import dev.peregrine.collector.event.Field;
import dev.peregrine.collector.event.FieldRegistry;
import dev.peregrine.collector.event.StandardFields;
import dev.peregrine.collector.ndjson.JsonValues;
import dev.peregrine.collector.ndjson.LineRejectedException;
import dev.peregrine.collector.source.LineParser;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Parses one line of Falco's JSON alert output (spec §2.4) into an {@link Event}.
 *
 * <h2>Mapping</h2>
 * Every key of {@code output_fields} that is a registered field ({@code proc.cmdline},
 * {@code fd.name}, …) is set, converted as {@link JsonValues#coerce} does for native NDJSON;
 * the others ({@code evt.time.iso8601}, {@code proc.aname[2]}, …) are kept as extras under
 * their own names. Falco writes {@code <NA>} for a field it could not read: that is absent,
 * not an invalid value. The top-level keys: {@code time} → {@code evt.time} (an
 * {@code evt.time} in {@code output_fields} is used only when {@code time} is missing),
 * {@code hostname} → {@code host.name}, and {@code rule}, {@code priority}, {@code source},
 * {@code output}, {@code tags} and any other key → extra {@code falco.<key>}.
 * {@code evt.source} is always {@code falco}: the event is Falco's verdict, whatever Falco
 * source ({@code falco.source}, e.g. {@code syscall}) it came from.
 *
 * <h2>Rejections</h2>
 * {@link Reason#MALFORMED_JSON} for invalid JSON or a non-object; {@link Reason#UNKNOWN_FORMAT}
 * without an {@code output_fields} object; {@link Reason#INVALID_VALUE} for a value that does
 * not fit its field (the first one); {@link Reason#MISSING_FIELD} without any time.
 *
 * <p>Streaming Jackson, no intermediate map. Not thread-safe: one parser per source.
 */
public final class FalcoJsonParser implements LineParser {

    private static final String SOURCE = "falco";
    private static final String NOT_AVAILABLE = "<NA>";

    private final JsonFactory json = JsonFactory.builder().disable(JsonFactory.Feature.INTERN_FIELD_NAMES).build();
    private final JsonValues values = new JsonValues(json);
    private final Map<String, Field> fieldsByName = new HashMap<>();

    /** A parser for Falco alert lines. */
    public FalcoJsonParser() {
        for (final Field field : FieldRegistry.standard().fields()) {
            fieldsByName.put(field.name(), field);
        }
    }

    @Override
    public void parse(final byte[] buf, final int off, final int len, final Consumer<Event> events)
            throws LineRejectedException {
        events.accept(parse(buf, off, len));
    }

    /**
     * Parses the UTF-8 line {@code buf[off, off+len)}.
     *
     * @throws LineRejectedException when the line cannot become an event, with the reason
     */
    public Event parse(final byte[] buf, final int off, final int len) throws LineRejectedException {
        final Event.Builder event = Event.builder();
        Long time = null;
        boolean sawOutputFields = false;
        LineRejectedException firstInvalid = null;
        try (JsonParser parser = json.createParser(buf, off, len)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw new LineRejectedException(Reason.MALFORMED_JSON, "expected a JSON object");
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                final String key = parser.currentName();
                final JsonToken token = parser.nextToken();
                if (key.equals("output_fields") && token == JsonToken.START_OBJECT) {
                    sawOutputFields = true;
                    final LineRejectedException invalid = readOutputFields(parser, event);
                    firstInvalid = firstInvalid == null ? invalid : firstInvalid;
                    continue;
                }
                final Object value = values.read(parser, token);
                if (value == null) {
                    continue;
                }
                switch (key) {
                    case "time" -> {
                        try {
                            time = (Long) JsonValues.coerce(StandardFields.EVT_TIME, key, value);
                        } catch (final LineRejectedException e) {
                            firstInvalid = firstInvalid == null ? e : firstInvalid;
                        }
                    }
                    case "hostname" -> event.set(StandardFields.HOST_NAME, value.toString());
                    default -> event.extra("falco." + key, JsonValues.toExtra(value));
                }
            }
            if (parser.nextToken() != null) {
                throw new LineRejectedException(Reason.MALFORMED_JSON, "unexpected content after the JSON object");
            }
        } catch (final JsonProcessingException e) {
            throw new LineRejectedException(Reason.MALFORMED_JSON, "invalid JSON: " + e.getOriginalMessage());
        } catch (final IOException e) {
            throw new LineRejectedException(Reason.MALFORMED_JSON, "invalid JSON: " + e.getMessage());
        }
        if (!sawOutputFields) {
            throw new LineRejectedException(Reason.UNKNOWN_FORMAT, "not a Falco alert: no 'output_fields' object");
        }
        if (firstInvalid != null) {
            throw firstInvalid;
        }
        if (time != null) {
            event.time(time);
        }
        if (!event.has(StandardFields.EVT_TIME)) {
            throw new LineRejectedException(Reason.MISSING_FIELD, "Falco alert has no 'time'");
        }
        event.set(StandardFields.EVT_SOURCE, SOURCE);
        return event.build();
    }

    /** Reads {@code output_fields}; returns the first invalid value, if any, after reading all of it. */
    private LineRejectedException readOutputFields(final JsonParser parser, final Event.Builder event) throws IOException {
        LineRejectedException firstInvalid = null;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            final String key = parser.currentName();
            final Object value = values.read(parser, parser.nextToken());
            if (value == null || NOT_AVAILABLE.equals(value)) {
                continue;
            }
            final Field field = fieldsByName.get(key);
            if (field == null) {
                event.extra(key, JsonValues.toExtra(value));
                continue;
            }
            try {
                event.set(field, JsonValues.coerce(field, key, value));
            } catch (final LineRejectedException e) {
                // Falco writes evt.time as it was asked to; the top-level time is the one that counts.
                if (field != StandardFields.EVT_TIME && firstInvalid == null) {
                    firstInvalid = e;
                }
            }
        }
        return firstInvalid;
    }
}
