package dev.peregrine.collector.source;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;

/**
 * A file read like {@code tail -f}: at the end of the file a read waits for more data instead of
 * returning end-of-stream, until {@link #close()} is called.
 *
 * <p>A file that shrinks (truncated in place, as {@code logrotate copytruncate} does) is read
 * again from its start. A file that is replaced (renamed away and recreated) is reopened once the
 * old one is exhausted. A file that does not exist yet is waited for.
 */
public final class FollowedFileInputStream extends InputStream {

    private final Path path;
    private final long pollNanos;
    private FileChannel channel;
    private Object fileKey;
    private volatile boolean closed;

    /** Follows {@code path}, checking for new data every {@code poll}. */
    public FollowedFileInputStream(final Path path, final Duration poll) {
        this.path = path;
        this.pollNanos = poll.toNanos();
    }

    @Override
    public int read() throws IOException {
        final byte[] one = new byte[1];
        final int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(final byte[] buffer, final int offset, final int length) throws IOException {
        if (length == 0) {
            return 0;
        }
        while (!closed) {
            if (channel == null && !open()) {
                pause();
                continue;
            }
            final int n = channel.read(ByteBuffer.wrap(buffer, offset, length));
            if (n > 0) {
                return n;
            }
            if (!catchUpWithFile()) {
                pause();
            }
        }
        return -1;
    }

    /** Handles truncation and replacement at end of file; true when there may be data to read now. */
    private boolean catchUpWithFile() throws IOException {
        final long size;
        final Object currentKey;
        try {
            size = Files.size(path);
            currentKey = Files.readAttributes(path, java.nio.file.attribute.BasicFileAttributes.class).fileKey();
        } catch (final NoSuchFileException e) {
            return false;
        }
        if (fileKey != null && currentKey != null && !fileKey.equals(currentKey)) {
            channel.close();
            channel = null;
            return true;
        }
        if (size < channel.position()) {
            channel.position(0);
            return true;
        }
        return false;
    }

    private boolean open() throws IOException {
        try {
            channel = FileChannel.open(path, StandardOpenOption.READ);
            fileKey = Files.readAttributes(path, java.nio.file.attribute.BasicFileAttributes.class).fileKey();
            return true;
        } catch (final NoSuchFileException e) {
            return false;
        }
    }

    private void pause() throws InterruptedIOException {
        try {
            Thread.sleep(pollNanos / 1_000_000, (int) (pollNanos % 1_000_000));
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while following " + path);
        }
    }

    /** Ends the follow: a read in progress returns end-of-stream within one poll interval. */
    @Override
    public void close() throws IOException {
        closed = true;
        final FileChannel open = channel;
        if (open != null) {
            open.close();
        }
    }
}
