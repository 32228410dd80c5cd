package dev.peregrine.engine.detect;

import static org.assertj.core.api.Assertions.assertThat;

import dev.peregrine.alerting.Alert;
import dev.peregrine.collector.event.Timestamps;
import dev.peregrine.engine.state.InMemoryStateStore;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SensorSilentDetectorTest {

    private static final long SECOND = 1_000_000_000L;
    private static final long STOPPED = Timestamps.parseRfc3339("2026-11-24T12:00:00Z");

    @Test
    void aSensorThatStopsAlertsOnceWhenItsSilenceExceedsTheLimit() {
        final SensorSilentDetector detector =
                new SensorSilentDetector(PerAgent.of(SensorSilentSettings.DEFAULTS), new InMemoryStateStore());

        // The agent sensor keeps sending until 12:00:01, so event time reaches 12:00:01 only.
        assertThat(Traces.replay(detector, "sensor_silent/syscall_stops.ndjson")).isEmpty();

        final List<Alert> alerts = new ArrayList<>();
        detector.onTimeAdvance(STOPPED + 300 * SECOND, alerts::add);
        assertThat(alerts).as("exactly 5 minutes is not longer than 5 minutes").isEmpty();

        detector.onTimeAdvance(STOPPED + 301 * SECOND, alerts::add);
        detector.onTimeAdvance(STOPPED + 900 * SECOND, alerts::add);

        assertThat(alerts).extracting(a -> a.outputFields().get("sensor"))
                .containsExactly("syscall@sbx-60", "agent@sbx-60");
        final Alert syscall = alerts.get(0);
        assertThat(syscall.ruleId()).isEqualTo("sensor_silent");
        assertThat(syscall.timeNanos()).isEqualTo(STOPPED + 301 * SECOND);
        assertThat(syscall.hostname()).isEqualTo("sandbox-host-6");
        assertThat(syscall.output()).isEqualTo("Sensor silent: syscall@sbx-60 has sent no events since"
                + " 2026-11-24T12:00:00.000000000Z (301.0s, limit 5m)");
    }

    @Test
    void aSensorThatSendsAgainIsWatchedAgain() {
        final SensorSilentDetector detector =
                new SensorSilentDetector(PerAgent.of(SensorSilentSettings.DEFAULTS), new InMemoryStateStore());
        final List<dev.peregrine.collector.event.Event> events = Traces.load("sensor_silent/syscall_stops.ndjson");
        final List<Alert> alerts = new ArrayList<>(Traces.replay(List.of(detector), events));
        final dev.peregrine.collector.event.Event last = events.get(events.size() - 1);

        detector.onTimeAdvance(last.timeNanos() + 600 * SECOND, alerts::add);
        assertThat(alerts).hasSize(2);
        detector.onEvent(last.toBuilder().time(last.timeNanos() + 601 * SECOND).build(), alerts::add);
        detector.onTimeAdvance(last.timeNanos() + 1000 * SECOND, alerts::add);

        assertThat(alerts).hasSize(3);
        assertThat(alerts.get(2).outputFields()).containsEntry("sensor", "agent@sbx-60");
        assertThat(alerts.get(2).id()).isNotEqualTo(alerts.get(1).id());
    }

    @Test
    void aSensorSilentForTheForgetPeriodIsForgotten() {
        final SensorSilentDetector detector =
                new SensorSilentDetector(PerAgent.of(SensorSilentSettings.DEFAULTS), new InMemoryStateStore());
        Traces.replay(detector, "sensor_silent/syscall_stops.ndjson");
        assertThat(detector.trackedSensors()).isEqualTo(2);

        detector.onTimeAdvance(STOPPED + 8 * 86_400 * SECOND, alert -> { });

        assertThat(detector.trackedSensors()).isZero();
    }
}
