package dev.peregrine.engine.reload;

import dev.peregrine.alerting.Alert;
import dev.peregrine.collector.event.Event;
import dev.peregrine.engine.DetectionEngine;
import dev.peregrine.engine.Detector;
import dev.peregrine.engine.cep.CepDetector;
import dev.peregrine.engine.cep.CepProgram;
import dev.peregrine.engine.rules.RuleLoadError;
import dev.peregrine.engine.time.EndOfInput;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link DetectionEngine} whose rules can be replaced while it runs.
 *
 * <p>{@link #reload} loads and compiles the new rules on a reload thread of its own (rule loading
 * and EPL compiling take seconds; the engine thread never waits for them) and builds a new
 * {@code DetectionEngine} from them. The engine thread picks it up at its next event or time tick,
 * between two events: first the old engine evaluates every event it still holds in its reorder
 * buffer (they arrived under the old rules), then the new one takes every event after. Nothing is
 * lost or evaluated twice; a swap costs the engine thread one buffer flush. Reloads run one at a
 * time; a reload compiled while an earlier one still waits for its swap replaces it
 * ({@link ReloadResult.Outcome#SUPERSEDED}).
 *
 * <p>A reload that does not load (a rule error, broken EPL, an unreadable file, anything the
 * supplier throws) changes nothing: the old rules keep running, the result says why, it is logged
 * and counted ({@link #reloadsRejected()}).
 *
 * <p>The built-in detectors are passed in once and shared by every generation, so their state
 * (baselines, learned hours, first-seen resources) carries through reloads; a retired engine
 * never closes them. So does the CEP state of every cep item a reload leaves unchanged: all
 * generations run their cep items in one {@link CepDetector} (one Esper runtime), and at the swap,
 * after the old engine's buffer flush, {@link CepDetector#apply} compares the items by id and
 * {@link CepProgram#fingerprint fingerprint} (SHA-256 of id, EPL, output, name, priority and
 * tags). An unchanged item keeps its deployment: its windows, half-matched patterns and timers go
 * on, so a sequence half-seen before a reload completes after it. A changed item is undeployed and
 * its new EPL deployed empty; a removed item stops; a new one starts at the swap's event time. The
 * EPL is compiled on the reload thread; only deploying and undeploying happen at the swap. Should
 * the new modules not deploy there (they did in the compiler's scratch runtime, so this is not
 * expected), the reload is refused at the swap, counted and logged like any refused reload: the
 * old generation runs on and the outcome is {@link ReloadResult.Outcome#REJECTED} (see
 * {@link CepDetector#apply} for the one case in which old items restart empty then).
 *
 * <p>Thread use: {@link #onEvent}, {@link #onTimeAdvance}, {@link #endOfInput}, {@link #engine()},
 * {@link #lateEvents()} and {@link #failures()} on the engine thread; {@link #reload} and the
 * reload counters from any thread.
 */
public final class ReloadableEngine implements Detector, EndOfInput {

    private static final Logger LOG = LoggerFactory.getLogger(ReloadableEngine.class);

    /** A compiled generation waiting for the engine thread. */
    private record Pending(DetectionEngine engine, CepProgram cep, ReloadResult result,
                           CompletableFuture<ReloadResult> outcome) {
    }

    private final List<Detector> detectors;
    private final List<Detector> kept;
    // every generation's cep items run here, so unchanged items keep their state through a swap
    private final CepDetector cep;
    private final Duration allowedLateness;
    private final ExecutorService reloads;
    private final AtomicReference<Pending> pending = new AtomicReference<>();
    private final AtomicLong applied = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private final AtomicReference<ReloadResult> lastResult = new AtomicReference<>();
    private final Object publishing = new Object();
    // guarded by publishing
    private long nextGeneration = 1;
    private boolean closed;
    // The generation whose rules stay when a reload is refused: the latest compiled one, running or
    // waiting for the next event. Written under publishing; volatile for the reload thread's reads.
    private volatile long staying;
    // engine thread only
    private DetectionEngine current;
    // written by the engine thread only; volatile for generation() on other threads
    private volatile long generation;
    private volatile CepDetector.Swap lastCepSwap;
    private long retiredLateEvents;
    private final Map<String, Long> retiredFailures = new TreeMap<>();
    private final Map<String, Long> detectorFailures = new TreeMap<>();

    /**
     * @param initial          the rules to start with (generation 0)
     * @param detectors        the built-in detectors, run after the rules on every event; shared by every generation
     * @param allowedLateness  as for {@link DetectionEngine}
     */
    public ReloadableEngine(final LoadedRules initial, final List<Detector> detectors, final Duration allowedLateness) {
        this.detectors = List.copyOf(detectors);
        this.kept = this.detectors.stream().<Detector>map(Kept::new).toList();
        this.allowedLateness = Objects.requireNonNull(allowedLateness);
        this.cep = new CepDetector(initial.cep());
        this.current = build(initial);
        this.reloads = Executors.newSingleThreadExecutor(runnable -> {
            final Thread thread = new Thread(runnable, "peregrine-rules-reload");
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * Loads new rules with {@code loading} on the reload thread and, when they compile, has the
     * engine thread swap them in at its next event or time tick. {@code loading} may throw
     * {@link RulesRejected} (its errors are reported one by one) or any runtime exception.
     */
    public Reload reload(final Supplier<LoadedRules> loading) {
        Objects.requireNonNull(loading, "loading");
        final CompletableFuture<ReloadResult> compiled = new CompletableFuture<>();
        final CompletableFuture<ReloadResult> outcome = new CompletableFuture<>();
        try {
            reloads.execute(() -> load(loading, compiled, outcome));
        } catch (final RejectedExecutionException e) {
            reject(List.of("the engine is closed"), Duration.ZERO, compiled, outcome);
        }
        return new Reload(compiled, outcome);
    }

    @Override
    public void onEvent(final Event event, final Consumer<Alert> alerts) {
        swapIfPending(alerts);
        current.onEvent(event, alerts);
    }

    @Override
    public void onTimeAdvance(final long eventTimeNanos, final Consumer<Alert> alerts) {
        swapIfPending(alerts);
        current.onTimeAdvance(eventTimeNanos, alerts);
    }

    @Override
    public void endOfInput(final Consumer<Alert> alerts) {
        swapIfPending(alerts);
        current.endOfInput(alerts);
    }

    /** Stops the reload thread (waiting for a load under way), drops a reload not yet swapped in, closes the engine and the detectors. */
    @Override
    public void close() {
        reloads.shutdown();
        try {
            if (!reloads.awaitTermination(1, TimeUnit.MINUTES)) {
                LOG.warn("a rules reload was still loading after a minute; closing without it");
            }
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (publishing) {
            closed = true;
        }
        final Pending dropped = pending.getAndSet(null);
        if (dropped != null) {
            dropped.outcome().complete(dropped.result().as(ReloadResult.Outcome.SUPERSEDED));
        }
        current.close();
        try {
            cep.close();
        } catch (final RuntimeException e) {
            LOG.error("closing the cep runtime failed: {}", e.toString(), e);
        }
        for (final Detector detector : detectors) {
            try {
                detector.close();
            } catch (final RuntimeException e) {
                LOG.error("closing detector {} failed: {}", detector.getClass().getSimpleName(), e.toString(), e);
            }
        }
    }

    /** The engine of the running generation, for its counters (per-rule stats restart with each generation). */
    public DetectionEngine engine() {
        return current;
    }

    /** The running rule set's generation: 0 until the first reload is swapped in. */
    public long generation() {
        return generation;
    }

    /** What the latest applied reload did to the cep items (kept with their state, started, stopped), if any. */
    public Optional<CepDetector.Swap> lastCepSwap() {
        return Optional.ofNullable(lastCepSwap);
    }

    /** Reloads swapped in so far. */
    public long reloadsApplied() {
        return applied.get();
    }

    /** Reloads refused so far: the rules did not load, the old ones kept running. */
    public long reloadsRejected() {
        return rejected.get();
    }

    /** The result of the latest reload to finish (applied or rejected), if any. */
    public Optional<ReloadResult> lastResult() {
        return Optional.ofNullable(lastResult.get());
    }

    /** Late events over every generation (see {@link DetectionEngine#lateEvents()}). */
    public long lateEvents() {
        return retiredLateEvents + current.lateEvents();
    }

    /** Failures by detector over every generation: {@code rules}, {@code cep} and each built-in detector's class name. */
    public Map<String, Long> failures() {
        final Map<String, Long> all = new TreeMap<>(retiredFailures);
        current.failures().forEach((name, count) -> all.merge(name, count, Long::sum));
        detectorFailures.forEach((name, count) -> all.merge(name, count, Long::sum));
        return Collections.unmodifiableMap(all);
    }

    private DetectionEngine build(final LoadedRules rules) {
        // touches nothing of the shared detector: safe on the reload thread
        return new DetectionEngine(rules.rules(), cep, kept, allowedLateness);
    }

    /** On the reload thread. */
    private void load(final Supplier<LoadedRules> loading, final CompletableFuture<ReloadResult> compiled,
                      final CompletableFuture<ReloadResult> outcome) {
        final long started = System.nanoTime();
        final LoadedRules rules;
        final DetectionEngine next;
        try {
            rules = Objects.requireNonNull(loading.get(), "the rules supplier returned null");
            next = build(rules);
        } catch (final RulesRejected e) {
            reject(e.errors().stream().map(RuleLoadError::toString).toList(), since(started), compiled, outcome);
            return;
        } catch (final RuntimeException | LinkageError e) {
            reject(List.of(e.toString()), since(started), compiled, outcome);
            return;
        }
        final Pending replaced;
        final ReloadResult result;
        synchronized (publishing) {
            if (closed) {
                reject(List.of("the engine is closed"), since(started), compiled, outcome);
                return;
            }
            result = new ReloadResult(ReloadResult.Outcome.COMPILED, nextGeneration++,
                    rules.rules().activeRules().size(), rules.cep().ruleIds(), List.of(), since(started));
            replaced = pending.getAndSet(new Pending(next, rules.cep(), result, outcome));
            staying = result.generation();
        }
        if (replaced != null) {
            // never seen by the engine thread: getAndSet handed it to this thread alone; it owns nothing to close
            replaced.outcome().complete(replaced.result().as(ReloadResult.Outcome.SUPERSEDED));
            LOG.info("rules generation {} superseded by generation {} before it ran", replaced.result().generation(),
                    result.generation());
        }
        LOG.info("rules generation {} compiled in {} ms ({} rules, {} cep items); swapping in at the next event",
                result.generation(), result.loadTime().toMillis(), result.rules(), result.cepRules().size());
        compiled.complete(result);
    }

    private void reject(final List<String> problems, final Duration took, final CompletableFuture<ReloadResult> compiled,
                        final CompletableFuture<ReloadResult> outcome) {
        reject(problems, took, compiled, outcome, staying);
    }

    private void reject(final List<String> problems, final Duration took, final CompletableFuture<ReloadResult> compiled,
                        final CompletableFuture<ReloadResult> outcome, final long stays) {
        final ReloadResult result = new ReloadResult(ReloadResult.Outcome.REJECTED, stays, 0, List.of(), problems,
                took);
        rejected.incrementAndGet();
        lastResult.set(result);
        LOG.warn("rules reload rejected, the running rules are kept: {}", String.join("; ", problems));
        compiled.complete(result);
        outcome.complete(result);
    }

    /** On the engine thread, between two events. */
    private void swapIfPending(final Consumer<Alert> alerts) {
        if (pending.get() == null) {
            return; // the common case: one volatile read per event
        }
        final Pending next = pending.getAndSet(null);
        if (next == null) {
            return;
        }
        final DetectionEngine old = current;
        // events the old engine still holds arrived under the old rules: they are judged by them
        old.endOfInput(alerts);
        final CepDetector.Swap swap;
        try {
            swap = cep.apply(next.cep());
        } catch (final RuntimeException e) {
            // apply left the old program running: the old generation, already flushed, takes the next events
            synchronized (publishing) {
                if (pending.get() == null) {
                    staying = generation;
                }
            }
            reject(List.of(e.getMessage()), next.result().loadTime(), next.outcome(), next.outcome(), generation);
            return;
        }
        retiredLateEvents += old.lateEvents();
        old.failures().forEach((name, count) -> retiredFailures.merge(name, count, Long::sum));
        old.close();
        current = next.engine();
        generation = next.result().generation();
        lastCepSwap = swap;
        applied.incrementAndGet();
        final ReloadResult result = next.result().as(ReloadResult.Outcome.APPLIED);
        lastResult.set(result);
        LOG.info("rules generation {} is running ({} rules); cep items kept with their state {}, started {}, "
                + "stopped {}", generation, result.rules(), swap.kept(), swap.started(), swap.stopped());
        next.outcome().complete(result);
    }

    private static Duration since(final long startedNanos) {
        return Duration.ofNanos(System.nanoTime() - startedNanos);
    }

    /**
     * A shared detector as one generation sees it: closing a retired engine must not close it, and
     * its failures are counted under its own name here (the engine would only see this wrapper).
     */
    private final class Kept implements Detector {
        private final Detector detector;
        private final String name;

        Kept(final Detector detector) {
            this.detector = detector;
            this.name = detector.getClass().getSimpleName();
        }

        @Override
        public void onEvent(final Event event, final Consumer<Alert> alerts) {
            try {
                detector.onEvent(event, alerts);
            } catch (final RuntimeException e) {
                failed(e);
            }
        }

        @Override
        public void onTimeAdvance(final long eventTimeNanos, final Consumer<Alert> alerts) {
            try {
                detector.onTimeAdvance(eventTimeNanos, alerts);
            } catch (final RuntimeException e) {
                failed(e);
            }
        }

        @Override
        public void close() {
            // owned by the ReloadableEngine, closed once in its close()
        }

        private void failed(final RuntimeException e) {
            // as DetectionEngine does: one broken detector must not blind the others
            detectorFailures.merge(name, 1L, Long::sum);
            LOG.error("detector {} failed: {}", name, e.toString(), e);
        }
    }
}
