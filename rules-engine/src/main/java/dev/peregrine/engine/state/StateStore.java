package dev.peregrine.engine.state;

/**
 * Where detectors keep what they learned, by store name: the embedded runner snapshots it to a
 * file ({@link FileSnapshotStateStore}), a Kafka Streams runner would back each store with a
 * changelogged store.
 *
 * <p>Store names are stable ids ({@code volume_spike.baseline}); renaming one forgets its
 * contents. Not thread-safe: used from the engine thread only.
 */
public interface StateStore extends AutoCloseable {

    /**
     * The store called {@code name}, created empty or holding what an earlier run persisted;
     * asking twice for one name returns the same store.
     *
     * @throws IllegalArgumentException when {@code name} was opened before with another codec
     */
    <V> KeyValueStore<V> keyValueStore(String name, StateCodec<V> codec);

    /**
     * Persists now if the backend's snapshot period has passed since the last snapshot; cheap
     * to call often (the engine calls it as time advances). The default does nothing.
     */
    default void snapshotIfDue() {
    }

    /** Persists everything and releases resources. */
    @Override
    void close();
}
