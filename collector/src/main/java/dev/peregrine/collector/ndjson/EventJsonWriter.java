package dev.peregrine.collector.ndjson;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.peregrine.collector.event.Event;
import dev.peregrine.collector.event.Field;
import dev.peregrine.collector.event.FieldRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * Writes an {@link Event} as one compact native NDJSON object (spec §2.1): registered fields by
 * name in slot order, timestamps as integer epoch nanoseconds (exact, no formatting round trip),
 * then the extras; {@code NdjsonParser} reads it back to an equal event.
 *
 * <p>The process ancestry a process tree attached is not written: native NDJSON has no key for
 * it, and the engine side resolves ancestry from its own process tree when it has one.
 */
public final class EventJsonWriter {

    private static final FieldRegistry REGISTRY = FieldRegistry.standard();

    private final JsonFactory json = JsonFactory.builder().build();

    /** The event as UTF-8 JSON bytes without a trailing newline. */
    public byte[] toBytes(final Event event) {
        final ByteArrayOutputStream out = new ByteArrayOutputStream(512);
        try (JsonGenerator generator = json.createGenerator(out)) {
            write(event, generator);
        } catch (final IOException e) {
            throw new UncheckedIOException("writing to memory cannot fail", e);
        }
        return out.toByteArray();
    }

    private static void write(final Event event, final JsonGenerator out) throws IOException {
        out.writeStartObject();
        for (int slot = 0; slot < REGISTRY.size(); slot++) {
            final Field field = REGISTRY.bySlot(slot);
            final Object value = event.get(field);
            if (value != null) {
                out.writeFieldName(field.name());
                writeValue(value, out);
            }
        }
        for (final Map.Entry<String, Object> extra : event.extras().entrySet()) {
            out.writeFieldName(extra.getKey());
            writeValue(extra.getValue(), out);
        }
        out.writeEndObject();
    }

    private static void writeValue(final Object value, final JsonGenerator out) throws IOException {
        if (value instanceof Long number) {
            out.writeNumber(number);
        } else if (value instanceof Double number) {
            out.writeNumber(number);
        } else if (value instanceof Boolean bool) {
            out.writeBoolean(bool);
        } else {
            // Strings, and object/array extras, which the parser keeps as their compact JSON text.
            out.writeString(value.toString());
        }
    }
}
