package dev.peregrine.alerting.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.peregrine.alerting.Alert;
import dev.peregrine.alerting.AlertSink;
import dev.peregrine.alerting.Priority;
import dev.peregrine.alerting.dedup.DedupConfig;
import dev.peregrine.alerting.dedup.DeduplicatingSink;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AlertPipelineMetricsTest {

    /** 2026-11-27T12:00:00Z. */
    private static final long NOON = 1_795_780_800_000_000_000L;

    private static Alert alert(final String ruleId, final Priority priority, final long time) {
        return new Alert(Alert.deterministicId(ruleId, "s", time), time, ruleId, ruleId, priority, "agent", "h",
                List.of(), "out", Map.of(), "a", "s", 1, time, time);
    }

    private static String scrape(final PrometheusRegistry registry) throws IOException {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrometheusTextFormatWriter.create().write(out, registry.scrape());
        return out.toString(StandardCharsets.UTF_8);
    }

    /** A sink that keeps what it got, standing for the real sinks. */
    private static final class Collected implements AlertSink {
        final List<Alert> alerts = new ArrayList<>();

        @Override
        public void deliver(final Alert alert) {
            alerts.add(alert);
        }
    }

    @Test
    void aThousandIdenticalAlertsAreCountedRaisedSuppressedSummarizedAndTimedOnTheScrapePage() throws IOException {
        final PrometheusRegistry registry = new PrometheusRegistry();
        // the sinks accept everything 3 s of wall clock after the events happened
        final Clock clock = Clock.fixed(Instant.ofEpochSecond(0, NOON).plusSeconds(3), ZoneOffset.UTC);
        final AlertPipelineMetrics metrics = AlertPipelineMetrics.register(registry, clock);
        final Collected sinks = new Collected();
        final AlertSink pipeline = metrics.counting(new DeduplicatingSink(metrics.timing(sinks),
                DedupConfig.defaults().withSummaryEvery(100), metrics.dedupObserver()));

        for (int n = 0; n < 1000; n++) {
            pipeline.deliver(alert("denied_burst", Priority.WARNING, NOON));
        }
        pipeline.deliver(alert("shell_in_agent", Priority.CRITICAL, NOON));
        pipeline.close();

        // first alerts of both rules, 9 summaries on the way and one at close
        assertThat(sinks.alerts).hasSize(12);
        final String page = scrape(registry);
        assertThat(page).contains(
                "# TYPE peregrine_alerts_total counter",
                "peregrine_alerts_total{priority=\"Warning\",rule_id=\"denied_burst\"} 1000.0",
                "peregrine_alerts_total{priority=\"Critical\",rule_id=\"shell_in_agent\"} 1.0",
                "# TYPE peregrine_alerts_suppressed_total counter",
                "peregrine_alerts_suppressed_total{rule_id=\"denied_burst\"} 999.0",
                "peregrine_alert_summaries_total{rule_id=\"denied_burst\"} 10.0",
                "# TYPE peregrine_alert_latency_seconds histogram",
                "peregrine_alert_latency_seconds_bucket{le=\"2.5\"} 0",
                "peregrine_alert_latency_seconds_bucket{le=\"5.0\"} 12",
                "peregrine_alert_latency_seconds_count 12",
                "peregrine_alert_latency_seconds_sum 36.0");
        assertThat(page).doesNotContain("peregrine_alerts_suppressed_total{rule_id=\"shell_in_agent\"}");
    }

    @Test
    void anAlertTheSinksRefusedIsCountedAsRaisedButNotTimedAsDelivered() throws IOException {
        final PrometheusRegistry registry = new PrometheusRegistry();
        final AlertPipelineMetrics metrics = AlertPipelineMetrics.register(registry,
                Clock.fixed(Instant.ofEpochSecond(0, NOON), ZoneOffset.UTC));
        final AlertSink refusing = alert -> {
            throw new IOException("destination down");
        };
        final AlertSink pipeline = metrics.counting(metrics.timing(refusing));

        assertThatThrownBy(() -> pipeline.deliver(alert("r", Priority.ERROR, NOON))).isInstanceOf(IOException.class);

        assertThat(scrape(registry)).contains("peregrine_alerts_total{priority=\"Error\",rule_id=\"r\"} 1.0",
                "peregrine_alert_latency_seconds_count 0");
    }

    @Test
    void anEventStampedAheadOfTheClockCountsAsZeroLatencyNotNegative() throws IOException {
        final PrometheusRegistry registry = new PrometheusRegistry();
        final AlertPipelineMetrics metrics = AlertPipelineMetrics.register(registry,
                Clock.fixed(Instant.ofEpochSecond(0, NOON), ZoneOffset.UTC));

        metrics.timing(new Collected()).deliver(alert("r", Priority.ERROR, NOON + 60_000_000_000L));

        assertThat(scrape(registry)).contains("peregrine_alert_latency_seconds_bucket{le=\"0.005\"} 1",
                "peregrine_alert_latency_seconds_sum 0.0");
    }
}
