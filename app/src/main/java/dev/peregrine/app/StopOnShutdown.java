package dev.peregrine.app;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A JVM shutdown hook that asks a running command to stop (SIGTERM, Ctrl-C) and holds the JVM,
 * for at most a bounded time, until the command has finished: the JVM halts as soon as its
 * hooks return, which would cut off draining, closing sinks and committing offsets. Closed by
 * the command when it ends, by itself or after the stop.
 */
final class StopOnShutdown implements AutoCloseable {

    private final CountDownLatch finished = new CountDownLatch(1);
    private final Thread hook;

    /** Installs the hook: at shutdown it runs {@code stop}, then waits for {@link #close} at most {@code wait}. */
    StopOnShutdown(final String threadName, final Runnable stop, final Duration wait) {
        this.hook = new Thread(() -> {
            stop.run();
            try {
                finished.await(wait.toMillis(), TimeUnit.MILLISECONDS);
            } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, threadName);
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** The command has finished: a shutdown under way may go on, and a hook that has not run is removed. */
    @Override
    public void close() {
        finished.countDown();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (final IllegalStateException alreadyShuttingDown) {
            // the hook is running; it was waiting for the countDown above
        }
    }
}
