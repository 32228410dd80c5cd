package dev.peregrine.engine.streams;

import dev.peregrine.engine.state.KeyValueStore;
import dev.peregrine.engine.state.StateCodec;
import dev.peregrine.engine.state.StateStore;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiConsumer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link StateStore} on one Kafka Streams key-value store of strings: every detector store is a
 * key range ({@code name + NUL + key}), values are the text the store's codec writes. The
 * Kafka Streams store is changelogged, so what the detectors learned moves with the partition
 * when a task moves to another instance, and is restored from the changelog after a crash.
 *
 * <p>Each detector store keeps its decoded values in memory too (read at open, written through
 * on every change), so reads never decode. A value its codec rejects at open is counted, logged
 * and left in the Kafka store untouched, until the detector writes that key again.
 *
 * <p>Not thread-safe: used from the stream task's thread only, like the engine it serves.
 */
public final class KafkaStreamsStateStore implements StateStore {

    /** The name of the Kafka Streams store (and so of its changelog topic's suffix). */
    public static final String STORE_NAME = "peregrine-detector-state";

    private static final Logger LOG = LoggerFactory.getLogger(KafkaStreamsStateStore.class);
    private static final char SEPARATOR = '\u0000';

    private final org.apache.kafka.streams.state.KeyValueStore<String, String> backing;
    private final Map<String, View<?>> views = new HashMap<>();
    private final List<String> problems = new ArrayList<>();
    private long undecodableEntries;

    /** A state store over {@code backing}, usually {@code context.getStateStore(STORE_NAME)}. */
    public KafkaStreamsStateStore(final org.apache.kafka.streams.state.KeyValueStore<String, String> backing) {
        this.backing = Objects.requireNonNull(backing, "backing");
    }

    @Override
    @SuppressWarnings("unchecked")
    public <V> KeyValueStore<V> keyValueStore(final String name, final StateCodec<V> codec) {
        if (name.indexOf(SEPARATOR) >= 0) {
            throw new IllegalArgumentException("state store name contains NUL: " + name);
        }
        final View<?> existing = views.get(name);
        if (existing != null) {
            if (existing.codec != codec) {
                throw new IllegalArgumentException("state store '" + name + "' is already open with another codec");
            }
            return (KeyValueStore<V>) existing;
        }
        final View<V> view = new View<>(name + SEPARATOR, codec);
        try (KeyValueIterator<String, String> entries = backing.prefixScan(view.prefix, new StringSerializer())) {
            while (entries.hasNext()) {
                final KeyValue<String, String> entry = entries.next();
                final String key = entry.key.substring(view.prefix.length());
                try {
                    view.entries.put(key, codec.decode(entry.value));
                } catch (final RuntimeException e) {
                    undecodableEntries++;
                    final String problem = "state store '" + name + "' key '" + key + "': value not readable ("
                            + e.getMessage() + "); kept as it was";
                    problems.add(problem);
                    LOG.warn(problem);
                }
            }
        }
        views.put(name, view);
        return view;
    }

    /** Values a codec could not decode when its store was opened (left in the Kafka store as they were). */
    public long undecodableEntries() {
        return undecodableEntries;
    }

    /** What went wrong reading stored values, for the operator. */
    public List<String> problems() {
        return List.copyOf(problems);
    }

    /** Drops the in-memory views; the Kafka Streams store is Kafka Streams' to flush and close. */
    @Override
    public void close() {
        views.clear();
    }

    /** One detector store: decoded values in memory, every change written through to the Kafka store. */
    private final class View<V> implements KeyValueStore<V> {
        private final String prefix;
        private final StateCodec<V> codec;
        private final Map<String, V> entries = new HashMap<>();

        View(final String prefix, final StateCodec<V> codec) {
            this.prefix = prefix;
            this.codec = codec;
        }

        @Override
        public V get(final String key) {
            return entries.get(key);
        }

        @Override
        public void put(final String key, final V value) {
            Objects.requireNonNull(value, "value");
            backing.put(prefix + key, codec.encode(value));
            entries.put(key, value);
        }

        @Override
        public void delete(final String key) {
            // Also when only an undecodable old value sits under the key: deleting means gone.
            entries.remove(key);
            backing.delete(prefix + key);
        }

        @Override
        public int size() {
            return entries.size();
        }

        @Override
        public void forEach(final BiConsumer<String, V> visitor) {
            entries.forEach(visitor);
        }
    }
}
