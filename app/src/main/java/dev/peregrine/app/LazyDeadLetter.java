package dev.peregrine.app;

import dev.peregrine.collector.deadletter.DeadLetterFile;
import dev.peregrine.collector.deadletter.Rejection;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dead-letter file, opened on the first rejection so a clean run leaves no empty file behind.
 * If the file cannot be written, the rejection is logged in full instead, so it is still kept.
 */
final class LazyDeadLetter implements Consumer<Rejection>, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LazyDeadLetter.class);

    private final Path path;
    private DeadLetterFile file;
    private boolean used;

    LazyDeadLetter(final Path path) {
        this.path = path;
    }

    @Override
    public synchronized void accept(final Rejection rejection) {
        used = true;
        try {
            if (file == null) {
                file = new DeadLetterFile(path);
            }
            file.append(rejection);
        } catch (final IOException | UncheckedIOException e) {
            LOG.error("dead-letter file {} is not writable ({}); rejected record follows: {}", path, e, rejection);
        }
    }

    /** Whether anything was rejected. */
    synchronized boolean used() {
        return used;
    }

    Path path() {
        return path;
    }

    @Override
    public synchronized void close() throws IOException {
        if (file != null) {
            file.close();
        }
    }
}
