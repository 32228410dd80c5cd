package dev.peregrine.engine.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.peregrine.engine.detect.DetectionSettings;
import dev.peregrine.engine.detect.DetectionSettingsException;
import dev.peregrine.engine.detect.MemoryAnomalySettings;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class MemoryAnomalySettingsTest {

    @Test
    void perAgentOverridesTakeTheGlobalValueForWhatTheyLeaveOut() throws Exception {
        final var settings = DetectionSettings.parse("""
                detections:
                  memory_anomaly:
                    shared_namespaces: [team-kb]
                    url_allowlist: [wiki.acme.internal]
                    write_min_events: 50
                    agents:
                      release-bot: { namespaces: [changelog], write_window: 5m }
                """, "peregrine.yaml").memoryAnomaly();

        final MemoryAnomalySettings bot = settings.forAgent("release-bot");
        assertThat(bot.mayWrite("release-bot", "changelog")).isTrue();
        assertThat(bot.mayWrite("release-bot", "team-kb")).isTrue();
        assertThat(bot.mayWrite("release-bot", "ci-runner")).isFalse();
        assertThat(bot.writeBurst().window()).isEqualTo(Duration.ofMinutes(5));
        assertThat(bot.writeBurst().minEvents()).isEqualTo(50);
        assertThat(settings.forAgent("ci-runner").mayWrite("ci-runner", "changelog")).isFalse();
        assertThat(settings.forAgent("ci-runner").mayWrite("ci-runner", "ci-runner/scratch")).isTrue();
        assertThat(settings.global().allowsHost("docs.wiki.acme.internal")).isTrue();
        assertThat(settings.global().allowsHost("github.com")).isFalse();
    }

    @Test
    void anAgentReadsItsOwnSharedWritableAndListedNamespacesOnly() throws Exception {
        final var settings = DetectionSettings.parse("""
                detections:
                  memory_anomaly:
                    shared_namespaces: [team-kb, "public/*"]
                    read_alert_window: 15m
                    session_write_warmup: 5m
                    agents:
                      support-bot: { namespaces: [tickets], read_namespaces: [product-docs, "kb/*"] }
                """, "peregrine.yaml").memoryAnomaly();

        final MemoryAnomalySettings bot = settings.forAgent("support-bot");
        assertThat(bot.mayRead("support-bot", "support-bot")).isTrue();
        assertThat(bot.mayRead("support-bot", "support-bot/long-term")).isTrue();
        assertThat(bot.mayRead("support-bot", "team-kb")).isTrue();
        assertThat(bot.mayRead("support-bot", "public/faq")).isTrue();
        assertThat(bot.mayRead("support-bot", "tickets")).isTrue();
        assertThat(bot.mayRead("support-bot", "product-docs")).isTrue();
        assertThat(bot.mayRead("support-bot", "kb/billing")).isTrue();
        assertThat(bot.mayWrite("support-bot", "kb/billing")).as("read_namespaces grant no writes").isFalse();
        assertThat(bot.mayRead("support-bot", "support-bot-archive")).as("a longer name is not below it").isFalse();
        assertThat(bot.mayRead("support-bot", "hr-bot")).isFalse();
        assertThat(settings.forAgent("hr-bot").mayRead("hr-bot", "product-docs")).isFalse();
        assertThat(bot.readAlertWindow()).isEqualTo(Duration.ofMinutes(15));
        assertThat(bot.sessionWriteBurst().warmup()).isEqualTo(Duration.ofMinutes(5));
        assertThat(bot.sessionWriteBurst().window()).isEqualTo(bot.writeBurst().window());
        assertThat(bot.writeBurst().warmup()).isEqualTo(Duration.ofHours(1));
    }

    @Test
    void mistakesNameTheKeyAndLine() {
        assertThatThrownBy(() -> DetectionSettings.parse("""
                detections:
                  memory_anomaly:
                    shared_namespace: [team-kb]
                    write_window: soon
                """, "peregrine.yaml"))
                .isInstanceOf(DetectionSettingsException.class)
                .hasMessageContaining("peregrine.yaml:3:5: detections.memory_anomaly.shared_namespace: unknown setting"
                        + " (did you mean 'shared_namespaces'?)")
                .hasMessageContaining("peregrine.yaml:4:19: detections.memory_anomaly.write_window");
    }
}
