package dev.peregrine.alerting.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.peregrine.alerting.kafka.KafkaSinkConfig.Compression;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.junit.jupiter.api.Test;

class KafkaSinkConfigTest {

    @Test
    void defaultsPublishToPeregrineAlertsIdempotentlyWithAcksAll() {
        final Map<String, Object> props = KafkaAlertSink.producerProperties(KafkaSinkConfig.of("127.0.0.1:9092"));

        assertThat(KafkaSinkConfig.of("127.0.0.1:9092").topic()).isEqualTo("peregrine.alerts");
        assertThat(props).containsEntry("acks", "all").containsEntry("enable.idempotence", true)
                .containsEntry("compression.type", "lz4").containsEntry("delivery.timeout.ms", 30_000);
        // the producer refuses delivery.timeout.ms < linger.ms + request.timeout.ms
        final Map<String, Object> short1s = KafkaAlertSink.producerProperties(
                KafkaSinkConfig.of("h:1").withDeliveryTimeout(Duration.ofSeconds(1)));
        assertThat((int) short1s.get("delivery.timeout.ms"))
                .isGreaterThanOrEqualTo((int) short1s.get("request.timeout.ms") + ((Long) short1s.get("linger.ms")).intValue());
    }

    @Test
    void anUnreachableClusterFailsASendAfterAShortMetadataWaitSoTheSpoolTakesOver() {
        // the producer's own default is 60 s, during which a batch's delivery would stand still
        assertThat(KafkaAlertSink.producerProperties(KafkaSinkConfig.of("h:1")))
                .containsEntry("max.block.ms", KafkaAlertSink.METADATA_WAIT.toMillis());
        assertThat(KafkaAlertSink.producerProperties(KafkaSinkConfig.of("h:1").withDeliveryTimeout(Duration.ofSeconds(2))))
                .containsEntry("max.block.ms", 2000L);
        assertThat(KafkaAlertSink.producerProperties(KafkaSinkConfig.of("h:1").withProducerSetting("max.block.ms", "20000")))
                .containsEntry("max.block.ms", "20000");
    }

    @Test
    void theDeliveryGuaranteesCannotBeOverridden() {
        assertThatThrownBy(() -> KafkaSinkConfig.of("h:1").withProducerSetting("acks", "1"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'acks'");
        assertThat(KafkaSinkConfig.of("h:1").withProducerSetting("client.id", "edge-7").producerOverrides())
                .containsEntry("client.id", "edge-7");
    }

    @Test
    void compressionNamesParseCaseInsensitivelyAndUnknownOnesListTheChoices() {
        assertThat(Compression.parse("ZSTD")).isEqualTo(Compression.ZSTD);
        assertThat(Compression.parse(" lz4 ")).isEqualTo(Compression.LZ4);
        assertThatThrownBy(() -> Compression.parse("brotli")).hasMessageContaining("expected none, gzip, snappy, lz4 or zstd");
    }

    @Test
    void invalidTopicNamesAndTinyTimeoutsAreRejectedAtConfigTime() {
        assertThatThrownBy(() -> KafkaSinkConfig.of("h:1").withTopic("alerts for soc"))
                .hasMessageContaining("invalid topic name 'alerts for soc'");
        assertThatThrownBy(() -> KafkaSinkConfig.of("h:1").withDeliveryTimeout(Duration.ofMillis(10)))
                .hasMessageContaining("at least 1 s");
    }

    @Test
    void errorsThatRetryingCannotFixArePermanentTheRestTemporary() {
        assertThat(KafkaAlertSink.isPermanent(new RecordTooLargeException("2 MB"))).isTrue();
        assertThat(KafkaAlertSink.isPermanent(new TopicAuthorizationException("no ACL"))).isTrue();
        assertThat(KafkaAlertSink.isPermanent(new TimeoutException("no metadata"))).isFalse();
        assertThat(KafkaAlertSink.isPermanent(new NotEnoughReplicasException("isr 0"))).isFalse();
    }
}
