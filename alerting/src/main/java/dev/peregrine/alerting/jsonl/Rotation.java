package dev.peregrine.alerting.jsonl;

/**
 * When {@link RotatingJsonLinesSink} starts a new file, and how many old ones it keeps.
 *
 * @param maxBytes largest size of one file, in bytes; a file is rotated before a line would take
 *                 it past this size (a single line longer than this gets a file of its own)
 * @param keep     rotated files kept beside the live one ({@code alerts.ndjson.1} … {@code .keep});
 *                 the oldest beyond that is deleted
 */
public record Rotation(long maxBytes, int keep) {

    /** 100 MiB per file: a day of a busy fleet's alerts, small enough to open in an editor. */
    public static final long DEFAULT_MAX_BYTES = 100L * 1024 * 1024;
    /** Five rotated files: with the default size, half a gigabyte of alert history besides the live file. */
    public static final int DEFAULT_KEEP = 5;

    public Rotation {
        if (maxBytes < 1) {
            throw new IllegalArgumentException("maxBytes must be at least 1: " + maxBytes);
        }
        if (keep < 1) {
            throw new IllegalArgumentException("keep must be at least 1: " + keep);
        }
    }

    /** 100 MiB per file, five rotated files kept. */
    public static Rotation defaults() {
        return new Rotation(DEFAULT_MAX_BYTES, DEFAULT_KEEP);
    }
}
