package dev.peregrine.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.peregrine.bench.harness.KafkaStage;
import dev.peregrine.bench.harness.MixSpec;
import dev.peregrine.bench.harness.StageResult;
import dev.peregrine.collector.kafka.PublisherConfig;
import dev.peregrine.testbed.KafkaBroker;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalDouble;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stage 6 of {@code peregrine bench} at a tiny scale on a real broker: every event of the mix
 * goes through the publisher, the broker and the Kafka Streams engine, alerts are timed from the
 * alerts topic, the table has both rows, and the stage leaves no topic behind. Behaviour only:
 * the figures themselves are for BENCHMARKS.md, measured on a quiet machine.
 */
class KafkaBenchStageTest {

    private static final Pattern ALERTS_TIMED = Pattern.compile("over ([\\d,]+) alerts");

    @TempDir
    Path dir;

    @Test
    void publishesTheMixThroughTheBrokerAndTimesItsAlerts() throws Exception {
        try (KafkaBroker kafka = KafkaBroker.start()) {
            final StringWriter text = new StringWriter();
            // a 5% malicious share, so a two-second load at 500 events/s certainly raises alerts
            final KafkaStage.Options options = new KafkaStage.Options(kafka.bootstrapServers(),
                    new MixSpec(7, 3_000, 20, 3, 0.05, MixSpec.DEFAULT_SPACING_NANOS), 2,
                    PublisherConfig.DEFAULT_COMPRESSION, 500, Duration.ofSeconds(2), Duration.ZERO, dir);
            final List<StageResult> rows = KafkaStage.run(options, OptionalDouble.of(1_000_000), new PrintWriter(text));

            assertThat(rows).extracting(StageResult::id).containsExactly("6", "6a");
            assertThat(rows.get(0).events()).isEqualTo(3_000);
            assertThat(rows.get(0).eventsPerSecond()).isPositive();
            assertThat(rows.get(0).note()).contains("2 partitions", "lz4", "acks=all", "exactly_once_v2")
                    .doesNotContain(" 0 alerts");
            assertThat(rows.get(1).events()).isEqualTo(1_000);
            final Matcher timed = ALERTS_TIMED.matcher(rows.get(1).note());
            assertThat(timed.find()).as(rows.get(1).note()).isTrue();
            assertThat(Long.parseLong(timed.group(1).replace(",", ""))).as("alerts timed").isPositive();
            assertThat(rows.get(1).note()).contains("p50 ", "p99 ");
            assertThat(text.toString()).contains("events/s", "Kafka: publisher -> broker -> StreamsEngine",
                    "Kafka: event -> alert latency");
            try (Admin admin = kafka.admin()) {
                assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS))
                        .as("the stage deletes its topics").noneMatch(name -> name.startsWith("peregrine-bench-"));
            }
        }
    }
}
