package dev.peregrine.alerting.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.peregrine.alerting.Alert;
import dev.peregrine.alerting.AlertJson;
import dev.peregrine.alerting.PermanentDeliveryException;
import dev.peregrine.alerting.Priority;
import dev.peregrine.alerting.TemporaryDeliveryException;
import dev.peregrine.alerting.dedup.AlertStorm;
import dev.peregrine.alerting.dedup.DeduplicatingSink;
import dev.peregrine.alerting.kafka.KafkaSinkConfig.Compression;
import dev.peregrine.alerting.spool.DeliveryResult;
import dev.peregrine.testbed.KafkaBroker;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The Kafka sink against a real single-node broker (one per class, in its own JVM). */
class KafkaAlertSinkTest {

    private static final long SECOND = 1_000_000_000L;
    private static final long T0 = 1_795_342_562L * SECOND;
    private static KafkaBroker kafka;

    @BeforeAll
    static void startBroker() throws IOException {
        kafka = KafkaBroker.start();
    }

    @AfterAll
    static void stopBroker() {
        if (kafka != null) {
            kafka.close();
        }
    }

    private static Alert alert(final String ruleId, final String session, final long time, final String output) {
        final Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("proc.cmdline", "git push origin main");
        fields.put("agent.id", "ci-runner");
        return new Alert(Alert.deterministicId(ruleId, session, time), time, ruleId, "Rule " + ruleId,
                Priority.WARNING, "agent", "sandbox-7", List.of("agent", "git"), output, fields, "ci-runner",
                session, 1, time, time);
    }

    private static KafkaSinkConfig config(final String topic) {
        return KafkaSinkConfig.of(kafka.bootstrapServers()).withTopic(topic);
    }

    @Test
    void eachAlertIsPublishedKeyedByItsIdAsItsFalcoJson() throws IOException {
        final List<Alert> alerts = List.of(
                alert("agent_tool_call_denied", "s-1", T0, "denied git push"),
                alert("read_shadow_file", "s-1", T0 + SECOND, "read /etc/shadow"),
                alert("agent_tool_call_denied", "s-2", T0 + 2 * SECOND, "denied git push"));
        try (KafkaAlertSink sink = new KafkaAlertSink(config("alerts.basic"))) {
            for (final Alert alert : alerts) {
                sink.deliver(alert);
            }
            assertThat(sink.delivered()).isEqualTo(3);
        }

        final List<ConsumerRecord<String, String>> records = readAll("alerts.basic", 3);
        final AlertJson json = new AlertJson();
        assertThat(records).extracting(ConsumerRecord::key).containsExactly(
                alerts.get(0).id(), alerts.get(1).id(), alerts.get(2).id());
        assertThat(records).extracting(ConsumerRecord::value).containsExactly(
                json.toJson(alerts.get(0)), json.toJson(alerts.get(1)), json.toJson(alerts.get(2)));
    }

    @ParameterizedTest
    @EnumSource(value = Compression.class, names = {"LZ4", "ZSTD"})
    void compressedBatchesReadBackAsTheSameJson(final Compression compression) throws IOException {
        final String topic = "alerts." + compression.kafkaName();
        final List<Alert> alerts = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            alerts.add(alert("egress_not_allowlisted", "s-" + i, T0 + i * SECOND, "connect to 203.0.113." + i));
        }
        try (KafkaAlertSink sink = new KafkaAlertSink(config(topic).withCompression(compression))) {
            final List<DeliveryResult> results = sink.deliverAll(alerts);
            assertThat(results).extracting(DeliveryResult::outcome).containsOnly(DeliveryResult.Outcome.DELIVERED);
            assertThat(KafkaAlertSink.producerProperties(sink.config())).containsEntry("compression.type",
                    compression.kafkaName());
        }

        final AlertJson json = new AlertJson();
        assertThat(readAll(topic, 50)).extracting(ConsumerRecord::value)
                .containsExactlyElementsOf(alerts.stream().map(json::toJson).collect(Collectors.toList()));
    }

    @Test
    void thousandIdenticalAlertsThroughDedupArriveAsOneAlertWhoseCountReaches1000() throws IOException {
        final AlertStorm storm = AlertStorm.of(alert("agent_tool_call_denied", "s-1", T0, "denied git push"));
        final KafkaAlertSink kafkaSink = new KafkaAlertSink(config("alerts.dedup"));
        try (DeduplicatingSink dedup = storm.pourInto(kafkaSink)) {
            assertThat(dedup.suppressed()).isEqualTo(AlertStorm.SIZE - 1);
        }

        // the first alert at once, a summary every 100 repeats, the final one at flush: all one alert
        final List<ConsumerRecord<String, String>> records = readAll("alerts.dedup",
                AlertStorm.DELIVERED_COUNTS.size());
        assertThat(records).extracting(ConsumerRecord::key).containsOnly(storm.expectedId());
        assertThat(records).allSatisfy(r -> assertThat(field(r.value(), "id")).isEqualTo(r.key()));
        assertThat(records).extracting(r -> Long.parseLong(field(r.value(), "count")))
                .containsExactlyElementsOf(AlertStorm.DELIVERED_COUNTS);
        final String last = records.get(records.size() - 1).value();
        assertThat(field(last, "first_seen")).isEqualTo(AlertJson.formatTime(storm.firstSeenNanos()));
        assertThat(field(last, "last_seen")).isEqualTo(AlertJson.formatTime(storm.lastSeenNanos()));
        assertThat(kafkaSink.delivered()).isEqualTo(AlertStorm.DELIVERED_COUNTS.size());
    }

    @Test
    void deliverAllReportsEachAlertsOwnFateAndAnOversizedAlertIsRefusedForGood() throws IOException {
        final Alert small = alert("read_env_file", "s-1", T0, "read .env");
        final Alert huge = alert("read_env_file", "s-2", T0, "x".repeat(2 * 1024 * 1024));
        final Alert after = alert("read_env_file", "s-3", T0, "read .env again");
        try (KafkaAlertSink sink = new KafkaAlertSink(config("alerts.fates"))) {
            final List<DeliveryResult> results = sink.deliverAll(List.of(small, huge, after));

            assertThat(results).extracting(DeliveryResult::outcome).containsExactly(
                    DeliveryResult.Outcome.DELIVERED, DeliveryResult.Outcome.PERMANENT,
                    DeliveryResult.Outcome.DELIVERED);
            assertThat(results.get(1).reason()).contains("RecordTooLargeException");
            assertThatThrownBy(() -> sink.deliver(huge)).isInstanceOf(PermanentDeliveryException.class)
                    .hasMessageContaining(huge.id());
            assertThat(sink.delivered()).isEqualTo(2);
            assertThat(sink.failedPermanently()).isEqualTo(2);
        }
        assertThat(readAll("alerts.fates", 2)).extracting(ConsumerRecord::key).containsExactly(small.id(), after.id());
    }

    @Test
    void anUnreachableClusterIsATemporaryFailureSoTheAlertCanBeSpooled() throws IOException {
        final KafkaSinkConfig nowhere = KafkaSinkConfig.of("127.0.0.1:" + closedPort())
                .withDeliveryTimeout(Duration.ofSeconds(1));
        final Alert first = alert("read_ssh_private_key", "s-1", T0, "read id_rsa");
        final Alert second = alert("read_ssh_private_key", "s-2", T0, "read id_rsa");
        try (KafkaAlertSink sink = new KafkaAlertSink(nowhere)) {
            assertThatThrownBy(() -> sink.deliver(first)).isInstanceOf(TemporaryDeliveryException.class);
            // the second alert of a batch is not even tried once the first could not be sent
            assertThatThrownBy(() -> sink.deliverAll(List.of(first, second)))
                    .isInstanceOf(TemporaryDeliveryException.class);
            assertThat(sink.failedTemporarily()).isEqualTo(3);
            assertThat(sink.delivered()).isZero();
        }
    }

    @Test
    void aClusterNameThatDoesNotResolveIsATemporaryFailureNotAFailedStart() throws IOException {
        final KafkaSinkConfig unresolvable = KafkaSinkConfig.of("kafka.peregrine.invalid:9092")
                .withDeliveryTimeout(Duration.ofSeconds(1));
        try (KafkaAlertSink sink = new KafkaAlertSink(unresolvable)) {
            assertThatThrownBy(() -> sink.deliver(alert("read_env_file", "s-1", T0, "read .env")))
                    .isInstanceOf(TemporaryDeliveryException.class).hasMessageContaining("kafka.peregrine.invalid");
            assertThat(sink.failedTemporarily()).isEqualTo(1);
        }
    }

    @Test
    void anInvalidProducerSettingFailsAtConstructionNamingIt() {
        assertThatThrownBy(() -> new KafkaAlertSink(config("alerts.never").withProducerSetting("linger.ms", "soon")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("linger.ms");
    }

    /** Reads {@code topic} from the beginning until {@code expected} records arrived. */
    private static List<ConsumerRecord<String, String>> readAll(final String topic, final int expected) {
        final Map<String, Object> props = kafka.clientConfig();
        props.put("enable.auto.commit", "false");
        final List<ConsumerRecord<String, String>> records = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer =
                     new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
            final TopicPartition partition = new TopicPartition(topic, 0);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ZERO).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
                return records.size() >= expected;
            });
            // nothing more than expected: one extra poll would show a duplicate
            consumer.poll(Duration.ofMillis(200)).forEach(records::add);
        }
        return records;
    }

    /** A top-level field of a JSON object, as text. */
    private static String field(final String json, final String name) {
        try (JsonParser parser = new JsonFactory().createParser(json)) {
            parser.nextToken();
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                final String current = parser.currentName();
                final JsonToken value = parser.nextToken();
                if (current.equals(name)) {
                    return parser.getValueAsString();
                }
                if (value.isStructStart()) {
                    parser.skipChildren();
                }
            }
            throw new AssertionError("no field " + name + " in " + json);
        } catch (final IOException e) {
            throw new AssertionError("unparseable JSON: " + json, e);
        }
    }

    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return socket.getLocalPort();
        }
    }
}
