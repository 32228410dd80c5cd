package dev.peregrine.engine.state;

import java.util.function.BiConsumer;

/**
 * One named, typed map from string keys to immutable values, owned by one detector.
 *
 * <p>Not thread-safe: read and written from the engine thread only.
 *
 * @param <V> the value type; values are immutable, so a store may hand them out and persist them as they are
 */
public interface KeyValueStore<V> {

    /** The value under {@code key}, or {@code null}. */
    V get(String key);

    /** Stores {@code value} under {@code key}, replacing any earlier value. */
    void put(String key, V value);

    /** Removes {@code key}; nothing happens when it is absent. */
    void delete(String key);

    /** How many keys the store holds. */
    int size();

    /** Visits every entry; the visitor must not modify this store (collect keys, then delete). */
    void forEach(BiConsumer<String, V> visitor);
}
