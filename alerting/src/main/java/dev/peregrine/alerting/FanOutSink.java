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

    /** Tries every sink; throws the first failure (others suppressed) after all were tried. */
    @Override
    public void deliver(final Alert alert) throws IOException {
        forEachSink(sink -> sink.deliver(alert));
    }

    @Override
    public void flush() throws IOException {
        forEachSink(AlertSink::flush);
    }

    @Override
    public void close() throws IOException {
        forEachSink(AlertSink::close);
    }

    /** One operation on one sink. */
    @FunctionalInterface
    private interface SinkOperation {
        void apply(AlertSink sink) throws IOException;
    }

    private void forEachSink(final SinkOperation operation) throws IOException {
        IOException failure = null;
        for (final AlertSink sink : sinks) {
            try {
                operation.apply(sink);
            } catch (final IOException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
