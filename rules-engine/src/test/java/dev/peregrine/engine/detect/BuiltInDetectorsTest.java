package dev.peregrine.engine.detect;

import static org.assertj.core.api.Assertions.assertThat;

import dev.peregrine.alerting.Alert;
import dev.peregrine.collector.event.Event;
import dev.peregrine.collector.event.StandardFields;
import dev.peregrine.engine.state.InMemoryStateStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BuiltInDetectorsTest {

    @Test
    void everyDetectionRunsByDefault() {
        assertThat(BuiltInDetectors.create(DetectionSettings.defaults(), new InMemoryStateStore()))
                .extracting(d -> d.getClass().getSimpleName()).containsExactly("DeniedBurstDetector",
                        "VolumeSpikeDetector", "OffHoursDetector", "NewResourceDetector", "TokenBudgetDetector",
                        "SensorSilentDetector", "MemoryDetector");
    }

    @Test
    void aDetectionSwitchedOffEverywhereIsLeftOutButOneOnForAnAgentRuns() throws Exception {
        final DetectionSettings settings = DetectionSettings.parse("""
                detections:
                  sensor_silent:
                    enabled: false
                  off_hours:
                    enabled: false
                    agents:
                      ci-runner: { enabled: true, hours: "09:00-17:00" }
                """, "peregrine.yaml");

        assertThat(BuiltInDetectors.create(settings, new InMemoryStateStore()))
                .extracting(d -> d.getClass().getSimpleName())
                .contains("OffHoursDetector").doesNotContain("SensorSilentDetector");
        assertThat(settings.offHours().agents()).containsOnlyKeys("ci-runner");
        assertThat(settings.offHours().forAgent("other").enabled()).isFalse();
        assertThat(settings.offHours().agents()).isEqualTo(Map.of("ci-runner", settings.offHours().forAgent("ci-runner")));
    }

    @Test
    void eventsWithoutIdentityOrWithOddValuesPassWithoutAlertsOrErrors() {
        final List<Event> events = List.of(
                Event.builder().time(1_700_000_000_000_000_000L).set(StandardFields.EVT_TYPE, "openat")
                        .set(StandardFields.EVT_RES, "EACCES").build(),
                Event.builder().time(1_700_000_000_100_000_000L).set(StandardFields.EVT_TYPE, "llm_call")
                        .set(StandardFields.AGENT_ID, "ci-runner").set(StandardFields.LLM_TOKENS_IN, -5L).build(),
                Event.builder().time(1_700_000_000_200_000_000L).set(StandardFields.EVT_TYPE, "http_request")
                        .set(StandardFields.AGENT_ID, "ci-runner").set(StandardFields.HTTP_URL, "::not a url::").build());
        final List<Alert> alerts = new ArrayList<>();

        for (final Event event : events) {
            for (final var detector : BuiltInDetectors.create(DetectionSettings.defaults(), new InMemoryStateStore())) {
                detector.onTimeAdvance(event.timeNanos(), alerts::add);
                detector.onEvent(event, alerts::add);
            }
        }

        assertThat(alerts).isEmpty();
    }
}
