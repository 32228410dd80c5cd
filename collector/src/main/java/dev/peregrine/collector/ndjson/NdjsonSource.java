package dev.peregrine.collector.ndjson;

import dev.peregrine.collector.deadletter.Rejection;
import dev.peregrine.collector.deadletter.Rejection.Reason;
import dev.peregrine.collector.event.Event;
import dev.peregrine.collector.source.EventSource;
import dev.peregrine.collector.source.FollowedFileInputStream;
import dev.peregrine.collector.source.SourceListener;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An NDJSON file or stream (spec §2.1, §2.2) as an {@link EventSource}: every line becomes an
 * event or exactly one {@link Rejection}, numbered as the line is in the input.
 *
 * <p>Blank lines are skipped, neither events nor rejections. A line is rejected as
 * {@link Reason#TOO_LONG} over the maximum length, {@link Reason#INVALID_ENCODING} when it is
 * not UTF-8, otherwise for whatever {@link NdjsonParser} refuses. Bad data never throws out of
 * {@link #read}; only a failing read of the input does.
 *
 * <p>{@link #close()} from another thread stops a {@link #read} in progress: it returns at the
 * next line, or at once when the input unblocks on close (files, pipes and stdin as opened by
 * {@link #stdin()}, sockets). A source reads its input once.
 */
public final class NdjsonSource implements EventSource {

    /** The name stdin is reported under. */
    public static final String STDIN = "stdin";

    private static final Duration FOLLOW_POLL = Duration.ofMillis(200);
    private static final Logger LOG = LoggerFactory.getLogger(NdjsonSource.class);
    private static final byte[] UTF8_BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};

    private final String name;
    private final Opener opener;
    private final NdjsonParser parser;
    private final int maxLineBytes;
    private final Object lock = new Object();
    private boolean closed;
    private InputStream input;

    /** Opens the input when the read starts, so that a source can be configured before its file exists. */
    @FunctionalInterface
    private interface Opener {
        InputStream open() throws IOException;
    }

    /**
     * A source reading {@code in}, reported as {@code name}; it closes {@code in} when the read
     * ends. {@code parser} must be used by this source only.
     */
    public NdjsonSource(final String name, final InputStream in, final NdjsonParser parser, final int maxLineBytes) {
        this(name, given(in), parser, maxLineBytes);
    }

    private NdjsonSource(final String name, final Opener opener, final NdjsonParser parser, final int maxLineBytes) {
        if (maxLineBytes < 1) {
            throw new IllegalArgumentException("maxLineBytes must be positive, got " + maxLineBytes);
        }
        this.name = Objects.requireNonNull(name, "name");
        this.opener = opener;
        this.parser = Objects.requireNonNull(parser, "parser");
        this.maxLineBytes = maxLineBytes;
    }

    private static Opener given(final InputStream in) {
        Objects.requireNonNull(in, "in");
        return () -> in;
    }

    /** The file at {@code path}, formats detected per line, lines of at most 1 MiB. */
    public static NdjsonSource file(final Path path) {
        return file(path, new NdjsonParser(), LineReader.DEFAULT_MAX_LINE_BYTES);
    }

    /** The file at {@code path}, named by its path. */
    public static NdjsonSource file(final Path path, final NdjsonParser parser, final int maxLineBytes) {
        return new NdjsonSource(path.toString(), () -> Files.newInputStream(path), parser, maxLineBytes);
    }

    /**
     * The file at {@code path}, followed as it grows ({@code tail -f}): the read ends only when
     * the source is closed. Truncation and replacement of the file are followed too.
     */
    public static NdjsonSource followed(final Path path, final NdjsonParser parser, final int maxLineBytes) {
        return new NdjsonSource(path.toString(),
                () -> new FollowedFileInputStream(path, FOLLOW_POLL), parser, maxLineBytes);
    }

    /** The process's standard input, formats detected per line, lines of at most 1 MiB. */
    public static NdjsonSource stdin() {
        return stdin(new NdjsonParser(), LineReader.DEFAULT_MAX_LINE_BYTES);
    }

    /**
     * The process's standard input, named {@value #STDIN}. Read through a file channel rather
     * than {@link System#in}, because closing a channel wakes a thread blocked reading an idle
     * pipe, which closing {@code System.in} does not.
     */
    public static NdjsonSource stdin(final NdjsonParser parser, final int maxLineBytes) {
        return new NdjsonSource(STDIN,
                () -> Channels.newInputStream(new FileInputStream(FileDescriptor.in).getChannel()),
                parser, maxLineBytes);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void read(final SourceListener listener) throws IOException {
        if (isClosed()) {
            return;
        }
        // Opened outside the lock: opening a FIFO blocks until a writer comes, and close() must not wait for that.
        final InputStream in = opener.open();
        synchronized (lock) {
            if (closed) {
                in.close();
                return;
            }
            input = in;
        }
        try (LineReader lines = new LineReader(in, maxLineBytes)) {
            while (!isClosed() && lines.next()) {
                handle(lines, listener);
            }
        } catch (final IOException e) {
            if (!isClosed()) {
                throw e;
            }
            // A read cut short by close() is how close() works, not a failure.
        }
    }

    /** Stops a {@link #read} in progress and closes the input. */
    @Override
    public void close() throws IOException {
        final InputStream in;
        synchronized (lock) {
            closed = true;
            in = input;
        }
        if (in != null) {
            in.close();
        }
    }

    private boolean isClosed() {
        synchronized (lock) {
            return closed;
        }
    }

    private void handle(final LineReader lines, final SourceListener listener) {
        if (lines.tooLong()) {
            reject(listener, lines, Reason.TOO_LONG, "line is " + lines.rawLength()
                    + " bytes long, over the limit of " + lines.maxLineBytes() + " bytes");
            return;
        }
        final int invalidAt = lines.firstInvalidUtf8();
        if (invalidAt >= 0) {
            reject(listener, lines, Reason.INVALID_ENCODING, String.format("byte %d (0x%02X) is not valid UTF-8",
                    invalidAt + 1, lines.buffer()[lines.offset() + invalidAt] & 0xFF));
            return;
        }
        int off = lines.offset();
        int len = lines.length();
        if (lines.lineNumber() == 1 && startsWithBom(lines.buffer(), off, len)) {
            off += UTF8_BOM.length;
            len -= UTF8_BOM.length;
        }
        if (NdjsonParser.isBlank(lines.buffer(), off, len)) {
            return;
        }
        final Event event;
        try {
            event = parser.parse(lines.buffer(), off, len);
        } catch (final LineRejectedException e) {
            reject(listener, lines, e.reason(), e.getMessage());
            return;
        } catch (final RuntimeException e) {
            // A parser bug must cost one line, not the stream; the rejection keeps the line to reproduce it.
            LOG.warn("{}:{}: parser failed on a line, rejecting it", name, lines.lineNumber(), e);
            reject(listener, lines, Reason.MALFORMED_JSON, "could not be parsed: " + e);
            return;
        }
        listener.onEvent(event);
    }

    private void reject(final SourceListener listener, final LineReader lines, final Reason reason,
                        final String message) {
        listener.onRejected(new Rejection(name, lines.lineNumber(), reason, message, lines.text(),
                lines.rawLength(), lines.sha256Hex(), lines.tooLong()));
    }

    private static boolean startsWithBom(final byte[] buf, final int off, final int len) {
        return len >= 3 && buf[off] == UTF8_BOM[0] && buf[off + 1] == UTF8_BOM[1] && buf[off + 2] == UTF8_BOM[2];
    }
}
