package dev.peregrine.alerting.jsonl;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamWriteFeature;
import dev.peregrine.alerting.Alert;
import dev.peregrine.alerting.AlertJson;
import dev.peregrine.alerting.AlertSink;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Writes alerts as JSON lines to a stream (stdout) or appends them to a file.
 *
 * <p>One JSON generator writes every alert straight into the writer's buffer, the same bytes as
 * {@link AlertJson#toJson} and a newline, without building each line as a string first.
 */
public final class JsonLinesSink implements AlertSink {

    private static final JsonFactory FACTORY = JsonFactory.builder()
            // the sink decides when the writer is flushed and closed, not the generator
            .disable(StreamWriteFeature.AUTO_CLOSE_TARGET)
            .disable(StreamWriteFeature.FLUSH_PASSED_TO_STREAM)
            .build();

    private final AlertJson json = new AlertJson();
    private final Writer out;
    private JsonGenerator generator;
    private final boolean closeUnderlying;
    private final boolean flushEachAlert;

    private JsonLinesSink(final Writer out, final boolean closeUnderlying, final boolean flushEachAlert) {
        this.out = out;
        this.closeUnderlying = closeUnderlying;
        this.flushEachAlert = flushEachAlert;
        this.generator = newGenerator(out);
    }

    private static JsonGenerator newGenerator(final Writer out) {
        try {
            // lines are separated by the newline written after each alert, not by Jackson's space
            return FACTORY.createGenerator(out).setRootValueSeparator(null);
        } catch (final IOException e) {
            throw new UncheckedIOException("a generator over a writer is not opened by I/O", e);
        }
    }

    /**
     * A sink on an open stream such as {@code System.out}; each alert is flushed at once so a
     * reader of a pipe sees it immediately. Closing the sink flushes but leaves the stream open.
     */
    public static JsonLinesSink toStream(final OutputStream stream) {
        return toWriter(new BufferedWriter(new OutputStreamWriter(stream, StandardCharsets.UTF_8)));
    }

    /** Like {@link #toStream}, for a character stream the caller owns (its encoding is the caller's choice). */
    public static JsonLinesSink toWriter(final Writer writer) {
        return new JsonLinesSink(writer, false, true);
    }

    /** A sink appending to {@code file}, creating it and its parent directories when missing. */
    public static JsonLinesSink toFile(final Path file) throws IOException {
        final Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        return new JsonLinesSink(Files.newBufferedWriter(file, StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND), true, false);
    }

    @Override
    public void deliver(final Alert alert) throws IOException {
        try {
            json.write(alert, generator);
            generator.writeRaw('\n');
            // hands the generator's buffer to the writer (never flushes the writer itself)
            generator.flush();
        } catch (final IOException | RuntimeException e) {
            // a half-written alert must not leave the next one inside an unclosed object
            generator = newGenerator(out);
            throw e;
        }
        if (flushEachAlert) {
            out.flush();
        }
    }

    @Override
    public void flush() throws IOException {
        out.flush();
    }

    @Override
    public void close() throws IOException {
        if (closeUnderlying) {
            out.close();
        } else {
            out.flush();
        }
    }
}
