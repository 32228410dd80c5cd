package dev.peregrine.engine.streams;

import dev.peregrine.alerting.Alert;
import dev.peregrine.alerting.AlertJson;
import dev.peregrine.collector.event.Event;
import dev.peregrine.collector.event.FieldRegistry;
import dev.peregrine.collector.event.StandardFields;
import dev.peregrine.engine.DetectionEngine;
import dev.peregrine.engine.Traces;
import dev.peregrine.engine.cep.CepCompiler;
import dev.peregrine.engine.cep.CepProgram;
import dev.peregrine.engine.detect.BuiltInDetectors;
import dev.peregrine.engine.detect.DeniedBurstSettings;
import dev.peregrine.engine.detect.DetectionSettings;
import dev.peregrine.engine.detect.NewResourceSettings;
import dev.peregrine.engine.detect.OffHoursSettings;
import dev.peregrine.engine.detect.PerAgent;
import dev.peregrine.engine.detect.SensorSilentSettings;
import dev.peregrine.engine.detect.TokenBudgetSettings;
import dev.peregrine.engine.detect.VolumeSpikeSettings;
import dev.peregrine.engine.rules.RuleLoader;
import dev.peregrine.engine.rules.RuleSet;
import dev.peregrine.engine.state.InMemoryStateStore;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

/** The rules, detections and multi-session trace both runners are given, and the embedded run's alerts. */
final class EngineFixture {

    static final Duration LATENESS = Duration.ofSeconds(2);
    static final EngineSettings SETTINGS = new EngineSettings(LATENESS, Duration.ofSeconds(5), Duration.ofSeconds(1),
            "test-host");

    private static final String RULES = "dev/peregrine/engine/cep/correlation.yaml";
    private static final String INCIDENT = "dev/peregrine/engine/cep/incident.ndjson";
    private static final AlertJson JSON = new AlertJson();

    static final DetectionSettings DETECTIONS = new DetectionSettings(
            PerAgent.of(DeniedBurstSettings.DEFAULTS),
            PerAgent.of(new VolumeSpikeSettings(true, 10.0, Duration.ofMinutes(1), Duration.ofMinutes(10), 30,
                    Duration.ofHours(6))),
            PerAgent.of(new OffHoursSettings(false, ZoneId.of("UTC"), null, Set.of(), Set.of(), Duration.ofDays(6), 0.02,
                    Duration.ofHours(1))),
            PerAgent.of(new NewResourceSettings(true, Duration.ofHours(1), 3, 5000)),
            PerAgent.of(new TokenBudgetSettings(true, 10_000, 0, List.of(50, 75, 90, 100), ZoneId.of("UTC"), 120,
                    Duration.ofHours(24))),
            PerAgent.of(SensorSilentSettings.DEFAULTS));

    private static final RuleSet RULE_SET;
    private static final CepProgram PROGRAM;

    static {
        final FieldRegistry registry = FieldRegistry.standard();
        final CepCompiler compiler = new CepCompiler(registry);
        try {
            RULE_SET = new RuleLoader(registry, compiler).loadFiles(List.of(Traces.ruleFile(RULES)));
            PROGRAM = compiler.compile(RULE_SET.activeCepRules());
        } catch (final Exception e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private EngineFixture() {
    }

    /** What the app gives the streams runner: a fresh engine per task over the task's state. */
    static EngineFactory factory() {
        return state -> new DetectionEngine(RULE_SET, PROGRAM, BuiltInDetectors.create(DETECTIONS, state), LATENESS);
    }

    /**
     * Six incident sessions (shells, metadata contacts, correlations, an approval timer), a volume
     * baseline and its spike, learned then new resources and token thresholds, in event-time order.
     */
    static List<Event> multiSessionTrace() {
        return incidentsAnd(List.of("volume_spike/steady_10_per_minute.ndjson", "volume_spike/spike_10x.ndjson",
                "new_resource/learning_hour.ndjson", "new_resource/after_learning.ndjson",
                "token_budget/session_thresholds.ndjson"));
    }

    /** {@link #multiSessionTrace()} without the spike: what learns the volume baseline the spike is measured against. */
    static List<Event> learningTrace() {
        return incidentsAnd(List.of("volume_spike/steady_10_per_minute.ndjson", "new_resource/learning_hour.ndjson",
                "new_resource/after_learning.ndjson", "token_budget/session_thresholds.ndjson"));
    }

    private static List<Event> incidentsAnd(final List<String> detectTraces) {
        final List<Event> events = new ArrayList<>();
        for (int copy = 0; copy < 6; copy++) {
            for (final Event event : Traces.events(INCIDENT)) {
                events.add(event.toBuilder().time(event.timeNanos() + copy * 7_000_000_000L)
                        .set(StandardFields.AGENT_SESSION, event.getString(StandardFields.AGENT_SESSION) + "-" + copy)
                        .build());
            }
        }
        for (final String trace : detectTraces) {
            events.addAll(Traces.events("traces/detect/" + trace));
        }
        events.sort(Comparator.comparingLong(Event::timeNanos));
        return events;
    }

    /** The embedded runner's alerts on {@code events}, as JSON lines. */
    static List<String> embeddedAlerts(final List<Event> events) {
        final List<Alert> alerts = new ArrayList<>();
        try (InMemoryStateStore state = new InMemoryStateStore()) {
            final DetectionEngine engine = factory().create(state);
            events.forEach(event -> engine.onEvent(event, alerts::add));
            engine.endOfInput(alerts::add);
            engine.close();
        }
        return alerts.stream().map(JSON::toJson).toList();
    }

    /** The key an event is published under. */
    static String key(final Event event) {
        return event.getString(StandardFields.AGENT_SESSION);
    }

    /** The events of one trace under {@code traces/detect/}. */
    static List<Event> eventsOf(final String trace) {
        return Traces.events("traces/detect/" + trace);
    }

    /**
     * The 10x spike of {@code volume_spike/spike_10x.ndjson}, moved by whole days to after every event of
     * {@link #learningTrace()}, so that it arrives in event-time order after the learning.
     */
    static List<Event> spikeAfterLearning() {
        final long day = Duration.ofDays(1).toNanos();
        final List<Event> spike = eventsOf("volume_spike/spike_10x.ndjson");
        final long learnedUntil = learningTrace().stream().mapToLong(Event::timeNanos).max().orElseThrow();
        final long days = (learnedUntil - spike.get(0).timeNanos()) / day + 1;
        return spike.stream().map(e -> e.toBuilder().time(e.timeNanos() + days * day).build()).toList();
    }
}
