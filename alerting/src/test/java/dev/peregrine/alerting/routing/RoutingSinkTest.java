package dev.peregrine.alerting.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import dev.peregrine.alerting.Alert;
import dev.peregrine.alerting.AlertSink;
import dev.peregrine.alerting.Priority;
import dev.peregrine.alerting.dedup.AlertStorm;
import dev.peregrine.alerting.dedup.DeduplicatingSink;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RoutingSinkTest {

    private static Alert alert(final String ruleId, final Priority priority, final String... tags) {
        return new Alert(Alert.deterministicId(ruleId, "s", 1), 1, ruleId, ruleId, priority, "agent", "h",
                List.of(tags), "out", Map.of(), "a", "s", 1, 1, 1);
    }

    @Test
    void routeMatchesOnPriorityTagsAndRuleIdLists() {
        final Route pager = Route.atLeast("pager", Priority.ERROR);
        assertThat(pager.matches(alert("r", Priority.CRITICAL))).isTrue();
        assertThat(pager.matches(alert("r", Priority.ERROR))).isTrue();
        assertThat(pager.matches(alert("r", Priority.WARNING))).isFalse();

        final Route mitre = Route.atLeast("mitre", Priority.DEBUG).withAnyOfTags(Set.of("T1059", "T1078"));
        assertThat(mitre.matches(alert("r", Priority.DEBUG, "shell", "T1078"))).isTrue();
        assertThat(mitre.matches(alert("r", Priority.DEBUG, "shell"))).isFalse();
        assertThat(mitre.matches(alert("r", Priority.DEBUG))).isFalse();

        final Route some = Route.atLeast("some", Priority.DEBUG).allowing(Set.of("slopsquat", "token_budget"))
                .denying(Set.of("token_budget"));
        assertThat(some.matches(alert("slopsquat", Priority.NOTICE))).isTrue();
        assertThat(some.matches(alert("token_budget", Priority.NOTICE))).as("deny wins over allow").isFalse();
        assertThat(some.matches(alert("off_hours", Priority.NOTICE))).isFalse();

        final Route allButNoisy = Route.atLeast("all", Priority.DEBUG).denying(Set.of("volume_spike"));
        assertThat(allButNoisy.matches(alert("off_hours", Priority.DEBUG))).isTrue();
        assertThat(allButNoisy.matches(alert("volume_spike", Priority.EMERGENCY))).isFalse();
    }

    @Test
    void alertsGoToEveryMatchingSinkOnceAndUnmatchedOnesToTheFallback() throws IOException {
        final List<Alert> siem = new ArrayList<>();
        final List<Alert> slack = new ArrayList<>();
        final List<Alert> rest = new ArrayList<>();
        final AlertSink siemSink = siem::add;
        final RoutingSink routing = RoutingSink.builder()
                .route(Route.atLeast("siem", Priority.NOTICE), siemSink)
                .route(Route.atLeast("siem-shell", Priority.DEBUG).withAnyOfTags(Set.of("shell")), siemSink)
                .route(Route.atLeast("slack", Priority.CRITICAL), slack::add)
                .otherwise(rest::add)
                .build();

        final Alert critical = alert("r1", Priority.CRITICAL, "shell");
        final Alert notice = alert("r2", Priority.NOTICE);
        final Alert debug = alert("r3", Priority.DEBUG);
        routing.deliver(critical);
        routing.deliver(notice);
        routing.deliver(debug);

        assertThat(siem).containsExactly(critical, notice);
        assertThat(slack).containsExactly(critical);
        assertThat(rest).containsExactly(debug);
        assertThat(routing.routed()).isEqualTo(2);
        assertThat(routing.unrouted()).isEqualTo(1);
    }

    @Test
    void withoutAFallbackAnUnroutedAlertIsCounted() throws IOException {
        final RoutingSink routing = RoutingSink.builder().route(Route.atLeast("pager", Priority.ALERT), a -> {
        }).build();

        routing.deliver(alert("r", Priority.INFORMATIONAL));

        assertThat(routing.unrouted()).isEqualTo(1);
    }

    @Test
    void aStormBehindDedupReachesEveryRoutedSinkAsOneAlertWhoseCountReaches1000() throws IOException {
        final AlertStorm storm = AlertStorm.of(alert("shell_in_agent_tool", Priority.CRITICAL, "T1059"));
        final List<Alert> pager = new ArrayList<>();
        final List<Alert> siem = new ArrayList<>();
        final List<Alert> rest = new ArrayList<>();
        final RoutingSink routing = RoutingSink.builder()
                .route(Route.atLeast("pager", Priority.CRITICAL), List.<AlertSink>of(pager::add))
                .route(Route.atLeast("siem", Priority.DEBUG).withAnyOfTags(Set.of("T1059")),
                        List.<AlertSink>of(siem::add))
                .otherwise(rest::add)
                .build();

        try (DeduplicatingSink dedup = storm.pourInto(routing)) {
            assertThat(dedup.suppressed()).isEqualTo(AlertStorm.SIZE - 1);
        }

        // the first alert and its summaries take the same routes: each destination sees the whole count
        for (final List<Alert> destination : List.of(pager, siem)) {
            assertThat(destination).extracting(Alert::id).containsOnly(storm.expectedId());
            assertThat(destination).extracting(Alert::count).containsExactlyElementsOf(AlertStorm.DELIVERED_COUNTS);
        }
        assertThat(rest).isEmpty();
        assertThat(routing.matchedByRoute()).containsExactly(entry("pager", 11L), entry("siem", 11L));
    }

    @Test
    void oneRouteMayLeadToSeveralSinksButTwoRoutesMayNotShareAName() throws IOException {
        final List<Alert> slack = new ArrayList<>();
        final List<Alert> syslog = new ArrayList<>();
        final Route oncall = Route.atLeast("oncall", Priority.ERROR);
        final RoutingSink routing = RoutingSink.builder()
                .route(oncall, List.<AlertSink>of(slack::add, syslog::add))
                .route(Route.atLeast("audit", Priority.DEBUG).allowing(Set.of("read_env_file")), slack::add)
                .build();

        routing.deliver(alert("r", Priority.ERROR));
        routing.deliver(alert("read_env_file", Priority.NOTICE));
        routing.deliver(alert("r", Priority.NOTICE));

        assertThat(slack).extracting(Alert::ruleId).containsExactly("r", "read_env_file");
        assertThat(syslog).extracting(Alert::ruleId).containsExactly("r");
        assertThat(routing.routes()).extracting(Route::name).containsExactly("oncall", "audit");
        assertThat(routing.matchedByRoute()).containsExactly(entry("oncall", 1L), entry("audit", 1L));
        assertThat(routing.unrouted()).isEqualTo(1);

        assertThatThrownBy(() -> RoutingSink.builder().route(oncall, slack::add)
                .route(Route.atLeast("oncall", Priority.DEBUG), syslog::add))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'oncall'");
        assertThatThrownBy(() -> RoutingSink.builder().route(oncall, List.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'oncall' leads to no sink");
        assertThatThrownBy(() -> RoutingSink.builder().otherwise(slack::add).build())
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> Route.atLeast(" ", Priority.DEBUG)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aFailingSinkDoesNotStarveTheOthersAndEachSinkIsClosedOnce() throws IOException {
        final List<Alert> delivered = new ArrayList<>();
        final int[] closes = new int[1];
        final AlertSink counted = new AlertSink() {
            @Override
            public void deliver(final Alert alert) {
                delivered.add(alert);
            }

            @Override
            public void close() {
                closes[0]++;
            }
        };
        final RoutingSink routing = RoutingSink.builder()
                .route(Route.atLeast("down", Priority.DEBUG), a -> {
                    throw new IOException("down");
                })
                .route(Route.atLeast("a", Priority.DEBUG), counted)
                .route(Route.atLeast("b", Priority.ERROR), counted)
                .build();

        assertThatThrownBy(() -> routing.deliver(alert("r", Priority.ERROR))).hasMessage("down");
        assertThat(delivered).hasSize(1);
        routing.close();
        assertThat(closes[0]).isEqualTo(1);
    }
}
