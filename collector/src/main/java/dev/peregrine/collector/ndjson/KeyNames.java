package dev.peregrine.collector.ndjson;

import dev.peregrine.collector.event.Field;
import dev.peregrine.collector.event.FieldRegistry;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * The keys {@link NdjsonParser} gives a meaning: every registered field name and every agent
 * key, looked up from the key's UTF-8 bytes as they lie in the line (no String made for a key
 * it knows) or from a String that Jackson read. Immutable.
 */
final class KeyNames {

    /**
     * What a key means: the field it names and the agent key it is, either possibly
     * {@code null}; {@code id} numbers the names of a table from 0.
     */
    record Name(String text, Field field, AgentKey agentKey, int id) {

        /** The key's UTF-8 bytes followed by the quote that closes it in JSON. */
        byte[] quoted() {
            final byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            final byte[] quoted = Arrays.copyOf(bytes, bytes.length + 1);
            quoted[bytes.length] = '"';
            return quoted;
        }
    }

    /** The one table, from the standard registry and the agent keys of spec §2.2. */
    static final KeyNames STANDARD = new KeyNames();

    // Open addressing with linear probing, at most half full, so that a miss ends at an empty slot soon.
    private final byte[][] keys;
    private final Name[] names;
    private final int mask;
    private final Map<String, Name> byText = new HashMap<>();

    private KeyNames() {
        final Map<String, Field> fields = new LinkedHashMap<>();
        for (final Field field : FieldRegistry.standard().fields()) {
            fields.put(field.name(), field);
        }
        final Map<String, AgentKey> agentKeys = new LinkedHashMap<>();
        for (final AgentKey key : AgentKey.values()) {
            agentKeys.put(key.key(), key);
        }
        final Set<String> texts = new LinkedHashSet<>(fields.keySet());
        texts.addAll(agentKeys.keySet());
        final int capacity = Integer.highestOneBit(texts.size() * 4 - 1);
        keys = new byte[capacity][];
        names = new Name[capacity];
        mask = capacity - 1;
        for (final String text : texts) {
            final Name name = new Name(text, fields.get(text), agentKeys.get(text), byText.size());
            final byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            int slot = ByteWords.hash(bytes, 0, bytes.length) & mask;
            while (keys[slot] != null) {
                slot = (slot + 1) & mask;
            }
            keys[slot] = bytes;
            names[slot] = name;
            byText.put(text, name);
        }
    }

    /** How many names the table holds; their ids run from 0 to one less. */
    int size() {
        return byText.size();
    }

    /** The meaning of the key whose UTF-8 bytes are {@code buf[off, off+len)}, or {@code null}. */
    Name find(final byte[] buf, final int off, final int len) {
        int slot = ByteWords.hash(buf, off, len) & mask;
        while (true) {
            final byte[] key = keys[slot];
            if (key == null) {
                return null;
            }
            if (key.length == len && ByteWords.equal(key, 0, buf, off, len)) {
                return names[slot];
            }
            slot = (slot + 1) & mask;
        }
    }

    /** The meaning of {@code key}, or {@code null}. */
    Name find(final String key) {
        return byText.get(key);
    }
}
