package dev.peregrine.engine.state;

/**
 * Turns a store's values into text and back, so any backend (a snapshot file, a changelog topic)
 * can persist them without knowing their type.
 *
 * @param <V> the value type
 */
public interface StateCodec<V> {

    /** The value as one line of text (no line breaks needed: backends quote it). */
    String encode(V value);

    /** The value {@link #encode} wrote; throws {@link IllegalArgumentException} for text it cannot read. */
    V decode(String text);
}
