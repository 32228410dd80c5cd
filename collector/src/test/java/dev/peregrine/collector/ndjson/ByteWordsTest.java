package dev.peregrine.collector.ndjson;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** Word-at-a-time searches find exactly what a byte-by-byte loop finds, at every alignment. */
class ByteWordsTest {

    // Bytes every search stops at or must not stop at, dense enough to sit side by side in one word.
    private static final byte[] ALPHABET = {'a', 'Z', ' ', '!', '#', '"', '\\', '\n', '\t', 0, 0x1F, 0x20, 0x21, 0x7F,
        (byte) 0x80, (byte) 0xC3, (byte) 0xFF, '[', ']', 0x5B, 0x5D, 0x22 - 1, 0x22 + 1};

    @Test
    void searchesAgreeWithAByteLoopOnRandomBytes() {
        final Random random = new Random(7);
        for (int round = 0; round < 20_000; round++) {
            final byte[] buf = new byte[random.nextInt(40)];
            for (int i = 0; i < buf.length; i++) {
                buf[i] = random.nextInt(3) == 0 ? ALPHABET[random.nextInt(ALPHABET.length)] : (byte) ('a' + random.nextInt(26));
            }
            final int from = buf.length == 0 ? 0 : random.nextInt(buf.length + 1);
            final int to = from + random.nextInt(buf.length - from + 1);

            assertThat(ByteWords.indexOfNewline(buf, from, to)).isEqualTo(firstOf(buf, from, to, (byte) '\n'));
            assertThat(ByteWords.indexOfQuote(buf, from, to)).isEqualTo(firstOf(buf, from, to, (byte) '"'));
            assertThat(ByteWords.skipAscii(buf, from, to)).isEqualTo(firstNonAscii(buf, from, to));
            assertThat(ByteWords.skipPlainStringText(buf, from, to)).isEqualTo(firstStringStop(buf, from, to));
        }
    }

    @Test
    void equalAndHashDependOnEveryByteInTheRange() {
        final Random random = new Random(11);
        for (int round = 0; round < 5_000; round++) {
            final int len = random.nextInt(30);
            final byte[] a = new byte[len + 8];
            random.nextBytes(a);
            final byte[] b = a.clone();
            assertThat(ByteWords.equal(a, 3, b, 3, len)).isTrue();
            assertThat(ByteWords.hash(a, 3, len)).isEqualTo(ByteWords.hash(b, 3, len));
            if (len > 0) {
                b[3 + random.nextInt(len)] ^= (byte) (1 + random.nextInt(255));
                assertThat(ByteWords.equal(a, 3, b, 3, len)).isFalse();
            }
            // Bytes outside the range do not count.
            final byte[] c = a.clone();
            c[2] ^= 1;
            c[3 + len] ^= 1;
            assertThat(ByteWords.equal(a, 3, c, 3, len)).isTrue();
            assertThat(ByteWords.hash(c, 3, len)).isEqualTo(ByteWords.hash(a, 3, len));
        }
        assertThat(ByteWords.hash(new byte[] {'a', 'b', 'x'}, 0, 2)).isEqualTo(ByteWords.hash(new byte[] {'a', 'b'}, 0, 2));
    }

    private static int firstOf(final byte[] buf, final int from, final int to, final byte target) {
        for (int i = from; i < to; i++) {
            if (buf[i] == target) {
                return i;
            }
        }
        return -1;
    }

    private static int firstNonAscii(final byte[] buf, final int from, final int to) {
        for (int i = from; i < to; i++) {
            if (buf[i] < 0) {
                return i;
            }
        }
        return to;
    }

    private static int firstStringStop(final byte[] buf, final int from, final int to) {
        for (int i = from; i < to; i++) {
            if (buf[i] == '"' || buf[i] == '\\' || buf[i] < 0x20) {
                return i;
            }
        }
        return to;
    }
}
