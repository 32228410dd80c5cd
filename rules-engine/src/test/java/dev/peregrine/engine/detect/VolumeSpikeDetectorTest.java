package dev.peregrine.engine.detect;

import static org.assertj.core.api.Assertions.assertThat;

import dev.peregrine.alerting.Alert;
import dev.peregrine.collector.event.Timestamps;
import dev.peregrine.engine.state.InMemoryStateStore;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class VolumeSpikeDetectorTest {

    /** Per minute, 10x, at least 30 events, 10 minutes of warm-up. */
    static final VolumeSpikeSettings SETTINGS = new VolumeSpikeSettings(true, 10.0, Duration.ofMinutes(1),
            Duration.ofMinutes(10), 30, Duration.ofHours(6));

    private final VolumeSpikeDetector detector =
            new VolumeSpikeDetector(PerAgent.of(SETTINGS), new InMemoryStateStore());

    @Test
    void aSteadyRateGivesAnExactBaseline() {
        Traces.replay(detector, "volume_spike/steady_10_per_minute.ndjson");

        assertThat(detector.baseline("ci-runner").mean()).isEqualTo(10.0);
        assertThat(detector.baseline("ci-runner").windows()).isEqualTo(14);
    }

    @Test
    void nineTimesTheBaselineDoesNotAlert() {
        assertThat(Traces.replay(detector, "volume_spike/steady_10_per_minute.ndjson", "volume_spike/spike_9x.ndjson"))
                .isEmpty();
    }

    @Test
    void tenTimesTheBaselineAlertsAtTheHundredthEvent() {
        final List<Alert> alerts = Traces.replay(detector,
                "volume_spike/steady_10_per_minute.ndjson", "volume_spike/spike_10x.ndjson");

        assertThat(alerts).singleElement().satisfies(alert -> {
            assertThat(alert.ruleId()).isEqualTo("volume_spike");
            assertThat(alert.count()).isEqualTo(100);
            assertThat(alert.outputFields()).containsEntry("events", 100L).containsEntry("baseline", 10.0)
                    .containsEntry("ratio", 10.0).containsEntry("baseline_windows", 15L);
            assertThat(alert.firstSeenNanos()).isEqualTo(Timestamps.parseRfc3339("2026-11-23T10:15:00Z"));
            assertThat(alert.output()).isEqualTo("Volume spike: agent=ci-runner made 100 events in the 1m window from"
                    + " 2026-11-23T10:15:00.000000000Z, 10.0x its baseline of 10.0 per 1m (threshold 10x and at least 30)");
        });
    }

    @Test
    void aSpikeLastingSeveralWindowsAlertsOnce() {
        assertThat(Traces.replay(detector, "volume_spike/steady_10_per_minute.ndjson",
                "volume_spike/spike_10x_three_minutes.ndjson")).hasSize(1);
    }

    @Test
    void aNewAgentDoesNotAlertDuringWarmUp() {
        assertThat(Traces.replay(detector, "volume_spike/warmup_burst.ndjson")).isEmpty();
        assertThat(detector.baseline("new-agent").windows()).isEqualTo(4);
    }

    @Test
    void aNearZeroBaselineNeedsTheMinimumCount() {
        final List<Alert> alerts = Traces.replay(detector, "volume_spike/near_zero_baseline.ndjson");

        assertThat(alerts).isEmpty();
        assertThat(detector.baseline("ci-runner").mean()).isLessThan(1.0);
    }
}
