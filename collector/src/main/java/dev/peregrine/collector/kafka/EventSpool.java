package dev.peregrine.collector.kafka;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.peregrine.collector.deadletter.DeadLetterFile;
import dev.peregrine.collector.deadletter.Rejection;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The publisher's on-disk queue: every event is appended here first and removed only once the
 * broker acknowledged it, so a broker that is down costs disk, never memory or events, and
 * events leave in the order they came.
 *
 * <p>The layout is the alert spool's: {@code events.spool} holds one record per line (the key as
 * a JSON string or {@code null}, a space, the event's JSON), {@code events.head} the byte offset
 * of the first record not yet acknowledged, replaced atomically after each {@link #remove}. A
 * crash between an acknowledgement and the head update sends those records once more, never
 * loses them. When the spool empties the file is truncated. Appends are buffered in memory up to
 * {@link #WRITE_BUFFER} bytes and written out before each {@link #peek}; {@link #force} puts them
 * on disk. A torn last line (a crash mid-write) and lines that cannot be read back go to
 * {@code dead-letter.ndjson} in the same directory, counted and logged.
 *
 * <p>Thread-safe: one thread appends while the publisher's sender thread peeks and removes.
 */
public final class EventSpool implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EventSpool.class);
    private static final int WRITE_BUFFER = 256 * 1024;
    private static final int READ_CHUNK = 256 * 1024;

    private final Path directory;
    private final Path headFile;
    private final FileChannel channel;
    private final JsonFactory json = JsonFactory.builder().build();
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream(WRITE_BUFFER);
    private final List<Integer> peekedLengths = new ArrayList<>();
    private DeadLetterFile deadLetter;
    private long head;
    private long depth;
    private long unreadable;
    private boolean dirty;

    private EventSpool(final Path directory, final FileChannel channel) {
        this.directory = directory;
        this.headFile = directory.resolve("events.head");
        this.channel = channel;
    }

    /** Opens (or creates) the spool in {@code directory}; records left by an earlier run are kept, to be sent first. */
    public static EventSpool open(final Path directory) throws IOException {
        Files.createDirectories(directory);
        final FileChannel channel = FileChannel.open(directory.resolve("events.spool"), StandardOpenOption.CREATE,
                StandardOpenOption.READ, StandardOpenOption.WRITE);
        final EventSpool spool = new EventSpool(directory, channel);
        spool.recover();
        return spool;
    }

    /** Records waiting (appended and not yet removed). */
    public synchronized long depth() {
        return depth;
    }

    /** Lines found unreadable and dead-lettered since the spool was opened. */
    public synchronized long unreadable() {
        return unreadable;
    }

    /** The directory holding the spool. */
    public Path directory() {
        return directory;
    }

    /** Appends a record at the tail and wakes a thread waiting in {@link #awaitRecords}. */
    public synchronized void append(final String key, final byte[] value) throws IOException {
        try (JsonGenerator out = json.createGenerator(pending)) {
            out.writeString(key);
        }
        pending.write(' ');
        pending.write(value);
        pending.write('\n');
        depth++;
        if (pending.size() >= WRITE_BUFFER) {
            writePending();
        }
        notifyAll();
    }

    /** Waits up to {@code millis} for a record to be waiting; true when one is. */
    public synchronized boolean awaitRecords(final long millis) throws InterruptedException {
        if (depth == 0) {
            wait(millis);
        }
        return depth > 0;
    }

    /** Writes buffered appends out and forces the file to disk. */
    public synchronized void force() throws IOException {
        writePending();
        if (dirty) {
            channel.force(false);
            dirty = false;
        }
    }

    /**
     * Up to {@code max} records from the head, oldest first, without removing them. An unreadable
     * line met on the way is dead-lettered and skipped for good.
     */
    public synchronized List<SpooledRecord> peek(final int max) throws IOException {
        writePending();
        peekedLengths.clear();
        final List<SpooledRecord> records = new ArrayList<>();
        final long size = channel.size();
        long position = head;
        final ByteArrayOutputStream line = new ByteArrayOutputStream(1024);
        final ByteBuffer chunk = ByteBuffer.allocate(READ_CHUNK);
        long lineStart = position;
        while (records.size() < max && position < size) {
            chunk.clear();
            final int read = channel.read(chunk, position);
            if (read <= 0) {
                break;
            }
            chunk.flip();
            int consumed = 0;
            while (chunk.hasRemaining() && records.size() < max) {
                final byte b = chunk.get();
                consumed++;
                if (b != '\n') {
                    line.write(b);
                    continue;
                }
                final long lineEnd = position + consumed;
                final byte[] bytes = line.toByteArray();
                line.reset();
                try {
                    records.add(decode(bytes));
                    peekedLengths.add((int) (lineEnd - lineStart));
                } catch (final IOException e) {
                    if (!records.isEmpty()) {
                        // keep what was read; the bad line is met at the head of the next peek
                        return records;
                    }
                    deadLetter(bytes, "unreadable spool line: " + e.getMessage());
                    moveHead(lineEnd, 1);
                }
                lineStart = lineEnd;
            }
            position += consumed;
        }
        return records;
    }

    /** Removes the first {@code count} records of the last {@link #peek}: the broker acknowledged them. */
    public synchronized void remove(final int count) throws IOException {
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
    public synchronized void close() throws IOException {
        try {
            force();
        } finally {
            channel.close();
            if (deadLetter != null) {
                deadLetter.close();
            }
        }
    }

    private SpooledRecord decode(final byte[] line) throws IOException {
        try (JsonParser parser = json.createParser(line)) {
            final JsonToken token = parser.nextToken();
            final String key;
            if (token == JsonToken.VALUE_NULL) {
                key = null;
            } else if (token == JsonToken.VALUE_STRING) {
                key = parser.getText();
            } else {
                throw new IOException("no key at the start of the line");
            }
            final int valueStart = (int) parser.currentLocation().getByteOffset() + 1;
            if (valueStart >= line.length || line[valueStart - 1] != ' ') {
                throw new IOException("no event after the key");
            }
            return new SpooledRecord(key, Arrays.copyOfRange(line, valueStart, line.length));
        } catch (final com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IOException(e.getOriginalMessage(), e);
        }
    }

    private void writePending() throws IOException {
        if (pending.size() == 0) {
            return;
        }
        final ByteBuffer buffer = ByteBuffer.wrap(pending.toByteArray());
        long position = channel.size();
        while (buffer.hasRemaining()) {
            position += channel.write(buffer, position);
        }
        pending.reset();
        dirty = true;
    }

    private void moveHead(final long newHead, final long removed) throws IOException {
        depth -= removed;
        if (depth <= 0 && pending.size() == 0) {
            depth = 0;
            head = 0;
            channel.truncate(0);
            channel.force(false);
        } else {
            head = newHead;
        }
        final Path temp = directory.resolve("events.head.tmp");
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
                LOG.warn("event spool {}: unreadable head '{}', sending from the start (some events may repeat)",
                        directory, text);
            }
        }
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
            deadLetter(torn.array(), "torn spool line (incomplete write before a crash)");
            channel.truncate(lastNewline + 1);
            channel.force(false);
        }
        depth = lines;
        if (depth > 0) {
            LOG.info("event spool {}: {} events waiting from a previous run", directory, depth);
        }
    }

    private void deadLetter(final byte[] raw, final String message) {
        unreadable++;
        LOG.warn("event spool {}: dead-lettered a line of {} bytes: {}", directory, raw.length, message);
        try {
            if (deadLetter == null) {
                deadLetter = new DeadLetterFile(directory.resolve("dead-letter.ndjson"));
            }
            deadLetter.append(new Rejection(directory.resolve("events.spool").toString(), 0,
                    Rejection.Reason.MALFORMED_JSON, message, new String(raw, StandardCharsets.UTF_8), raw.length,
                    sha256(raw), false));
        } catch (final IOException | UncheckedIOException e) {
            LOG.error("event spool {}: dead-letter file not writable ({}); the line was: {}", directory, e,
                    new String(raw, StandardCharsets.UTF_8));
        }
    }

    private static String sha256(final byte[] raw) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(raw));
        } catch (final NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
