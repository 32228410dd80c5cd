package dev.peregrine.alerting.spool;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * How {@link SpoolingSink} batches, retries and spools.
 *
 * @param directory      where the spool and the dead-letter file live; one directory per sink
 * @param maxSpooled     most alerts the spool holds; beyond it alerts are dead-lettered and counted failed
 * @param batchSize      most alerts per delivery request
 * @param maxBatchDelay  longest an alert waits in memory for its batch to fill
 * @param maxAttempts    attempts of a fresh batch before its alerts are spooled, the first included
 * @param initialBackoff wait before the second attempt; doubles per attempt (equal jitter)
 * @param maxBackoff     cap on one wait, also between attempts to drain the spool
 */
public record SpoolConfig(Path directory, int maxSpooled, int batchSize, Duration maxBatchDelay, int maxAttempts,
                          Duration initialBackoff, Duration maxBackoff) {

    public SpoolConfig {
        Objects.requireNonNull(directory, "directory");
        Objects.requireNonNull(maxBatchDelay, "maxBatchDelay");
        Objects.requireNonNull(initialBackoff, "initialBackoff");
        Objects.requireNonNull(maxBackoff, "maxBackoff");
        if (maxSpooled < 1 || batchSize < 1 || maxAttempts < 1) {
            throw new IllegalArgumentException("maxSpooled, batchSize and maxAttempts must be at least 1: "
                    + maxSpooled + ", " + batchSize + ", " + maxAttempts);
        }
        if (maxBatchDelay.isNegative() || initialBackoff.isNegative() || maxBackoff.isNegative()) {
            throw new IllegalArgumentException("durations must not be negative");
        }
    }

    /** 100 000 spooled alerts, batches of 500 or 1 s, 3 attempts, backoff from 200 ms doubling up to 30 s. */
    public static SpoolConfig of(final Path directory) {
        return new SpoolConfig(directory, 100_000, 500, Duration.ofSeconds(1), 3, Duration.ofMillis(200),
                Duration.ofSeconds(30));
    }

    /** A copy with other batching. */
    public SpoolConfig withBatching(final int newBatchSize, final Duration newMaxBatchDelay) {
        return new SpoolConfig(directory, maxSpooled, newBatchSize, newMaxBatchDelay, maxAttempts, initialBackoff,
                maxBackoff);
    }

    /** A copy with other retry settings. */
    public SpoolConfig withRetries(final int newMaxAttempts, final Duration newInitialBackoff,
                                   final Duration newMaxBackoff) {
        return new SpoolConfig(directory, maxSpooled, batchSize, maxBatchDelay, newMaxAttempts, newInitialBackoff,
                newMaxBackoff);
    }

    /** A copy with another spool bound. */
    public SpoolConfig withMaxSpooled(final int newMaxSpooled) {
        return new SpoolConfig(directory, newMaxSpooled, batchSize, maxBatchDelay, maxAttempts, initialBackoff,
                maxBackoff);
    }
}
