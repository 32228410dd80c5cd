package dev.peregrine.app.console;

import static dev.peregrine.collector.event.StandardFields.AGENT_ID;
import static dev.peregrine.collector.event.StandardFields.AGENT_SESSION;
import static dev.peregrine.collector.event.StandardFields.EVT_SOURCE;
import static dev.peregrine.collector.event.StandardFields.EVT_TYPE;
import static dev.peregrine.collector.event.StandardFields.PLATFORM_OP;
import static dev.peregrine.collector.event.StandardFields.PLATFORM_OUTCOME;

import dev.peregrine.alerting.Alert;
import dev.peregrine.alerting.suppress.Suppression;
import dev.peregrine.alerting.suppress.SuppressionList;
import dev.peregrine.collector.event.Event;
import dev.peregrine.collector.ingest.PlatformAccessEvents;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What analysts do in the console, as {@code platform_access} events (spec §2.2) with
 * {@code platform.op = console}: a suppression added or removed, an alert acknowledged. Rules
 * watch them like any other access to the platform (who silenced what, and why).
 *
 * <p>Changes happen on HTTP threads; the events go to the pipeline through
 * {@link PlatformAccessEvents}, the one source of accesses to the monitor.
 */
public final class ConsoleAuditEvents implements SuppressionList.Listener {

    private final Clock clock;
    private final PlatformAccessEvents platform;

    /** Audit events stamped with {@code clock}'s time, recorded in {@code platform}. */
    public ConsoleAuditEvents(final Clock clock, final PlatformAccessEvents platform) {
        this.clock = clock;
        this.platform = platform;
    }

    @Override
    public void added(final Suppression suppression, final String who) {
        offer(suppressionEvent("suppression_added", suppression, who));
    }

    @Override
    public void removed(final Suppression suppression, final String who) {
        offer(suppressionEvent("suppression_removed", suppression, who));
    }

    /** {@code who} acknowledged {@code alert}. */
    public void acknowledged(final Alert alert, final String who) {
        final Event.Builder event = base("alert_acknowledged", who)
                .extra("console.alert_id", alert.id())
                .extra("console.rule_id", alert.ruleId());
        identity(event, alert.agent(), alert.session());
        offer(event.build());
    }

    private Event suppressionEvent(final String outcome, final Suppression suppression, final String who) {
        final Event.Builder event = base(outcome, who)
                .extra("console.suppression_id", suppression.id())
                .extra("console.rule_id", suppression.ruleId())
                .extra("console.match", suppression.match().entrySet().stream()
                        .map(key -> key.getKey() + "=" + key.getValue()).collect(Collectors.joining(" ")))
                .extra("console.expires", suppression.expires().toString())
                .extra("console.reason", suppression.reason());
        final Map<String, String> match = suppression.match();
        identity(event, match.getOrDefault("agent", ""), match.getOrDefault("session", ""));
        return event.build();
    }

    private Event.Builder base(final String outcome, final String who) {
        final Instant now = clock.instant();
        return Event.builder()
                .time(now.getEpochSecond() * 1_000_000_000L + now.getNano())
                .set(EVT_SOURCE, "agent")
                .set(EVT_TYPE, "platform_access")
                .set(PLATFORM_OP, "console")
                .set(PLATFORM_OUTCOME, outcome)
                .extra("console.token", who);
    }

    /** The agent a console action is about, so rules group and route it by that agent. */
    private static void identity(final Event.Builder event, final String agent, final String session) {
        if (!agent.isEmpty()) {
            event.set(AGENT_ID, agent);
        }
        if (!session.isEmpty()) {
            event.set(AGENT_SESSION, session);
        }
    }

    private void offer(final Event event) {
        platform.record(event);
    }
}
