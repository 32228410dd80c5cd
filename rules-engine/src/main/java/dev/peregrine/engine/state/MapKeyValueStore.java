package dev.peregrine.engine.state;

import java.util.HashMap;
import java.util.Map;
import java.util.function.BiConsumer;

/** A {@link KeyValueStore} over a hash map; the in-memory half of every backend here. */
final class MapKeyValueStore<V> implements KeyValueStore<V> {

    private final String name;
    private final StateCodec<V> codec;
    private final Map<String, V> entries = new HashMap<>();

    MapKeyValueStore(final String name, final StateCodec<V> codec) {
        this.name = name;
        this.codec = codec;
    }

    String name() {
        return name;
    }

    StateCodec<V> codec() {
        return codec;
    }

    @Override
    public V get(final String key) {
        return entries.get(key);
    }

    @Override
    public void put(final String key, final V value) {
        entries.put(key, value);
    }

    @Override
    public void delete(final String key) {
        entries.remove(key);
    }

    @Override
    public int size() {
        return entries.size();
    }

    @Override
    public void forEach(final BiConsumer<String, V> visitor) {
        entries.forEach(visitor);
    }

    /** Every entry encoded, for a snapshot. */
    void forEachEncoded(final BiConsumer<String, String> visitor) {
        entries.forEach((key, value) -> visitor.accept(key, codec.encode(value)));
    }
}
