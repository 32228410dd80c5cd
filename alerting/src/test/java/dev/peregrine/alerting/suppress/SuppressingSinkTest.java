package dev.peregrine.alerting.suppress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.peregrine.alerting.Alert;
import dev.peregrine.alerting.AlertSink;
import dev.peregrine.alerting.Priority;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SuppressingSinkTest {

    private static final Instant NOW = Instant.parse("2026-11-27T10:00:00Z");

    private final MutableClock clock = new MutableClock(NOW);
    private final SuppressionList suppressions = new SuppressionList(clock);
    private final List<Alert> delivered = new ArrayList<>();
    private final AlertSink sink = new SuppressingSink(delivered::add, suppressions);

    private static Alert alert(final String ruleId, final String agent, final String path) {
        return new Alert(Alert.deterministicId(ruleId, agent + path, 1), 1, ruleId, "Rule " + ruleId, Priority.WARNING,
                "agent", "h", List.of(), "out", Map.of("fd.name", path), agent, "s-1", 1, 1, 1);
    }

    private static Suppression suppression(final String id, final String rule, final Map<String, String> match,
                                           final Instant expires) {
        return new Suppression(id, rule, match, expires, "known noisy build step", "analyst", NOW);
    }

    @Test
    void anAlertOfTheSuppressedRuleAndKeyIsDroppedAndCountedByRuleAndBySuppression() throws Exception {
        suppressions.add(suppression("sup-1", "read_secret", Map.of("agent", "ci-runner", "fd.name", "/etc/shadow"),
                NOW.plus(Duration.ofHours(1))), "analyst");

        sink.deliver(alert("read_secret", "ci-runner", "/etc/shadow"));
        sink.deliver(alert("read_secret", "ci-runner", "/etc/passwd"));
        sink.deliver(alert("read_secret", "deployer", "/etc/shadow"));
        sink.deliver(alert("other_rule", "ci-runner", "/etc/shadow"));

        assertThat(delivered).extracting(Alert::ruleId, Alert::agent)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("read_secret", "ci-runner"),
                        org.assertj.core.groups.Tuple.tuple("read_secret", "deployer"),
                        org.assertj.core.groups.Tuple.tuple("other_rule", "ci-runner"));
        assertThat(suppressions.hits("sup-1")).isEqualTo(1);
        assertThat(suppressions.suppressedByRule()).containsExactly(Map.entry("read_secret", 1L));
    }

    @Test
    void anExpiredSuppressionNoLongerDropsButStaysListed() throws Exception {
        suppressions.add(suppression("sup-1", "read_secret", Map.of(), NOW.plus(Duration.ofMinutes(5))), "analyst");
        sink.deliver(alert("read_secret", "a", "/x"));
        clock.now = NOW.plus(Duration.ofMinutes(5));
        sink.deliver(alert("read_secret", "a", "/x"));

        assertThat(delivered).hasSize(1);
        assertThat(suppressions.all()).extracting(Suppression::id).containsExactly("sup-1");
        assertThat(suppressions.active(suppressions.get("sup-1").orElseThrow())).isFalse();
    }

    @Test
    void listenersHearOfAdditionsAndRemovalsButNotOfRestoredSuppressions() {
        final List<String> heard = new ArrayList<>();
        suppressions.listen(new SuppressionList.Listener() {
            @Override
            public void added(final Suppression suppression, final String who) {
                heard.add("added " + suppression.id() + " by " + who);
            }

            @Override
            public void removed(final Suppression suppression, final String who) {
                heard.add("removed " + suppression.id() + " by " + who);
            }
        });
        suppressions.restore(suppression("old", "r", Map.of(), NOW.plusSeconds(60)));
        suppressions.add(suppression("new", "r", Map.of(), NOW.plusSeconds(60)), "alice");
        assertThat(suppressions.remove("old", "bob")).isPresent();
        assertThat(suppressions.remove("missing", "bob")).isEmpty();

        assertThat(heard).containsExactly("added new by alice", "removed old by bob");
    }

    @Test
    void aSuppressionWithoutAReasonIsRefused() {
        assertThatThrownBy(() -> new Suppression("s", "r", Map.of(), NOW, " ", "a", NOW))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("reason");
    }

    /** A clock the test moves. */
    private static final class MutableClock extends Clock {
        private Instant now;

        MutableClock(final Instant now) {
            this.now = now;
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(final java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
