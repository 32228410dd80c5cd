package dev.peregrine.bench.harness;

import dev.peregrine.collector.event.Event;
import dev.peregrine.collector.event.FieldRegistry;
import dev.peregrine.collector.kafka.KafkaEventPublisher;
import dev.peregrine.collector.kafka.PublisherConfig;
import dev.peregrine.engine.DetectionEngine;
import dev.peregrine.engine.Detector;
import dev.peregrine.engine.cep.CepCompiler;
import dev.peregrine.engine.cep.CepProgram;
import dev.peregrine.engine.detect.BuiltInDetectors;
import dev.peregrine.engine.detect.DetectionSettings;
import dev.peregrine.engine.rules.RuleDef;
import dev.peregrine.engine.rules.RuleLoadException;
import dev.peregrine.engine.rules.RuleLoader;
import dev.peregrine.engine.rules.RuleSet;
import dev.peregrine.engine.slopsquat.AllowList;
import dev.peregrine.engine.slopsquat.PackageChecker;
import dev.peregrine.engine.slopsquat.SlopsquatDetector;
import dev.peregrine.engine.slopsquat.SnapshotPackageIntel;
import dev.peregrine.engine.streams.EngineCounters;
import dev.peregrine.engine.streams.EngineFactory;
import dev.peregrine.engine.streams.EngineSettings;
import dev.peregrine.engine.streams.StreamsEngine;
import dev.peregrine.engine.streams.Topics;
import dev.peregrine.engine.time.ReorderBuffer;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.OptionalDouble;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;

/**
 * Stage 6 of {@code peregrine bench}: the distributed runner through a real Kafka broker. The
 * seeded mix is published by the collector's {@link KafkaEventPublisher} (disk spool, idempotent,
 * {@code acks=all}, lz4) and detected on by {@link StreamsEngine} ({@code exactly_once_v2}) with
 * what {@code peregrine engine --kafka} runs by default: the shipped rules, their CEP items, every
 * built-in detection on the tasks' changelogged stores, and slopsquat. Both run in this JVM; the
 * broker is wherever {@code bootstrap} points.
 * <ol>
 *   <li>6: throughput — every event published as fast as the publisher takes it, timed until the
 *       engine has read the last one (producer, broker and engine, end to end);</li>
 *   <li>6a: event-to-alert latency at a fixed offered rate — each event stamped with its publish
 *       time, each alert of a rule that fires on its event timed when a {@code read_committed}
 *       consumer of the alerts topic receives it (so the transaction commit is part of it).</li>
 * </ol>
 * Each part uses topics and an application id of its own, named with the run's start time, and
 * deletes them at the end.
 */
public final class KafkaStage {

    private static final int BATCHES_PER_SECOND = 100;
    private static final Duration STALL_TIMEOUT = Duration.ofMinutes(2);
    private static final Pattern RULE_ID = Pattern.compile("\"rule_id\":\"([^\"]*)\"");
    private static final Pattern TIME = Pattern.compile("^\\{\"time\":\"([^\"]+)\"");

    /**
     * What to run.
     *
     * @param bootstrap       the broker's {@code bootstrap.servers}
     * @param mix             the events published by stage 6 (the first fifth again, before, to warm up)
     * @param partitions      partitions of the events and alerts topics
     * @param compression     the publisher's compression codec
     * @param latencyRate     events per second offered in stage 6a
     * @param latencyDuration how long stage 6a offers them
     * @param allowedLateness the engines' reorder-buffer lateness in stage 6a (stage 6 keeps the default 2 s)
     * @param outDir          where the event spools and Kafka Streams state live
     */
    public record Options(String bootstrap, MixSpec mix, int partitions, String compression, int latencyRate,
                          Duration latencyDuration, Duration allowedLateness, Path outDir) {

        public Options {
            if (bootstrap == null || bootstrap.isBlank() || partitions < 1 || latencyRate < BATCHES_PER_SECOND
                    || latencyDuration.isNegative() || latencyDuration.isZero() || allowedLateness.isNegative()) {
                throw new IllegalArgumentException("kafka stage options out of range: " + bootstrap + ", "
                        + partitions + " partitions, " + latencyRate + " events/s for " + latencyDuration);
            }
        }

        /** {@code events} of the mix of {@code seed}, 6 partitions, lz4, 10,000 events/s for {@code duration}, lateness 0. */
        public static Options of(final String bootstrap, final long seed, final int events, final Duration duration,
                                 final Path outDir) {
            return new Options(bootstrap, MixSpec.of(seed, events), 6, PublisherConfig.DEFAULT_COMPRESSION, 10_000,
                    duration, Duration.ZERO, outDir);
        }

        /** These options offering {@code rate} events/s in stage 6a. */
        public Options withLatencyRate(final int rate) {
            return new Options(bootstrap, mix, partitions, compression, rate, latencyDuration, allowedLateness, outDir);
        }
    }

    private final Options options;
    private final PrintWriter out;
    private final RuleSet rules;
    private final CepProgram cep;
    private final PackageChecker packages;
    private final String runId = Long.toString(System.currentTimeMillis(), 36);
    private final long wallBase = System.currentTimeMillis() * 1_000_000L;
    private final long nanoBase = System.nanoTime();

    private KafkaStage(final Options options, final PrintWriter out) throws IOException, RuleLoadException {
        this.options = options;
        this.out = out;
        final FieldRegistry registry = FieldRegistry.standard();
        final CepCompiler compiler = new CepCompiler(registry);
        this.rules = new RuleLoader(registry, compiler).loadFiles(DetectionStack.shippedRules());
        this.cep = compiler.compile(rules.activeCepRules());
        this.packages = new PackageChecker(SnapshotPackageIntel.loadShipped(), AllowList.empty());
    }

    /**
     * Runs stages 6 and 6a, printing progress and their table (ratios to {@code ceiling}, stage 1's
     * events/s, when given) to {@code out}; returns the rows.
     */
    public static List<StageResult> run(final Options options, final OptionalDouble ceiling, final PrintWriter out)
            throws Exception {
        final KafkaStage stage = new KafkaStage(options, out);
        final List<StageResult> rows = List.of(stage.throughput(), stage.latency());
        StageTable.print(out, rows, ceiling, "; broker at " + options.bootstrap());
        return rows;
    }

    // ---- 6: throughput ------------------------------------------------------------------------

    private StageResult throughput() throws Exception {
        final MixSpec mix = options.mix();
        final int warmup = Math.max(1, mix.events() / 5);
        final List<Event> events = new ArrayList<>(warmup + mix.events());
        final EventMixGenerator generator = new EventMixGenerator(new MixSpec(mix.seed(), warmup + mix.events(),
                mix.agents(), mix.sessionsPerAgent(), mix.maliciousShare(), mix.eventSpacingNanos()));
        while (generator.hasNext()) {
            events.add(generator.next());
        }
        final Topics topics = topics("throughput");
        try (StreamsEngine engine = startEngine(topics, ReorderBuffer.DEFAULT_ALLOWED_LATENESS);
             KafkaEventPublisher publisher = publisher(topics, "throughput")) {
            final EngineCounters counters = engine.counters();
            for (int i = 0; i < warmup; i++) {
                publisher.publish(events.get(i));
            }
            awaitProgress("warm-up events read by the engine", () -> counters.events(), warmup);
            progress("kafka: warmed up on %,d events; publishing %,d", warmup, mix.events());
            final long gcStart = StageTable.gcMillis();
            final long cpuStart = cpuNanos();
            final long start = System.nanoTime();
            for (int i = warmup; i < events.size(); i++) {
                publisher.publish(events.get(i));
            }
            final long spooled = System.nanoTime();
            final long drained = awaitProgress("publisher drained", () -> publisher.published(), events.size());
            final long read = awaitProgress("events read by the engine", () -> counters.events(), events.size());
            final double seconds = (read - start) / 1e9;
            final long gc = StageTable.gcMillis() - gcStart;
            final double cpu = (cpuNanos() - cpuStart) / 1e9;
            final long heap = heapUsed();
            // untimed: the reorder buffers release what they hold once the partitions are idle, so every alert counts
            awaitProgress("events released by the reorder buffers", () -> -counters.heldEvents(), 0);
            final String note = String.format("%d partitions, %s, acks=all, exactly_once_v2; publisher alone: spooled "
                            + "at %,.0f/s, acknowledged at %,.0f/s; %,d alerts, %,d dead letters; this JVM (publisher "
                            + "and engine, not the broker) used %.1f CPU s: %,.0f events per CPU second",
                    options.partitions(), options.compression(), mix.events() / ((spooled - start) / 1e9),
                    mix.events() / ((drained - start) / 1e9), counters.alerts(), counters.deadLetters(), cpu,
                    mix.events() / cpu);
            return new StageResult("6", "Kafka: publisher -> broker -> StreamsEngine, all det.", mix.events(),
                    mix.events() / seconds, heap, gc, note);
        } finally {
            deleteTopics(topics, "throughput");
        }
    }

    // ---- 6a: event-to-alert latency -----------------------------------------------------------

    private StageResult latency() throws Exception {
        final int rate = options.latencyRate();
        final MixSpec base = options.mix();
        final int total = (int) Math.max(1, rate * options.latencyDuration().toMillis() / 1000);
        final Topics topics = topics("latency");
        final Set<String> immediate = immediateRuleIds();
        final AlertTimer timer = new AlertTimer(topics.alerts(), immediate);
        final Thread consumer = new Thread(timer, "peregrine-bench-alerts-consumer");
        try (StreamsEngine engine = startEngine(topics, options.allowedLateness());
             KafkaEventPublisher publisher = publisher(topics, "latency")) {
            consumer.start();
            final EngineCounters counters = engine.counters();
            // a second of the same load first, so the JIT has compiled the whole path; the measured load follows
            // at once (a pause would let the partitions go idle and their clocks run ahead of the next events)
            final int warm = offer(publisher, new EventMixGenerator(new MixSpec(base.seed() + 2, rate, base.agents(),
                    base.sessionsPerAgent(), base.maliciousShare(), 1)), rate);
            timer.measureFrom(wallNanos());
            final long gcStart = StageTable.gcMillis();
            final long cpuStart = cpuNanos();
            final long start = System.nanoTime();
            final int offered = offer(publisher, new EventMixGenerator(new MixSpec(base.seed() + 1, total,
                    base.agents(), base.sessionsPerAgent(), base.maliciousShare(), 1)), rate);
            final double seconds = (System.nanoTime() - start) / 1e9;
            awaitProgress("events read by the engine", () -> counters.events(), (long) warm + offered);
            awaitProgress("events released by the reorder buffers", () -> -counters.heldEvents(), 0);
            awaitProgress("alerts consumed", timer::consumed, counters.alerts());
            final double cpu = (cpuNanos() - cpuStart) / 1e9;
            final long[] sorted = timer.sorted();
            final long[] raised = timer.sortedToEngine();
            final String note = String.format("p50 %.1f ms, p99 %.1f ms, max %.1f ms over %,d alerts (publish -> "
                            + "read_committed consumer; publish -> raised by the engine p50 %.1f ms, p99 %.1f ms); "
                            + "offered %,d events/s; %d partitions, %s, acks=all, "
                            + "exactly_once_v2 (commit.interval.ms 100), allowed lateness %d ms; this JVM used %.1f "
                            + "CPU s over %.1f s",
                    percentile(sorted, 0.50) / 1e6, percentile(sorted, 0.99) / 1e6,
                    sorted.length == 0 ? 0 : sorted[sorted.length - 1] / 1e6, sorted.length,
                    percentile(raised, 0.50) / 1e6, percentile(raised, 0.99) / 1e6, rate,
                    options.partitions(), options.compression(), options.allowedLateness().toMillis(), cpu,
                    (System.nanoTime() - start) / 1e9);
            return new StageResult("6a", "Kafka: event -> alert latency, all detections", offered,
                    offered / seconds, heapUsed(), StageTable.gcMillis() - gcStart, note);
        } finally {
            timer.stop();
            consumer.join(TimeUnit.SECONDS.toMillis(30));
            deleteTopics(topics, "latency");
        }
    }

    /**
     * Publishes every event of {@code mix} in batches of {@code rate / 100}, one batch every 10 ms
     * on a fixed schedule (open loop), each event stamped with its batch's wall-clock time; returns
     * how many were published.
     */
    private int offer(final KafkaEventPublisher publisher, final EventMixGenerator mix, final int rate)
            throws IOException {
        final int batch = rate / BATCHES_PER_SECOND;
        final long interval = 1_000_000_000L / BATCHES_PER_SECOND;
        final long start = System.nanoTime();
        int published = 0;
        for (long k = 0; mix.hasNext(); k++) {
            final long planned = start + k * interval;
            for (long wait = planned - System.nanoTime(); wait > 0; wait = planned - System.nanoTime()) {
                LockSupport.parkNanos(wait);
            }
            final long stamp = wallNanos();
            for (int i = 0; i < batch && mix.hasNext(); i++) {
                publisher.publish(mix.next().toBuilder().time(stamp).build());
                published++;
            }
        }
        return published;
    }

    /** Consumes the alerts topic (committed transactions) and times alerts of immediate rules against their event time. */
    private final class AlertTimer implements Runnable {
        private final String topic;
        private final Set<String> immediate;
        private final AtomicLong consumed = new AtomicLong();
        private volatile boolean running = true;
        private volatile long measureFrom = Long.MAX_VALUE;
        private long[] latencies = new long[1024];
        private long[] toEngine = new long[1024];
        private int count;

        AlertTimer(final String topic, final Set<String> immediate) {
            this.topic = topic;
            this.immediate = immediate;
        }

        long consumed() {
            return consumed.get();
        }

        /** Times the alerts of events stamped at or after {@code epochNanos}. */
        void measureFrom(final long epochNanos) {
            measureFrom = epochNanos;
        }

        void stop() {
            running = false;
        }

        @Override
        public void run() {
            final Properties config = new Properties();
            config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, options.bootstrap());
            config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
            try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config, new StringDeserializer(),
                    new StringDeserializer())) {
                final List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                        .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
                consumer.assign(partitions);
                consumer.seekToBeginning(partitions);
                while (running) {
                    for (final ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(100))) {
                        time(record.value(), record.timestamp(), wallNanos());
                        consumed.incrementAndGet();
                    }
                }
            }
        }

        private void time(final String json, final long raisedMillis, final long now) {
            final Matcher rule = RULE_ID.matcher(json);
            final Matcher time = TIME.matcher(json);
            if (rule.find() && immediate.contains(rule.group(1)) && time.find()) {
                final Instant at = Instant.parse(time.group(1));
                final long stamp = at.getEpochSecond() * 1_000_000_000L + at.getNano();
                if (stamp < measureFrom) {
                    return;
                }
                final long latency = now - stamp;
                synchronized (this) {
                    if (count == latencies.length) {
                        latencies = Arrays.copyOf(latencies, count * 2);
                        toEngine = Arrays.copyOf(toEngine, count * 2);
                    }
                    // the record's timestamp is the engine's wall clock when it raised the alert (milliseconds)
                    toEngine[count] = raisedMillis * 1_000_000L - stamp;
                    latencies[count++] = latency;
                }
            }
        }

        synchronized long[] sorted() {
            final long[] copy = Arrays.copyOf(latencies, count);
            Arrays.sort(copy);
            return copy;
        }

        /** Of the same alerts, event stamp to the engine raising the alert (publisher, broker, engine; no commit). */
        synchronized long[] sortedToEngine() {
            final long[] copy = Arrays.copyOf(toEngine, count);
            Arrays.sort(copy);
            return copy;
        }
    }

    // ---- the engine, the publisher, the topics ------------------------------------------------

    private StreamsEngine startEngine(final Topics topics, final Duration lateness) {
        final Properties config = new Properties();
        config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, options.bootstrap());
        config.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId(topics));
        config.put(StreamsConfig.STATE_DIR_CONFIG, options.outDir().resolve("streams-state").toAbsolutePath().toString());
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        // as `peregrine engine --kafka` builds each task's engine (EngineCommand), with the default options
        final EngineFactory factory = state -> {
            final List<Detector> after = new ArrayList<>(BuiltInDetectors.create(DetectionSettings.defaults(), state));
            after.add(new SlopsquatDetector(packages));
            return new DetectionEngine(rules, cep, after, lateness);
        };
        final StreamsEngine engine = StreamsEngine.start(config, factory, topics,
                new EngineSettings(lateness, Duration.ofSeconds(1), Duration.ofSeconds(1), "bench"));
        awaitTrue("the engine running", () -> engine.state() == KafkaStreams.State.RUNNING);
        return engine;
    }

    private KafkaEventPublisher publisher(final Topics topics, final String part) throws IOException {
        return new KafkaEventPublisher(PublisherConfig.of(options.bootstrap(),
                        options.outDir().resolve("event-spool-" + part + "-" + runId))
                .withTopic(topics.events()).withCompression(options.compression()));
    }

    private Topics topics(final String part) {
        final String prefix = "peregrine-bench-" + runId + "-" + part;
        return new Topics(prefix + ".events", prefix + ".alerts", prefix + ".deadletter", options.partitions(),
                (short) 1);
    }

    private String applicationId(final Topics topics) {
        return topics.events().replace(".events", "-engine");
    }

    /** Deletes the part's topics and Kafka Streams' internal ones, so runs against a shared broker leave nothing. */
    private void deleteTopics(final Topics topics, final String part) {
        final Properties config = new Properties();
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, options.bootstrap());
        try (Admin admin = Admin.create(config)) {
            final Set<String> doomed = new HashSet<>(List.of(topics.events(), topics.alerts(), topics.deadLetter()));
            admin.listTopics().names().get(30, TimeUnit.SECONDS).stream()
                    .filter(name -> name.startsWith(applicationId(topics) + "-")).forEach(doomed::add);
            admin.deleteTopics(doomed).all().get(30, TimeUnit.SECONDS);
        } catch (final Exception e) {
            progress("kafka: could not delete the %s topics (%s); they stay on the broker", part, e);
        }
    }

    private Set<String> immediateRuleIds() {
        final Set<String> ids = new HashSet<>();
        rules.activeRules().stream().map(RuleDef::id).forEach(ids::add);
        ids.addAll(cep.ruleIds());
        return ids;
    }

    // ---- waiting, measuring, printing ---------------------------------------------------------

    /**
     * Waits until {@code value} reaches {@code target}; returns the {@link System#nanoTime()} it did.
     * Fails when it has not moved for {@link #STALL_TIMEOUT}: something is stuck, not slow.
     */
    private static long awaitProgress(final String what, final LongSupplier value,
                                      final long target) throws InterruptedException {
        long last = value.getAsLong();
        long lastMove = System.nanoTime();
        while (true) {
            final long now = value.getAsLong();
            if (now >= target) {
                return System.nanoTime();
            }
            if (now != last) {
                last = now;
                lastMove = System.nanoTime();
            } else if (System.nanoTime() - lastMove > STALL_TIMEOUT.toNanos()) {
                throw new IllegalStateException(what + ": stuck at " + now + " of " + target + " for " + STALL_TIMEOUT);
            }
            Thread.sleep(5);
        }
    }

    private static void awaitTrue(final String what, final BooleanSupplier condition) {
        final long deadline = System.nanoTime() + STALL_TIMEOUT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("waited " + STALL_TIMEOUT + " for " + what);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
    }

    /** Epoch nanoseconds on a monotonic clock: what events are stamped with and alerts timed by. */
    private long wallNanos() {
        return wallBase + (System.nanoTime() - nanoBase);
    }

    private static double percentile(final long[] sorted, final double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
    }

    private static long heapUsed() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** CPU time of this JVM, every thread; -1 where the platform does not say. */
    private static long cpuNanos() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getProcessCpuTime() : -1;
    }

    private void progress(final String format, final Object... args) {
        out.printf(format + "%n", args);
        out.flush();
    }
}
