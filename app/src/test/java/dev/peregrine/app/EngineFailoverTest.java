package dev.peregrine.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.peregrine.testbed.KafkaBroker;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two {@code peregrine engine} processes share a six-partition events topic; one is killed with
 * SIGKILL while events still flow. The survivor takes over its partitions with their state: no
 * alert is lost (the delivered alerts are a replay's, ids and counts included), none is raised
 * twice (each alert id once on the alerts topic), and each agent's volume spike, whose baseline
 * the dead engine had learned, is still detected right after the failover. The engines keep the
 * default reorder buffer: events the dead one still held are in its tasks' stores, and the
 * survivor detects on them.
 */
class EngineFailoverTest {

    private static final int PARTITIONS = 6;
    private static final String APPLICATION_ID = "peregrine-failover-it";
    private static final Instant START = Instant.parse("2026-11-24T10:00:00Z");
    // 70 minutes at 3 events a minute: past volume_spike's one-hour warm-up, with a baseline of about 3
    private static final int BASELINE_MINUTES = 70;
    private static final int SPIKE_EVENTS = 60;

    @TempDir
    Path dir;

    @Test
    void killingOneOfTwoEnginesMidStreamLosesNoAlertDuplicatesNoneAndKeepsItsBaselines() throws Exception {
        final List<String> sessions = oneSessionPerPartition();
        final List<Line> baseline = new ArrayList<>();
        final List<Line> spike = new ArrayList<>();
        for (int agent = 0; agent < sessions.size(); agent++) {
            for (int minute = 0; minute < BASELINE_MINUTES; minute++) {
                for (final int second : new int[] {5, 25, 45}) {
                    baseline.add(event(agent, sessions.get(agent), START.plusSeconds(minute * 60L + second + agent)));
                }
            }
            for (int i = 0; i < SPIKE_EVENTS; i++) {
                spike.add(event(agent, sessions.get(agent), START.plusSeconds(BASELINE_MINUTES * 60L + i)
                        .plusMillis(agent)));
            }
        }
        baseline.sort(Comparator.comparing(Line::time));
        spike.sort(Comparator.comparing(Line::time));
        final Path trace = dir.resolve("trace.ndjson");
        final List<Line> all = new ArrayList<>(baseline);
        all.addAll(spike);
        Files.write(trace, all.stream().map(Line::json).toList(), StandardCharsets.UTF_8);

        final CommandLineRun replay = CommandLineRun.of("replay", "--stdout-format", "json",
                "--dead-letter", dir.resolve("dl-replay.ndjson").toString(), trace.toString());
        assertThat(replay.exitCode()).as(replay.stderr()).isZero();
        final List<String> expected = replay.stdout().lines().sorted().toList();
        assertThat(expected.stream().filter(line -> line.contains("\"rule_id\":\"volume_spike\"")))
                .as("every agent's spike is found by a replay").hasSize(PARTITIONS);

        try (KafkaBroker kafka = KafkaBroker.start();
             PeregrineProcess first = engine(kafka, "a");
             PeregrineProcess alerter = PeregrineProcess.start(dir.resolve("alerter.out"), Map.of(), List.of(
                     "alerter", "--kafka", kafka.bootstrapServers(), "--stdout-format", "json",
                     "--group-id", "peregrine-failover-alerter", "--spool-dir", dir.resolve("spool").toString(),
                     "--http-port", "0"))) {
            first.awaitLog("engine started");
            try (PeregrineProcess second = engine(kafka, "b")) {
                // the second engine only gets tasks once the group has split the partitions between the two
                second.awaitLog("engine started");
                try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerConfig(kafka),
                        new StringSerializer(), new StringSerializer())) {
                    publish(producer, baseline);
                    awaitCaughtUp(kafka, APPLICATION_ID, "peregrine.events", Duration.ofSeconds(60));
                    publish(producer, spike.subList(0, spike.size() / 3));
                    first.close(); // SIGKILL: no commit, no graceful hand-over
                    publish(producer, spike.subList(spike.size() / 3, spike.size()));
                }
                // the survivor restores the dead engine's tasks (state from the changelog) and detects on
                awaitCaughtUp(kafka, APPLICATION_ID, "peregrine.events", Duration.ofSeconds(90));
                await("every spike").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                        .until(() -> spikesOnTopic(kafka) == PARTITIONS);
                awaitAlerterCaughtUp(kafka);
                // SIGTERM: the alerter's shutdown hook closes its sinks, which delivers the open windows' summaries
                alerter.terminate();
                second.terminate();
            }
            final Map<String, Long> perId = alertIds(kafka);
            assertThat(perId).as("each alert raised once").allSatisfy((id, count) -> assertThat(count).isOne());
            assertThat(alerter.stdoutLines().stream().sorted().toList()).isEqualTo(expected);
        }
    }

    private PeregrineProcess engine(final KafkaBroker kafka, final String name) throws IOException {
        return PeregrineProcess.start(dir.resolve("engine-" + name + ".out"), Map.of(), List.of("engine",
                "--kafka", kafka.bootstrapServers(), "--application-id", APPLICATION_ID,
                "--partitions", Integer.toString(PARTITIONS), "--state-dir", dir.resolve("state-" + name).toString(),
                "--session-timeout", "6s", "--idle-after", "1s", "--http-port", "0"));
    }


    /** Session names whose records land one in each partition, as the default partitioner places keys. */
    private static List<String> oneSessionPerPartition() {
        final Map<Integer, String> byPartition = new HashMap<>();
        for (int i = 0; byPartition.size() < PARTITIONS; i++) {
            final String session = "s-failover-" + i;
            byPartition.putIfAbsent(Utils.toPositive(Utils.murmur2(session.getBytes(StandardCharsets.UTF_8)))
                    % PARTITIONS, session);
        }
        return new TreeSet<>(byPartition.keySet()).stream().map(byPartition::get).toList();
    }

    private record Line(Instant time, String session, String json) {
    }

    private static Line event(final int agent, final String session, final Instant time) {
        return new Line(time, session, "{\"time\":\"" + time + "\",\"agent\":\"agent-" + agent + "\",\"session\":\""
                + session + "\",\"sandbox\":\"sbx-" + agent + "\",\"host\":\"sandbox-host-1\",\"user\":\"alice\","
                + "\"type\":\"tool_call\",\"tool\":\"fs\",\"action\":\"read\",\"resource\":\"/workspace/README.md\","
                + "\"outcome\":\"allowed\"}");
    }

    private static void publish(final KafkaProducer<String, String> producer, final List<Line> lines) {
        for (final Line line : lines) {
            producer.send(new ProducerRecord<>("peregrine.events", line.session(), line.json()));
        }
        producer.flush();
    }

    private static Map<String, Object> producerConfig(final KafkaBroker kafka) {
        final Map<String, Object> config = kafka.clientConfig();
        config.put("enable.idempotence", true);
        config.put("acks", "all");
        return config;
    }

    /** Until consumer group {@code group} has committed every record of {@code topic} written so far. */
    private static void awaitCaughtUp(final KafkaBroker kafka, final String group, final String topic,
                                      final Duration atMost) {
        try (Admin admin = kafka.admin()) {
            await(group + " caught up on " + topic).atMost(atMost).pollInterval(Duration.ofMillis(300)).until(() -> {
                final Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                        .partitionsToOffsetAndMetadata().get();
                final Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
                for (int p = 0; p < PARTITIONS; p++) {
                    latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
                }
                final var ends = admin.listOffsets(latest).all().get();
                return ends.entrySet().stream().allMatch(end -> end.getValue().offset() == 0
                        || committed.containsKey(end.getKey())
                        && committed.get(end.getKey()).offset() >= end.getValue().offset());
            });
        }
    }

    /**
     * Until the alerter has committed past every committed alert record (the topic's end offset
     * is further on: transaction markers are never consumed as records).
     */
    private static void awaitAlerterCaughtUp(final KafkaBroker kafka) {
        final Map<TopicPartition, Long> next = new HashMap<>();
        for (final ConsumerRecord<String, String> record : alertRecords(kafka)) {
            next.merge(new TopicPartition(record.topic(), record.partition()), record.offset() + 1, Math::max);
        }
        try (Admin admin = kafka.admin()) {
            await("alerter caught up").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(300)).until(() -> {
                final Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(
                        "peregrine-failover-alerter").partitionsToOffsetAndMetadata().get();
                return next.entrySet().stream().allMatch(end -> committed.containsKey(end.getKey())
                        && committed.get(end.getKey()).offset() >= end.getValue());
            });
        }
    }

    /** The volume_spike alerts on the alerts topic. */
    private static long spikesOnTopic(final KafkaBroker kafka) {
        return alertRecords(kafka).stream().map(ConsumerRecord::value)
                .filter(json -> json.contains("\"rule_id\":\"volume_spike\"")).count();
    }

    /** How many times each alert id is on the alerts topic, committed transactions only. */
    private static Map<String, Long> alertIds(final KafkaBroker kafka) {
        return alertRecords(kafka).stream().map(record -> record.value().replaceAll(".*\"id\":\"([^\"]+)\".*", "$1"))
                .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
    }

    /** Every alert record's JSON on the alerts topic, committed transactions only. */
    private static List<ConsumerRecord<String, String>> alertRecords(final KafkaBroker kafka) {
        final Map<String, Object> config = kafka.clientConfig();
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        final List<ConsumerRecord<String, String>> records = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config, new StringDeserializer(),
                new StringDeserializer())) {
            final List<TopicPartition> partitions = consumer.partitionsFor("peregrine.alerts").stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            final Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            final long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < ends.get(p))
                    && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        return records;
    }
}
