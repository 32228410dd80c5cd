package dev.peregrine.alerting.spool;

import dev.peregrine.alerting.Alert;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The on-disk queue of one sink: alerts that could not be delivered, oldest first.
 *
 * <p>{@code spool.ndjson} holds one alert per line ({@link AlertRecord}), appended and forced to
 * disk before {@link #append} returns; {@code spool.head} holds the byte offset of the first
 * alert not yet delivered, replaced atomically after each {@link #remove}. A crash between a
 * delivery and the head update re-delivers those alerts once, never loses them — which is why
 * sinks behind a spool should be idempotent (Elasticsearch indexes by alert id). When the spool
 * empties, the file is truncated, reclaiming the delivered prefix.
 *
 * <p>Lines that cannot be read back (a torn last line after a crash, an edited file) go to
 * {@code dead-letter.ndjson} with the reason, and are counted and logged; they never stop a drain.
 * Not thread-safe: owned by one {@link SpoolingSink}, used under its spool lock (local disk only,
 * never held across a network call). Appends between a {@link #peek} and its {@link #remove} are
 * fine: they go to the tail, the removal counts from the head.
 */
final class AlertSpool implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AlertSpool.class);
    private static final int READ_CHUNK = 64 * 1024;

    private final Path directory;
    private final Path headFile;
    private final DeadLetters deadLetters;
    private final AlertRecord records = new AlertRecord();
    private final FileChannel channel;
    private long head;
    private long depth;
    private long unreadable;
    // byte length of each alert returned by the last peek, so remove() knows how far to move
    private final List<Integer> peekedLengths = new ArrayList<>();

    private AlertSpool(final Path directory, final FileChannel channel, final DeadLetters deadLetters) {
        this.directory = directory;
        this.headFile = directory.resolve("spool.head");
        this.channel = channel;
        this.deadLetters = deadLetters;
    }

    /** Opens (or creates) the spool in {@code directory}, recovering from a crash if need be. */
    static AlertSpool open(final Path directory, final DeadLetters deadLetters) throws IOException {
        Files.createDirectories(directory);
        final FileChannel channel = FileChannel.open(directory.resolve("spool.ndjson"), StandardOpenOption.CREATE,
                StandardOpenOption.READ, StandardOpenOption.WRITE);
        final AlertSpool spool = new AlertSpool(directory, channel, deadLetters);
        spool.recover();
        return spool;
    }

    /** Alerts waiting. */
    long depth() {
        return depth;
    }

    /** Lines found unreadable and dead-lettered since the spool was opened. */
    long unreadable() {
        return unreadable;
    }

    /** Appends {@code alert} at the tail and forces it to disk. */
    void append(final Alert alert) throws IOException {
        appendAll(List.of(alert));
    }

    /** Appends {@code alerts} at the tail, in order, and forces them to disk once. */
    void appendAll(final List<Alert> alerts) throws IOException {
        if (alerts.isEmpty()) {
            return;
        }
        final StringBuilder lines = new StringBuilder(alerts.size() * 512);
        for (final Alert alert : alerts) {
            lines.append(records.encode(alert)).append('\n');
        }
        final ByteBuffer buffer = ByteBuffer.wrap(lines.toString().getBytes(StandardCharsets.UTF_8));
        long position = channel.size();
        while (buffer.hasRemaining()) {
            position += channel.write(buffer, position);
        }
        channel.force(false);
        depth += alerts.size();
    }

    /**
     * Up to {@code max} alerts from the head, oldest first, without removing them. Unreadable lines
     * met on the way are dead-lettered and skipped for good.
     */
    List<Alert> peek(final int max) throws IOException {
        peekedLengths.clear();
        final List<Alert> alerts = new ArrayList<>(Math.min(max, (int) Math.min(depth, Integer.MAX_VALUE)));
        long position = head;
        final long size = channel.size();
        final ByteArrayOutputStream line = new ByteArrayOutputStream(1024);
        final ByteBuffer chunk = ByteBuffer.allocate(READ_CHUNK);
        long lineStart = position;
        while (alerts.size() < max && position < size) {
            chunk.clear();
            final int read = channel.read(chunk, position);
            if (read <= 0) {
                break;
            }
            chunk.flip();
            int consumed = 0;
            while (chunk.hasRemaining() && alerts.size() < max) {
                final byte b = chunk.get();
                consumed++;
                if (b != '\n') {
                    line.write(b);
                    continue;
                }
                final long lineEnd = position + consumed;
                final String text = line.toString(StandardCharsets.UTF_8);
                line.reset();
                try {
                    alerts.add(records.decode(text));
                    peekedLengths.add((int) (lineEnd - lineStart));
                } catch (final IOException e) {
                    if (!alerts.isEmpty()) {
                        // keep what was read so far; the bad line is handled at the head of the next peek
                        return alerts;
                    }
                    unreadable++;
                    deadLetters.add("unreadable spool line: " + e.getMessage(), text);
                    LOG.warn("spool {}: dead-lettered an unreadable line: {}", directory, e.getMessage());
                    moveHead(lineEnd, 1);
                }
                lineStart = lineEnd;
            }
            position += consumed;
        }
        return alerts;
    }

    /** Removes the first {@code count} alerts of the last {@link #peek}: they were delivered or dead-lettered. */
    void remove(final int count) throws IOException {
        if (count > peekedLengths.size()) {
            throw new IllegalArgumentException("removing " + count + " but only " + peekedLengths.size() + " peeked");
        }
        long bytes = 0;
        for (int i = 0; i < count; i++) {
            bytes += peekedLengths.get(i);
        }
        peekedLengths.subList(0, count).clear();
        moveHead(head + bytes, count);
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    private void moveHead(final long newHead, final long removed) throws IOException {
        depth -= removed;
        if (depth <= 0) {
            depth = 0;
            head = 0;
            channel.truncate(0);
            channel.force(false);
        } else {
            head = newHead;
        }
        final Path temp = directory.resolve("spool.head.tmp");
        Files.writeString(temp, Long.toString(head), StandardCharsets.US_ASCII);
        Files.move(temp, headFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private void recover() throws IOException {
        final long size = channel.size();
        head = 0;
        if (Files.exists(headFile)) {
            final String text = Files.readString(headFile, StandardCharsets.US_ASCII).trim();
            if (text.matches("\\d{1,18}") && Long.parseLong(text) <= size) {
                head = Long.parseLong(text);
            } else if (!text.matches("\\d{1,18}")) {
                LOG.warn("spool {}: unreadable head '{}', draining from the start (some alerts may repeat)",
                        directory, text);
            }
            // a head past the end: the file was truncated after a full drain and the head not yet reset
        }
        // count complete lines after the head; a torn last line (crash mid-append) is set aside
        long lines = 0;
        long lastNewline = head - 1;
        final ByteBuffer chunk = ByteBuffer.allocate(READ_CHUNK);
        long position = head;
        while (position < size) {
            chunk.clear();
            final int read = channel.read(chunk, position);
            if (read <= 0) {
                break;
            }
            for (int i = 0; i < read; i++) {
                if (chunk.get(i) == '\n') {
                    lines++;
                    lastNewline = position + i;
                }
            }
            position += read;
        }
        if (lastNewline + 1 < size) {
            final ByteBuffer torn = ByteBuffer.allocate((int) (size - lastNewline - 1));
            channel.read(torn, lastNewline + 1);
            unreadable++;
            deadLetters.add("torn spool line (incomplete write before a crash)",
                    new String(torn.array(), StandardCharsets.UTF_8));
            LOG.warn("spool {}: dead-lettered a torn last line of {} bytes", directory, torn.capacity());
            channel.truncate(lastNewline + 1);
            channel.force(false);
        }
        depth = lines;
        if (depth > 0) {
            LOG.info("spool {}: {} alerts waiting from a previous run", directory, depth);
        }
    }
}
