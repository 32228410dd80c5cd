package dev.peregrine.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.peregrine.engine.streams.DeadLetterHeaders;
import dev.peregrine.engine.streams.StreamsEngine;
import dev.peregrine.testbed.KafkaBroker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The distributed runner on a real KRaft broker: a multi-session trace published by
 * {@code peregrine collector}, detected on by {@code peregrine engine} (Kafka Streams) and
 * delivered by {@code peregrine alerter} gives the alerts {@code peregrine replay} gives on the
 * same files — ids, rules, counts and every other field — with the sessions spread over several
 * partitions, whose alerts reach the alerter interleaved in no particular order.
 */
class DistributedModeMatchesReplayTest {

    private static final Path INCIDENT = Path.of("..", "examples", "incident-credential-theft");
    private static final int SESSIONS = 3;
    // as many as sessions: the alerter gets the sessions' alerts from several partitions, interleaved
    private static final int PARTITIONS = 3;

    @TempDir
    Path dir;

    @Test
    void collectorEngineAndAlerterOnABrokerRaiseTheAlertsOfAReplay() throws Exception {
        final List<String> files = multiSessionTrace();
        final long events = countLines(files);
        final List<String> replayArgs = new ArrayList<>(List.of("replay", "--stdout-format", "json",
                "--dead-letter", dir.resolve("dl-replay.ndjson").toString()));
        replayArgs.addAll(files);
        final CommandLineRun replay = CommandLineRun.of(replayArgs.toArray(String[]::new));
        assertThat(replay.exitCode()).as(replay.stderr()).isZero();
        final List<String> expected = replay.stdout().lines().sorted().toList();
        assertThat(expected).as("every session raises its alerts")
                .anyMatch(line -> line.contains("\"session\":\"s-8f2c-1\""))
                .anyMatch(line -> line.contains("\"session\":\"s-8f2c-" + SESSIONS + "\""));

        assertThat(IntStream.rangeClosed(1, SESSIONS).map(session -> Utils.toPositive(Utils.murmur2(
                ("s-8f2c-" + session).getBytes(StandardCharsets.UTF_8))) % PARTITIONS).distinct().count())
                .as("the sessions land in more than one partition").isGreaterThan(1);

        try (KafkaBroker kafka = KafkaBroker.start()) {
            final String bootstrap = kafka.bootstrapServers();
            final BackgroundCommand<EngineCommand> engine = BackgroundCommand.start("engine", "--kafka", bootstrap,
                    "--application-id", "peregrine-engine-it", "--partitions", Integer.toString(PARTITIONS),
                    "--state-dir", dir.resolve("streams-state").toString(), "--idle-after", "1s", "--http-port", "0");
            final BackgroundCommand<AlerterCommand> alerter = BackgroundCommand.start("alerter", "--kafka", bootstrap,
                    "--stdout-format", "json", "--group-id", "peregrine-alerter-it", "--spool-dir", dir.resolve("alert-spool").toString(),
                    "--http-port", "0");
            try {
                await("engine started").atMost(Duration.ofMinutes(1)).until(() -> engine.command().streams() != null);
                final List<String> collectorArgs = new ArrayList<>(List.of("collector", "--kafka", bootstrap,
                        "--event-spool-dir", dir.resolve("event-spool").toString(),
                        "--dead-letter", dir.resolve("dl-collector.ndjson").toString(), "--http-port", "0"));
                collectorArgs.addAll(files);
                final CommandLineRun collector = CommandLineRun.of(collectorArgs.toArray(String[]::new));
                assertThat(collector.exitCode()).as(collector.stderr()).isZero();
                assertThat(collector.stderr()).contains(events + " published, 0 still spooled");

                // an alert record nobody can read: kept on the dead-letter topic with its reason, not delivered
                try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(kafka.clientConfig(),
                        new StringSerializer(), new ByteArraySerializer())) {
                    producer.send(new ProducerRecord<>("peregrine.alerts", "bad", "{\"rule\":".getBytes(
                            StandardCharsets.UTF_8))).get();
                }

                final StreamsEngine streams = engine.command().streams();
                // every event detected on and none left in a reorder buffer, every alert handed to the alerter
                await("alerts through").atMost(Duration.ofMinutes(1)).until(() ->
                        streams.counters().events() == events && streams.counters().heldEvents() == 0
                                && alerter.command().consumed() == streams.counters().alerts()
                                && alerter.command().deadLettered() == 1);
                assertThat(streams.counters().deadLetters()).isZero();
                final ConsumerRecord<String, byte[]> deadLetter = deadLetters(kafka).get(0);
                assertThat(DeadLetterHeaders.get(deadLetter.headers(), DeadLetterHeaders.REASON))
                        .isEqualTo("malformed_alert");
                assertThat(DeadLetterHeaders.get(deadLetter.headers(), DeadLetterHeaders.TOPIC))
                        .isEqualTo("peregrine.alerts");
                assertThat(new String(deadLetter.value(), StandardCharsets.UTF_8)).isEqualTo("{\"rule\":");
            } finally {
                alerter.stop();
                engine.stop();
            }
            assertThat(alerter.exitCode()).as(alerter.stderr()).isZero();
            assertThat(engine.exitCode()).as(engine.stderr()).isZero();
            assertThat(alerter.stdout().lines().sorted().toList()).isEqualTo(expected);
        }
    }

    private static List<ConsumerRecord<String, byte[]>> deadLetters(final KafkaBroker kafka) {
        final Map<String, Object> config = kafka.clientConfig();
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        final List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(config, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            final List<TopicPartition> partitions = consumer.partitionsFor("peregrine.deadletter").stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            await("dead letter").atMost(Duration.ofSeconds(30)).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
                return !records.isEmpty();
            });
        }
        return records;
    }

    /** The incident once per session: three sessions of the same agent, interleaved in event time. */
    private List<String> multiSessionTrace() throws Exception {
        final List<String> files = new ArrayList<>();
        for (int session = 1; session <= SESSIONS; session++) {
            for (final String name : List.of("agent-events.ndjson", "os-events.ndjson")) {
                final String text = Files.readString(INCIDENT.resolve(name), StandardCharsets.UTF_8)
                        .replace("\"s-8f2c\"", "\"s-8f2c-" + session + "\"");
                final Path file = dir.resolve(session + "-" + name);
                Files.writeString(file, text, StandardCharsets.UTF_8);
                files.add(file.toString());
            }
        }
        return files;
    }

    private static long countLines(final List<String> files) throws Exception {
        long lines = 0;
        for (final String file : files) {
            lines += Files.readAllLines(Path.of(file)).stream().filter(line -> !line.isBlank()).count();
        }
        return lines;
    }
}
