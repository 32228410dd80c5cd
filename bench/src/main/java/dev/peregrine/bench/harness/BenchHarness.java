package dev.peregrine.bench.harness;

import dev.peregrine.alerting.Alert;
import dev.peregrine.alerting.AlertSink;
import dev.peregrine.alerting.jsonl.JsonLinesSink;
import dev.peregrine.collector.deadletter.DeadLetterFile;
import dev.peregrine.collector.deadletter.Rejection;
import dev.peregrine.collector.event.Event;
import dev.peregrine.collector.event.FieldRegistry;
import dev.peregrine.collector.event.StandardFields;
import dev.peregrine.collector.ingest.IdentityPattern;
import dev.peregrine.collector.ingest.IngestLimits;
import dev.peregrine.collector.ingest.IngestServer;
import dev.peregrine.collector.ingest.PlatformAccessEvents;
import dev.peregrine.collector.ingest.TokenBinding;
import dev.peregrine.collector.ndjson.NdjsonSource;
import dev.peregrine.collector.proctree.ProcessTreeEnricher;
import dev.peregrine.collector.proctree.ProcessTrees;
import dev.peregrine.collector.source.EventSource;
import dev.peregrine.collector.source.SourceListener;
import dev.peregrine.engine.DetectionEngine;
import dev.peregrine.engine.embedded.EmbeddedPipeline;
import dev.peregrine.engine.embedded.PipelineMetrics;
import dev.peregrine.engine.embedded.PipelineSummary;
import dev.peregrine.engine.falco.FalcoRuleEvaluator;
import dev.peregrine.engine.rules.RuleFile;
import dev.peregrine.engine.rules.RuleLoader;
import dev.peregrine.engine.time.ReorderBuffer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The end-to-end benchmark behind {@code peregrine bench}. Generates a seeded event mix to NDJSON,
 * then measures, on the calling thread (one core for the engine):
 * <ol>
 *   <li>parse-only: the file through the streaming NDJSON source into events, nothing else — the ceiling;</li>
 *   <li>replay: the file through the embedded pipeline (process tree, reorder buffer, shipped rules, their
 *       CEP items, Falco's stable rules, every built-in detection and slopsquat, alerts to a JSON-lines
 *       file), as {@code peregrine replay} runs it; row 2a without CEP and built-ins;</li>
 *   <li>per-event rule evaluation of pre-parsed, process-tree-enriched events (shipped plus Falco's stable rules);</li>
 *   <li>the JMH benchmarks' 25-condition Falco subset as Esper EPL filter statements, on pre-built rows;</li>
 *   <li>ingest-to-alert latency: events POSTed over HTTP to the collector's ingest API on 127.0.0.1 at a
 *       fixed rate, stamped with their send time, through the full detection stack, to the sink.</li>
 * </ol>
 * The file-reading stages (1, 2, 2a) run once on a prefix to warm the JIT, then once measured;
 * the in-memory ones (3, 4, 4') repeat untimed passes for a few seconds, then report the median
 * of five timed passes. The event mix depends on the seed and size only; timings depend on the
 * machine.
 */
public final class BenchHarness {

    /** Where Falco's stable rules are looked for when none are given: the rules-engine test data. */
    public static final List<Path> FALCO_RULES_CANDIDATES = List.of(
            Path.of("rules-engine/src/test/resources/falco/upstream/falco_rules.yaml"),
            Path.of("../rules-engine/src/test/resources/falco/upstream/falco_rules.yaml"));

    private static final int WARMUP_EVENTS = 100_000;
    /**
     * Timed passes of the in-memory stages (3, 4, 4'), of which the median is reported: one pass
     * lasts a fraction of a second, where one recompilation or collection moves it by a third.
     */
    private static final int PASSES = 5;
    /** How long untimed passes run before the timed ones of an in-memory stage. */
    private static final long WARMUP_NANOS = 3_000_000_000L;
    private static final int LATENCY_BATCHES_PER_SECOND = 100;

    /**
     * What to run.
     *
     * @param mix              the event mix written and measured by stages 1–4
     * @param preParsedEvents  events kept in memory for stages 3 and 4 (walked repeatedly up to {@code mix.events()})
     * @param outDir           where the mix, alerts and rejected lines are written
     * @param falcoRules       Falco's {@code falco_rules.yaml}; empty: per-event stages use the shipped rules only
     * @param latencyRate      events per second offered to the ingest API in stage 5
     * @param latencyDuration  how long stage 5 offers them
     * @param allowedLateness  the reorder buffer's allowed lateness in stage 5 (the watermark holds
     *                         every event at least this long before the rules see it)
     */
    public record Options(MixSpec mix, int preParsedEvents, Path outDir, Optional<Path> falcoRules, int latencyRate,
                          Duration latencyDuration, Duration allowedLateness) {

        public Options {
            if (preParsedEvents < 1 || latencyRate < LATENCY_BATCHES_PER_SECOND || latencyDuration.isNegative()
                    || latencyDuration.isZero() || allowedLateness.isNegative()) {
                throw new IllegalArgumentException("bench options out of range: " + preParsedEvents + " pre-parsed, "
                        + latencyRate + " events/s for " + latencyDuration + ", lateness " + allowedLateness);
            }
        }

        /** Under two minutes: 300,000 events, 10,000 events/s for 10 s. */
        public static Options quick(final long seed, final Path outDir) {
            return new Options(MixSpec.of(seed, 300_000), 150_000, outDir, defaultFalcoRules(), 10_000,
                    Duration.ofSeconds(10), Duration.ZERO);
        }

        /** Under fifteen minutes: 2,000,000 events over 1,000 agents and 10,000 sessions, 10,000 events/s for 60 s. */
        public static Options full(final long seed, final Path outDir) {
            return new Options(new MixSpec(seed, 2_000_000, 1_000, 10, 0.01, MixSpec.DEFAULT_SPACING_NANOS), 500_000,
                    outDir, defaultFalcoRules(), 10_000, Duration.ofSeconds(60), Duration.ZERO);
        }

        /** These options with {@code events} events in the mix (and at most as many kept pre-parsed). */
        public Options withEvents(final int events) {
            return new Options(new MixSpec(mix.seed(), events, mix.agents(), mix.sessionsPerAgent(),
                    mix.maliciousShare(), mix.eventSpacingNanos()), Math.min(preParsedEvents, events), outDir,
                    falcoRules, latencyRate, latencyDuration, allowedLateness);
        }

        /** These options with stage 5 offering {@code rate} events/s for {@code duration}. */
        public Options withLatencyLoad(final int rate, final Duration duration) {
            return new Options(mix, preParsedEvents, outDir, falcoRules, rate, duration, allowedLateness);
        }

        /** These options with stage 5's reorder buffer allowing {@code lateness}. */
        public Options withAllowedLateness(final Duration lateness) {
            return new Options(mix, preParsedEvents, outDir, falcoRules, latencyRate, latencyDuration, lateness);
        }

        /** These options with Falco's stable rules read from {@code file}. */
        public Options withFalcoRules(final Path file) {
            return new Options(mix, preParsedEvents, outDir, Optional.of(file), latencyRate, latencyDuration,
                    allowedLateness);
        }
    }

    /** The first of {@link #FALCO_RULES_CANDIDATES} that exists (run from the repository root or a module). */
    public static Optional<Path> defaultFalcoRules() {
        return FALCO_RULES_CANDIDATES.stream().filter(Files::isRegularFile).findFirst();
    }

    private final PrintWriter out;

    private BenchHarness(final PrintWriter out) {
        this.out = out;
    }

    /** Runs every stage, printing progress and then the table to {@code out}; returns the table's rows. */
    public static List<StageResult> run(final Options options, final PrintWriter out) throws Exception {
        return new BenchHarness(out).runAll(options);
    }

    private List<StageResult> runAll(final Options options) throws Exception {
        Files.createDirectories(options.outDir());
        final Path mixFile = options.outDir().resolve("mix.ndjson");
        final long generateStart = System.nanoTime();
        final long bytes = NativeLines.writeMix(options.mix(), mixFile);
        final MixSpec mix = options.mix();
        progress("mix: %,d events, %d agents, %d sessions, %.1f%% malicious, seed %d -> %s (%,d bytes, %d bytes/event, %.1f s)",
                mix.events(), mix.agents(), mix.sessions(), mix.maliciousShare() * 100, mix.seed(), mixFile, bytes,
                bytes / mix.events(), seconds(System.nanoTime() - generateStart));
        final long loadStart = System.nanoTime();
        final DetectionStack stack = DetectionStack.load(options.falcoRules());
        progress("rules: %d per-event (%s), %d CEP statements, built-in detections and slopsquat (loaded in %.1f s)",
                stack.perEventRules(), options.falcoRules().map(path -> "shipped + Falco stable from " + path)
                        .orElse("shipped only: Falco's stable rules not found, give their path"), stack.cepRules(),
                seconds(System.nanoTime() - loadStart));
        final List<StageResult> rows = new ArrayList<>();
        final StageResult parse = done(rows, parseOnly(mixFile, mix.events()));
        done(rows, replay(options, stack, mixFile, true));
        done(rows, replay(options, stack, mixFile, false));
        final Event[] events = preParse(mixFile, options.preParsedEvents());
        done(rows, rulesPreParsed(stack, events, mix.events()));
        done(rows, everythingPreParsed(stack, events));
        for (final StageResult row : esperPeer(events, mix.events())) {
            done(rows, row);
        }
        done(rows, latency(options, stack));
        StageTable.print(out, rows, OptionalDouble.of(parse.eventsPerSecond()), "");
        return rows;
    }

    private StageResult done(final List<StageResult> rows, final StageResult row) {
        rows.add(row);
        progress("(%s) %s: %,.0f events/s", row.id(), row.name(), row.eventsPerSecond());
        return row;
    }

    // ---- 1: parse only ------------------------------------------------------------------------

    private StageResult parseOnly(final Path mixFile, final int events) throws IOException {
        readFile(mixFile, WARMUP_EVENTS);
        final Measurement run = Measurement.start();
        final long[] counts = readFile(mixFile, Integer.MAX_VALUE);
        return run.finish("1", "parse only (NDJSON -> events)", counts[0], counts[1] == 0 ? ""
                : counts[1] + " lines rejected (see the log)");
    }

    /** Reads up to {@code limit} events of {@code file} and drops them; returns events and rejected lines. */
    private static long[] readFile(final Path file, final int limit) throws IOException {
        final long[] counts = new long[2];
        try (NdjsonSource source = NdjsonSource.file(file)) {
            source.read(new SourceListener() {
                @Override
                public void onEvent(final Event event) {
                    if (++counts[0] >= limit) {
                        closeQuietly(source);
                    }
                }

                @Override
                public void onRejected(final Rejection rejection) {
                    counts[1]++;
                }
            });
        }
        return counts;
    }

    private static void closeQuietly(final EventSource source) {
        try {
            source.close();
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---- 2: replay through the embedded pipeline ----------------------------------------------

    private StageResult replay(final Options options, final DetectionStack stack, final Path mixFile,
                               final boolean everything) throws Exception {
        final Path warmup = options.outDir().resolve("warmup.ndjson");
        try (var lines = Files.lines(mixFile)) {
            Files.write(warmup, (Iterable<String>) lines.limit(WARMUP_EVENTS)::iterator);
        }
        replayOnce(options, stack, warmup, everything);
        Files.delete(warmup);
        final Measurement run = Measurement.start();
        final PipelineSummary summary = replayOnce(options, stack, mixFile, everything);
        final String note = String.format("%,d alerts%s%s", summary.alerts(),
                summary.eventsRejected() > 0 ? ", " + summary.eventsRejected() + " rejected" : "",
                summary.hadProblems() ? ", problems: see the log" : "");
        return everything
                ? run.finish("2", "replay, all detections (rules+Falco+CEP+built-ins)", summary.eventsAccepted(), note)
                : run.finish("2a", "replay, per-event rules only (shipped+Falco)", summary.eventsAccepted(), note);
    }

    private static PipelineSummary replayOnce(final Options options, final DetectionStack stack, final Path file,
                                              final boolean everything) throws Exception {
        final DetectionEngine engine = stack.engine(everything,
                ReorderBuffer.DEFAULT_ALLOWED_LATENESS);
        final EventSource source = new ProcessTreeEnricher(NdjsonSource.file(file), ProcessTrees.withDefaults());
        try (AlertSink alerts = JsonLinesSink.toFile(options.outDir().resolve(everything ? "alerts-replay.jsonl"
                : "alerts-replay-rules.jsonl"));
             DeadLetterFile rejected = new DeadLetterFile(options.outDir().resolve("rejected.ndjson"))) {
            final EmbeddedPipeline pipeline = new EmbeddedPipeline(List.of(source), List.of(engine), alerts,
                    keepIn(rejected), PipelineMetrics.unregistered(), EmbeddedPipeline.Ordering.EVENT_TIME_MERGE, 8192);
            return pipeline.run();
        }
    }

    private static Consumer<Rejection> keepIn(final DeadLetterFile file) {
        return rejection -> {
            try {
                file.append(rejection);
            } catch (final IOException e) {
                throw new UncheckedIOException("writing " + file.path(), e);
            }
        };
    }

    // ---- 3 and 4: pre-parsed events -----------------------------------------------------------

    /** The first {@code limit} events of {@code file}, through a process tree, in memory. */
    private static Event[] preParse(final Path file, final int limit) throws IOException {
        final List<Event> events = new ArrayList<>(limit);
        final ProcessTrees trees = ProcessTrees.withDefaults();
        try (NdjsonSource source = NdjsonSource.file(file)) {
            source.read(new SourceListener() {
                @Override
                public void onEvent(final Event event) {
                    events.add(trees.enrich(event));
                    if (events.size() >= limit) {
                        closeQuietly(source);
                    }
                }

                @Override
                public void onRejected(final Rejection rejection) {
                    // stage 1 reports rejected lines; these events are the same file's
                }
            });
        }
        final Event[] copies = inArrivalOrder(events.subList(0, Math.min(limit, events.size())));
        // Settle the copies in the old generation now: a young collection that copies them during
        // a timed pass would time the collector, not the engine.
        System.gc();
        return copies;
    }

    /**
     * Copies of {@code events}, allocated one after the other. Stages 3 and 4 walk events held in
     * memory, where layout decides as much as the engine: events left where the parser and the
     * process tree made them sit among those steps' garbage, while Esper's rows (stage 4) are built
     * in one pass and lie packed. Copying gives both engines the same layout, the one a pipeline's
     * events have in the instant after they are parsed, when it evaluates them.
     */
    public static Event[] inArrivalOrder(final List<Event> events) {
        final Event[] copies = new Event[events.size()];
        for (int i = 0; i < copies.length; i++) {
            copies[i] = events.get(i).toBuilder().build();
        }
        return copies;
    }

    private StageResult rulesPreParsed(final DetectionStack stack, final Event[] events, final int total) {
        final AtomicLong alerts = new AtomicLong();
        final Consumer<Alert> sink = alert -> alerts.incrementAndGet();
        final List<FalcoRuleEvaluator> evaluators = stack.perEventEvaluators();
        return medianOf("3", "per-event rules, pre-parsed (" + stack.perEventRules() + " rules)", () -> {
            alerts.set(0);
            return evaluate(evaluators, events, total, sink);
        }, () -> String.format("%,d alerts", alerts.get()));
    }

    /**
     * Times {@value #PASSES} runs of {@code pass} (each returns the events it took) and keeps the
     * run at the median rate, the spread in its note; {@code note} describes the run just ended.
     */
    private static StageResult medianOf(final String id, final String name, final LongSupplier pass,
                                        final Supplier<String> note) {
        // Untimed passes first, until the JIT has had its time: a few hundred thousand events take
        // a fraction of a second, and its last compilations of the rules' code come later than that.
        final long warmUntil = System.nanoTime() + WARMUP_NANOS;
        do {
            pass.getAsLong();
        } while (System.nanoTime() < warmUntil);
        final List<StageResult> runs = new ArrayList<>(PASSES);
        for (int i = 0; i < PASSES; i++) {
            final Measurement run = Measurement.start();
            final long done = pass.getAsLong();
            runs.add(run.finish(id, name, done, note.get()));
        }
        runs.sort(Comparator.comparingDouble(StageResult::eventsPerSecond));
        final StageResult median = runs.get(PASSES / 2);
        return new StageResult(id, name, median.events(), median.eventsPerSecond(), median.heapUsedBytes(),
                median.gcMillis(), String.format("%s; median of %d passes (%,.0f to %,.0f)", median.note(), PASSES,
                        runs.get(0).eventsPerSecond(), runs.get(PASSES - 1).eventsPerSecond()));
    }

    /**
     * Every detection on the pre-parsed events, once through in event order, and what the engine
     * keeps per session: the heap it retains after the run (full collections before and after,
     * the events held throughout) less what a fresh engine retains, over the sessions it saw.
     */
    private StageResult everythingPreParsed(final DetectionStack stack, final Event[] events) throws Exception {
        final AtomicLong alerts = new AtomicLong();
        final Consumer<Alert> sink = alert -> alerts.incrementAndGet();
        final Set<String> sessions = new HashSet<>();
        for (final Event event : events) {
            sessions.add(event.getString(StandardFields.AGENT_ID) + "/" + event.getString(StandardFields.AGENT_SESSION));
        }
        final DetectionEngine engine = stack.engine(true, ReorderBuffer.DEFAULT_ALLOWED_LATENESS);
        final long fresh = retainedHeap();
        final Measurement run = Measurement.start();
        // as the embedded pipeline drives it: each event, then event time moves to it
        for (final Event event : events) {
            engine.onEvent(event, sink);
            engine.onTimeAdvance(event.timeNanos(), sink);
        }
        engine.endOfInput(sink);
        final StageResult row = run.finish("3b", "all detections, pre-parsed, one pass", events.length, "");
        final long kept = retainedHeap() - fresh;
        engine.close();
        return new StageResult(row.id(), row.name(), row.events(), row.eventsPerSecond(), row.heapUsedBytes(),
                row.gcMillis(), String.format("%,d alerts; engine state %.2f KB per session (%.1f MB retained over "
                        + "%,d sessions)", alerts.get(), kept / 1024.0 / sessions.size(), kept / 1048576.0,
                        sessions.size()));
    }

    /** Heap in use after full collections: what is reachable, give or take the collector's rounding. */
    private static long retainedHeap() throws InterruptedException {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 4; i++) {
            System.gc();
            Thread.sleep(100);
            used = Math.min(used, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        }
        return used;
    }

    /** Walks {@code events} (again from the start when needed) until {@code total} were evaluated. */
    private static long evaluate(final List<FalcoRuleEvaluator> evaluators, final Event[] events, final int total,
                                 final Consumer<Alert> sink) {
        long done = 0;
        while (done < total) {
            final int n = (int) Math.min(events.length, total - done);
            for (int i = 0; i < n; i++) {
                for (final FalcoRuleEvaluator evaluator : evaluators) {
                    evaluator.onEvent(events[i], sink);
                }
            }
            done += n;
        }
        return done;
    }

    /** Stage 4 (Esper on the subset's EPL) and 4' (Peregrine on the same conditions), in that order. */
    private List<StageResult> esperPeer(final Event[] events, final int total) throws Exception {
        final Object[][] rows = new Object[events.length][];
        for (int i = 0; i < events.length; i++) {
            rows[i] = EsperFilterPeer.row(events[i]);
        }
        final FalcoRuleEvaluator subset = new FalcoRuleEvaluator(new RuleLoader(FieldRegistry.standard())
                .loadFiles(List.of(RuleFile.ofResource(BenchHarness.class.getClassLoader(), EsperFilterPeer.SUBSET_RULES))));
        final AtomicLong subsetAlerts = new AtomicLong();
        final Consumer<Alert> sink = alert -> subsetAlerts.incrementAndGet();
        final StageResult peregrine = medianOf("4'", "Peregrine, the same conditions as rules", () -> {
            subsetAlerts.set(0);
            return evaluate(List.of(subset), events, total, sink);
        }, () -> String.format("%,d matches", subsetAlerts.get()));
        try (EsperFilterPeer esper = new EsperFilterPeer()) {
            final long[] matchesBefore = new long[1];
            final StageResult peer = medianOf("4", "Esper EPL filters, pre-built rows (" + esper.statements()
                    + " conditions)", () -> {
                        matchesBefore[0] = esper.matches();
                        return send(esper, rows, total);
                    }, () -> String.format("%,d matches", esper.matches() - matchesBefore[0]));
            return List.of(peer, new StageResult(peregrine.id(), peregrine.name(), peregrine.events(),
                    peregrine.eventsPerSecond(), peregrine.heapUsedBytes(), peregrine.gcMillis(),
                    String.format("%.2fx Esper; %s", peregrine.eventsPerSecond() / peer.eventsPerSecond(),
                            peregrine.note())));
        }
    }

    private static long send(final EsperFilterPeer esper, final Object[][] rows, final int total) {
        long done = 0;
        while (done < total) {
            final int n = (int) Math.min(rows.length, total - done);
            for (int i = 0; i < n; i++) {
                esper.send(rows[i]);
            }
            done += n;
        }
        return done;
    }

    // ---- 5: ingest-to-alert latency -----------------------------------------------------------

    private StageResult latency(final Options options, final DetectionStack stack) throws Exception {
        final String secret = TokenBinding.generateToken();
        final int rate = options.latencyRate();
        final IngestLimits limits = new IngestLimits(8 << 20, 1 << 20, Math.max(10_000, rate * 2), rate * 4.0,
                rate * 4.0, 100);
        final PlatformAccessEvents platform = new PlatformAccessEvents();
        final IngestServer ingest = new IngestServer(List.of(new TokenBinding("bench", secret, IdentityPattern.ANY)),
                limits, platform);
        final InetSocketAddress address = ingest.listen(new InetSocketAddress("127.0.0.1", 0));
        final LatencySink latencies = new LatencySink(stack.immediateRuleIds(),
                JsonLinesSink.toFile(options.outDir().resolve("alerts-latency.jsonl")));
        final List<EventSource> sources = List.of(
                new ProcessTreeEnricher(ingest, ProcessTrees.withDefaults()), platform);
        final PipelineSummary[] summary = new PipelineSummary[1];
        final Throwable[] failure = new Throwable[1];
        try (DeadLetterFile rejected = new DeadLetterFile(options.outDir().resolve("rejected-latency.ndjson"))) {
            final DetectionEngine detection = stack.engine(true, options.allowedLateness());
            final EmbeddedPipeline pipeline = new EmbeddedPipeline(sources, List.of(detection), latencies, keepIn(rejected),
                    PipelineMetrics.unregistered(), EmbeddedPipeline.Ordering.ARRIVAL, 8192);
            final Thread engine = new Thread(() -> {
                try {
                    summary[0] = pipeline.run();
                } catch (final InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (final RuntimeException | Error e) {
                    failure[0] = e;
                }
            }, "peregrine-bench-engine");
            engine.start();
            final Offered offered;
            final StageResult measured;
            try {
                final MixSpec mix = new MixSpec(options.mix().seed() + 1,
                        (int) Math.max(1, rate * options.latencyDuration().toMillis() / 1000), options.mix().agents(),
                        options.mix().sessionsPerAgent(), options.mix().maliciousShare(), 1);
                // a second of the same load, unmeasured, so the JIT has compiled the ingest path
                offer(address, secret, new EventMixGenerator(new MixSpec(mix.seed() + 1, rate, mix.agents(),
                        mix.sessionsPerAgent(), mix.maliciousShare(), 1)), rate, latencies, false);
                final Measurement run = Measurement.start();
                offered = offer(address, secret, new EventMixGenerator(mix), rate, latencies, true);
                measured = run.finish("5", "ingest (HTTP) -> alert latency, all detections", offered.accepted(), "");
            } finally {
                final long stopping = System.nanoTime();
                pipeline.stop();
                engine.join();
                progress("latency: pipeline drained and stopped in %.1f s", seconds(System.nanoTime() - stopping));
            }
            if (failure[0] != null) {
                throw new IllegalStateException("the pipeline failed", failure[0]);
            }
            final long[] sorted = latencies.sorted();
            final String note = String.format("p50 %.1f ms, p99 %.1f ms, max %.1f ms over %,d alerts; offered %,d "
                            + "events/s, %,d accepted, %,d refused (429/other); allowed lateness %d ms, %,d events "
                            + "later than that (requests overtaking each other), processed out of order%s",
                    percentile(sorted, 0.50) / 1e6, percentile(sorted, 0.99) / 1e6,
                    sorted.length == 0 ? 0 : sorted[sorted.length - 1] / 1e6, sorted.length, rate, offered.accepted(),
                    offered.refused(), options.allowedLateness().toMillis(), detection.lateEvents(),
                    summary[0] != null && summary[0].hadProblems() ? "; problems: see the log" : "");
            return new StageResult(measured.id(), measured.name(), measured.events(), measured.eventsPerSecond(),
                    measured.heapUsedBytes(), measured.gcMillis(), note);
        } finally {
            latencies.close();
            // stopping the pipeline closed it already, unless setting up failed before
            ingest.close();
        }
    }

    /** What the ingest API took of what was offered. */
    private record Offered(long accepted, long refused) {
    }

    /**
     * POSTs every event of {@code mix} in batches of {@code rate / 100}, one batch every 10 ms on a
     * fixed schedule, without waiting for earlier answers (an open-loop load: a slow answer does
     * not hide the latency of the requests that should have followed it). Each event is stamped
     * with the wall-clock time its batch is sent.
     */
    private static Offered offer(final InetSocketAddress address, final String secret, final EventMixGenerator mix,
                                 final int rate, final LatencySink latencies, final boolean measured) throws Exception {
        final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        final URI uri = URI.create("http://127.0.0.1:" + address.getPort() + IngestServer.EVENTS_PATH);
        final int batch = rate / LATENCY_BATCHES_PER_SECOND;
        final long interval = 1_000_000_000L / LATENCY_BATCHES_PER_SECOND;
        final AtomicLong accepted = new AtomicLong();
        final AtomicLong refused = new AtomicLong();
        final List<CompletableFuture<?>> answers = new ArrayList<>();
        latencies.measuring(measured);
        final long start = System.nanoTime();
        final ByteArrayOutputStream body = new ByteArrayOutputStream(batch * 512);
        for (long k = 0; mix.hasNext(); k++) {
            final long planned = start + k * interval;
            for (long wait = planned - System.nanoTime(); wait > 0; wait = planned - System.nanoTime()) {
                LockSupport.parkNanos(wait);
            }
            body.reset();
            final long sentAt = latencies.wallNanos();
            int lines = 0;
            try (var json = NativeLines.generator(body)) {
                for (; lines < batch && mix.hasNext(); lines++) {
                    NativeLines.write(mix.next().toBuilder().time(sentAt).build(), json);
                }
            }
            final int sent = lines;
            answers.add(client.sendAsync(HttpRequest.newBuilder(uri)
                            .header("Authorization", "Bearer " + secret).header("Content-Type", "application/x-ndjson")
                            .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())).build(),
                    HttpResponse.BodyHandlers.discarding())
                    .whenComplete((response, error) -> (error == null && response.statusCode() == 200
                            ? accepted : refused).addAndGet(sent)));
        }
        for (final CompletableFuture<?> answer : answers) {
            try {
                answer.join();
            } catch (final CompletionException e) {
                // counted as refused by whenComplete; the request did not reach the pipeline
            }
        }
        return new Offered(accepted.get(), refused.get());
    }

    private static double percentile(final long[] sorted, final double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
    }

    /**
     * Delivers to a JSON-lines file and records, for alerts of rules that fire as their event
     * arrives, the wall-clock time from the event's send stamp ({@code evt.time}) to delivery.
     */
    private static final class LatencySink implements AlertSink {
        private final Set<String> immediate;
        private final AlertSink delegate;
        private final long wallBase = System.currentTimeMillis() * 1_000_000L;
        private final long nanoBase = System.nanoTime();
        private volatile boolean measuring;
        private long[] latencies = new long[1024];
        private int count;

        LatencySink(final Set<String> immediate, final AlertSink delegate) {
            this.immediate = immediate;
            this.delegate = delegate;
        }

        /** Epoch nanoseconds on a monotonic clock: the stamp events are sent with. */
        long wallNanos() {
            return wallBase + (System.nanoTime() - nanoBase);
        }

        void measuring(final boolean on) {
            measuring = on;
        }

        @Override
        public void deliver(final Alert alert) throws IOException {
            delegate.deliver(alert);
            if (measuring && immediate.contains(alert.ruleId())) {
                final long latency = wallNanos() - alert.timeNanos();
                synchronized (this) {
                    if (count == latencies.length) {
                        latencies = Arrays.copyOf(latencies, count * 2);
                    }
                    latencies[count++] = latency;
                }
            }
        }

        synchronized long[] sorted() {
            final long[] copy = Arrays.copyOf(latencies, count);
            Arrays.sort(copy);
            return copy;
        }

        @Override
        public void flush() throws IOException {
            delegate.flush();
        }

        @Override
        public void close() throws IOException {
            delegate.close();
        }
    }

    // ---- measuring and printing ---------------------------------------------------------------

    /** Wall time and collector time from a start point; heap in use at the end. */
    private record Measurement(long startNanos, long gcStartMillis) {

        static Measurement start() {
            return new Measurement(System.nanoTime(), StageTable.gcMillis());
        }

        StageResult finish(final String id, final String name, final long events, final String note) {
            final double elapsed = seconds(System.nanoTime() - startNanos);
            final long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
            return new StageResult(id, name, events, events / elapsed, heap, StageTable.gcMillis() - gcStartMillis,
                    note);
        }
    }

    private static double seconds(final long nanos) {
        return nanos / 1e9;
    }

    private void progress(final String format, final Object... args) {
        out.printf(format + "%n", args);
        out.flush();
    }
}
