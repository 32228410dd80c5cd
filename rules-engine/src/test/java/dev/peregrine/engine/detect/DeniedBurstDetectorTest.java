package dev.peregrine.engine.detect;

import static org.assertj.core.api.Assertions.assertThat;

import dev.peregrine.alerting.Alert;
import dev.peregrine.collector.event.Timestamps;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DeniedBurstDetectorTest {

    private static DeniedBurstDetector detector() {
        return new DeniedBurstDetector(PerAgent.of(DeniedBurstSettings.DEFAULTS));
    }

    @Test
    void nineDenialsWithinSixtySecondsDoNotAlert() {
        assertThat(Traces.replay(detector(), "denied_burst/nine_in_60s.ndjson")).isEmpty();
    }

    @Test
    void tenDenialsWithinSixtySecondsAlertOnceAtTheTenth() {
        final List<Alert> alerts = Traces.replay(detector(), "denied_burst/ten_in_60s.ndjson");

        assertThat(alerts).singleElement().satisfies(alert -> {
            assertThat(alert.ruleId()).isEqualTo("denied_burst");
            assertThat(alert.timeNanos()).isEqualTo(Timestamps.parseRfc3339("2026-11-22T10:09:58.500Z"));
            assertThat(alert.firstSeenNanos()).isEqualTo(Timestamps.parseRfc3339("2026-11-22T10:09:00.000Z"));
            assertThat(alert.count()).isEqualTo(10);
            assertThat(alert.agent()).isEqualTo("ci-runner");
            assertThat(alert.session()).isEqualTo("s-8f2c");
            assertThat(alert.outputFields()).containsEntry("denials", 10L).containsEntry("span_seconds", 58.5)
                    .containsEntry("last_denied", "git:push repos/acme/api/branches/main");
            assertThat(alert.output()).isEqualTo("Permission denial burst: 10 denials in 58.5s (threshold 10 in 1m)"
                    + " for agent=ci-runner session=s-8f2c; last denied: git:push repos/acme/api/branches/main");
        });
    }

    @Test
    void tenDenialsSpanningAFullWindowDoNotAlert() {
        assertThat(Traces.replay(detector(), "denied_burst/ten_spanning_60s.ndjson")).isEmpty();
    }

    @Test
    void aBurstAlertsOnceHoweverLongItLastsAndAQuietWindowEndsIt() {
        final List<Alert> alerts = Traces.replay(detector(), "denied_burst/long_burst_then_second.ndjson");

        assertThat(alerts).extracting(Alert::ruleId).containsExactly("denied_burst", "denied_burst");
        assertThat(alerts.get(0).firstSeenNanos()).isEqualTo(Timestamps.parseRfc3339("2026-11-22T10:09:00.000Z"));
        assertThat(alerts.get(1).firstSeenNanos()).isEqualTo(Timestamps.parseRfc3339("2026-11-22T10:20:27.000Z"));
        assertThat(alerts.get(0).id()).isNotEqualTo(alerts.get(1).id());
    }

    @Test
    void osDenialsAndAgentDenialsOfOneSessionCountTogether() {
        final List<Alert> alerts = Traces.replay(detector(), "denied_burst/mixed_os_and_agent.ndjson");

        // Ten denials in 18 s, on six distinct resources: a burst, and probing as well.
        assertThat(alerts).extracting(Alert::ruleId).containsExactly("denied_burst.probing", "denied_burst");
        assertThat(alerts.get(1).outputFields()).containsEntry("evt.source", "auditd")
                .containsEntry("evt.res", "EACCES").containsEntry("last_denied", "/root/.aws/credentials");
    }

    @Test
    void denialsOfFiveDistinctResourcesAreProbing() {
        final List<Alert> alerts = Traces.replay(detector(), "denied_burst/probing_5.ndjson");

        assertThat(alerts).singleElement().satisfies(alert -> {
            assertThat(alert.ruleId()).isEqualTo("denied_burst.probing");
            assertThat(alert.outputFields()).containsEntry("distinct_resources", 5L);
            assertThat((String) alert.outputFields().get("resources")).contains("org:read orgs/acme/members");
        });
    }

    @Test
    void denialsOfFourDistinctResourcesAreNotProbing() {
        assertThat(Traces.replay(detector(), "denied_burst/probing_4.ndjson")).isEmpty();
    }

    @Test
    void anAgentOverrideLowersTheThresholdForThatAgentOnly() {
        final DeniedBurstSettings strict = new DeniedBurstSettings(true, 3, DeniedBurstSettings.DEFAULTS.window(), 5,
                DeniedBurstSettings.DEFAULTS.probingWindow());
        final DeniedBurstDetector forCiRunner = new DeniedBurstDetector(
                new PerAgent<>(DeniedBurstSettings.DEFAULTS, Map.of("ci-runner", strict)));
        final DeniedBurstDetector forOthers = new DeniedBurstDetector(
                new PerAgent<>(DeniedBurstSettings.DEFAULTS, Map.of("someone-else", strict)));

        assertThat(Traces.replay(forCiRunner, "denied_burst/nine_in_60s.ndjson")).hasSize(1);
        assertThat(Traces.replay(forOthers, "denied_burst/nine_in_60s.ndjson")).isEmpty();
    }

    @Test
    void idleSessionsAreDroppedOnceTheirWindowsHavePassed() {
        final DeniedBurstDetector detector = detector();
        final List<dev.peregrine.collector.event.Event> events = Traces.load("denied_burst/ten_in_60s.ndjson");
        Traces.replay(List.of(detector), events);
        assertThat(detector.trackedSessions()).isEqualTo(1);

        detector.onTimeAdvance(events.get(events.size() - 1).timeNanos() + 300_000_000_000L, alert -> { });

        assertThat(detector.trackedSessions()).isZero();
    }
}
