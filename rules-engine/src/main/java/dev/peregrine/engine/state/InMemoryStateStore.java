package dev.peregrine.engine.state;

import java.util.HashMap;
import java.util.Map;

/** A {@link StateStore} that keeps everything in memory and forgets it on close: for runs without a state directory. */
public final class InMemoryStateStore implements StateStore {

    private final Map<String, MapKeyValueStore<?>> stores = new HashMap<>();

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
        stores.put(name, store);
        return store;
    }

    @Override
    public void close() {
        stores.clear();
    }
}
