package dev.peregrine.engine;

import dev.peregrine.alerting.Alert;
import dev.peregrine.collector.event.Event;
import dev.peregrine.collector.event.Timestamps;
import dev.peregrine.engine.cep.CepDetector;
import dev.peregrine.engine.cep.CepProgram;
import dev.peregrine.engine.falco.FalcoRuleEvaluator;
import dev.peregrine.engine.rules.RuleSet;
import dev.peregrine.engine.time.EndOfInput;
import dev.peregrine.engine.time.ReorderBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one detection engine both runners drive: a {@link ReorderBuffer} puts events in event-time
 * order, then each released event goes through the per-event Falco-style rules, the CEP
 * statements and the built-in stateful detectors, in that order.
 *
 * <p>Every per-event rule match is delivered as an alert and also sent to the CEP runtime as a
 * {@code Signal} (after the event itself), so EPL can correlate rule matches; so is every alert a
 * detector raises on an event (a slopsquat finding, say), after the detectors have run. Alerts a
 * detector raises when only time advances are not signals. {@link #onTimeAdvance}
 * moves the watermark (idle sources, live mode) and the clocks of the detectors behind it;
 * {@link #endOfInput} releases what the buffer still holds. A detector that throws is counted and
 * logged, and the event still reaches the others.
 *
 * <p>Wiring, once per process (compiling EPL is slow; the loader's compiler keeps what it compiled):
 * <pre>
 * CepCompiler cep = new CepCompiler(FieldRegistry.standard());
 * RuleSet rules = new RuleLoader(FieldRegistry.standard(), cep).load(paths);   // broken EPL fails here
 * CepProgram program = cep.compile(rules.activeCepRules());                    // reuses the load's work
 * DetectionEngine engine = new DetectionEngine(rules, program, builtInDetectors,
 *         ReorderBuffer.DEFAULT_ALLOWED_LATENESS);                              // one per engine thread/task
 * </pre>
 *
 * <p>A {@code ReloadableEngine} builds one engine per rule generation around one shared
 * {@link CepDetector} ({@link #DetectionEngine(RuleSet, CepDetector, List, Duration)}), so cep items
 * a reload leaves unchanged keep their state.
 *
 * <p>Not thread-safe: one engine thread, like every {@link Detector}.
 */
public final class DetectionEngine implements Detector, EndOfInput {

    private static final Logger LOG = LoggerFactory.getLogger(DetectionEngine.class);
    private static final int LOGGED_LATE_EVENTS = 20;

    private final FalcoRuleEvaluator rules;
    private final CepDetector cep;
    private final boolean ownsCep;
    private final List<Detector> detectors;
    private final ReorderBuffer buffer;
    private final Map<String, Long> failures = new TreeMap<>();
    private final List<Alert> signals = new ArrayList<>();
    private long advancedTo = Long.MIN_VALUE;
    private Consumer<Alert> alerts = alert -> { };
    private final Consumer<Event> released = this::process;

    /**
     * @param rules            the loaded rules; their enabled per-event rules are evaluated
     * @param cep              the compiled cep items of {@code rules} ({@code CepCompiler.compile}); deployed into a runtime of this engine's own
     * @param detectors        further stateful detectors, run after the rules on every event, in this order
     * @param allowedLateness  how late an event may arrive and still be sorted in ({@link ReorderBuffer#DEFAULT_ALLOWED_LATENESS})
     */
    public DetectionEngine(final RuleSet rules, final CepProgram cep, final List<Detector> detectors,
                           final Duration allowedLateness) {
        this(rules, cep.isEmpty() ? null : new CepDetector(cep), true, detectors, allowedLateness);
    }

    /**
     * An engine whose cep items run in {@code cep}, which the caller owns: this engine neither closes
     * it nor changes its program, so a {@code ReloadableEngine} can hand one runtime, and the state
     * in it, from generation to generation ({@link CepDetector#apply}). Events reach {@code cep} only
     * while its program has items.
     *
     * @param rules            the loaded rules; their enabled per-event rules are evaluated
     * @param cep              runs the cep items; the caller swaps its program and closes it
     * @param detectors        further stateful detectors, run after the rules on every event, in this order
     * @param allowedLateness  as for {@link #DetectionEngine(RuleSet, CepProgram, List, Duration)}
     */
    public DetectionEngine(final RuleSet rules, final CepDetector cep, final List<Detector> detectors,
                           final Duration allowedLateness) {
        this(rules, Objects.requireNonNull(cep, "cep"), false, detectors, allowedLateness);
    }

    private DetectionEngine(final RuleSet rules, final CepDetector cep, final boolean ownsCep,
                            final List<Detector> detectors, final Duration allowedLateness) {
        this.rules = new FalcoRuleEvaluator(Objects.requireNonNull(rules));
        this.cep = cep;
        this.ownsCep = ownsCep;
        this.detectors = List.copyOf(detectors);
        this.buffer = new ReorderBuffer(allowedLateness);
    }

    @Override
    public void onEvent(final Event event, final Consumer<Alert> alerts) {
        this.alerts = alerts;
        try {
            if (buffer.offer(event, released) && buffer.lateEvents() <= LOGGED_LATE_EVENTS) {
                LOG.warn("event at {} arrived after the watermark {} (allowed lateness exceeded); processed out of "
                        + "order{}", Timestamps.formatRfc3339(event.timeNanos()), Timestamps.formatRfc3339(buffer.watermark()),
                        buffer.lateEvents() == LOGGED_LATE_EVENTS ? "; further late events are only counted" : "");
            }
        } finally {
            this.alerts = alert -> { };
        }
    }

    @Override
    public void onTimeAdvance(final long eventTimeNanos, final Consumer<Alert> alerts) {
        this.alerts = alerts;
        try {
            advanceClocks(buffer.advanceTo(eventTimeNanos, released));
        } finally {
            this.alerts = alert -> { };
        }
    }

    @Override
    public void endOfInput(final Consumer<Alert> alerts) {
        this.alerts = alerts;
        try {
            buffer.flush(released);
            advanceClocks(buffer.watermark());
        } finally {
            this.alerts = alert -> { };
        }
    }

    @Override
    public void close() {
        if (cep != null && ownsCep) {
            guard("cep", () -> cep.close());
        }
        for (final Detector detector : detectors) {
            guard(name(detector), detector::close);
        }
    }

    /** Events that arrived later than the allowed lateness; they were processed out of order, not dropped. */
    public long lateEvents() {
        return buffer.lateEvents();
    }

    /** Events held in the reorder buffer, waiting for the watermark. */
    public int heldEvents() {
        return buffer.held();
    }

    /** Failures by detector (rules, cep or a detector's class name), sorted by name. */
    public Map<String, Long> failures() {
        return Collections.unmodifiableMap(new TreeMap<>(failures));
    }

    /** The per-event rules' evaluator, for its per-rule counters. */
    public FalcoRuleEvaluator ruleEvaluator() {
        return rules;
    }

    private void process(final Event event) {
        final Consumer<Alert> out = alerts;
        signals.clear();
        guard("rules", () -> rules.onEvent(event, alert -> {
            out.accept(alert);
            signals.add(alert);
        }));
        final boolean correlating = cep != null && !cep.isEmpty();
        if (correlating) {
            guard("cep", () -> {
                cep.onEvent(event, out);
                for (final Alert signal : signals) {
                    cep.onSignal(signal, event, out);
                }
            });
        }
        signals.clear();
        for (final Detector detector : detectors) {
            guard(name(detector), () -> detector.onEvent(event, alert -> {
                out.accept(alert);
                signals.add(alert);
            }));
        }
        if (correlating && !signals.isEmpty()) {
            // after the detectors, so EPL can escalate a finding (slopsquat) with what follows it
            guard("cep", () -> {
                for (final Alert signal : signals) {
                    cep.onSignal(signal, event, out);
                }
            });
        }
    }

    private void advanceClocks(final long watermark) {
        if (watermark <= advancedTo) {
            return;
        }
        advancedTo = watermark;
        final Consumer<Alert> out = alerts;
        if (cep != null && !cep.isEmpty()) {
            guard("cep", () -> cep.onTimeAdvance(watermark, out));
        }
        for (final Detector detector : detectors) {
            guard(name(detector), () -> detector.onTimeAdvance(watermark, out));
        }
    }

    private void guard(final String detector, final Runnable call) {
        try {
            call.run();
        } catch (final RuntimeException e) {
            // one broken detector must not blind the others, nor lose the events released with this one
            failures.merge(detector, 1L, Long::sum);
            LOG.error("detector {} failed: {}", detector, e.toString(), e);
        }
    }

    private static String name(final Detector detector) {
        return detector.getClass().getSimpleName();
    }
}
