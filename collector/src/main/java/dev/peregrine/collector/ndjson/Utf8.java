package dev.peregrine.collector.ndjson;

/** Strict UTF-8 validation (Unicode Table 3-7): no overlongs, no surrogates, nothing above U+10FFFF. */
final class Utf8 {

    private Utf8() {
    }

    /** Offset from {@code off} of the first byte of an ill-formed sequence, or -1 when all is well-formed. */
    static int firstInvalid(final byte[] buf, final int off, final int len) {
        final int end = off + len;
        int i = off;
        while (true) {
            i = ByteWords.skipAscii(buf, i, end);
            if (i == end) {
                return -1;
            }
            final int lead = buf[i] & 0xFF;
            final int size;
            int min = 0x80;
            int max = 0xBF;
            if (lead >= 0xC2 && lead <= 0xDF) {
                size = 2;
            } else if (lead >= 0xE0 && lead <= 0xEF) {
                size = 3;
                if (lead == 0xE0) {
                    min = 0xA0;
                } else if (lead == 0xED) {
                    max = 0x9F;
                }
            } else if (lead >= 0xF0 && lead <= 0xF4) {
                size = 4;
                if (lead == 0xF0) {
                    min = 0x90;
                } else if (lead == 0xF4) {
                    max = 0x8F;
                }
            } else {
                return i - off;
            }
            if (i + size > end) {
                return i - off;
            }
            final int second = buf[i + 1] & 0xFF;
            if (second < min || second > max) {
                return i - off;
            }
            for (int k = 2; k < size; k++) {
                if ((buf[i + k] & 0xC0) != 0x80) {
                    return i - off;
                }
            }
            i += size;
        }
    }
}
