package dev.peregrine.engine.streams;

import static org.assertj.core.api.Assertions.assertThat;

import dev.peregrine.collector.event.Event;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;

/**
 * A task that dies with events still in its reorder buffer (their offsets already committed)
 * leaves them in its store; the partition's next owner, restored from that store, detects on
 * them, so together the two raise exactly the embedded engine's alerts.
 */
class HeldEventsHandOverTest {

    private final EventSerde serde = new EventSerde();

    @Test
    void eventsADeadTaskStillHeldAreDetectedOnByTheNextOwner() {
        final List<Event> trace = new ArrayList<>(EngineFixture.multiSessionTrace());
        // the last event raises an alert of its own, so losing the held events would lose an alert
        final Event alerting = trace.stream().filter(event -> !EngineFixture.embeddedAlerts(List.of(event)).isEmpty())
                .findFirst().orElseThrow();
        trace.add(alerting.toBuilder().time(trace.get(trace.size() - 1).timeNanos() + 1_000_000_000L).build());
        final KeyValueStore<String, String> store = Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(KafkaStreamsStateStore.STORE_NAME), Serdes.String(), Serdes.String())
                .withLoggingDisabled().build();

        final MockProcessorContext<String, byte[]> dying = new MockProcessorContext<>();
        dying.setCurrentSystemTimeMs(0);
        store.init(dying.getStateStoreContext(), store);
        dying.addStateStore(store);
        final EngineProcessor first = new EngineProcessor(EngineFixture.factory(), EngineFixture.SETTINGS,
                new EngineCounters());
        first.init(dying);
        for (final Event event : trace) {
            first.process(new Record<>(EngineFixture.key(event), serde.serializer().serialize("events", event), 0L));
        }
        final List<String> alerts = new ArrayList<>(alertsOf(dying));
        final long held = store.approximateNumEntries() - detectorEntries(store);
        assertThat(held).as("the last events are still held when the task dies").isPositive();
        // killed: never closed, nothing more forwarded

        final MockProcessorContext<String, byte[]> next = new MockProcessorContext<>();
        next.setCurrentSystemTimeMs(0);
        next.addStateStore(store);
        final EngineProcessor second = new EngineProcessor(EngineFixture.factory(), EngineFixture.SETTINGS,
                new EngineCounters());
        second.init(next);
        final long idle = EngineFixture.SETTINGS.idleAfter().toMillis();
        next.setCurrentSystemTimeMs(idle);
        next.scheduledPunctuators().get(0).getPunctuator().punctuate(idle);
        alerts.addAll(alertsOf(next));

        assertThat(alerts).isEqualTo(EngineFixture.embeddedAlerts(trace));
        assertThat(store.approximateNumEntries() - detectorEntries(store)).as("released, so forgotten").isZero();
    }

    @Test
    void heldKeysSortByEventTimeThenArrivalAcrossTheWholeRangeOfTimes() {
        final List<String> keys = List.of(EngineProcessor.heldKey(Long.MIN_VALUE, 0), EngineProcessor.heldKey(-1, 5),
                EngineProcessor.heldKey(0, 3), EngineProcessor.heldKey(7, 1), EngineProcessor.heldKey(7, 2),
                EngineProcessor.heldKey(Long.MAX_VALUE, 0));

        assertThat(keys).isSorted();
    }

    @Test
    void heldKeysKeepTheLayoutStoresWereWrittenWith() {
        // a store written before an upgrade is read back by prefix and sequence: the layout must not drift
        assertThat(EngineProcessor.heldKey(0, 3)).isEqualTo(EngineProcessor.HELD_PREFIX + "09223372036854775808:"
                + "0000000000000000003");
        assertThat(EngineProcessor.heldKey(Long.MIN_VALUE, 1_234_567)).isEqualTo(EngineProcessor.HELD_PREFIX
                + "00000000000000000000:0000000000001234567");
        assertThat(EngineProcessor.heldKey(-1, Long.MAX_VALUE)).isEqualTo(EngineProcessor.HELD_PREFIX
                + "09223372036854775807:" + Long.MAX_VALUE);
    }

    private static List<String> alertsOf(final MockProcessorContext<String, byte[]> context) {
        return context.forwarded().stream()
                .filter(forward -> forward.childName().orElse("").equals(EngineTopology.ALERTS_SINK))
                .map(forward -> new String(forward.record().value(), StandardCharsets.UTF_8)).toList();
    }

    private static long detectorEntries(final KeyValueStore<String, String> store) {
        long entries = 0;
        try (var all = store.all()) {
            while (all.hasNext()) {
                if (!all.next().key.startsWith(EngineProcessor.HELD_PREFIX)) {
                    entries++;
                }
            }
        }
        return entries;
    }
}
