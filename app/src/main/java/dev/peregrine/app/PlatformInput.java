package dev.peregrine.app;

import dev.peregrine.collector.ingest.PlatformAccessEvents;
import dev.peregrine.collector.source.EventSource;
import dev.peregrine.collector.source.SourceListener;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Accesses to Peregrine itself (rule reloads, ingest identity violations) as one more input of
 * {@code run}, beside what it reads. The platform's events never end by themselves, while stdin
 * does: so that {@code run} still stops when its inputs have ended, the platform input is closed
 * once every other input's read has returned.
 */
final class PlatformInput {

    private PlatformInput() {
    }

    /** {@code inputs}, each closing {@code platform} when the last of them ends, then {@code platform}. */
    static List<EventSource> alongside(final List<EventSource> inputs, final PlatformAccessEvents platform) {
        final AtomicInteger reading = new AtomicInteger(inputs.size());
        final List<EventSource> all = new ArrayList<>();
        for (final EventSource input : inputs) {
            all.add(new Ending(input, () -> {
                if (reading.decrementAndGet() == 0) {
                    platform.close();
                }
            }));
        }
        all.add(platform);
        return all;
    }

    /** An input that says when its read has returned. */
    private record Ending(EventSource input, Runnable ended) implements EventSource {
        @Override
        public String name() {
            return input.name();
        }

        @Override
        public void read(final SourceListener listener) throws IOException {
            try {
                input.read(listener);
            } finally {
                ended.run();
            }
        }

        @Override
        public void close() throws IOException {
            input.close();
        }
    }
}
