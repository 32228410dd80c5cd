package dev.peregrine.alerting.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.peregrine.alerting.Alert;
import dev.peregrine.alerting.Priority;
import dev.peregrine.alerting.TemporaryDeliveryException;
import dev.peregrine.testbed.KafkaBroker;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

/** The Kafka sink while its broker crashes (kill -9) and comes back on the same port. */
class KafkaAlertSinkFailoverTest {

    private static final long T0 = 1_795_342_562_000_000_000L;
    private static final String TOPIC = "alerts.failover";

    private static Alert alert(final String session) {
        return new Alert(Alert.deterministicId("cloud_metadata_connect", session, T0), T0, "cloud_metadata_connect",
                "Cloud metadata connect", Priority.ERROR, "syscall", "sandbox-3", List.of("network"),
                "connect to 169.254.169.254", Map.of("fd.name", "169.254.169.254:80"), "ci-runner", session, 1, T0, T0);
    }

    @Test
    void whileTheBrokerIsDownDeliveryFailsTemporarilyAndTheSameSinkDeliversOnceItIsBack() throws IOException {
        try (KafkaBroker kafka = KafkaBroker.start()) {
            kafka.createTopic(TOPIC, 1);
            final KafkaSinkConfig config = KafkaSinkConfig.of(kafka.bootstrapServers()).withTopic(TOPIC)
                    .withDeliveryTimeout(Duration.ofSeconds(2));
            final Alert before = alert("s-before");
            final Alert during = alert("s-during");
            try (KafkaAlertSink sink = new KafkaAlertSink(config)) {
                sink.deliver(before);

                kafka.kill();
                assertThatThrownBy(() -> sink.deliver(during)).isInstanceOf(TemporaryDeliveryException.class);
                assertThat(sink.failedTemporarily()).isEqualTo(1);

                kafka.restart();
                // what a spool does with a temporary failure: try the same alert again until it goes
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ZERO)
                        .ignoreExceptionsInstanceOf(TemporaryDeliveryException.class)
                        .untilAsserted(() -> sink.deliver(during));
            }

            assertThat(read(kafka, 2)).extracting(ConsumerRecord::key).containsExactly(before.id(), during.id());
        }
    }

    private static List<ConsumerRecord<String, String>> read(final KafkaBroker kafka, final int expected) {
        final Map<String, Object> props = kafka.clientConfig();
        props.put("enable.auto.commit", "false");
        final List<ConsumerRecord<String, String>> records = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer =
                     new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
            final TopicPartition partition = new TopicPartition(TOPIC, 0);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ZERO).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
                return records.size() >= expected;
            });
            consumer.poll(Duration.ofMillis(200)).forEach(records::add);
        }
        return records;
    }
}
