package dev.peregrine.engine.detect;

import static org.assertj.core.api.Assertions.assertThat;

import dev.peregrine.alerting.Alert;
import dev.peregrine.alerting.Priority;
import dev.peregrine.engine.state.InMemoryStateStore;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import org.junit.jupiter.api.Test;

class TokenBudgetDetectorTest {

    private static TokenBudgetDetector detector(final long sessionTokens, final long dailyTokens, final String zone,
                                                final long perMinute) {
        return new TokenBudgetDetector(PerAgent.of(new TokenBudgetSettings(true, sessionTokens, dailyTokens,
                List.of(50, 75, 90, 100), ZoneId.of(zone), perMinute, Duration.ofHours(24))), new InMemoryStateStore());
    }

    @Test
    void eachThresholdOfASessionBudgetAlertsOnce() {
        final List<Alert> alerts = Traces.replay(detector(10_000, 0, "UTC", 0), "token_budget/session_thresholds.ndjson");

        // 4,000 then 4,999 (49.99 %): nothing; 5,000: 50 %; 7,500: 75 %; 10,500: 90 % and 100 % at once; then nothing.
        assertThat(alerts).extracting(a -> a.outputFields().get("budget.threshold_percent"))
                .containsExactly(50L, 75L, 90L, 100L);
        assertThat(alerts).extracting(a -> a.outputFields().get("budget.used"))
                .containsExactly(5_000L, 7_500L, 10_500L, 10_500L);
        assertThat(alerts).extracting(Alert::priority)
                .containsExactly(Priority.INFORMATIONAL, Priority.NOTICE, Priority.WARNING, Priority.ERROR);
        assertThat(alerts).extracting(Alert::id).doesNotHaveDuplicates();
        assertThat(alerts.get(3).output()).isEqualTo("Token budget 100% reached: session s-tb used 10,500 of 10,000"
                + " tokens (105.0%); last call model=claude-sonnet tokens=2000+1000");
    }

    @Test
    void aDailyBudgetStartsAgainAtMidnightInItsTimeZone() {
        final List<Alert> alerts = Traces.replay(detector(0, 10_000, "America/Los_Angeles", 0),
                "token_budget/daily_across_midnight.ndjson");

        // 6,000 at 23:00 on the 24th (local), then 5,000 and 10,000 on the 25th.
        assertThat(alerts).extracting(a -> a.outputFields().get("budget.used"))
                .containsExactly(6_000L, 5_000L, 10_000L, 10_000L, 10_000L);
        assertThat(alerts.get(0).output()).contains("agent ci-runner on 2026-11-24 (America/Los_Angeles)");
        assertThat(alerts.get(1).output()).contains("agent ci-runner on 2026-11-25 (America/Los_Angeles)");
    }

    @Test
    void moreCallsThanTheLimitInOneMinuteAlertOnce() {
        final List<Alert> alerts = Traces.replay(detector(0, 0, "UTC", 120), "token_budget/rate_121_per_minute.ndjson");

        assertThat(alerts).singleElement().satisfies(alert -> {
            assertThat(alert.ruleId()).isEqualTo("token_budget.rate");
            assertThat(alert.outputFields()).containsEntry("calls", 121L).containsEntry("limit_per_minute", 120L);
        });
    }

    @Test
    void callsUpToTheLimitDoNotAlert() {
        assertThat(Traces.replay(detector(0, 0, "UTC", 120), "token_budget/rate_120_per_minute.ndjson")).isEmpty();
    }
}
