package dev.peregrine.engine.cep;

import com.espertech.esper.common.client.EventBean;
import com.espertech.esper.runtime.client.EPDeployException;
import com.espertech.esper.runtime.client.EPDeployment;
import com.espertech.esper.runtime.client.EPEventService;
import com.espertech.esper.runtime.client.EPRuntime;
import com.espertech.esper.runtime.client.EPRuntimeProvider;
import com.espertech.esper.runtime.client.EPStatement;
import dev.peregrine.alerting.Alert;
import dev.peregrine.collector.event.Event;
import dev.peregrine.engine.Detector;
import dev.peregrine.engine.rules.CepRuleDef;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Runs a {@link CepProgram} in its own Esper runtime on event time: the runtime's external clock
 * follows {@code evt.time} (millisecond resolution), never the wall clock, so a replay and a live
 * run of the same events raise the same alerts with the same ids.
 *
 * <p>Statements are deployed when the first event arrives, with the clock already at its time, so
 * timers start in event time rather than at the epoch. The clock only moves forward: an event older
 * than the clock (late) is sent at the current time. Per-event rule matches come in through
 * {@link #onSignal}. Expects events in event-time order; {@code DetectionEngine} puts them in it.
 *
 * <p>Each row of an item's last statement becomes an alert (see the package description for the
 * columns that fill it). Not thread-safe: one engine thread, like every {@link Detector}.
 */
public final class CepDetector implements Detector {

    private static final long NANOS_PER_MILLI = 1_000_000L;

    private final CepProgram program;
    private final EPRuntime runtime;
    private final EPEventService events;
    private boolean deployed;
    private long clockMillis = Long.MIN_VALUE;
    // The event being sent, so alerts it completes carry its exact time; -1 while only time advances.
    private long sendingNanos = -1;
    private Consumer<Alert> alerts = alert -> { };

    /** @param program the compiled cep items to deploy */
    public CepDetector(final CepProgram program) {
        this.program = Objects.requireNonNull(program);
        this.runtime = EPRuntimeProvider.getRuntime("peregrine-cep-" + UUID.randomUUID(), program.configuration());
        this.events = runtime.getEventService();
    }

    @Override
    public void onEvent(final Event event, final Consumer<Alert> alerts) {
        send(event.timeNanos(), program.model().eventRow(event), CepEventModel.EVENT, alerts);
    }

    /** Sends the per-event rule match {@code alert}, raised by {@code event}, as a {@code Signal}. */
    public void onSignal(final Alert alert, final Event event, final Consumer<Alert> alerts) {
        send(event.timeNanos(), program.model().signalRow(alert, event), CepEventModel.SIGNAL, alerts);
    }

    @Override
    public void onTimeAdvance(final long eventTimeNanos, final Consumer<Alert> alerts) {
        if (!deployed) {
            return; // no statement exists yet, so no timer can be due
        }
        this.alerts = alerts;
        try {
            advance(Math.floorDiv(eventTimeNanos, NANOS_PER_MILLI));
        } finally {
            this.alerts = alert -> { };
        }
    }

    @Override
    public void close() {
        runtime.destroy();
    }

    private void send(final long nanos, final Object[] row, final String type, final Consumer<Alert> alerts) {
        this.alerts = alerts;
        try {
            final long millis = Math.floorDiv(nanos, NANOS_PER_MILLI);
            if (!deployed) {
                events.advanceTime(millis);
                clockMillis = millis;
                deploy();
            } else {
                advance(millis);
            }
            sendingNanos = nanos;
            events.sendEventObjectArray(row, type);
        } finally {
            sendingNanos = -1;
            this.alerts = alert -> { };
        }
    }

    private void advance(final long millis) {
        if (millis > clockMillis) {
            // advanceTimeSpan fires each due timer at its own time, in order: the same alerts whether
            // time moves in one step or many, which keeps chunked and one-go runs identical.
            events.advanceTimeSpan(millis);
            clockMillis = millis;
        }
    }

    private void deploy() {
        deployed = true;
        for (final CepProgram.CompiledRule rule : program.rules()) {
            final EPDeployment deployment;
            try {
                deployment = runtime.getDeploymentService().deploy(rule.module());
            } catch (final EPDeployException e) {
                // CepCompiler deployed the same module into a scratch runtime, so this is not a rule problem
                throw new IllegalStateException("cep '" + rule.def().id() + "' did not deploy: " + e.getMessage(), e);
            }
            final EPStatement[] statements = deployment.getStatements();
            statements[statements.length - 1].addListener((newEvents, oldEvents, statement, rt) -> {
                if (newEvents != null) {
                    for (final EventBean row : newEvents) {
                        alerts.accept(alert(rule, row));
                    }
                }
            });
        }
    }

    private Alert alert(final CepProgram.CompiledRule rule, final EventBean row) {
        final CepRuleDef def = rule.def();
        final List<String> columns = List.of(row.getEventType().getPropertyNames());
        final Function<String, Object> read = column -> columns.contains(column) ? row.get(column) : null;
        // A timer fires inside advanceTimeSpan, with the runtime's clock at the timer's own time.
        final long now = sendingNanos >= 0 ? sendingNanos : events.getCurrentTime() * NANOS_PER_MILLI;
        final long lastSeen = read.apply("last_seen") instanceof Long l ? l : now;
        final long firstSeen = read.apply("first_seen") instanceof Long f ? f : lastSeen;
        final long count = read.apply("count") instanceof Long c ? c : 1;
        final String agent = text(read.apply("agent_id"));
        final String session = text(read.apply("agent_session"));
        final String host = text(read.apply("host_name"));
        final String output = rule.output().render(read);
        final String key = !session.isEmpty() ? session : !agent.isEmpty() ? agent : host;
        // The output keeps two matches of one session that start in the same millisecond apart.
        final String id = Alert.deterministicId(def.id(), key + '\u0000' + output, firstSeen);
        return new Alert(id, lastSeen, def.id(), def.name(), def.priority(), text(read.apply("evt_source")), host,
                def.tags(), output, rule.output().values(read), agent, session, count, firstSeen, lastSeen);
    }

    private static String text(final Object value) {
        return value == null ? "" : value.toString();
    }
}
