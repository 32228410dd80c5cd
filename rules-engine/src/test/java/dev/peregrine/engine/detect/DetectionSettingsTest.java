package dev.peregrine.engine.detect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.List;
import org.junit.jupiter.api.Test;

class DetectionSettingsTest {

    private static String resource(final String name) throws IOException {
        try (InputStream in = DetectionSettingsTest.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void aConfigWithoutTheSectionGivesTheDefaults() throws Exception {
        assertThat(DetectionSettings.parse("http:\n  port: 8766\n", "peregrine.yaml"))
                .isEqualTo(DetectionSettings.defaults());
        assertThat(DetectionSettings.parse("", "peregrine.yaml")).isEqualTo(DetectionSettings.defaults());
    }

    @Test
    void theSectionSetsGlobalValuesAndAgentOverridesInheritThem() throws Exception {
        final DetectionSettings settings = DetectionSettings.parse(resource("peregrine.yaml"), "peregrine.yaml");

        assertThat(settings.deniedBurst().global()).isEqualTo(new DeniedBurstSettings(true, 12, Duration.ofMinutes(2),
                5, Duration.ofMinutes(5)));
        assertThat(settings.deniedBurst().forAgent("ci-runner")).isEqualTo(new DeniedBurstSettings(true, 5,
                Duration.ofMinutes(2), 5, Duration.ofMinutes(5)));
        assertThat(settings.deniedBurst().forAgent("anyone-else").threshold()).isEqualTo(12);

        assertThat(settings.volumeSpike().global().factor()).isEqualTo(8.0);
        assertThat(settings.volumeSpike().global().warmup()).isEqualTo(Duration.ofMinutes(30));
        assertThat(settings.volumeSpike().global().window()).isEqualTo(Duration.ofMinutes(1));

        final OffHoursSettings berlin = settings.offHours().global();
        assertThat(berlin.timeZone()).isEqualTo(ZoneId.of("Europe/Berlin"));
        assertThat(berlin.hours()).isEqualTo(new OffHoursSettings.Hours(LocalTime.of(8, 0), LocalTime.of(19, 0)));
        assertThat(berlin.holidays()).contains(LocalDate.parse("2026-12-24"));
        final OffHoursSettings nightly = settings.offHours().forAgent("nightly-bot");
        assertThat(nightly.hours().toString()).isEqualTo("22:00-06:00");
        assertThat(nightly.days()).hasSize(7).contains(DayOfWeek.SUNDAY);
        assertThat(nightly.timeZone()).isEqualTo(ZoneId.of("Europe/Berlin"));
        assertThat(settings.offHours().forAgent("release-bot").hours()).isNull();

        assertThat(settings.newResource().global().learning()).isEqualTo(Duration.ofDays(7));
        assertThat(settings.tokenBudget().global().sessionTokens()).isEqualTo(200_000);
        assertThat(settings.tokenBudget().global().thresholds()).containsExactly(80, 100);
        assertThat(settings.tokenBudget().forAgent("big-spender").dailyTokens()).isZero();
        assertThat(settings.tokenBudget().forAgent("big-spender").sessionTokens()).isEqualTo(200_000);
        assertThat(settings.sensorSilent().global().enabled()).isFalse();
    }

    @Test
    void everyErrorIsReportedWithItsKeyAndLine() throws Exception {
        assertThatThrownBy(() -> DetectionSettings.parse(resource("broken.yaml"), "broken.yaml"))
                .isInstanceOfSatisfying(DetectionSettingsException.class, e -> assertThat(
                        e.errors().stream().map(DetectionSettingsError::toString).toList()).containsExactly(
                        "broken.yaml:3:5: detections.denied_burst.treshold: unknown setting (did you mean 'threshold'?)",
                        "broken.yaml:4:13: detections.denied_burst.window: expected a duration such as 60s, 5m, 1h or 7d, got 'soon'",
                        "broken.yaml:6:13: detections.volume_spike.factor: must be a number of at least 1.0, got 0.5",
                        "broken.yaml:8:16: detections.off_hours.time_zone: unknown time zone 'Mars/Olympus_Mons' (use a region id such as Europe/Berlin)",
                        "broken.yaml:9:12: detections.off_hours.hours: expected hours as HH:MM-HH:MM, got '9 to 5'",
                        "broken.yaml:10:28: detections.off_hours.holidays: expected a date as YYYY-MM-DD, got 'christmas'",
                        "broken.yaml:14:9: detections.token_budget.agents.ci-runner.agents: unknown setting (known: daily_tokens, enabled, "
                                + "requests_per_minute, session_idle, session_tokens, thresholds, time_zone)",
                        "broken.yaml:15:3: detections.sensor_silence: unknown setting (did you mean 'sensor_silent'?)"));
    }

    @Test
    void brokenYamlIsReportedWithItsLine() {
        assertThatThrownBy(() -> DetectionSettings.parse("detections:\n  denied_burst: [\n", "bad.yaml"))
                .isInstanceOf(DetectionSettingsException.class).hasMessageStartingWith("bad.yaml:3:");
    }

    @Test
    void durationsReadAsPeopleWriteThem() {
        assertThat(List.of("250ms", "60s", "5m", "1h", "7d", "PT90S").stream().map(SettingsReader::parseDuration))
                .containsExactly(Duration.ofMillis(250), Duration.ofSeconds(60), Duration.ofMinutes(5),
                        Duration.ofHours(1), Duration.ofDays(7), Duration.ofSeconds(90));
    }
}
