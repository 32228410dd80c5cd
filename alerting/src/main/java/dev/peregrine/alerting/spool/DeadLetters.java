package dev.peregrine.alerting.spool;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.peregrine.alerting.Alert;
import dev.peregrine.alerting.AlertJson;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

/**
 * {@code dead-letter.ndjson}: alerts (or spool lines) given up on, one JSON object per line with
 * {@code time}, {@code reason} and the {@code alert} (or the unreadable {@code raw} line), so
 * nothing rejected vanishes and an operator can replay it.
 */
final class DeadLetters {

    private final Path file;
    private final JsonFactory factory = JsonFactory.builder().build();
    private final AlertJson alertJson = new AlertJson();
    private long written;

    DeadLetters(final Path file) {
        this.file = file;
    }

    /** The file written to. */
    Path file() {
        return file;
    }

    /** Entries written since this sink was opened. */
    long written() {
        return written;
    }

    /** Keeps {@code alert} with the reason it was given up on. */
    void add(final String reason, final Alert alert) throws IOException {
        final StringWriter out = new StringWriter(512);
        try (JsonGenerator json = factory.createGenerator(out)) {
            start(json, reason);
            json.writeFieldName("alert");
            alertJson.write(alert, json);
            json.writeEndObject();
        }
        append(out);
    }

    /** Keeps a raw line that could not be read as an alert. */
    void add(final String reason, final String raw) throws IOException {
        final StringWriter out = new StringWriter(512);
        try (JsonGenerator json = factory.createGenerator(out)) {
            start(json, reason);
            json.writeStringField("raw", raw);
            json.writeEndObject();
        }
        append(out);
    }

    private static void start(final JsonGenerator json, final String reason) throws IOException {
        json.writeStartObject();
        json.writeStringField("time", Instant.now().toString());
        json.writeStringField("reason", reason);
    }

    private void append(final StringWriter out) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, out.append('\n').toString(), StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND, StandardOpenOption.WRITE);
        written++;
    }
}
