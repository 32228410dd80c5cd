package dev.peregrine.collector.source;

import java.io.IOException;

/**
 * A producer of normalized events: a file, stdin, a socket, a log being tailed.
 *
 * <p>{@link #read} runs on the caller's thread until the input ends or {@link #close()} is
 * called. Every input record ends up either as an event or as a rejection handed to the
 * listener; a bad record never ends the stream.
 */
public interface EventSource extends AutoCloseable {

    /** A short name for logs, summaries and dead-letter records, e.g. a file path or {@code stdin}. */
    String name();

    /** Reads the input, handing each event or rejection to {@code listener}. */
    void read(SourceListener listener) throws IOException;

    /** Stops a {@link #read} in progress from another thread; the default does nothing. */
    @Override
    default void close() throws IOException {
    }
}
