package dev.peregrine.engine.detect;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import dev.peregrine.alerting.Alert;
import dev.peregrine.alerting.AlertJson;
import dev.peregrine.engine.Detector;
import dev.peregrine.engine.state.InMemoryStateStore;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Raises one alert of every built-in detection from the example traces and writes it, pretty
 * printed, to {@code target/detection-examples/RULE_ID.json}: the examples in {@code docs/detections.md}.
 */
class DetectionExamplesTest {

    private static final Path OUT = Path.of("target", "detection-examples");
    private static final JsonFactory JSON = new JsonFactory();

    private static Alert first(final List<Alert> alerts, final String ruleId) {
        return alerts.stream().filter(a -> a.ruleId().equals(ruleId)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + ruleId + " alert"));
    }

    private static void write(final Alert alert) throws IOException {
        final String line = new AlertJson().toJson(alert);
        final StringWriter pretty = new StringWriter();
        try (JsonParser parser = JSON.createParser(line); JsonGenerator out = JSON.createGenerator(pretty)) {
            out.useDefaultPrettyPrinter();
            parser.nextToken();
            out.copyCurrentStructure(parser);
        }
        Files.createDirectories(OUT);
        Files.writeString(OUT.resolve(alert.ruleId() + ".json"), pretty + "\n", StandardCharsets.UTF_8);
    }

    @Test
    void everyDetectionHasAnExampleAlert() throws IOException {
        final Detector denied = new DeniedBurstDetector(PerAgent.of(DeniedBurstSettings.DEFAULTS));
        write(first(Traces.replay(denied, "denied_burst/ten_in_60s.ndjson"), "denied_burst"));
        write(first(Traces.replay(new DeniedBurstDetector(PerAgent.of(DeniedBurstSettings.DEFAULTS)),
                "denied_burst/probing_5.ndjson"), "denied_burst.probing"));

        write(first(Traces.replay(new VolumeSpikeDetector(PerAgent.of(VolumeSpikeDetectorTest.SETTINGS),
                new InMemoryStateStore()), "volume_spike/steady_10_per_minute.ndjson", "volume_spike/spike_10x.ndjson"),
                "volume_spike"));

        final OffHoursSettings berlin = new OffHoursSettings(true, ZoneId.of("Europe/Berlin"),
                OffHoursSettings.Hours.parse("09:00-17:00"), OffHoursSettings.DEFAULTS.days(), Set.of(),
                Duration.ofDays(7), 0.02, Duration.ofHours(1));
        write(first(Traces.replay(new OffHoursDetector(PerAgent.of(berlin), new InMemoryStateStore()),
                "off_hours/berlin_dst_end.ndjson"), "off_hours"));

        write(first(Traces.replay(new NewResourceDetector(PerAgent.of(NewResourceDetectorTest.SETTINGS),
                new InMemoryStateStore()), "new_resource/learning_hour.ndjson", "new_resource/after_learning.ndjson"),
                "new_resource"));

        final TokenBudgetSettings budget = new TokenBudgetSettings(true, 10_000, 0, List.of(50, 75, 90, 100),
                ZoneId.of("UTC"), 120, Duration.ofHours(24));
        final List<Alert> budgetAlerts = Traces.replay(new TokenBudgetDetector(PerAgent.of(budget),
                new InMemoryStateStore()), "token_budget/session_thresholds.ndjson");
        write(budgetAlerts.get(budgetAlerts.size() - 1));
        write(first(Traces.replay(new TokenBudgetDetector(PerAgent.of(budget), new InMemoryStateStore()),
                "token_budget/rate_121_per_minute.ndjson"), "token_budget.rate"));

        final SensorSilentDetector sensors =
                new SensorSilentDetector(PerAgent.of(SensorSilentSettings.DEFAULTS), new InMemoryStateStore());
        Traces.replay(sensors, "sensor_silent/syscall_stops.ndjson");
        final List<Alert> silent = new java.util.ArrayList<>();
        sensors.onTimeAdvance(dev.peregrine.collector.event.Timestamps.parseRfc3339("2026-11-24T12:06:00Z"), silent::add);
        write(first(silent, "sensor_silent"));

        try (var files = Files.list(OUT)) {
            assertThat(files.map(p -> p.getFileName().toString())).contains("denied_burst.json",
                    "denied_burst.probing.json", "volume_spike.json", "off_hours.json", "new_resource.json",
                    "token_budget.json", "token_budget.rate.json", "sensor_silent.json");
        }
    }
}
