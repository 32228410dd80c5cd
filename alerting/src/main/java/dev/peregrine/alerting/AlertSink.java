package dev.peregrine.alerting;

import java.io.IOException;

/**
 * A destination for alerts: stdout, a file, a SIEM. Sinks are called from one thread at a time.
 */
public interface AlertSink extends AutoCloseable {

    /** Delivers one alert; an {@link IOException} means it was not delivered. */
    void deliver(Alert alert) throws IOException;

    /** Pushes out anything buffered; the default does nothing. */
    default void flush() throws IOException {
    }

    /** Flushes and releases resources; the default flushes. */
    @Override
    default void close() throws IOException {
        flush();
    }
}
