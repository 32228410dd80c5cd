package dev.peregrine.bench.harness;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.peregrine.collector.event.Event;
import dev.peregrine.collector.event.Field;
import dev.peregrine.collector.event.FieldRegistry;
import dev.peregrine.collector.event.StandardFields;
import dev.peregrine.collector.event.Timestamps;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes events as native NDJSON lines (spec §2.1): one object per line, the registered fields an
 * event carries under their Falco names, {@code evt.time} in RFC 3339 with nanoseconds. Fields the
 * event model derives when they are absent ({@code evt.failed}, {@code proc.cmdline},
 * {@code proc.exepath}) are left out: the parser fills them again, as for a sensor that omits them.
 */
public final class NativeLines {

    private static final JsonFactory JSON = new JsonFactory();
    private static final List<Field> FIELDS = List.copyOf(FieldRegistry.standard().fields());

    private NativeLines() {
    }

    /** Writes {@code event} and a newline to {@code json}'s stream. */
    public static void write(final Event event, final JsonGenerator json) throws IOException {
        json.writeStartObject();
        json.writeStringField(StandardFields.EVT_TIME.name(), Timestamps.formatRfc3339(event.timeNanos()));
        for (final Field field : FIELDS) {
            if (field == StandardFields.EVT_TIME || field == StandardFields.EVT_FAILED
                    || field == StandardFields.PROC_CMDLINE || field == StandardFields.PROC_EXEPATH) {
                continue;
            }
            final Object value = event.get(field);
            if (value instanceof String text) {
                json.writeStringField(field.name(), text);
            } else if (value instanceof Long number) {
                json.writeNumberField(field.name(), number);
            } else if (value instanceof Boolean flag) {
                json.writeBooleanField(field.name(), flag);
            }
        }
        json.writeEndObject();
        json.writeRaw('\n');
    }

    /** A generator writing lines to {@code out}; one line per {@link #write} call. */
    public static JsonGenerator generator(final OutputStream out) throws IOException {
        final JsonGenerator json = JSON.createGenerator(out);
        // lines are separated by '\n' alone, not by the generator's default root separator (a space)
        json.setRootValueSeparator(null);
        return json;
    }

    /** Generates {@code spec}'s mix into {@code file} (replaced); returns its size in bytes. */
    public static long writeMix(final MixSpec spec, final Path file) throws IOException {
        final EventMixGenerator mix = new EventMixGenerator(spec);
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16);
             JsonGenerator json = generator(out)) {
            while (mix.hasNext()) {
                write(mix.next(), json);
            }
        }
        return Files.size(file);
    }
}
