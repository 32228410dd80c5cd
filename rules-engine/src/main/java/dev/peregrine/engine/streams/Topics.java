package dev.peregrine.engine.streams;

import java.util.Objects;

/**
 * The topics of the distributed runner and the partition count each is created with when absent.
 *
 * @param events      normalized events, keyed by {@code agent.session}
 * @param alerts      alerts as Falco-compatible JSON, keyed by alert id
 * @param deadLetter  records the engine could not read, as they were, with the reason in headers
 * @param partitions  partitions of a created topic (events bound the parallelism: one task per partition)
 * @param replication replication factor of a created topic
 */
public record Topics(String events, String alerts, String deadLetter, int partitions, short replication) {

    /** The default topic names. */
    public static final Topics DEFAULT = new Topics("peregrine.events", "peregrine.alerts", "peregrine.deadletter", 6,
            (short) 1);

    /** Validates the names and counts. */
    public Topics {
        Objects.requireNonNull(events, "events");
        Objects.requireNonNull(alerts, "alerts");
        Objects.requireNonNull(deadLetter, "deadLetter");
        if (partitions < 1 || replication < 1) {
            throw new IllegalArgumentException("partitions and replication must be positive, got " + partitions
                    + " and " + replication);
        }
    }

    /** These topics with {@code count} partitions. */
    public Topics withPartitions(final int count) {
        return new Topics(events, alerts, deadLetter, count, replication);
    }
}
