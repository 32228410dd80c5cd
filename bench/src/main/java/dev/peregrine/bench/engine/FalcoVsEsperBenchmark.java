package dev.peregrine.bench.engine;

import com.espertech.esper.common.client.EPCompiled;
import com.espertech.esper.common.client.configuration.Configuration;
import com.espertech.esper.compiler.client.CompilerArguments;
import com.espertech.esper.compiler.client.EPCompilerProvider;
import com.espertech.esper.runtime.client.EPDeployment;
import com.espertech.esper.runtime.client.EPEventService;
import com.espertech.esper.runtime.client.EPRuntime;
import com.espertech.esper.runtime.client.EPRuntimeProvider;
import com.espertech.esper.runtime.client.EPStatement;
import dev.peregrine.alerting.Alert;
import dev.peregrine.bench.harness.BenchHarness;
import dev.peregrine.collector.event.Event;
import dev.peregrine.collector.event.Field;
import dev.peregrine.collector.event.FieldRegistry;
import dev.peregrine.collector.event.FieldType;
import dev.peregrine.collector.ndjson.NdjsonParser;
import dev.peregrine.collector.proctree.ProcessTrees;
import dev.peregrine.engine.cep.CepEventModel;
import dev.peregrine.engine.falco.FalcoRuleEvaluator;
import dev.peregrine.engine.falco.RuleStats;
import dev.peregrine.engine.rules.RuleFile;
import dev.peregrine.engine.rules.RuleLoader;
import dev.peregrine.engine.rules.RuleSet;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
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
 * Per-event evaluation of Falco's stable rules plus Peregrine's shipped rules, and of a subset of
 * 25 of their conditions both as Peregrine rules and as Esper EPL filter statements, over the same
 * seeded {@link EventMix}. One operation is one event; every benchmark walks the whole mix.
 *
 * <p>Falco's rules are read from the rules-engine test resources (not shipped with the benchmark):
 * run from the repository root, or set {@code -Dperegrine.bench.falcoRules=PATH}.
 *
 * <p>Esper gets the events as ready-made object-array rows of every registered field (the layout
 * of {@link CepEventModel}); building the rows is done once in setup, not measured. Set-up checks
 * that the subset matches the same number of events, rule by rule, in both engines, on the mix
 * and on the hand-written traces that trigger Falco's rules ({@code falco/upstream-triggers} in the
 * rules-engine test resources, {@code -Dperegrine.bench.falcoTraces=DIR}).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class FalcoVsEsperBenchmark {

    /** Events in the mix; a power of two large enough that branch predictors cannot learn it. */
    static final int MIX = 8192;
    private static final long SEED = 20261122L;
    private static final String EVENT_TYPE = "Ev";
    private static final String SUBSET = "dev/peregrine/bench/engine/falco_subset.yaml";
    private static final String SUBSET_EPL = "dev/peregrine/bench/engine/falco_subset.epl";
    private static final List<Path> FALCO_RULES_CANDIDATES = List.of(
            Path.of("rules-engine/src/test/resources/falco/upstream/falco_rules.yaml"),
            Path.of("../rules-engine/src/test/resources/falco/upstream/falco_rules.yaml"));
    private static final List<Path> TRACE_CANDIDATES = List.of(
            Path.of("rules-engine/src/test/resources/falco/upstream-triggers"),
            Path.of("../rules-engine/src/test/resources/falco/upstream-triggers"));
    private static final List<Field> FIELDS = List.copyOf(FieldRegistry.standard().fields());

    private Event[] events;
    private Object[][] rows;
    private FalcoRuleEvaluator falcoStable;
    private FalcoRuleEvaluator shipped;
    private FalcoRuleEvaluator subset;
    private EPRuntime esper;
    private EPEventService esperEvents;
    private final Map<String, long[]> esperMatches = new TreeMap<>();

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        // laid out as Esper's rows are, below: both engines read memory of the same shape
        events = BenchHarness.inArrivalOrder(EventMix.generate(SEED, MIX));
        final RuleLoader loader = new RuleLoader(FieldRegistry.standard());
        // Two evaluators, not one rule set: both files define macros such as open_read, and a
        // later definition would replace the earlier one everywhere.
        falcoStable = new FalcoRuleEvaluator(loader.load(List.of(firstExisting(FALCO_RULES_CANDIDATES,
                "peregrine.bench.falcoRules"))));
        shipped = new FalcoRuleEvaluator(loader.loadFiles(shippedRules()));
        final RuleSet subsetRules = loader.loadFiles(List.of(RuleFile.ofResource(classLoader(), SUBSET)));
        subset = new FalcoRuleEvaluator(subsetRules);
        startEsper();
        rows = new Object[events.length][];
        for (int i = 0; i < events.length; i++) {
            rows[i] = row(events[i]);
        }
        final Path traces = firstExisting(TRACE_CANDIDATES, "peregrine.bench.falcoTraces");
        final List<Event> handWritten = new ArrayList<>(readTrace(traces.resolve("triggers.ndjson")));
        handWritten.addAll(readTrace(traces.resolve("lookalikes.ndjson")));
        System.out.println("subset matches on the upstream trigger traces (peregrine = esper): "
                + checkSubsetAgrees(subsetRules, handWritten));
        System.out.println("subset matches on the mix (peregrine = esper): " + checkSubsetAgrees(subsetRules,
                List.of(events)));
    }

    /** {@code event} as an {@code Ev} row: every registered field in slot order, absent ones null. */
    private static Object[] row(final Event event) {
        final Object[] row = new Object[FIELDS.size()];
        for (int f = 0; f < row.length; f++) {
            row[f] = event.get(FIELDS.get(f));
        }
        return row;
    }

    /** A native NDJSON trace, through a process tree, with its {@code test.expect} extras ignored. */
    private static List<Event> readTrace(final Path trace) throws Exception {
        final NdjsonParser parser = new NdjsonParser(NdjsonParser.Format.NATIVE);
        final ProcessTrees trees = ProcessTrees.withDefaults();
        final List<Event> parsed = new ArrayList<>();
        for (final String line : Files.readAllLines(trace, StandardCharsets.UTF_8)) {
            if (!line.isBlank()) {
                final byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
                parsed.add(trees.enrich(parser.parse(bytes, 0, bytes.length)));
            }
        }
        return parsed;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        esper.destroy();
    }

    private static ClassLoader classLoader() {
        return FalcoVsEsperBenchmark.class.getClassLoader();
    }

    /** The path system property {@code property} names, else the first candidate that exists. */
    private static Path firstExisting(final List<Path> candidates, final String property) {
        final String configured = System.getProperty(property);
        if (configured != null) {
            return Path.of(configured);
        }
        return candidates.stream().filter(Files::exists).findFirst()
                .orElseThrow(() -> new IllegalStateException("not found at " + candidates
                        + "; run from the repository root or set -D" + property + "=PATH"));
    }

    private static List<RuleFile> shippedRules() throws IOException {
        final List<RuleFile> files = new ArrayList<>();
        try (BufferedReader index = new BufferedReader(new InputStreamReader(
                classLoader().getResourceAsStream("peregrine/rules/index.txt"), StandardCharsets.UTF_8))) {
            for (String line = index.readLine(); line != null; line = index.readLine()) {
                if (!line.isBlank() && !line.startsWith("#")) {
                    files.add(RuleFile.ofResource(classLoader(), "peregrine/rules/" + line.strip()));
                }
            }
        }
        return files;
    }

    private void startEsper() throws Exception {
        final Configuration configuration = new Configuration();
        configuration.getRuntime().getThreading().setInternalTimerEnabled(false);
        final String[] names = new String[FIELDS.size()];
        final Object[] types = new Object[FIELDS.size()];
        for (int i = 0; i < names.length; i++) {
            names[i] = CepEventModel.propertyName(FIELDS.get(i).name());
            types[i] = javaType(FIELDS.get(i).type());
        }
        configuration.getCommon().addEventType(EVENT_TYPE, names, types);
        final String epl = new String(classLoader().getResourceAsStream(SUBSET_EPL).readAllBytes(), StandardCharsets.UTF_8);
        final EPCompiled compiled = EPCompilerProvider.getCompiler().compile(epl, new CompilerArguments(configuration));
        esper = EPRuntimeProvider.getRuntime("falco-vs-esper-" + System.nanoTime(), configuration);
        esper.initialize();
        final EPDeployment deployment = esper.getDeploymentService().deploy(compiled);
        for (final EPStatement statement : deployment.getStatements()) {
            final long[] count = new long[1];
            esperMatches.put(statement.getName(), count);
            statement.addListener((newEvents, oldEvents, stmt, runtime) -> count[0] += newEvents.length);
        }
        esperEvents = esper.getEventService();
    }

    private static Class<?> javaType(final FieldType type) {
        return switch (type) {
            case STRING -> String.class;
            case INT, TIMESTAMP -> Long.class;
            case BOOL -> Boolean.class;
        };
    }

    /**
     * Runs {@code sample} through the subset in both engines and fails when any rule matched a
     * different number of events; returns the rules that matched, with their counts.
     */
    private Map<String, Long> checkSubsetAgrees(final RuleSet subsetRules, final List<Event> sample) {
        final FalcoRuleEvaluator fresh = new FalcoRuleEvaluator(subsetRules);
        esperMatches.values().forEach(count -> count[0] = 0);
        for (final Event event : sample) {
            fresh.onEvent(event, alert -> { });
            esperEvents.sendEventObjectArray(row(event), EVENT_TYPE);
        }
        final List<String> differences = new ArrayList<>();
        final Map<String, Long> matched = new TreeMap<>();
        for (final RuleStats.Counts counts : fresh.stats().snapshot()) {
            final long[] esperCount = esperMatches.get(counts.ruleId());
            final long esperMatched = esperCount == null ? -1 : esperCount[0];
            if (esperMatched != counts.matched()) {
                differences.add(counts.ruleId() + ": peregrine " + counts.matched() + ", esper " + esperMatched);
            }
            if (counts.matched() > 0) {
                matched.put(counts.ruleId(), counts.matched());
            }
        }
        if (subsetRules.rules().size() != esperMatches.size() || !differences.isEmpty()) {
            throw new IllegalStateException("the EPL translation disagrees with the rules: " + differences
                    + " (" + subsetRules.rules().size() + " rules, " + esperMatches.size() + " statements)");
        }
        return matched;
    }

    @Benchmark
    @OperationsPerInvocation(MIX)
    public void peregrineFalcoStablePlusShipped(final Blackhole sink) {
        final Consumer<Alert> alerts = sink::consume;
        for (final Event event : events) {
            falcoStable.onEvent(event, alerts);
            shipped.onEvent(event, alerts);
        }
    }

    @Benchmark
    @OperationsPerInvocation(MIX)
    public void peregrineFalcoStable(final Blackhole sink) {
        final Consumer<Alert> alerts = sink::consume;
        for (final Event event : events) {
            falcoStable.onEvent(event, alerts);
        }
    }

    @Benchmark
    @OperationsPerInvocation(MIX)
    public void peregrineSubset(final Blackhole sink) {
        final Consumer<Alert> alerts = sink::consume;
        for (final Event event : events) {
            subset.onEvent(event, alerts);
        }
    }

    @Benchmark
    @OperationsPerInvocation(MIX)
    public void esperSubset(final Blackhole sink) {
        for (final Object[] row : rows) {
            esperEvents.sendEventObjectArray(row, EVENT_TYPE);
        }
        sink.consume(esperMatches);
    }
}
