package dev.peregrine.alerting;

import java.io.IOException;
import java.util.List;

/** Delivers each alert to every sink in turn; one sink failing does not starve the others. */
public final class FanOutSink implements AlertSink {

    private final List<AlertSink> sinks;

    /** Fans out to {@code sinks}, in order. */
    public FanOutSink(final List<AlertSink> sinks) {
        this.sinks = List.copyOf(sinks);
    }

    /** Tries every sink; throws the first failure after all were tried. */
    @Override
    public void deliver(final Alert alert) throws IOException {
        IOException failure = null;
        for (final AlertSink sink : sinks) {
            try {
                sink.deliver(alert);
            } catch (final IOException e) {
                failure = addTo(failure, e);
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    @Override
    public void flush() throws IOException {
        IOException failure = null;
        for (final AlertSink sink : sinks) {
            try {
                sink.flush();
            } catch (final IOException e) {
                failure = addTo(failure, e);
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    @Override
    public void close() throws IOException {
        IOException failure = null;
        for (final AlertSink sink : sinks) {
            try {
                sink.close();
            } catch (final IOException e) {
                failure = addTo(failure, e);
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    private static IOException addTo(final IOException first, final IOException next) {
        if (first == null) {
            return next;
        }
        first.addSuppressed(next);
        return first;
    }
}
