package dev.peregrine.collector.source;

import dev.peregrine.collector.deadletter.Rejection;
import dev.peregrine.collector.deadletter.Rejection.Reason;
import dev.peregrine.collector.ndjson.LineReader;
import dev.peregrine.collector.ndjson.LineRejectedException;
import dev.peregrine.collector.ndjson.NdjsonParser;
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
 * A line-oriented text input (a file, stdin, a followed log) read through a {@link LineParser}:
 * every line becomes part of an event or exactly one {@link Rejection}, numbered as the line
 * is in the input. The same line handling as {@code NdjsonSource}: blank lines are skipped, a
 * leading UTF-8 byte order mark is dropped, a line is {@link Reason#TOO_LONG} over the maximum
 * length and {@link Reason#INVALID_ENCODING} when it is not UTF-8.
 *
 * <p>When the input ends, or the source is closed, the parser hands over the events it still
 * holds. {@link #close()} from another thread stops a {@link #read} in progress. A source reads
 * its input once.
 */
public final class LineSource implements EventSource {

    /** The name stdin is reported under. */
    public static final String STDIN = "stdin";

    private static final Duration FOLLOW_POLL = Duration.ofMillis(200);
    private static final Logger LOG = LoggerFactory.getLogger(LineSource.class);
    private static final byte[] UTF8_BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};

    private final String name;
    private final Opener opener;
    private final LineParser parser;
    private final int maxLineBytes;
    private final Object lock = new Object();
    private boolean closed;
    private InputStream input;

    /** Opens the input when the read starts, so that a source can be configured before its file exists. */
    @FunctionalInterface
    private interface Opener {
        InputStream open() throws IOException;
    }

    private LineSource(final String name, final Opener opener, final LineParser parser, final int maxLineBytes) {
        if (maxLineBytes < 1) {
            throw new IllegalArgumentException("maxLineBytes must be positive, got " + maxLineBytes);
        }
        this.name = Objects.requireNonNull(name, "name");
        this.opener = opener;
        this.parser = Objects.requireNonNull(parser, "parser");
        this.maxLineBytes = maxLineBytes;
    }

    /**
     * A source reading {@code in}, reported as {@code name}; it closes {@code in} when the read
     * ends. {@code parser} must be used by this source only.
     */
    public static LineSource of(final String name, final InputStream in, final LineParser parser,
                                final int maxLineBytes) {
        Objects.requireNonNull(in, "in");
        return new LineSource(name, () -> in, parser, maxLineBytes);
    }

    /** The file at {@code path}, named by its path. */
    public static LineSource file(final Path path, final LineParser parser, final int maxLineBytes) {
        return new LineSource(path.toString(), () -> Files.newInputStream(path), parser, maxLineBytes);
    }

    /** The file at {@code path}, followed as it grows ({@code tail -f}) until the source is closed. */
    public static LineSource followed(final Path path, final LineParser parser, final int maxLineBytes) {
        return new LineSource(path.toString(), () -> new FollowedFileInputStream(path, FOLLOW_POLL), parser,
                maxLineBytes);
    }

    /**
     * The process's standard input, named {@value #STDIN}; read through a file channel so that
     * {@link #close()} wakes a read blocked on an idle pipe.
     */
    public static LineSource stdin(final LineParser parser, final int maxLineBytes) {
        return new LineSource(STDIN, () -> Channels.newInputStream(new FileInputStream(FileDescriptor.in).getChannel()),
                parser, maxLineBytes);
    }

    @Override
    public String name() {
        return name;
    }

    /** The parser this source reads with. */
    public LineParser parser() {
        return parser;
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
        // Events the parser still holds are complete as far as this input goes.
        try {
            parser.finish(listener::onEvent);
        } catch (final RuntimeException e) {
            // As for a line: a parser bug must not end the stream silently; it is counted and kept.
            LOG.warn("{}: parser failed completing the events it held at end of input", name, e);
            listener.onRejected(new Rejection(name, 0, parser.failureReason(),
                    "events held at end of input could not be completed: " + e, "", 0, EMPTY_SHA256, false));
        }
    }

    /** SHA-256 of no bytes: the raw text of a rejection that is not about one line. */
    private static final String EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

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
        try {
            parser.parse(lines.buffer(), off, len, listener::onEvent);
        } catch (final LineRejectedException e) {
            reject(listener, lines, e.reason(), e.getMessage());
        } catch (final RuntimeException e) {
            // A parser bug must cost one line, not the stream; the rejection keeps the line to reproduce it.
            LOG.warn("{}:{}: parser failed on a line, rejecting it", name, lines.lineNumber(), e);
            reject(listener, lines, parser.failureReason(), "could not be parsed: " + e);
        }
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
