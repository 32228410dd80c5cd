package dev.peregrine.engine.streams;

import static org.assertj.core.api.Assertions.assertThat;

import dev.peregrine.collector.event.Event;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The topology on {@link TopologyTestDriver}: same alerts as the embedded engine, dead letters, restored state. */
class EngineTopologyTest {

    private static final Topics TOPICS = Topics.DEFAULT;
    private static final Instant START = Instant.parse("2026-11-27T12:00:00Z");

    @TempDir
    Path stateDir;

    private final EventSerde events = new EventSerde();
    private TopologyTestDriver driver;
    private EngineCounters counters;
    private TestInputTopic<String, byte[]> input;
    private TestOutputTopic<String, byte[]> alerts;
    private TestOutputTopic<String, byte[]> deadLetters;

    private void open() {
        counters = new EngineCounters();
        final Properties config = StreamsEngine.streamsConfig(new Properties());
        config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:9");
        config.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        driver = new TopologyTestDriver(EngineTopology.build(EngineFixture.factory(), TOPICS, EngineFixture.SETTINGS,
                counters, Stores.inMemoryKeyValueStore(KafkaStreamsStateStore.STORE_NAME)), config, START);
        input = driver.createInputTopic(TOPICS.events(), new StringSerializer(), new ByteArraySerializer());
        alerts = driver.createOutputTopic(TOPICS.alerts(), new StringDeserializer(), new ByteArrayDeserializer());
        deadLetters = driver.createOutputTopic(TOPICS.deadLetter(), new StringDeserializer(), new ByteArrayDeserializer());
    }

    @AfterEach
    void close() {
        if (driver != null) {
            driver.close();
        }
    }

    private void send(final List<Event> trace) {
        trace.forEach(event -> input.pipeInput(EngineFixture.key(event), events.serializer().serialize(TOPICS.events(), event)));
    }

    private List<TestRecord<String, byte[]>> idleAndCollectAlerts() {
        driver.advanceWallClockTime(EngineFixture.SETTINGS.idleAfter());
        return alerts.readRecordsToList();
    }

    private static List<String> json(final List<TestRecord<String, byte[]>> records) {
        return records.stream().map(r -> new String(r.value(), StandardCharsets.UTF_8)).toList();
    }

    @Test
    void aMultiSessionTraceRaisesTheAlertsOfTheEmbeddedEngineIdsIncluded() {
        final List<Event> trace = EngineFixture.multiSessionTrace();
        final List<String> expected = EngineFixture.embeddedAlerts(trace);
        open();

        send(trace);
        final List<TestRecord<String, byte[]>> records = idleAndCollectAlerts();

        assertThat(json(records)).isEqualTo(expected);
        assertThat(json(records)).anyMatch(a -> a.contains("\"rule_id\":\"shell_then_metadata\""));
        assertThat(records).as("keyed by session, as the events are, so one session's alerts stay in order")
                .allSatisfy(r -> assertThat(new String(r.value(), StandardCharsets.UTF_8))
                        .contains("\"session\":\"" + r.key() + "\""));
        assertThat(records).as("stamped when raised, so retention does not drop alerts of replayed old events")
                .allSatisfy(r -> assertThat(r.timestamp()).isGreaterThanOrEqualTo(START.toEpochMilli()));
        assertThat(expected).hasSizeGreaterThan(10);
        assertThat(counters.events()).isEqualTo(trace.size());
        assertThat(counters.alerts()).isEqualTo(expected.size());
        assertThat(counters.heldEvents()).as("the idle flush released every event").isZero();
        assertThat(deadLetters.isEmpty()).isTrue();
    }

    @Test
    void anUnreadableRecordGoesToTheDeadLetterTopicWithReasonAndOriginAndTheRestIsProcessed() {
        final List<Event> trace = EngineFixture.multiSessionTrace();
        final List<String> expected = EngineFixture.embeddedAlerts(trace);
        open();
        final byte[] broken = "{\"evt.time\": \"yesterday\", \"proc.name\": \"bash\"}".getBytes(StandardCharsets.UTF_8);

        send(trace.subList(0, 10));
        input.pipeInput(new TestRecord<>("s-broken", broken, new RecordHeaders().add("trace", "t-1".getBytes(StandardCharsets.UTF_8)),
                START));
        input.pipeInput(new TestRecord<>("s-empty", (byte[]) null));
        send(trace.subList(10, trace.size()));
        final List<TestRecord<String, byte[]>> records = idleAndCollectAlerts();

        assertThat(json(records)).isEqualTo(expected);
        final List<TestRecord<String, byte[]>> dead = deadLetters.readRecordsToList();
        assertThat(dead).hasSize(2);
        final TestRecord<String, byte[]> first = dead.get(0);
        assertThat(first.key()).isEqualTo("s-broken");
        assertThat(first.value()).isEqualTo(broken);
        assertThat(DeadLetterHeaders.get(first.headers(), DeadLetterHeaders.REASON)).isEqualTo("invalid_value");
        assertThat(DeadLetterHeaders.get(first.headers(), DeadLetterHeaders.MESSAGE)).contains("evt.time");
        assertThat(DeadLetterHeaders.get(first.headers(), DeadLetterHeaders.TOPIC)).isEqualTo(TOPICS.events());
        assertThat(DeadLetterHeaders.get(first.headers(), DeadLetterHeaders.PARTITION)).isEqualTo("0");
        assertThat(DeadLetterHeaders.get(first.headers(), DeadLetterHeaders.OFFSET)).isEqualTo("10");
        assertThat(DeadLetterHeaders.get(first.headers(), DeadLetterHeaders.HOST)).isEqualTo("test-host");
        assertThat(DeadLetterHeaders.get(first.headers(), DeadLetterHeaders.SHA256)).hasSize(64);
        assertThat(DeadLetterHeaders.get(first.headers(), "trace")).as("the original headers stay").isEqualTo("t-1");
        assertThat(DeadLetterHeaders.get(dead.get(1).headers(), DeadLetterHeaders.REASON)).isEqualTo("malformed_json");
        assertThat(DeadLetterHeaders.get(dead.get(1).headers(), DeadLetterHeaders.OFFSET)).isEqualTo("11");
        assertThat(counters.deadLetters()).isEqualTo(2);
        assertThat(counters.events()).isEqualTo(trace.size());
    }

    @Test
    void whatTheDetectorsLearnAreWrittenToTheStoresChangelog() {
        open();
        send(EngineFixture.eventsOf("volume_spike/steady_10_per_minute.ndjson"));
        idleAndCollectAlerts();

        // The changelog is what a restarted or moved task restores from (the real-broker test restores from it).
        final TestOutputTopic<String, String> changelog = driver.createOutputTopic(
                StreamsEngine.DEFAULT_APPLICATION_ID + "-" + KafkaStreamsStateStore.STORE_NAME + "-changelog",
                new StringDeserializer(), new StringDeserializer());
        assertThat(changelog.readKeyValuesToMap()).containsKey("volume_spike.baseline\u0000ci-runner");
        assertThat(driver.getKeyValueStore(KafkaStreamsStateStore.STORE_NAME).get("volume_spike.baseline\u0000ci-runner"))
                .isNotNull();
    }

    @Test
    void withoutTheLearnedBaselineTheSameSpikeOnlyWarmsUp() {
        open();
        send(EngineFixture.eventsOf("volume_spike/spike_10x.ndjson"));

        assertThat(json(idleAndCollectAlerts())).noneMatch(a -> a.contains("\"rule_id\":\"volume_spike\""));
    }

    @Test
    void anIdlePartitionsClockRunsOnWithTheWallClockSoASilentSensorIsReported() {
        open();
        send(EngineFixture.eventsOf("sensor_silent/syscall_stops.ndjson").subList(0, 1));

        assertThat(json(idleAndCollectAlerts())).as("idle: the clock only reaches the last event").isEmpty();
        driver.advanceWallClockTime(Duration.ofMinutes(6)); // the default silence is 5 min

        assertThat(json(alerts.readRecordsToList())).singleElement().asString()
                .contains("\"rule_id\":\"sensor_silent\"").contains("sbx-60");
    }
}
