package dev.peregrine.collector.ingest;

/**
 * The bounds that keep one client from exhausting the collector.
 *
 * @param maxBodyBytes    largest request body; bigger ones get 413 unread
 * @param maxLineBytes    longest NDJSON line; longer ones are rejected as {@code too_long}
 * @param queueCapacity   events (and rejections) waiting for the pipeline, over all clients;
 *                        a request that does not fit gets 429 and nothing of it is taken
 * @param eventsPerSecond sustained rate per token, in body lines or array elements
 * @param burst           lines a token may send at once before the rate applies
 * @param maxErrorsListed most per-line errors a response lists (all are counted and dead-lettered)
 */
public record IngestLimits(int maxBodyBytes, int maxLineBytes, int queueCapacity, double eventsPerSecond,
                           double burst, int maxErrorsListed) {

    /** 8 MiB bodies, 1 MiB lines, 10 000 queued, 5 000 events/s per token with bursts of 20 000, 100 errors listed. */
    public static final IngestLimits DEFAULTS = new IngestLimits(8 << 20, 1 << 20, 10_000, 5_000, 20_000, 100);

    public IngestLimits {
        if (maxBodyBytes < 1 || maxLineBytes < 1 || queueCapacity < 1 || eventsPerSecond <= 0 || burst < 1
                || maxErrorsListed < 0) {
            throw new IllegalArgumentException("ingest limits must be positive: " + maxBodyBytes + ", " + maxLineBytes
                    + ", " + queueCapacity + ", " + eventsPerSecond + ", " + burst + ", " + maxErrorsListed);
        }
    }
}
