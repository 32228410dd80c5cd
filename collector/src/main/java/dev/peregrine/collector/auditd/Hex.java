package dev.peregrine.collector.auditd;

/** Decoding of the hex the kernel writes untrusted strings and socket addresses in. */
final class Hex {

    private Hex() {
    }

    /** The bytes {@code text} encodes, or {@code null} when it is not an even-length run of hex digits. */
    static byte[] decode(final String text) {
        final int length = text.length();
        if (length == 0 || length % 2 != 0) {
            return null;
        }
        final byte[] bytes = new byte[length / 2];
        for (int i = 0; i < length; i += 2) {
            final int high = digit(text.charAt(i));
            final int low = digit(text.charAt(i + 1));
            if (high < 0 || low < 0) {
                return null;
            }
            bytes[i / 2] = (byte) (high << 4 | low);
        }
        return bytes;
    }

    private static int digit(final char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        return -1;
    }
}
