package dev.peregrine.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.peregrine.testbed.KafkaBroker;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A broker restart while a collector sends loses no event and doubles none: a {@code peregrine
 * collector} process follows a file that the test keeps appending to, a {@code peregrine engine}
 * process detects on the events topic, and the broker is killed with SIGKILL mid-stream, restarted
 * on the same data directory, then stopped gracefully and restarted again, while events keep
 * coming. Every event carries a unique resource and a rule matches every event, so the alerts
 * topic (committed transactions only) names each event the engine processed: every event written
 * is named exactly once.
 */
class BrokerRestartEndToEndTest {

    private static final int PARTITIONS = 3;
    private static final int SESSIONS = 12;
    private static final String APPLICATION_ID = "peregrine-broker-restart-it";
    private static final Instant START = Instant.parse("2026-11-27T09:00:00Z");
    private static final Pattern EVENT_ID = Pattern.compile("\"output\":\"tool call resource=/workspace/e-(\\d+)\"");
    private static final Pattern ALERT_ID = Pattern.compile("\"id\":\"([^\"]+)\",\"rule_id\"");
    // the writer's pace: a steady trickle (about 1,000 events/s) that goes on through every outage
    private static final int LINES_PER_BATCH = 20;
    private static final long BATCH_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    @TempDir
    Path dir;

    @Test
    void killingAndStoppingTheBrokerWhileTheCollectorSendsLosesAndDoublesNoEvent() throws Exception {
        final Path trace = dir.resolve("events.ndjson");
        Files.createFile(trace);
        try (KafkaBroker kafka = KafkaBroker.start();
             PeregrineProcess engine = PeregrineProcess.start(dir.resolve("engine.out"), Map.of(), List.of("engine",
                     "--kafka", kafka.bootstrapServers(), "--application-id", APPLICATION_ID,
                     "--partitions", Integer.toString(PARTITIONS), "--state-dir", dir.resolve("state").toString(),
                     "--rules", rules().toString(), "--idle-after", "1s", "--http-port", "0"));
             PeregrineProcess collector = PeregrineProcess.start(dir.resolve("collector.out"), Map.of(), List.of(
                     "collector", "--kafka", kafka.bootstrapServers(), "--follow", trace.toString(),
                     "--event-spool-dir", dir.resolve("event-spool").toString(),
                     "--dead-letter", dir.resolve("dl-collector.ndjson").toString(), "--http-port", "0"))) {
            engine.awaitLog("engine started");
            collector.awaitLog("publishing to");
            final Seen seen = new Seen();
            final Thread reader = new Thread(() -> seen.follow(kafka), "alerts-reader");
            final AppendingWriter writer = new AppendingWriter(trace);
            final Thread writing = new Thread(writer, "trace-writer");
            reader.start();
            writing.start();
            try {
                await("events flowing").atMost(Duration.ofMinutes(2)).until(() -> seen.events() >= 300);

                kafka.kill(); // SIGKILL: no flush, no clean shutdown, producers and transactions cut off
                final int atKill = writer.written();
                await("events written while the broker is dead").atMost(Duration.ofMinutes(1))
                        .until(() -> writer.written() >= atKill + 2_000);
                kafka.restart();
                await("events written before and after the crash, through").atMost(Duration.ofMinutes(3))
                        .until(() -> seen.events() >= atKill + 500);

                kafka.stop(); // SIGTERM: a clean shutdown while events are in flight
                final int atStop = writer.written();
                await("events written while the broker is stopped").atMost(Duration.ofMinutes(1))
                        .until(() -> writer.written() >= atStop + 2_000);
                kafka.restart();
                await("events written before and after the stop, through").atMost(Duration.ofMinutes(3))
                        .until(() -> seen.events() >= atStop + 500);
            } finally {
                writer.stop();
                writing.join();
            }
            final int written = writer.written();
            try {
                await("every event processed").atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500))
                        .until(() -> seen.events() >= written);
                // once the engine has committed past every event record, no late duplicate can still come
                awaitCaughtUp(kafka, Duration.ofMinutes(2));
            } finally {
                seen.stop();
                reader.join();
            }
            // SIGTERM: the JVMs exit with 143, as any JVM stopped by a signal does
            collector.terminate();
            engine.terminate();

            final List<String> alerts = committedAlerts(kafka);
            final Map<Integer, Integer> perEvent = new HashMap<>();
            final Map<String, Integer> perAlert = new HashMap<>();
            for (final String json : alerts) {
                final Matcher event = EVENT_ID.matcher(json);
                if (event.find()) {
                    perEvent.merge(Integer.parseInt(event.group(1)), 1, Integer::sum);
                    final Matcher id = ALERT_ID.matcher(json);
                    assertThat(id.find()).as("an alert id in %s", json).isTrue();
                    perAlert.merge(id.group(1), 1, Integer::sum);
                }
            }
            assertThat(perEvent).as("every event written was processed").hasSize(written);
            assertThat(perEvent.keySet()).allSatisfy(n -> assertThat(n).isBetween(0, written - 1));
            assertThat(perEvent).as("no event processed twice").allSatisfy((n, times) -> assertThat(times).isOne());
            assertThat(perAlert).as("no alert raised twice").hasSize(written)
                    .allSatisfy((id, times) -> assertThat(times).isOne());
            assertThat(Files.exists(dir.resolve("dl-collector.ndjson"))).as("no line rejected").isFalse();
        }
    }

    private Path rules() throws IOException {
        final Path file = dir.resolve("every-tool-call.yaml");
        try (var in = getClass().getResourceAsStream("/rules/every-tool-call.yaml")) {
            Files.copy(in, file);
        }
        return file;
    }

    /** Appends tool-call events, each naming a unique resource {@code /workspace/e-N}, until stopped. */
    private static final class AppendingWriter implements Runnable {
        private final Path file;
        private final AtomicInteger written = new AtomicInteger();
        private final AtomicBoolean running = new AtomicBoolean(true);

        AppendingWriter(final Path file) {
            this.file = file;
        }

        int written() {
            return written.get();
        }

        void stop() {
            running.set(false);
        }

        @Override
        public void run() {
            try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.APPEND)) {
                final long start = System.nanoTime();
                for (long batch = 0; running.get(); batch++) {
                    final StringBuilder lines = new StringBuilder();
                    for (int i = 0; i < LINES_PER_BATCH; i++) {
                        lines.append(event(written.get() + i)).append('\n');
                    }
                    out.write(lines.toString());
                    out.flush();
                    written.addAndGet(LINES_PER_BATCH);
                    LockSupport.parkNanos(start + (batch + 1) * BATCH_INTERVAL_NANOS - System.nanoTime());
                }
            } catch (final IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        private static String event(final int n) {
            final int session = n % SESSIONS;
            return "{\"time\":\"" + START.plusMillis(n) + "\",\"agent\":\"agent-" + session % 4 + "\",\"session\":"
                    + "\"s-restart-" + session + "\",\"sandbox\":\"sbx-" + session + "\",\"host\":\"sandbox-host-1\","
                    + "\"user\":\"alice\",\"type\":\"tool_call\",\"tool\":\"fs\",\"action\":\"read\","
                    + "\"resource\":\"/workspace/e-" + n + "\",\"outcome\":\"allowed\"}";
        }
    }

    /** Follows the alerts topic (committed transactions), through outages, and counts the events named. */
    private static final class Seen {
        private final Map<Integer, Boolean> events = new ConcurrentHashMap<>();
        private final AtomicBoolean running = new AtomicBoolean(true);

        int events() {
            return events.size();
        }

        void stop() {
            running.set(false);
        }

        void follow(final KafkaBroker kafka) {
            try (KafkaConsumer<String, String> consumer = consumer(kafka)) {
                final List<TopicPartition> partitions = alertPartitions(consumer);
                consumer.assign(partitions);
                consumer.seekToBeginning(partitions);
                while (running.get()) {
                    for (final ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                        final Matcher event = EVENT_ID.matcher(record.value());
                        if (event.find()) {
                            events.put(Integer.parseInt(event.group(1)), Boolean.TRUE);
                        }
                    }
                }
            }
        }
    }

    private static KafkaConsumer<String, String> consumer(final KafkaBroker kafka) {
        final Map<String, Object> config = kafka.clientConfig();
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        return new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer());
    }

    private static List<TopicPartition> alertPartitions(final KafkaConsumer<String, String> consumer) {
        return consumer.partitionsFor("peregrine.alerts").stream()
                .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
    }

    /** Every committed alert record's JSON, read from the beginning to the current end. */
    private static List<String> committedAlerts(final KafkaBroker kafka) {
        final List<String> records = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = consumer(kafka)) {
            final List<TopicPartition> partitions = alertPartitions(consumer);
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            final Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            await("alerts read").atMost(Duration.ofMinutes(1)).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(record -> records.add(record.value()));
                return partitions.stream().allMatch(p -> consumer.position(p) >= ends.get(p));
            });
        }
        return records;
    }

    /** Until the engine's group has committed every record of the events topic written so far. */
    private static void awaitCaughtUp(final KafkaBroker kafka, final Duration atMost) {
        try (Admin admin = kafka.admin()) {
            await("engine caught up").atMost(atMost).pollInterval(Duration.ofMillis(300)).until(() -> {
                final Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(APPLICATION_ID)
                        .partitionsToOffsetAndMetadata().get();
                final Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
                for (int p = 0; p < PARTITIONS; p++) {
                    latest.put(new TopicPartition("peregrine.events", p), OffsetSpec.latest());
                }
                return admin.listOffsets(latest).all().get().entrySet().stream()
                        .allMatch(end -> end.getValue().offset() == 0 || committed.containsKey(end.getKey())
                                && committed.get(end.getKey()).offset() >= end.getValue().offset());
            });
        }
    }
}
