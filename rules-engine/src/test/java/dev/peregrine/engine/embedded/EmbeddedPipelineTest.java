package dev.peregrine.engine.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import dev.peregrine.alerting.Alert;
import dev.peregrine.alerting.AlertSink;
import dev.peregrine.alerting.Priority;
import dev.peregrine.collector.deadletter.Rejection;
import dev.peregrine.collector.event.Event;
import dev.peregrine.collector.event.StandardFields;
import dev.peregrine.collector.source.EventSource;
import dev.peregrine.collector.source.SourceListener;
import dev.peregrine.engine.Detector;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class EmbeddedPipelineTest {

    /** A source that replays a fixed list of events and rejections, in order. */
    private record ListSource(String name, List<Object> records) implements EventSource {
        @Override
        public void read(final SourceListener listener) {
            for (final Object record : records) {
                if (record instanceof Event event) {
                    listener.onEvent(event);
                } else {
                    listener.onRejected((Rejection) record);
                }
            }
        }
    }

    /** Alerts on every event whose tool.outcome is denied, and remembers the order it saw events in. */
    private static final class DeniedDetector implements Detector {
        final List<Long> seen = new ArrayList<>();

        @Override
        public void onEvent(final Event event, final Consumer<Alert> alerts) {
            seen.add(event.timeNanos());
            if ("denied".equals(event.getString(StandardFields.TOOL_OUTCOME))) {
                alerts.accept(new Alert(Alert.deterministicId("denied", "s", event.timeNanos()), event.timeNanos(),
                        "denied", "Denied", Priority.NOTICE, "agent", "", List.of(), "denied", Map.of(),
                        "", "s", 1, event.timeNanos(), event.timeNanos()));
            }
        }
    }

    private static final class CollectingSink implements AlertSink {
        final List<Alert> alerts = new ArrayList<>();

        @Override
        public void deliver(final Alert alert) {
            alerts.add(alert);
        }
    }

    private static Event event(final long time, final String outcome) {
        return Event.builder().time(time).set(StandardFields.TOOL_OUTCOME, outcome).build();
    }

    private static Rejection rejection(final String source, final long line) {
        return new Rejection(source, line, Rejection.Reason.MALFORMED_JSON, "bad", "{", 1, "00", false);
    }

    @Test
    void replayMergesSourcesByEventTimeWithTiesInSourceOrder() throws InterruptedException {
        final DeniedDetector detector = new DeniedDetector();
        final EventSource first = new ListSource("a", List.of(event(1, "allowed"), event(5, "denied"), event(9, "allowed")));
        final EventSource second = new ListSource("b", List.of(event(2, "allowed"), event(5, "allowed"), event(7, "denied")));
        final CollectingSink sink = new CollectingSink();

        final PipelineSummary summary = new EmbeddedPipeline(List.of(first, second), List.of(detector), sink,
                rejection -> { }, PipelineMetrics.unregistered(), EmbeddedPipeline.Ordering.EVENT_TIME_MERGE, 2).run();

        assertThat(detector.seen).containsExactly(1L, 2L, 5L, 5L, 7L, 9L);
        assertThat(sink.alerts).extracting(Alert::timeNanos).containsExactly(5L, 7L);
        assertThat(summary.eventsAccepted()).isEqualTo(6);
        assertThat(summary.alertsByRule()).containsExactly(Map.entry("denied", 2L));
    }

    @Test
    void everyRejectionIsCountedAndHandedToTheDeadLetter() throws InterruptedException {
        final List<Rejection> deadLetter = Collections.synchronizedList(new ArrayList<>());
        final EventSource source = new ListSource("in", List.of(event(1, "allowed"), rejection("in", 2),
                event(3, "denied"), rejection("in", 4)));

        final PipelineSummary summary = new EmbeddedPipeline(List.of(source), List.of(new DeniedDetector()),
                new CollectingSink(), deadLetter::add, PipelineMetrics.unregistered(),
                EmbeddedPipeline.Ordering.ARRIVAL, 16).run();

        assertThat(deadLetter).extracting(Rejection::line).containsExactly(2L, 4L);
        assertThat(summary.eventsRejected()).isEqualTo(2);
        assertThat(summary.rejectedByReason()).containsExactly(Map.entry("malformed_json", 2L));
        assertThat(summary.eventsAccepted()).isEqualTo(2);
        assertThat(summary.hadProblems()).isTrue();
    }

    @Test
    void aFailingDetectorIsCountedAndTheOthersStillSeeEveryEvent() throws InterruptedException {
        final Detector broken = (event, alerts) -> {
            throw new IllegalStateException("boom");
        };
        final DeniedDetector healthy = new DeniedDetector();
        final EventSource source = new ListSource("in", List.of(event(1, "denied"), event(2, "denied")));
        final CollectingSink sink = new CollectingSink();

        final PipelineSummary summary = new EmbeddedPipeline(List.of(source), List.of(broken, healthy), sink,
                rejection -> { }, PipelineMetrics.unregistered(), EmbeddedPipeline.Ordering.ARRIVAL, 16).run();

        assertThat(healthy.seen).containsExactly(1L, 2L);
        assertThat(sink.alerts).hasSize(2);
        assertThat(summary.detectorErrors()).isEqualTo(2);
    }

    @Test
    void aFailingSinkIsCountedAndDoesNotStopTheStream() throws InterruptedException {
        final AlertSink failing = alert -> {
            throw new IOException("SIEM down");
        };
        final DeniedDetector detector = new DeniedDetector();
        final EventSource source = new ListSource("in", List.of(event(1, "denied"), event(2, "denied")));

        final PipelineSummary summary = new EmbeddedPipeline(List.of(source), List.of(detector), failing,
                rejection -> { }, PipelineMetrics.unregistered(), EmbeddedPipeline.Ordering.ARRIVAL, 16).run();

        assertThat(detector.seen).containsExactly(1L, 2L);
        assertThat(summary.deliveryFailures()).isEqualTo(2);
    }

    @Test
    void aSourceThatFailsEndsOnlyThatSource() throws InterruptedException {
        final EventSource failing = new EventSource() {
            @Override
            public String name() {
                return "broken";
            }

            @Override
            public void read(final SourceListener listener) throws IOException {
                listener.onEvent(event(1, "allowed"));
                throw new IOException("disk gone");
            }
        };
        final DeniedDetector detector = new DeniedDetector();
        final EventSource healthy = new ListSource("ok", List.of(event(2, "allowed"), event(3, "allowed")));

        final PipelineSummary summary = new EmbeddedPipeline(List.of(failing, healthy), List.of(detector),
                new CollectingSink(), rejection -> { }, PipelineMetrics.unregistered(),
                EmbeddedPipeline.Ordering.EVENT_TIME_MERGE, 1).run();

        assertThat(detector.seen).containsExactly(1L, 2L, 3L);
        assertThat(summary.sourceErrors()).isEqualTo(1);
    }
}
