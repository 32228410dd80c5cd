package dev.peregrine.app;

import dev.peregrine.bench.harness.BenchHarness;
import dev.peregrine.bench.harness.KafkaStage;
import dev.peregrine.bench.harness.StageResult;
import dev.peregrine.collector.kafka.PublisherConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.OptionalDouble;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code peregrine bench}: the end-to-end benchmark (parse, replay, rules, the Esper peer, ingest latency). */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Generates a seeded event mix and measures parse-only, replay, per-event rule and Esper-peer "
                + "throughput and ingest-to-alert latency; prints one table (events/s, ratio to parse-only, heap, GC).",
                "Run it on a quiet machine: every figure is wall-clock time. The mix depends on --seed and --events only."})
final class BenchCommand implements Callable<Integer> {

    @Option(names = "--quick", description = "300,000 events and 10 s of latency load: under two minutes. "
            + "Default: the full run (2,000,000 events over 10,000 sessions, 60 s of load), under fifteen minutes.")
    boolean quick;

    @Option(names = "--events", paramLabel = "N", description = "Events in the mix (overrides the run's default).")
    Integer events;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "20261127",
            description = "Seed of the event mix. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--out", paramLabel = "DIR",
            description = "Keep the mix, alerts and rejected lines here. Default: a temporary directory, deleted after.")
    Path out;

    @Option(names = "--falco-rules", paramLabel = "FILE",
            description = "Falco's falco_rules.yaml, evaluated next to the shipped rules. Default: the copy in the "
                    + "source tree (rules-engine/src/test/resources/falco/upstream), when run from a checkout.")
    Path falcoRules;

    @Option(names = "--latency-rate", paramLabel = "EVENTS_PER_S",
            description = "Events per second offered to the ingest API while latency is measured. Default: 10000.")
    Integer latencyRate;

    @Option(names = "--latency-duration", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "How long the latency load runs, e.g. 10s. Default: 10s (--quick), 60s.")
    Duration latencyDuration;

    @Option(names = "--allowed-lateness", paramLabel = "DURATION", converter = DurationConverter.class,
            description = {"The reorder buffer's allowed lateness while latency is measured. Default: 0, so that "
                    + "the figure is the pipeline's own; run's default (2s) holds every event about that long."})
    Duration allowedLateness;

    @Option(names = "--kafka", paramLabel = "HOST:PORT",
            description = {"Also run stage 6 through this Kafka broker: the mix published by the collector's publisher "
                    + "and detected on by the Kafka Streams engine (throughput), then event-to-alert latency at "
                    + "--latency-rate. Start a broker with docker/stack.sh or the testbed's KafkaBroker."})
    String kafka;

    @Option(names = "--kafka-only", description = "Run stage 6 alone (needs --kafka).")
    boolean kafkaOnly;

    @Option(names = "--kafka-partitions", paramLabel = "N", defaultValue = "6",
            description = "Partitions of stage 6's topics. Default: ${DEFAULT-VALUE}, as `peregrine engine`.")
    int kafkaPartitions;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (events != null && events < 1) {
            throw new UsageException("--events must be at least 1, got " + events);
        }
        if (falcoRules != null && !Files.isRegularFile(falcoRules)) {
            throw new UsageException("--falco-rules " + falcoRules + ": no such file");
        }
        final Path dir = out != null ? out : Files.createTempDirectory("peregrine-bench-");
        BenchHarness.Options options = quick ? BenchHarness.Options.quick(seed, dir) : BenchHarness.Options.full(seed, dir);
        if (events != null) {
            options = options.withEvents(events);
        }
        if (falcoRules != null) {
            options = options.withFalcoRules(falcoRules);
        }
        if (latencyRate != null || latencyDuration != null) {
            try {
                options = options.withLatencyLoad(latencyRate != null ? latencyRate : options.latencyRate(),
                        latencyDuration != null ? latencyDuration : options.latencyDuration());
            } catch (final IllegalArgumentException e) {
                throw new UsageException("--latency-rate must be at least 100 and --latency-duration positive: "
                        + e.getMessage());
            }
        }
        if (allowedLateness != null) {
            try {
                options = options.withAllowedLateness(allowedLateness);
            } catch (final IllegalArgumentException e) {
                throw new UsageException("--allowed-lateness must not be negative: " + e.getMessage());
            }
        }
        if (kafkaOnly && kafka == null) {
            throw new UsageException("--kafka-only needs --kafka HOST:PORT");
        }
        final PrintWriter stdout = spec.commandLine().getOut();
        try {
            OptionalDouble ceiling = OptionalDouble.empty();
            if (!kafkaOnly) {
                final List<StageResult> rows = BenchHarness.run(options, stdout);
                ceiling = rows.stream().filter(row -> row.id().equals("1")).mapToDouble(StageResult::eventsPerSecond)
                        .findFirst();
            }
            if (kafka != null) {
                final KafkaStage.Options stage;
                try {
                    stage = new KafkaStage.Options(kafka, options.mix(), kafkaPartitions,
                            PublisherConfig.DEFAULT_COMPRESSION, options.latencyRate(), options.latencyDuration(),
                            options.allowedLateness(), dir);
                } catch (final IllegalArgumentException e) {
                    throw new UsageException("--kafka / --kafka-partitions: " + e.getMessage());
                }
                KafkaStage.run(stage, ceiling, stdout);
            }
        } finally {
            if (out == null) {
                deleteRecursively(dir);
            }
        }
        return ExitCode.OK;
    }

    private static void deleteRecursively(final Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.delete(path);
                } catch (final IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
