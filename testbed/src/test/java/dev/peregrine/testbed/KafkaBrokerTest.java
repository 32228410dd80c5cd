package dev.peregrine.testbed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaBrokerTest {

    private static final String TOPIC = "testbed.crash";

    @Test
    void anAcknowledgedRecordSurvivesKillDashNineAndRestartOnTheSamePort() throws Exception {
        final Path dataDir;
        try (KafkaBroker kafka = KafkaBroker.start()) {
            dataDir = kafka.dataDir();
            final long firstPid = kafka.pid();
            final int port = kafka.port();
            kafka.createTopic(TOPIC, 1);

            final RecordMetadata acked = produce(kafka, "alert-1", "{\"rule\":\"read_shadow_file\"}");
            assertThat(read(kafka, 1)).extracting(ConsumerRecord::key, ConsumerRecord::value)
                    .containsExactly(tuple("alert-1", "{\"rule\":\"read_shadow_file\"}"));

            kafka.kill();
            assertThat(kafka.isRunning()).isFalse();
            assertThat(ProcessHandle.of(firstPid).map(ProcessHandle::isAlive).orElse(false)).isFalse();

            kafka.restart();
            assertThat(kafka.pid()).isNotEqualTo(firstPid);
            assertThat(kafka.port()).isEqualTo(port);
            final List<ConsumerRecord<String, String>> afterCrash = read(kafka, 1);
            assertThat(afterCrash).hasSize(1);
            assertThat(afterCrash.get(0).offset()).isEqualTo(acked.offset());
            assertThat(afterCrash.get(0).key()).isEqualTo("alert-1");
            assertThat(afterCrash.get(0).value()).isEqualTo("{\"rule\":\"read_shadow_file\"}");

            // the restarted broker takes new writes after the old one
            final RecordMetadata next = produce(kafka, "alert-2", "{}");
            assertThat(next.offset()).isEqualTo(acked.offset() + 1);
        }
        assertThat(Files.exists(dataDir)).as("temporary data directory deleted on close").isFalse();
    }

    @Test
    void stopEndsTheBrokerProcessAndAGivenDataDirectoryIsKept(@TempDir final Path dir)
            throws Exception {
        final long pid;
        try (KafkaBroker kafka = KafkaBroker.start(KafkaBrokerConfig.defaults().withDataDir(dir))) {
            pid = kafka.pid();
            assertThat(kafka.bootstrapServers()).isEqualTo("127.0.0.1:" + kafka.port());
            kafka.stop();
            assertThat(kafka.isRunning()).isFalse();
        }
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
        assertThat(dir.resolve("data").resolve("meta.properties")).exists();
        assertThat(dir.resolve("broker.log")).exists();
    }

    private static RecordMetadata produce(final KafkaBroker kafka, final String key, final String value)
            throws Exception {
        final Map<String, Object> props = kafka.clientConfig();
        props.put("acks", "all");
        try (KafkaProducer<String, String> producer =
                     new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
            return producer.send(new ProducerRecord<>(TOPIC, key, value)).get(30, TimeUnit.SECONDS);
        }
    }

    /** Reads the topic from the beginning until {@code expected} records arrived or 30 s passed. */
    private static List<ConsumerRecord<String, String>> read(final KafkaBroker kafka, final int expected) {
        final Map<String, Object> props = kafka.clientConfig();
        props.put("enable.auto.commit", "false");
        final List<ConsumerRecord<String, String>> records = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer =
                     new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
            final TopicPartition partition = new TopicPartition(TOPIC, 0);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            final long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (records.size() < expected && System.nanoTime() - deadline < 0) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        return records;
    }
}
