package dev.peregrine.engine.state;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link StateStore} held in memory and snapshotted to {@value #SNAPSHOT_FILE} in a state
 * directory: loaded when opened, written every {@code period} (on {@link #snapshotIfDue()}) and
 * on {@link #close()}.
 *
 * <p>A snapshot is written to a temporary file, forced to disk and renamed over the previous
 * one, so a crash mid-write leaves the previous snapshot intact. The file is NDJSON, readable by
 * an operator: a header line, one line per entry ({@code store}, {@code key}, {@code value} as
 * the store's codec encoded it), and a trailer with the entry count, which tells a truncated
 * file from a complete one.
 *
 * <p>A snapshot that cannot be read is renamed aside ({@code peregrine-state.ndjson.corrupt-N}),
 * reported in {@link #problems()} and logged; the run starts with empty state instead of
 * failing. An entry whose value its codec rejects is reported, counted and kept as text, so the
 * next snapshot writes it back unchanged; entries of stores nobody opened in this run (a
 * detection switched off for a while) are kept the same way.
 *
 * <p>The snapshot period is measured on {@code clock} (wall time): it is an operational knob,
 * not part of detection, which runs on event time only.
 */
public final class FileSnapshotStateStore implements StateStore {

    /** The snapshot's file name inside the state directory. */
    public static final String SNAPSHOT_FILE = "peregrine-state.ndjson";

    private static final Logger LOG = LoggerFactory.getLogger(FileSnapshotStateStore.class);
    private static final String FORMAT = "peregrine-state";
    private static final int VERSION = 1;
    private static final JsonFactory JSON = new JsonFactory();

    private final Path directory;
    private final Path snapshotFile;
    private final Duration period;
    private final Clock clock;
    private final Map<String, MapKeyValueStore<?>> stores = new LinkedHashMap<>();
    // Entries read from the snapshot that no open store holds: stores not opened yet (or not in
    // this run) and values their codec rejected. Written back as they were.
    private final Map<String, Map<String, String>> kept = new LinkedHashMap<>();
    private final List<String> problems = new ArrayList<>();
    private long undecodableEntries;
    private long snapshotFailures;
    private long lastSnapshotMillis;
    private boolean closed;

    private FileSnapshotStateStore(final Path directory, final Duration period, final Clock clock) {
        this.directory = directory;
        this.snapshotFile = directory.resolve(SNAPSHOT_FILE);
        this.period = period;
        this.clock = clock;
        this.lastSnapshotMillis = clock.millis();
    }

    /**
     * Opens the store in {@code directory} (created when missing), loading the last snapshot.
     *
     * @param period how often {@link #snapshotIfDue()} writes a snapshot
     * @param clock  wall clock for the period
     * @throws IOException when the directory cannot be created or a corrupt snapshot cannot be moved aside
     */
    public static FileSnapshotStateStore open(final Path directory, final Duration period, final Clock clock)
            throws IOException {
        Objects.requireNonNull(directory, "directory");
        if (period.isNegative() || period.isZero()) {
            throw new IllegalArgumentException("snapshot period must be positive, got " + period);
        }
        Files.createDirectories(directory);
        final FileSnapshotStateStore store = new FileSnapshotStateStore(directory, period, Objects.requireNonNull(clock));
        store.load();
        return store;
    }

    /** The snapshot file this store reads and writes. */
    public Path snapshotFile() {
        return snapshotFile;
    }

    /** What went wrong loading the snapshot (a corrupt file moved aside, undecodable values), for the operator. */
    public List<String> problems() {
        return List.copyOf(problems);
    }

    /** Values a codec could not decode at load (kept as text and written back). */
    public long undecodableEntries() {
        return undecodableEntries;
    }

    /** Snapshots that failed to write (logged; the previous snapshot stays in place). */
    public long snapshotFailures() {
        return snapshotFailures;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <V> KeyValueStore<V> keyValueStore(final String name, final StateCodec<V> codec) {
        final MapKeyValueStore<?> existing = stores.get(name);
        if (existing != null) {
            if (existing.codec() != codec) {
                throw new IllegalArgumentException("state store '" + name + "' is already open with another codec");
            }
            return (KeyValueStore<V>) existing;
        }
        final MapKeyValueStore<V> store = new MapKeyValueStore<>(name, codec);
        final Map<String, String> persisted = kept.remove(name);
        if (persisted != null) {
            final Map<String, String> undecodable = new LinkedHashMap<>();
            for (final Map.Entry<String, String> entry : persisted.entrySet()) {
                try {
                    store.put(entry.getKey(), codec.decode(entry.getValue()));
                } catch (final RuntimeException e) {
                    undecodable.put(entry.getKey(), entry.getValue());
                    undecodableEntries++;
                    final String problem = snapshotFile + ": store '" + name + "' key '" + entry.getKey()
                            + "': value not readable (" + e.getMessage() + "); kept as it was";
                    problems.add(problem);
                    LOG.warn(problem);
                }
            }
            if (!undecodable.isEmpty()) {
                kept.put(name, undecodable);
            }
        }
        stores.put(name, store);
        return store;
    }

    @Override
    public void snapshotIfDue() {
        if (clock.millis() - lastSnapshotMillis >= period.toMillis()) {
            trySnapshot();
        }
    }

    /** Writes a snapshot now, atomically replacing the previous one. */
    public void snapshot() throws IOException {
        final Path temp = directory.resolve(SNAPSHOT_FILE + ".tmp");
        long count = 0;
        try (OutputStream out = Files.newOutputStream(temp, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
             JsonGenerator json = JSON.createGenerator(out)) {
            json.setRootValueSeparator(null);
            json.writeStartObject();
            json.writeStringField("format", FORMAT);
            json.writeNumberField("version", VERSION);
            json.writeEndObject();
            json.writeRaw('\n');
            for (final Map.Entry<String, Map<String, String>> store : kept.entrySet()) {
                final MapKeyValueStore<?> open = stores.get(store.getKey());
                for (final Map.Entry<String, String> entry : store.getValue().entrySet()) {
                    // A key the detector has written since load supersedes the undecodable old value.
                    if (open == null || open.get(entry.getKey()) == null) {
                        writeEntry(json, store.getKey(), entry.getKey(), entry.getValue());
                        count++;
                    }
                }
            }
            final long[] written = {0};
            for (final MapKeyValueStore<?> store : stores.values()) {
                store.forEachEncoded((key, value) -> {
                    try {
                        writeEntry(json, store.name(), key, value);
                    } catch (final IOException e) {
                        throw new UncheckedIOException(e);
                    }
                    written[0]++;
                });
            }
            count += written[0];
            json.writeStartObject();
            json.writeNumberField("entries", count);
            json.writeEndObject();
            json.writeRaw('\n');
        } catch (final UncheckedIOException e) {
            throw e.getCause();
        }
        try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
            channel.force(true);
        }
        try {
            Files.move(temp, snapshotFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (final AtomicMoveNotSupportedException e) {
            Files.move(temp, snapshotFile, StandardCopyOption.REPLACE_EXISTING);
        }
        lastSnapshotMillis = clock.millis();
    }

    /** Writes a final snapshot; a failure is logged and counted, and the previous snapshot stays. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            trySnapshot();
        }
    }

    private void trySnapshot() {
        try {
            snapshot();
        } catch (final IOException | RuntimeException e) {
            snapshotFailures++;
            // Move the period on anyway, so a full disk is not retried on every event.
            lastSnapshotMillis = clock.millis();
            LOG.error("could not write state snapshot {}: {}; the previous snapshot stays in place",
                    snapshotFile, e.toString());
        }
    }

    private static void writeEntry(final JsonGenerator json, final String store, final String key, final String value)
            throws IOException {
        json.writeStartObject();
        json.writeStringField("store", store);
        json.writeStringField("key", key);
        json.writeStringField("value", value);
        json.writeEndObject();
        json.writeRaw('\n');
    }

    private void load() throws IOException {
        final Map<String, Map<String, String>> entries = new LinkedHashMap<>();
        try (BufferedReader reader = Files.newBufferedReader(snapshotFile, StandardCharsets.UTF_8)) {
            readSnapshot(reader, entries);
        } catch (final NoSuchFileException e) {
            return;
        } catch (final IOException e) {
            // Corrupt content, bad UTF-8 or a read error: either way this file cannot seed the run.
            moveAside(e.getMessage());
            return;
        }
        kept.putAll(entries);
    }

    private void readSnapshot(final BufferedReader reader, final Map<String, Map<String, String>> entries)
            throws IOException {
        int lineNumber = 0;
        String line;
        boolean header = false;
        long count = 0;
        while ((line = reader.readLine()) != null) {
            lineNumber++;
            final Map<String, Object> object = parseLine(line, lineNumber);
            if (!header) {
                if (!FORMAT.equals(object.get("format")) || !Long.valueOf(VERSION).equals(object.get("version"))) {
                    throw new CorruptSnapshotException("line 1: not a " + FORMAT + " version " + VERSION + " header");
                }
                header = true;
            } else if (object.containsKey("entries")) {
                if (!Long.valueOf(count).equals(object.get("entries"))) {
                    throw new CorruptSnapshotException("line " + lineNumber + ": trailer says " + object.get("entries")
                            + " entries, the file holds " + count);
                }
                if (reader.readLine() != null) {
                    throw new CorruptSnapshotException("line " + (lineNumber + 1) + ": text after the trailer");
                }
                return;
            } else if (object.get("store") instanceof String store && object.get("key") instanceof String key
                    && object.get("value") instanceof String value) {
                entries.computeIfAbsent(store, s -> new LinkedHashMap<>()).put(key, value);
                count++;
            } else {
                throw new CorruptSnapshotException("line " + lineNumber + ": expected store, key and value strings");
            }
        }
        throw new CorruptSnapshotException(header ? "no trailer after " + lineNumber + " lines (truncated?)" : "empty file");
    }

    /** One line as a flat map of string and integer values. */
    private static Map<String, Object> parseLine(final String line, final int lineNumber) throws IOException {
        final Map<String, Object> object = new LinkedHashMap<>();
        try (JsonParser parser = JSON.createParser(line)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw new CorruptSnapshotException("line " + lineNumber + ": not a JSON object");
            }
            JsonToken token;
            while ((token = parser.nextToken()) == JsonToken.FIELD_NAME) {
                final String name = parser.currentName();
                final JsonToken value = parser.nextToken();
                if (value == JsonToken.VALUE_STRING) {
                    object.put(name, parser.getText());
                } else if (value == JsonToken.VALUE_NUMBER_INT) {
                    object.put(name, parser.getLongValue());
                } else {
                    throw new CorruptSnapshotException("line " + lineNumber + ": unexpected value for '" + name + "'");
                }
            }
            if (token != JsonToken.END_OBJECT || parser.nextToken() != null) {
                throw new CorruptSnapshotException("line " + lineNumber + ": not one JSON object");
            }
        } catch (final CorruptSnapshotException e) {
            throw e;
        } catch (final JsonProcessingException e) {
            throw new CorruptSnapshotException("line " + lineNumber + ": " + e.getOriginalMessage());
        }
        return object;
    }

    private void moveAside(final String reason) throws IOException {
        Path aside;
        int n = 1;
        do {
            aside = directory.resolve(SNAPSHOT_FILE + ".corrupt-" + n++);
        } while (Files.exists(aside));
        Files.move(snapshotFile, aside);
        final String problem = snapshotFile + ": unreadable state snapshot (" + reason + "); moved to "
                + aside.getFileName() + ", starting with empty state";
        problems.add(problem);
        LOG.error(problem);
    }

    /** A snapshot file that is not what this class writes. */
    private static final class CorruptSnapshotException extends IOException {
        private static final long serialVersionUID = 1L;

        CorruptSnapshotException(final String message) {
            super(message);
        }
    }
}
