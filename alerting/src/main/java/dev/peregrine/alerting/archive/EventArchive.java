package dev.peregrine.alerting.archive;

import java.io.IOException;

/**
 * Keeps every normalized event, not only the ones that raised alerts, so an investigator can
 * reconstruct what an agent did last week. Events arrive already serialized (one JSON object per
 * line): the archive knows nothing of the collector's event model. Called from one thread at a
 * time, like an {@code AlertSink}.
 */
public interface EventArchive extends AutoCloseable {

    /** Archives one event, filed by its event time. */
    void append(long eventTimeNanos, String jsonLine) throws IOException;

    /**
     * Tells the archive that event time reached {@code eventTimeNanos} without an event, so files
     * of hours that are over can be completed while the source is quiet. The default does nothing.
     */
    default void advanceTo(final long eventTimeNanos) throws IOException {
    }

    /** Pushes buffered events toward disk; the default does nothing. */
    default void flush() throws IOException {
    }

    /** Completes every open file; the default does nothing. */
    @Override
    default void close() throws IOException {
    }
}
