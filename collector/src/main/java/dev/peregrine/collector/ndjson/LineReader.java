package dev.peregrine.collector.ndjson;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Splits an {@link InputStream} into lines of bytes, numbered from 1, each at most
 * {@code maxLineBytes} long.
 *
 * <p>A line ends at {@code \n} or at the end of the input; one {@code \r} before that end is
 * dropped, so {@code \r\n} files read like {@code \n} files. A trailing newline does not start
 * an extra empty line. The limit applies to the line without its terminator.
 *
 * <p>A line over the limit is read to its end without being held: only its first
 * {@link #KEPT_BYTES_OF_LONG_LINE} bytes are kept (for a dead-letter record), while its length
 * and SHA-256 are computed over all of it as it streams past. One bad writer must not be able
 * to make the collector allocate a gigabyte.
 *
 * <p>Cursor style, like a JDBC result set: {@link #next()} moves to the next line, the
 * accessors describe the current one, and the bytes {@link #buffer()} returns are valid only
 * until the next call. Not thread-safe.
 */
public final class LineReader implements Closeable {

    /** Default maximum line length: 1 MiB. */
    public static final int DEFAULT_MAX_LINE_BYTES = 1 << 20;

    /** How much of an over-long line is kept. */
    public static final int KEPT_BYTES_OF_LONG_LINE = 64 * 1024;

    private static final int CHUNK_BYTES = 64 * 1024;
    private static final HexFormat HEX = HexFormat.of();

    private final InputStream in;
    private final int maxLineBytes;
    private final int keptBytes;
    private final byte[] chunk = new byte[CHUNK_BYTES];
    private int chunkPos;
    private int chunkLen;
    private boolean endOfInput;

    /** Bytes of a line that spans chunks; grows up to {@code maxLineBytes + 1}. */
    private byte[] pending;
    private int pendingLen;

    private byte[] viewBuf;
    private int viewOff;
    private int viewLen;
    private long lineNumber;
    private boolean tooLong;
    private long rawLength;
    private String sha256Hex;
    private boolean heldCarriageReturn;
    private MessageDigest digest;

    /** Lines of at most {@link #DEFAULT_MAX_LINE_BYTES}. */
    public LineReader(final InputStream in) {
        this(in, DEFAULT_MAX_LINE_BYTES);
    }

    /** Lines of at most {@code maxLineBytes} bytes (at least 1). */
    public LineReader(final InputStream in, final int maxLineBytes) {
        if (maxLineBytes < 1 || maxLineBytes > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("maxLineBytes must be between 1 and 2^31-9, got " + maxLineBytes);
        }
        this.in = in;
        this.maxLineBytes = maxLineBytes;
        this.keptBytes = Math.min(KEPT_BYTES_OF_LONG_LINE, maxLineBytes);
        this.pending = new byte[Math.min(8192, maxLineBytes + 1)];
    }

    /** Moves to the next line; false at the end of the input. */
    public boolean next() throws IOException {
        pendingLen = 0;
        tooLong = false;
        heldCarriageReturn = false;
        sha256Hex = null;
        boolean started = false;
        while (true) {
            if (chunkPos == chunkLen && !fill()) {
                if (!started) {
                    return false;
                }
                finish(pending, 0, pendingLen);
                return true;
            }
            started = true;
            final int newline = ByteWords.indexOfNewline(chunk, chunkPos, chunkLen);
            if (newline >= 0 && pendingLen == 0 && !tooLong && newline - chunkPos <= maxLineBytes + 1) {
                // The whole line sits in the chunk: hand it out where it lies, no copy.
                final int start = chunkPos;
                chunkPos = newline + 1;
                finish(chunk, start, newline - start);
                return true;
            }
            final int end = newline >= 0 ? newline : chunkLen;
            if (tooLong) {
                stream(chunk, chunkPos, end);
            } else {
                append(chunk, chunkPos, end);
            }
            chunkPos = newline >= 0 ? newline + 1 : chunkLen;
            if (newline >= 0) {
                finish(pending, 0, pendingLen);
                return true;
            }
        }
    }

    /** The bytes of the current line (for a too-long line, its kept start); see {@link #offset()}. */
    public byte[] buffer() {
        return viewBuf;
    }

    /** Where the current line starts in {@link #buffer()}. */
    public int offset() {
        return viewOff;
    }

    /** Length of what {@link #buffer()} holds of the current line, without its terminator. */
    public int length() {
        return viewLen;
    }

    /** 1-based number of the current line. */
    public long lineNumber() {
        return lineNumber;
    }

    /** Whether the current line is longer than the limit, so that only its start is held. */
    public boolean tooLong() {
        return tooLong;
    }

    /** Length in bytes of the whole current line, without its terminator. */
    public long rawLength() {
        return rawLength;
    }

    /** The limit this reader enforces. */
    public int maxLineBytes() {
        return maxLineBytes;
    }

    /** Hex SHA-256 of the whole current line (computed on demand for lines that were held). */
    public String sha256Hex() {
        if (sha256Hex == null) {
            final MessageDigest md = digest();
            md.update(viewBuf, viewOff, viewLen);
            sha256Hex = HEX.formatHex(md.digest());
        }
        return sha256Hex;
    }

    /**
     * Offset within the current line of the first byte that is not well-formed UTF-8, or -1.
     * For a too-long line only the kept start is checked.
     */
    public int firstInvalidUtf8() {
        return Utf8.firstInvalid(viewBuf, viewOff, viewLen);
    }

    /** The current line (or its kept start) as text, ill-formed UTF-8 replaced by U+FFFD. */
    public String text() {
        return new String(viewBuf, viewOff, viewLen, StandardCharsets.UTF_8);
    }

    /** Closes the underlying stream. */
    @Override
    public void close() throws IOException {
        in.close();
    }

    private boolean fill() throws IOException {
        while (!endOfInput) {
            final int n = in.read(chunk, 0, chunk.length);
            if (n < 0) {
                endOfInput = true;
            } else if (n > 0) {
                chunkPos = 0;
                chunkLen = n;
                return true;
            }
        }
        return false;
    }

    private void finish(final byte[] buf, final int off, final int len) {
        lineNumber++;
        if (tooLong) {
            // A carriage return still held back here was the line's last byte: a terminator.
            sha256Hex = HEX.formatHex(digest.digest());
            view(pending, 0, keptBytes);
            return;
        }
        final int length = len > 0 && buf[off + len - 1] == '\r' ? len - 1 : len;
        rawLength = length;
        if (length > maxLineBytes) {
            tooLong = true;
            view(buf, off, keptBytes);
        } else {
            view(buf, off, length);
        }
        if (tooLong) {
            final MessageDigest md = digest();
            md.update(buf, off, length);
            sha256Hex = HEX.formatHex(md.digest());
        }
    }

    private void view(final byte[] buf, final int off, final int len) {
        viewBuf = buf;
        viewOff = off;
        viewLen = len;
    }

    /** Buffers a piece of a line, switching to streaming once it cannot be within the limit. */
    private void append(final byte[] src, final int from, final int to) {
        // One byte over the limit may still be the '\r' of a "\r\n"; two cannot.
        final int room = maxLineBytes + 1 - pendingLen;
        final int n = to - from;
        final int copied = Math.min(n, room);
        ensureCapacity(pendingLen + copied);
        System.arraycopy(src, from, pending, pendingLen, copied);
        pendingLen += copied;
        if (copied < n) {
            startStreaming();
            stream(src, from + copied, to);
        }
    }

    private void startStreaming() {
        tooLong = true;
        final MessageDigest md = digest();
        int hashed = pendingLen;
        if (pending[pendingLen - 1] == '\r') {
            hashed--;
            heldCarriageReturn = true;
        }
        md.update(pending, 0, hashed);
        rawLength = hashed;
        pendingLen = keptBytes;
    }

    /** Hashes and counts a piece of an over-long line; a final '\r' waits to see if '\n' follows. */
    private void stream(final byte[] src, final int from, final int to) {
        if (from == to) {
            return;
        }
        if (heldCarriageReturn) {
            digest.update((byte) '\r');
            rawLength++;
            heldCarriageReturn = false;
        }
        int end = to;
        if (src[to - 1] == '\r') {
            end--;
            heldCarriageReturn = true;
        }
        digest.update(src, from, end - from);
        rawLength += end - from;
    }

    private void ensureCapacity(final int needed) {
        if (needed > pending.length) {
            final long doubled = Math.max((long) pending.length * 2, needed);
            final byte[] grown = new byte[(int) Math.min(doubled, maxLineBytes + 1L)];
            System.arraycopy(pending, 0, grown, 0, pendingLen);
            pending = grown;
        }
    }

    private MessageDigest digest() {
        if (digest == null) {
            try {
                digest = MessageDigest.getInstance("SHA-256");
            } catch (final NoSuchAlgorithmException e) {
                throw new IllegalStateException("every Java runtime has SHA-256", e);
            }
        }
        digest.reset();
        return digest;
    }
}
