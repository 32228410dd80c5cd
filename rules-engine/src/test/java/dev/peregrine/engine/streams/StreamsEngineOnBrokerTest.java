package dev.peregrine.engine.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.peregrine.collector.event.Event;
import dev.peregrine.testbed.KafkaBroker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine on a real KRaft broker with exactly-once: the alerts of the embedded engine, ids
 * included, and a baseline restored from the changelog into an instance with no local state.
 */
class StreamsEngineOnBrokerTest {

    private static final EngineSettings SETTINGS = new EngineSettings(EngineFixture.LATENESS, Duration.ofSeconds(1),
            Duration.ofMillis(200), "it-host");
    // One partition: the per-agent detections (volume, resources, budget) then see every session of an agent,
    // as the single embedded engine does. Scaling out over partitions is the next slice's test.
    private static final Topics TOPICS = Topics.DEFAULT.withPartitions(1);

    @TempDir
    Path dir;

    @Test
    void alertsOnTheBrokerEqualTheEmbeddedOnesAndABaselineSurvivesLosingTheLocalState() throws Exception {
        final List<Event> learning = EngineFixture.learningTrace();
        final List<String> expected = EngineFixture.embeddedAlerts(learning);
        final List<Event> spike = EngineFixture.spikeAfterLearning();
        final List<Event> learningThenSpike = new ArrayList<>(learning);
        learningThenSpike.addAll(spike);
        final List<String> spikeAlert = EngineFixture.embeddedAlerts(learningThenSpike).stream()
                .filter(a -> a.contains("\"rule_id\":\"volume_spike\"")).toList();
        try (KafkaBroker kafka = KafkaBroker.start();
             KafkaConsumer<String, byte[]> alerts = consumer(kafka)) {
            final List<ConsumerRecord<String, byte[]>> seen = new ArrayList<>();

            try (StreamsEngine engine = StreamsEngine.start(config(kafka, dir.resolve("state-1")),
                    EngineFixture.factory(), TOPICS, SETTINGS)) {
                try (var admin = kafka.admin()) {
                    assertThat(admin.describeTopics(List.of(TOPICS.events(), TOPICS.alerts(), TOPICS.deadLetter()))
                            .allTopicNames().get().values()).as("created at start-up with the configured partitions")
                            .allSatisfy(topic -> assertThat(topic.partitions()).hasSize(TOPICS.partitions()));
                }
                produce(kafka, learning);
                assign(alerts);
                // All read and none left in the reorder buffer: closing earlier would leave the last events unseen.
                await().atMost(Duration.ofMinutes(2)).until(() -> poll(alerts, seen) >= expected.size()
                        && engine.counters().events() == learning.size() && engine.counters().heldEvents() == 0);
                assertThat(engine.state()).isEqualTo(KafkaStreams.State.RUNNING);
                assertThat(engine.counters().deadLetters()).isZero();
            }
            assertThat(json(seen)).isEqualTo(expected);
            assertThat(seen).allSatisfy(r -> assertThat(json(r)).contains("\"session\":\"" + r.key() + "\""));

            // A new instance with an empty state directory: the baseline can only come from the changelog.
            seen.clear();
            try (StreamsEngine restarted = StreamsEngine.start(config(kafka, dir.resolve("state-2")),
                    EngineFixture.factory(), TOPICS, SETTINGS)) {
                produce(kafka, spike);
                await().atMost(Duration.ofMinutes(2)).until(() -> {
                    poll(alerts, seen);
                    return json(seen).stream().anyMatch(a -> a.contains("\"rule_id\":\"volume_spike\""))
                            && restarted.counters().events() >= spike.size();
                });
                assertThat(restarted.counters().events()).as("the first run's events are not read again")
                        .isEqualTo(spike.size());
            }
            // The very alert the embedded engine raises when it saw the learning trace and the spike in one run.
            assertThat(spikeAlert).singleElement().asString().contains("\"baseline\":");
            assertThat(json(seen)).filteredOn(a -> a.contains("\"rule_id\":\"volume_spike\"")).isEqualTo(spikeAlert);
        }
    }

    private static Properties config(final KafkaBroker kafka, final Path stateDir) {
        final Properties config = new Properties();
        config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        config.put(StreamsConfig.APPLICATION_ID_CONFIG, "peregrine-engine-it");
        config.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        config.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 1);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        // A closed Streams member stays in the group until its session expires (4.1 sends no leave for
        // dynamic members); the broker's minimum keeps the second instance's wait for its partition short.
        config.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 6000);
        return config;
    }

    private static void produce(final KafkaBroker kafka, final List<Event> events) {
        final Map<String, Object> config = kafka.clientConfig();
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        final EventSerde serde = new EventSerde();
        try (KafkaProducer<String, Event> producer = new KafkaProducer<>(config, new StringSerializer(),
                serde.serializer())) {
            events.forEach(event -> producer.send(new ProducerRecord<>(TOPICS.events(), EngineFixture.key(event), event)));
            producer.flush();
        }
    }

    private static KafkaConsumer<String, byte[]> consumer(final KafkaBroker kafka) {
        final Map<String, Object> config = kafka.clientConfig();
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        return new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer());
    }

    private static void assign(final KafkaConsumer<String, byte[]> consumer) {
        final Set<TopicPartition> partitions = consumer.partitionsFor(TOPICS.alerts()).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition())).collect(Collectors.toSet());
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
    }

    private static int poll(final KafkaConsumer<String, byte[]> consumer, final List<ConsumerRecord<String, byte[]>> into) {
        consumer.poll(Duration.ofMillis(200)).forEach(into::add);
        return into.size();
    }

    private static String json(final ConsumerRecord<String, byte[]> record) {
        return new String(record.value(), StandardCharsets.UTF_8);
    }

    private static List<String> json(final List<ConsumerRecord<String, byte[]>> records) {
        return records.stream().map(StreamsEngineOnBrokerTest::json).toList();
    }
}
