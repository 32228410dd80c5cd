package dev.peregrine.collector.source;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Objects;

/**
 * The source an {@link InputFormat} builds: opens the input when the read starts, and for
 * {@link InputFormat#AUTO} first peeks at its start to pick the format, then hands the whole
 * input (peeked bytes included) to the source of that format.
 */
final class DetectingSource implements EventSource {

    /** Opens the input when the read starts, so that a source can be configured before its file exists. */
    @FunctionalInterface
    interface Opener {
        InputStream open() throws IOException;
    }

    private final String name;
    private final Opener opener;
    private final int maxLineBytes;
    private final InputFormat fixed;
    private final Object lock = new Object();
    private boolean closed;
    private InputStream input;
    private EventSource delegate;

    /** A source detecting its format. */
    DetectingSource(final String name, final Opener opener, final int maxLineBytes) {
        this(name, opener, maxLineBytes, null);
    }

    /** A source of a fixed format ({@code null}: detect). */
    DetectingSource(final String name, final Opener opener, final int maxLineBytes, final InputFormat fixed) {
        if (maxLineBytes < 1) {
            throw new IllegalArgumentException("maxLineBytes must be positive, got " + maxLineBytes);
        }
        this.name = Objects.requireNonNull(name, "name");
        this.opener = Objects.requireNonNull(opener, "opener");
        this.maxLineBytes = maxLineBytes;
        this.fixed = fixed;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void read(final SourceListener listener) throws IOException {
        synchronized (lock) {
            if (closed) {
                return;
            }
        }
        // Opened outside the lock: opening a FIFO blocks until a writer comes, and close() must not wait for that.
        final InputStream opened = opener.open();
        synchronized (lock) {
            if (closed) {
                opened.close();
                return;
            }
            input = opened;
        }
        final InputFormat format;
        final InputStream in;
        if (fixed != null) {
            format = fixed;
            in = opened;
        } else {
            final BufferedInputStream buffered = new BufferedInputStream(opened, InputFormat.DETECTION_BYTES);
            final byte[] head;
            try {
                head = peekFirstLine(buffered);
            } catch (final IOException e) {
                if (isClosed()) {
                    return;
                }
                throw e;
            }
            format = InputFormat.detect(head, 0, head.length);
            in = buffered;
        }
        final EventSource source = format.open(name, in, maxLineBytes);
        synchronized (lock) {
            if (closed) {
                source.close();
                return;
            }
            delegate = source;
        }
        source.read(listener);
    }

    @Override
    public void close() throws IOException {
        final InputStream in;
        final EventSource source;
        synchronized (lock) {
            closed = true;
            in = input;
            source = delegate;
        }
        if (source != null) {
            source.close();
        } else if (in != null) {
            in.close();
        }
    }

    private boolean isClosed() {
        synchronized (lock) {
            return closed;
        }
    }

    /** Reads ahead up to the end of the first non-blank line (or the detection limit), then rewinds. */
    private static byte[] peekFirstLine(final BufferedInputStream in) throws IOException {
        in.mark(InputFormat.DETECTION_BYTES);
        final byte[] head = new byte[InputFormat.DETECTION_BYTES];
        int length = 0;
        boolean sawText = false;
        while (length < head.length) {
            final int b = in.read();
            if (b < 0) {
                break;
            }
            head[length++] = (byte) b;
            if (b == '\n') {
                if (sawText) {
                    break;
                }
            } else if (b != ' ' && b != '\t' && b != '\r') {
                sawText = true;
            }
        }
        in.reset();
        return Arrays.copyOf(head, length);
    }
}
