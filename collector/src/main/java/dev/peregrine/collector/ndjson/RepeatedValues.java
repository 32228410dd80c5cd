package dev.peregrine.collector.ndjson;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One shared {@link String} for each short value that keeps coming back ({@code openat},
 * {@code syscall}, a process or user name, a container id), across every parser in the process.
 *
 * <p>Events then hold the same few instances rather than a fresh copy per line: less garbage and
 * a smaller heap for events in flight, and, what made this worth doing, rules that compare such
 * values find them in the CPU cache. Without it, evaluating rules over a backlog of parsed events
 * spent most of its time waiting on memory (see BENCHMARKS.md, stage 4).
 *
 * <p>A value is kept on its second sighting in a row at its slot, so one-off values (a unique
 * path, a request id) cost a hash and are never copied. The table is direct-mapped and bounded;
 * a colliding value replaces the one it collides with. Parsers on several threads share it
 * without locks: entries are immutable, so a racing reader sees the old entry or the new one,
 * never a torn one, and a lost write only costs a later miss.
 */
final class RepeatedValues {

    /** Values longer than this are not pooled: rarely repeated, and costly to compare. */
    static final int MAX_BYTES = 64;

    static final int SLOTS = 1 << 13;

    private record Entry(byte[] bytes, String text) {
    }

    private static final Entry[] ENTRIES = new Entry[SLOTS];
    /** The hash last seen at each slot whose value was not (yet) kept. */
    private static final int[] SEEN = new int[SLOTS];

    private RepeatedValues() {
    }

    /** The text of the ISO-8859-1 (here: plain ASCII) bytes {@code buf[off, off+len)}, shared when it repeats. */
    static String text(final byte[] buf, final int off, final int len) {
        if (len > MAX_BYTES) {
            return new String(buf, off, len, StandardCharsets.ISO_8859_1);
        }
        final int hash = ByteWords.hash(buf, off, len);
        final int slot = hash & (SLOTS - 1);
        final Entry entry = ENTRIES[slot];
        if (entry != null && entry.bytes.length == len && ByteWords.equal(entry.bytes, 0, buf, off, len)) {
            return entry.text;
        }
        final String text = new String(buf, off, len, StandardCharsets.ISO_8859_1);
        if (SEEN[slot] == hash) {
            ENTRIES[slot] = new Entry(Arrays.copyOfRange(buf, off, off + len), text);
        } else {
            SEEN[slot] = hash;
        }
        return text;
    }
}
