package dev.peregrine.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.peregrine.collector.deadletter.Rejection;
import dev.peregrine.collector.event.Event;
import dev.peregrine.collector.ingest.PlatformAccessEvents;
import dev.peregrine.collector.source.EventSource;
import dev.peregrine.collector.source.SourceListener;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The platform's events end with the inputs of a run, so a run of stdin still stops at its end. */
class PlatformInputTest {

    @Test
    void thePlatformInputEndsOnceEveryOtherInputHasAndKeepsWhatCameBefore() throws Exception {
        final PlatformAccessEvents platform = new PlatformAccessEvents();
        final List<EventSource> all = PlatformInput.alongside(List.of(finite("a"), finite("b")), platform);
        assertThat(all).extracting(EventSource::name).containsExactly("a", "b", PlatformAccessEvents.NAME);

        final List<Event> seen = new CopyOnWriteArrayList<>();
        final Thread reader = new Thread(() -> {
            try {
                all.get(2).read(collect(seen));
            } catch (final IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        reader.start();
        platform.onRulesReload(new PlatformAccessEvents.RulesReload(Instant.parse("2026-11-27T18:00:00Z"), "sighup",
                "success", "signal", null, 1, 3, 0, List.of()));
        all.get(0).read(collect(seen));
        assertThat(reader.isAlive()).isTrue();
        all.get(1).read(collect(seen));

        await().atMost(Duration.ofSeconds(30)).until(() -> !reader.isAlive());
        assertThat(seen).hasSize(1);
        assertThat(seen.get(0).extra("reload.trigger")).isEqualTo("sighup");
    }

    private static EventSource finite(final String name) {
        return new EventSource() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public void read(final SourceListener listener) {
                // ends at once, as stdin does at its end
            }
        };
    }

    private static SourceListener collect(final List<Event> events) {
        return new SourceListener() {
            @Override
            public void onEvent(final Event event) {
                events.add(event);
            }

            @Override
            public void onRejected(final Rejection rejection) {
                throw new AssertionError(rejection.toString());
            }
        };
    }
}
