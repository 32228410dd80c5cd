package dev.peregrine.engine.slopsquat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * An immutable set of names in UTF-8 byte order, front-coded in one byte array: each block of
 * {@value #BLOCK} names stores its first name whole and the others as (shared prefix length,
 * suffix). 886k PyPI names take about 7 MB this way instead of about 60 MB as {@code String}s;
 * a lookup binary-searches the block heads, then decodes one block.
 */
final class SortedNames {

    private static final int BLOCK = 16;

    private final byte[] data;
    private final int[] blockOffsets;
    private final int size;

    private SortedNames(final byte[] data, final int[] blockOffsets, final int size) {
        this.data = data;
        this.blockOffsets = blockOffsets;
        this.size = size;
    }

    /** How many names. */
    int size() {
        return size;
    }

    /** Bytes held, for the heap budget. */
    long sizeInBytes() {
        return data.length + 4L * blockOffsets.length;
    }

    /** The position of {@code name} in sort order, or -1 when absent. */
    int indexOf(final String name) {
        final byte[] key = name.getBytes(StandardCharsets.UTF_8);
        int low = 0;
        int high = blockOffsets.length - 1;
        int block = -1;
        while (low <= high) {
            final int mid = (low + high) >>> 1;
            final int offset = blockOffsets[mid];
            final int length = data[offset] & 0xff;
            final int cmp = Arrays.compareUnsigned(data, offset + 1, offset + 1 + length, key, 0, key.length);
            if (cmp == 0) {
                return mid * BLOCK;
            }
            if (cmp < 0) {
                block = mid;
                low = mid + 1;
            } else {
                high = mid - 1;
            }
        }
        if (block < 0) {
            return -1;
        }
        return scanBlock(block, key);
    }

    private int scanBlock(final int block, final byte[] key) {
        int offset = blockOffsets[block];
        final byte[] current = new byte[256];
        int length = data[offset] & 0xff;
        System.arraycopy(data, offset + 1, current, 0, length);
        offset += 1 + length;
        final int end = Math.min(size, (block + 1) * BLOCK);
        for (int index = block * BLOCK + 1; index < end; index++) {
            final int shared = data[offset] & 0xff;
            final int suffix = data[offset + 1] & 0xff;
            System.arraycopy(data, offset + 2, current, shared, suffix);
            length = shared + suffix;
            offset += 2 + suffix;
            final int cmp = Arrays.compareUnsigned(current, 0, length, key, 0, key.length);
            if (cmp == 0) {
                return index;
            }
            if (cmp > 0) {
                return -1;
            }
        }
        return -1;
    }

    /** The names at the ordinals set in {@code ordinals}, decoded in one pass. */
    java.util.Map<Integer, String> namesAt(final java.util.BitSet ordinals) {
        final java.util.Map<Integer, String> found = new java.util.HashMap<>();
        final byte[] current = new byte[256];
        int offset = 0;
        int length = 0;
        for (int index = 0; index < size && index <= ordinals.length(); index++) {
            if (index % BLOCK == 0) {
                length = data[offset] & 0xff;
                System.arraycopy(data, offset + 1, current, 0, length);
                offset += 1 + length;
            } else {
                final int shared = data[offset] & 0xff;
                final int suffix = data[offset + 1] & 0xff;
                System.arraycopy(data, offset + 2, current, shared, suffix);
                length = shared + suffix;
                offset += 2 + suffix;
            }
            if (ordinals.get(index)) {
                found.put(index, new String(current, 0, length, StandardCharsets.UTF_8));
            }
        }
        return found;
    }

    /** Collects names given in strictly increasing UTF-8 byte order. */
    static final class Builder {
        private byte[] data = new byte[1 << 20];
        private int length;
        private int[] blockOffsets = new int[1024];
        private final byte[] previous = new byte[255];
        private int previousLength;
        private int size;

        /** Adds the next name; see {@link #add(byte[], int, int)}. */
        Builder add(final String name) {
            final byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
            return add(bytes, 0, bytes.length);
        }

        /**
         * Adds the next name, {@code len} UTF-8 bytes of {@code buf} from {@code off}; throws
         * {@link IllegalArgumentException} when it is out of order, a repeat, empty or longer than
         * 255 bytes (no registry allows such names).
         */
        Builder add(final byte[] buf, final int off, final int len) {
            if (len == 0 || len > 255) {
                throw new IllegalArgumentException("name of " + len + " bytes: "
                        + new String(buf, off, len, StandardCharsets.UTF_8));
            }
            if (size > 0 && Arrays.compareUnsigned(previous, 0, previousLength, buf, off, off + len) >= 0) {
                throw new IllegalArgumentException("names out of order: '"
                        + new String(previous, 0, previousLength, StandardCharsets.UTF_8) + "' before '"
                        + new String(buf, off, len, StandardCharsets.UTF_8) + "'");
            }
            ensure(len + 2);
            if (size % BLOCK == 0) {
                if (size / BLOCK == blockOffsets.length) {
                    blockOffsets = Arrays.copyOf(blockOffsets, blockOffsets.length * 2);
                }
                blockOffsets[size / BLOCK] = length;
                data[length++] = (byte) len;
                System.arraycopy(buf, off, data, length, len);
                length += len;
            } else {
                final int mismatch = Arrays.mismatch(previous, 0, previousLength, buf, off, off + len);
                final int common = mismatch < 0 ? Math.min(previousLength, len) : mismatch;
                data[length++] = (byte) common;
                data[length++] = (byte) (len - common);
                System.arraycopy(buf, off + common, data, length, len - common);
                length += len - common;
            }
            System.arraycopy(buf, off, previous, 0, len);
            previousLength = len;
            size++;
            return this;
        }

        private void ensure(final int more) {
            if (length + more > data.length) {
                data = Arrays.copyOf(data, Math.max(data.length + (data.length >> 1), length + more));
            }
        }

        SortedNames build() {
            final int blocks = (size + BLOCK - 1) / BLOCK;
            return new SortedNames(Arrays.copyOf(data, length), Arrays.copyOf(blockOffsets, blocks), size);
        }
    }
}
