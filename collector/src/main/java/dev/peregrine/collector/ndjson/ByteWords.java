package dev.peregrine.collector.ndjson;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Searches over bytes eight at a time: a line is read as little-endian longs and a whole word
 * is tested for the bytes a search stops at, so that runs of ordinary text cost one test per
 * eight bytes instead of one per byte. Each test may flag bytes above the first match that do
 * not match (a borrow runs on), never misses one, and always flags the first match exactly.
 */
final class ByteWords {

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long ONES = 0x0101_0101_0101_0101L;
    private static final long HIGHS = 0x8080_8080_8080_8080L;
    private static final long NEWLINES = ONES * '\n';
    private static final long QUOTES = ONES * '"';
    private static final long BACKSLASHES = ONES * '\\';
    private static final long SPACES = ONES * ' ';

    private ByteWords() {
    }

    /** The eight bytes at {@code buf[i]} as a little-endian long: byte {@code i} is the lowest. */
    static long word(final byte[] buf, final int i) {
        return (long) LONGS.get(buf, i);
    }

    /** The high bit of every byte of {@code word} that is zero, and maybe of bytes above the first. */
    private static long zeros(final long word) {
        return (word - ONES) & ~word & HIGHS;
    }

    /** Index of the first byte of {@code buf[from, to)} that is {@code '\n'}, or -1. */
    static int indexOfNewline(final byte[] buf, final int from, final int to) {
        return indexOf(buf, from, to, NEWLINES, (byte) '\n');
    }

    /** Index of the first byte of {@code buf[from, to)} that is {@code '"'}, or -1. */
    static int indexOfQuote(final byte[] buf, final int from, final int to) {
        return indexOf(buf, from, to, QUOTES, (byte) '"');
    }

    private static int indexOf(final byte[] buf, final int from, final int to, final long pattern, final byte target) {
        int i = from;
        for (; i + 8 <= to; i += 8) {
            final long found = zeros(word(buf, i) ^ pattern);
            if (found != 0) {
                return i + (Long.numberOfTrailingZeros(found) >>> 3);
            }
        }
        for (; i < to; i++) {
            if (buf[i] == target) {
                return i;
            }
        }
        return -1;
    }

    /** Whether {@code a[aOff, aOff+len)} and {@code b[bOff, bOff+len)} hold the same bytes; compared a word at a time. */
    static boolean equal(final byte[] a, final int aOff, final byte[] b, final int bOff, final int len) {
        if (len < 8) {
            for (int i = 0; i < len; i++) {
                if (a[aOff + i] != b[bOff + i]) {
                    return false;
                }
            }
            return true;
        }
        for (int i = 0; i < len - 8; i += 8) {
            if (word(a, aOff + i) != word(b, bOff + i)) {
                return false;
            }
        }
        return word(a, aOff + len - 8) == word(b, bOff + len - 8);
    }

    /** A hash of {@code buf[off, off+len)} from its length and its first and last eight bytes, read as two words. */
    static int hash(final byte[] buf, final int off, final int len) {
        final long head;
        final long tail;
        if (len >= 8) {
            head = word(buf, off);
            tail = word(buf, off + len - 8);
        } else {
            long bytes = 0;
            for (int i = len - 1; i >= 0; i--) {
                bytes = bytes << 8 | (buf[off + i] & 0xFF);
            }
            head = bytes;
            tail = 0;
        }
        // Tables are indexed by the low bits, which a multiplication alone fills from the low input
        // bytes only: MurmurHash3's finalizer spreads every input bit over all of them.
        long h = head * 0x9E37_79B9_7F4A_7C15L ^ tail ^ len;
        h = (h ^ (h >>> 33)) * 0xFF51_AFD7_ED55_8CCDL;
        h = (h ^ (h >>> 33)) * 0xC4CE_B9FE_1A85_EC53L;
        return (int) (h ^ (h >>> 33));
    }

    /** The first index from {@code from} on where {@code buf[from, to)} has a byte that is not ASCII, or {@code to}. */
    static int skipAscii(final byte[] buf, final int from, final int to) {
        int i = from;
        while (i + 8 <= to && (word(buf, i) & HIGHS) == 0) {
            i += 8;
        }
        while (i < to && buf[i] >= 0) {
            i++;
        }
        return i;
    }

    /**
     * The first index from {@code from} on where {@code buf[from, to)} has a byte that ends a
     * plain run of JSON string text: a quote, a backslash, a control character or a byte that is
     * not ASCII; {@code to} when there is none.
     */
    static int skipPlainStringText(final byte[] buf, final int from, final int to) {
        int i = from;
        for (; i + 8 <= to; i += 8) {
            final long word = word(buf, i);
            // Bytes below 0x20 borrow in (word - 0x20...) and have a clear high bit; non-ASCII bytes have it set.
            final long stop = zeros(word ^ QUOTES) | zeros(word ^ BACKSLASHES) | ((word - SPACES) & ~word & HIGHS)
                    | (word & HIGHS);
            if (stop != 0) {
                return i + (Long.numberOfTrailingZeros(stop) >>> 3);
            }
        }
        for (; i < to; i++) {
            final byte b = buf[i];
            if (b == '"' || b == '\\' || b < 0x20) {
                return i;
            }
        }
        return to;
    }
}
