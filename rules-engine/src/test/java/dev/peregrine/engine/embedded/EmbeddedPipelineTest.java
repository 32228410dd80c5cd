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
import dev.peregrine.collector.event.FieldRegistry;
import dev.peregrine.engine.DetectionEngine;
import dev.peregrine.engine.Detector;
import dev.peregrine.engine.cep.CepCompiler;
import dev.peregrine.engine.rules.RuleLoader;
import dev.peregrine.engine.rules.RuleSet;
import dev.peregrine.engine.time.EndOfInput;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
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

    /** Records time advances and the end of input, and alerts on nothing. */
    private static final class ClockWatcher implements Detector, EndOfInput {
        final List<Long> advances = Collections.synchronizedList(new ArrayList<>());
        final CountDownLatch advancedPastLatestEvent = new CountDownLatch(1);
        volatile long latestEvent = Long.MIN_VALUE;
        int ended;

        @Override
        public void onEvent(final Event event, final Consumer<Alert> alerts) {
            latestEvent = Math.max(latestEvent, event.timeNanos());
        }

        @Override
        public void onTimeAdvance(final long eventTimeNanos, final Consumer<Alert> alerts) {
            advances.add(eventTimeNanos);
            if (eventTimeNanos > latestEvent) {
                advancedPastLatestEvent.countDown();
            }
        }

        @Override
        public void endOfInput(final Consumer<Alert> alerts) {
            ended++;
        }
    }

    @Test
    void replayAdvancesDetectorsToEachNewEventTimeAndTellsHoldingDetectorsTheInputEnded() throws InterruptedException {
        final ClockWatcher watcher = new ClockWatcher();
        final EventSource source = new ListSource("in", List.of(event(1, "allowed"), event(2, "allowed"),
                event(2, "allowed"), event(5, "allowed")));

        new EmbeddedPipeline(List.of(source), List.of(watcher), new CollectingSink(), rejection -> { },
                PipelineMetrics.unregistered(), EmbeddedPipeline.Ordering.EVENT_TIME_MERGE, 4).run();

        assertThat(watcher.advances).containsExactly(1L, 2L, 5L);
        assertThat(watcher.ended).isEqualTo(1);
    }

    @Test
    void anIdleLiveSourceAdvancesEventTimeByTheWallClockSoWindowsClose() throws InterruptedException {
        final ClockWatcher watcher = new ClockWatcher();
        final boolean[] advancedWhileIdle = new boolean[1];
        final EventSource quiet = new EventSource() {
            @Override
            public String name() {
                return "quiet";
            }

            @Override
            public void read(final SourceListener listener) {
                listener.onEvent(event(1_000, "allowed"));
                try {
                    // the source stays open, sending nothing, until the engine's idle tick moves time on
                    advancedWhileIdle[0] = watcher.advancedPastLatestEvent.await(60, TimeUnit.SECONDS);
                } catch (final InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };

        new EmbeddedPipeline(List.of(quiet), List.of(watcher), new CollectingSink(), rejection -> { },
                PipelineMetrics.unregistered(), EmbeddedPipeline.Ordering.ARRIVAL, 4, Duration.ofMillis(1)).run();

        assertThat(advancedWhileIdle[0]).isTrue();
        assertThat(watcher.advances.get(0)).isEqualTo(1_000L);
        assertThat(watcher.advances).isSorted().last().satisfies(last -> assertThat(last).isGreaterThan(1_000L));
    }

    @Test
    void theDetectionEngineReleasesEventsItHeldBackWhenTheInputEnds() throws Exception {
        final FieldRegistry registry = FieldRegistry.standard();
        final RuleSet rules = new RuleLoader(registry).load("denied.yaml", """
                - rule: Tool call denied
                  id: denied
                  condition: tool.outcome = denied
                  output: "denied at %evt.time"
                  priority: NOTICE
                """);
        final DetectionEngine engine = new DetectionEngine(rules, new CepCompiler(registry).compile(List.of()),
                List.of(), Duration.ofSeconds(2));
        final EventSource source = new ListSource("in", List.of(event(3, "denied"), event(1, "denied"),
                event(2, "allowed")));
        final CollectingSink sink = new CollectingSink();

        new EmbeddedPipeline(List.of(source), List.of(engine), sink, rejection -> { },
                PipelineMetrics.unregistered(), EmbeddedPipeline.Ordering.ARRIVAL, 4).run();

        // All three are within the 2 s lateness: nothing is released before the end, then all in order.
        assertThat(sink.alerts).extracting(Alert::timeNanos).containsExactly(1L, 3L);
        assertThat(engine.lateEvents()).isZero();
    }
}
