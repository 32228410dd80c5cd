package dev.peregrine.engine.time;

import static org.assertj.core.api.Assertions.assertThat;

import dev.peregrine.collector.event.Event;
import dev.peregrine.collector.event.StandardFields;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
}
