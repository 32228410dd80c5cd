package dev.peregrine.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.peregrine.alerting.Alert;
import dev.peregrine.alerting.Priority;
import dev.peregrine.collector.event.Event;
import dev.peregrine.collector.event.FieldRegistry;
import dev.peregrine.collector.event.StandardFields;
import dev.peregrine.collector.event.Timestamps;
import dev.peregrine.engine.cep.CepCompiler;
import dev.peregrine.engine.cep.CepProgram;
import dev.peregrine.engine.rules.RuleLoader;
import dev.peregrine.engine.rules.RuleSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The engine end to end: trace in, per-event and correlated alerts out, in event time. */
class DetectionEngineTest {

    private static final String RULES = "dev/peregrine/engine/cep/correlation.yaml";
    private static final String TRACE = "dev/peregrine/engine/cep/incident.ndjson";

    private static RuleSet rules;
    private static CepProgram program;
    private final List<DetectionEngine> engines = new ArrayList<>();

    @BeforeAll
    static void compileRules() throws Exception {
        final FieldRegistry registry = FieldRegistry.standard();
        final CepCompiler compiler = new CepCompiler(registry);
        rules = new RuleLoader(registry, compiler).loadFiles(List.of(Traces.ruleFile(RULES)));
        program = compiler.compile(rules.activeCepRules());
    }

    @AfterEach
    void closeEngines() {
        engines.forEach(DetectionEngine::close);
    }

    private DetectionEngine engine(final List<Detector> detectors) {
        final DetectionEngine engine = new DetectionEngine(rules, program, detectors, Duration.ofSeconds(2));
        engines.add(engine);
        return engine;
    }

    private List<Alert> runInOneGo(final List<Event> events) {
        final DetectionEngine engine = engine(List.of());
        final List<Alert> alerts = new ArrayList<>();
        events.forEach(event -> engine.onEvent(event, alerts::add));
        engine.endOfInput(alerts::add);
        return alerts;
    }

    @Test
    void perEventMatchesAreCorrelatedAsSignalsWithinTheWindowOnly() {
        final List<Alert> alerts = runInOneGo(Traces.events(TRACE));

        assertThat(alerts).extracting(Alert::ruleId).containsExactly(
                "shell_spawned", "metadata_connect", "shell_then_metadata", "metadata_connect",
                "metadata_connect", "approval_unanswered");
        final Alert correlated = alerts.get(2);
        assertThat(correlated.session()).isEqualTo("s-1");
        assertThat(correlated.agent()).isEqualTo("ci-runner");
        assertThat(correlated.hostname()).isEqualTo("node-a");
        assertThat(correlated.source()).isEqualTo("syscall");
        assertThat(correlated.priority()).isEqualTo(Priority.CRITICAL);
        assertThat(correlated.tags()).containsExactly("cep", "T1552.005");
        assertThat(correlated.firstSeenNanos()).isEqualTo(Timestamps.parseRfc3339("2026-11-22T10:00:00Z"));
        assertThat(correlated.timeNanos()).isEqualTo(Timestamps.parseRfc3339("2026-11-22T10:00:30Z"));
        assertThat(correlated.output()).isEqualTo("Shell then metadata service (agent=ci-runner session=s-1 "
                + "shell=bash -c id connection=10.0.0.5:40000->169.254.169.254:80 since=2026-11-22T10:00:00.000000000Z)");
        assertThat(correlated.outputFields()).containsEntry("agent.id", "ci-runner")
                .containsEntry("shell.cmdline", "bash -c id");
        assertThat(correlated.id()).isEqualTo(Alert.deterministicId("shell_then_metadata",
                "s-1\u0000" + correlated.output(), correlated.firstSeenNanos()));
    }

    @Test
    void timerFiresAtItsEventTimeWhenLaterEventsMoveTheClock() {
        final List<Alert> alerts = runInOneGo(Traces.events(TRACE));

        final Alert unanswered = alerts.get(alerts.size() - 1);
        assertThat(unanswered.ruleId()).isEqualTo("approval_unanswered");
        assertThat(unanswered.session()).isEqualTo("s-1");
        assertThat(unanswered.timeNanos()).isEqualTo(Timestamps.parseRfc3339("2026-11-22T10:10:01Z"));
        assertThat(unanswered.firstSeenNanos()).isEqualTo(Timestamps.parseRfc3339("2026-11-22T10:00:01Z"));
        assertThat(unanswered.output()).isEqualTo("Approval request never answered (agent=ci-runner session=s-1 "
                + "action=ecs:UpdateService resource=prod-api)");
    }

    @Test
    void sameTraceFedInOneGoOrChunkedAndOutOfOrderGivesIdenticalAlerts() {
        final List<Event> sorted = Traces.events(TRACE);
        final List<Alert> expected = runInOneGo(sorted);

        // Live-like: neighbours less than the lateness apart arrive swapped, with time ticks between chunks.
        final List<Event> jittered = jitter(sorted);
        final DetectionEngine engine = engine(List.of());
        final List<Alert> alerts = new ArrayList<>();
        for (int i = 0; i < jittered.size(); i++) {
            engine.onEvent(jittered.get(i), alerts::add);
            if (i % 2 == 1) {
                engine.onTimeAdvance(jittered.get(i).timeNanos(), alerts::add);
            }
        }
        engine.endOfInput(alerts::add);

        assertThat(engine.lateEvents()).isZero();
        assertThat(alerts).isEqualTo(expected);
    }

    @Test
    void manySessionsArrivingShuffledWithinTheLatenessGiveTheAlertsOfTheSortedReplay() {
        // 40 copies of the incident, one session each, starting 7 s apart, so windows and timers overlap.
        final List<Event> sorted = new ArrayList<>();
        for (int copy = 0; copy < 40; copy++) {
            for (final Event event : Traces.events(TRACE)) {
                final String session = event.getString(StandardFields.AGENT_SESSION) + "-" + copy;
                sorted.add(event.toBuilder().time(event.timeNanos() + copy * 7_000_000_000L)
                        .set(StandardFields.AGENT_SESSION, session).build());
            }
        }
        sorted.sort(java.util.Comparator.comparingLong(Event::timeNanos));
        final List<Alert> expected = runInOneGo(sorted);

        // Each event is delayed by up to 1.5 s (seeded), so arrival order differs but stays within the 2 s lateness.
        final java.util.Random random = new java.util.Random(42);
        final List<long[]> keys = new ArrayList<>();
        for (int i = 0; i < sorted.size(); i++) {
            keys.add(new long[] {sorted.get(i).timeNanos() + (long) (random.nextDouble() * 1_500_000_000L), i});
        }
        keys.sort(java.util.Comparator.comparingLong((long[] k) -> k[0]).thenComparingLong(k -> k[1]));
        final DetectionEngine engine = engine(List.of());
        final List<Alert> alerts = new ArrayList<>();
        long latest = Long.MIN_VALUE;
        for (final long[] key : keys) {
            final Event event = sorted.get((int) key[1]);
            engine.onEvent(event, alerts::add);
            latest = Math.max(latest, event.timeNanos());
            if (random.nextInt(5) == 0) {
                engine.onTimeAdvance(latest, alerts::add);
            }
        }
        engine.endOfInput(alerts::add);

        assertThat(expected).extracting(Alert::ruleId).contains("shell_then_metadata", "approval_unanswered");
        assertThat(engine.lateEvents()).isZero();
        assertThat(alerts).isEqualTo(expected);
    }

    @Test
    void eventsLaterThanTheAllowedLatenessAreProcessedAndCounted() {
        final DetectionEngine engine = engine(List.of());
        final List<Alert> alerts = new ArrayList<>();
        engine.onEvent(shell(10_000), alerts::add);
        engine.onEvent(shell(20_000), alerts::add);
        engine.onEvent(shell(5_000), alerts::add); // 15 s behind the latest event, allowed lateness is 2 s
        engine.endOfInput(alerts::add);

        assertThat(engine.lateEvents()).isEqualTo(1);
        assertThat(alerts).extracting(Alert::timeNanos)
                .containsExactly(millis(10_000), millis(5_000), millis(20_000));
    }

    @Test
    void everyDetectorBehindTheBufferSeesEventsInEventTimeOrderAndTheWatermark() {
        final Recording recording = new Recording();
        final DetectionEngine engine = engine(List.of(recording));
        engine.onEvent(shell(3_000), alert -> { });
        engine.onEvent(shell(1_000), alert -> { });
        engine.onEvent(shell(2_000), alert -> { });
        engine.onEvent(shell(6_000), alert -> { });
        engine.onTimeAdvance(millis(6_000), alert -> { });

        assertThat(recording.seen).containsExactly(millis(1_000), millis(2_000), millis(3_000));
        assertThat(recording.advances).containsExactly(millis(4_000));
        assertThat(engine.heldEvents()).isEqualTo(1);

        engine.endOfInput(alert -> { });

        assertThat(recording.seen).containsExactly(millis(1_000), millis(2_000), millis(3_000), millis(6_000));
        assertThat(recording.advances).containsExactly(millis(4_000), millis(6_000));
    }

    @Test
    void aFailingDetectorIsCountedAndTheOthersStillSeeEveryEvent() {
        final Recording recording = new Recording();
        final Detector broken = (event, alerts) -> {
            throw new IllegalStateException("broken");
        };
        final DetectionEngine engine = engine(List.of(broken, recording));
        final List<Alert> alerts = new ArrayList<>();
        engine.onEvent(shell(1_000), alerts::add);
        engine.onEvent(shell(2_000), alerts::add);
        engine.endOfInput(alerts::add);

        assertThat(recording.seen).hasSize(2);
        assertThat(alerts).extracting(Alert::ruleId).containsExactly("shell_spawned", "shell_spawned");
        assertThat(engine.failures()).hasSize(1).containsValue(2L);
    }

    /** The sorted trace with each pair of neighbours less than the lateness apart swapped. */
    private static List<Event> jitter(final List<Event> sorted) {
        final List<Event> out = new ArrayList<>(sorted);
        for (int i = 0; i + 1 < out.size(); i += 2) {
            if (out.get(i + 1).timeNanos() - out.get(i).timeNanos() <= Duration.ofSeconds(2).toNanos()) {
                out.add(i, out.remove(i + 1));
            }
        }
        return out;
    }

    private static long millis(final long millis) {
        return Timestamps.parseRfc3339("2026-11-22T10:00:00Z") + millis * 1_000_000L;
    }

    private static Event shell(final long millis) {
        return Event.builder().time(millis(millis)).set(StandardFields.EVT_SOURCE, "syscall")
                .set(StandardFields.EVT_TYPE, "execve").set(StandardFields.PROC_NAME, "sh")
                .set(StandardFields.AGENT_SESSION, "s-9").set(StandardFields.PROC_PID, millis).build();
    }

    /** Remembers what it was shown. */
    private static final class Recording implements Detector {
        final List<Long> seen = new ArrayList<>();
        final List<Long> advances = new ArrayList<>();

        @Override
        public void onEvent(final Event event, final Consumer<Alert> alerts) {
            seen.add(event.timeNanos());
        }

        @Override
        public void onTimeAdvance(final long eventTimeNanos, final Consumer<Alert> alerts) {
            advances.add(eventTimeNanos);
        }
    }
}
