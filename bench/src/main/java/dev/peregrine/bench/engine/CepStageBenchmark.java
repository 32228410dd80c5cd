package dev.peregrine.bench.engine;

import dev.peregrine.bench.harness.DetectionStack;
import dev.peregrine.collector.event.Event;
import dev.peregrine.collector.event.FieldRegistry;
import dev.peregrine.engine.DetectionEngine;
import dev.peregrine.engine.cep.CepCompiler;
import dev.peregrine.engine.cep.CepProgram;
import dev.peregrine.engine.rules.RuleLoader;
import dev.peregrine.engine.rules.RuleSet;
import dev.peregrine.engine.time.ReorderBuffer;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Events per second through the {@link DetectionEngine} (reorder buffer, shipped per-event rules,
 * and in {@link #rulesAndCep} the shipped rules' four {@code - cep:} statements in Esper, fed every
 * event and every rule match), over the seeded {@link EventMix}. One operation is one event.
 *
 * <p>Event time must only move forward through an engine, so each invocation walks a copy of the
 * mix shifted past the previous one; the copy is made in an invocation-level setup, not measured
 * (an invocation is thousands of events, so the setup's own overhead is negligible).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class CepStageBenchmark {

    private static final long SEED = 20261127L;

    private Event[] mix;
    private Event[] batch;
    private long span;
    private long pass;
    private DetectionEngine rulesOnly;
    private DetectionEngine rulesAndCep;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        mix = EventMix.generate(SEED, FalcoVsEsperBenchmark.MIX).toArray(Event[]::new);
        batch = new Event[mix.length];
        span = mix[mix.length - 1].timeNanos() - mix[0].timeNanos() + 1_000_000L;
        final CepCompiler compiler = new CepCompiler(FieldRegistry.standard());
        final RuleSet rules = new RuleLoader(FieldRegistry.standard(), compiler).loadFiles(DetectionStack.shippedRules());
        final CepProgram cep = compiler.compile(rules.activeCepRules());
        if (cep.ruleIds().isEmpty()) {
            throw new IllegalStateException("the shipped rules have no cep items: is the rules module up to date?");
        }
        rulesOnly = new DetectionEngine(rules, compiler.compile(List.of()), List.of(),
                ReorderBuffer.DEFAULT_ALLOWED_LATENESS);
        rulesAndCep = new DetectionEngine(rules, cep, List.of(), ReorderBuffer.DEFAULT_ALLOWED_LATENESS);
        System.out.println("cep statements: " + cep.ruleIds());
    }

    /** The mix again, later in event time than everything the engines have seen. */
    @Setup(Level.Invocation)
    public void nextPass() {
        pass++;
        final long offset = pass * span;
        for (int i = 0; i < mix.length; i++) {
            batch[i] = mix[i].toBuilder().time(mix[i].timeNanos() + offset).build();
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        rulesOnly.close();
        rulesAndCep.close();
    }

    @Benchmark
    @OperationsPerInvocation(FalcoVsEsperBenchmark.MIX)
    public void rulesOnly(final Blackhole sink) {
        for (final Event event : batch) {
            rulesOnly.onEvent(event, sink::consume);
        }
    }

    @Benchmark
    @OperationsPerInvocation(FalcoVsEsperBenchmark.MIX)
    public void rulesAndCep(final Blackhole sink) {
        for (final Event event : batch) {
            rulesAndCep.onEvent(event, sink::consume);
        }
    }
}
