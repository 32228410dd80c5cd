package dev.peregrine.alerting.jsonl;

import dev.peregrine.alerting.Alert;
import dev.peregrine.alerting.AlertJson;
import dev.peregrine.alerting.AlertSink;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Writes alerts as JSON lines to a stream (stdout) or appends them to a file. */
public final class JsonLinesSink implements AlertSink {

    private final AlertJson json = new AlertJson();
    private final Writer out;
    private final boolean closeUnderlying;
    private final boolean flushEachAlert;

    private JsonLinesSink(final Writer out, final boolean closeUnderlying, final boolean flushEachAlert) {
        this.out = out;
        this.closeUnderlying = closeUnderlying;
        this.flushEachAlert = flushEachAlert;
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
        out.write(json.toJson(alert));
        out.write('\n');
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
