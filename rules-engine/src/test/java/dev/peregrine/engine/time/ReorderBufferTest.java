package dev.peregrine.engine.time;

import static org.assertj.core.api.Assertions.assertThat;

import dev.peregrine.collector.event.Event;
import dev.peregrine.collector.event.StandardFields;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ReorderBufferTest {

    private static final long SECOND = 1_000_000_000L;

    private final List<Long> released = new ArrayList<>();
    private final ReorderBuffer buffer = new ReorderBuffer(Duration.ofSeconds(2));

    private static Event at(final long seconds, final String tag) {
        return Event.builder().time(seconds * SECOND).set(StandardFields.PROC_NAME, tag).build();
    }

    private void offer(final long seconds) {
        buffer.offer(at(seconds, "e" + seconds), event -> released.add(event.timeNanos() / SECOND));
    }

    @Test
    void eventsOutOfOrderWithinTheLatenessComeOutSortedOnceTheWatermarkPassesThem() {
        offer(10);
        offer(12);
        offer(11);
        offer(13);

        assertThat(released).containsExactly(10L, 11L);
        assertThat(buffer.held()).isEqualTo(2);

        buffer.flush(event -> released.add(event.timeNanos() / SECOND));

        assertThat(released).containsExactly(10L, 11L, 12L, 13L);
        assertThat(buffer.lateEvents()).isZero();
        assertThat(buffer.watermark()).isEqualTo(13 * SECOND);
    }

    @Test
    void anEventLaterThanTheLatenessIsReleasedAtOnceAndCountedNeverDropped() {
        offer(10);
        offer(20);
        offer(15); // watermark is 18: three seconds too late

        assertThat(released).containsExactly(10L, 15L);
        assertThat(buffer.lateEvents()).isEqualTo(1);
        assertThat(buffer.maxLatenessNanos()).isEqualTo(3 * SECOND);

        buffer.flush(event -> released.add(event.timeNanos() / SECOND));
        assertThat(released).containsExactly(10L, 15L, 20L);
    }

    @Test
    void equalTimesKeepTheirArrivalOrder() {
        final List<String> order = new ArrayList<>();
        for (final String tag : List.of("a", "b", "c")) {
            buffer.offer(at(5, tag), event -> order.add(event.getString(StandardFields.PROC_NAME)));
        }
        buffer.offer(at(4, "d"), event -> order.add(event.getString(StandardFields.PROC_NAME)));
        buffer.flush(event -> order.add(event.getString(StandardFields.PROC_NAME)));

        assertThat(order).containsExactly("d", "a", "b", "c");
    }

    @Test
    void advancingTimeWithoutEventsReleasesWhatTheWatermarkPasses() {
        offer(10);
        offer(11);

        final long watermark = buffer.advanceTo(12 * SECOND + 1, event -> released.add(event.timeNanos() / SECOND));

        assertThat(watermark).isEqualTo(10 * SECOND + 1);
        assertThat(released).containsExactly(10L);
        // Time never goes back: an older hint changes nothing.
        assertThat(buffer.advanceTo(5 * SECOND, event -> released.add(event.timeNanos() / SECOND))).isEqualTo(watermark);
    }

    @Test
    void aMostlySortedStreamWithStragglersComesOutAsOneStableSortByTime() {
        // Mostly in order (the queue), some events up to 1.9 s early (the heap), many equal times:
        // the release order must be the stable sort by time, whichever structure held each event.
        final Random random = new Random(20261127);
        final List<Event> offered = new ArrayList<>();
        final List<Event> out = new ArrayList<>();
        long clock = 100 * SECOND;
        for (int i = 0; i < 5_000; i++) {
            clock += random.nextInt(4) * (SECOND / 10);
            final long time = random.nextInt(10) == 0 ? clock - random.nextInt(20) * (SECOND / 10 - 1) : clock;
            final Event event = Event.builder().time(time).set(StandardFields.PROC_NAME, "e" + i).build();
            offered.add(event);
            buffer.offer(event, out::add);
        }
        buffer.flush(out::add);

        final List<Event> expected = new ArrayList<>(offered);
        expected.sort(Comparator.comparingLong(Event::timeNanos));
        assertThat(buffer.lateEvents()).isZero();
        assertThat(out).containsExactlyElementsOf(expected);
    }
}
