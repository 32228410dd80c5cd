package dev.peregrine.engine.cep;

import com.espertech.esper.common.client.EventBean;
import com.espertech.esper.runtime.client.EPDeployException;
import com.espertech.esper.runtime.client.EPDeployment;
import com.espertech.esper.runtime.client.EPDeploymentRolloutCompiled;
import com.espertech.esper.runtime.client.EPDeploymentRolloutItem;
import com.espertech.esper.runtime.client.EPEventService;
import com.espertech.esper.runtime.client.EPRuntime;
import com.espertech.esper.runtime.client.EPRuntimeProvider;
import com.espertech.esper.runtime.client.EPStatement;
import com.espertech.esper.runtime.client.EPUndeployException;
import dev.peregrine.alerting.Alert;
import dev.peregrine.collector.event.Event;
import dev.peregrine.engine.Detector;
import dev.peregrine.engine.rules.CepRuleDef;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 * <p>A reload replaces the program item by item ({@link #apply}), in the same runtime: an item whose
 * {@link CepProgram#fingerprint fingerprint} is unchanged keeps its deployment, so its windows,
 * half-matched patterns and timers carry on; a changed item is undeployed and its new EPL deployed
 * empty; a removed item stops; a new one starts at the clock of the swap.
 *
 * <p>Each row of an item's last statement becomes an alert (see the package description for the
 * columns that fill it). Not thread-safe: one engine thread, like every {@link Detector}.
 */
public final class CepDetector implements Detector {

    private static final Logger LOG = LoggerFactory.getLogger(CepDetector.class);
    private static final long NANOS_PER_MILLI = 1_000_000L;

    /**
     * What {@link #apply} did, by item id, in load order.
     *
     * @param kept    unchanged items: their deployments, and all the state in them, run on
     * @param started new and changed items: deployed, empty
     * @param stopped removed and changed items: undeployed, their state dropped
     */
    public record Swap(List<String> kept, List<String> started, List<String> stopped) {

        public Swap {
            kept = List.copyOf(kept);
            started = List.copyOf(started);
            stopped = List.copyOf(stopped);
        }
    }

    /** One item's deployment; {@code rule} follows reloads that keep it (same fingerprint, maybe a new file line). */
    private final class Deployed {
        private CepProgram.CompiledRule rule;
        private final EPDeployment deployment;

        Deployed(final CepProgram.CompiledRule rule, final EPDeployment deployment) {
            this.rule = rule;
            this.deployment = deployment;
            final EPStatement[] statements = deployment.getStatements();
            statements[statements.length - 1].addListener((newEvents, oldEvents, statement, rt) -> {
                if (newEvents != null) {
                    for (final EventBean row : newEvents) {
                        alerts.accept(alert(this.rule, row));
                    }
                }
            });
        }
    }

    private CepProgram program;
    private final EPRuntime runtime;
    private final EPEventService events;
    // Running items by id, in load order; empty until the first event (statements start on event time).
    private final Map<String, Deployed> deployed = new LinkedHashMap<>();
    // Whether the program's items run: false until the first event, and again while a reload left none.
    private boolean live;
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

    /** Whether the running program has no item, so events need not be sent at all. */
    public boolean isEmpty() {
        return program.isEmpty();
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
        if (!live) {
            return; // no statement exists yet, so no timer can be due
        }
        this.alerts = alerts;
        try {
            advance(Math.floorDiv(eventTimeNanos, NANOS_PER_MILLI));
        } finally {
            this.alerts = alert -> { };
        }
    }

    /**
     * Runs {@code next} from now on, in this runtime: unchanged items (same id, same fingerprint) keep
     * their deployment and state, changed and removed ones are undeployed, new and changed ones are
     * deployed at the current clock. Call it on the engine thread between two events. The new modules
     * are deployed together before anything is undeployed, all or none: when one does not deploy,
     * this throws and the old program runs on untouched. One exception: a changed item declaring a
     * {@code @public} name clashes with its own old version, so when the new modules do not deploy
     * beside the old ones, the stopped items are undeployed first and the deploy tried again; should
     * that fail too, the old items are deployed again, empty, and this throws. {@code next} must come
     * from a compiler over the same field registry (the event types are the runtime's).
     */
    public Swap apply(final CepProgram next) {
        Objects.requireNonNull(next, "next");
        final Map<String, String> before = program.fingerprints();
        final List<String> kept = new ArrayList<>();
        final List<CepProgram.CompiledRule> starting = new ArrayList<>();
        for (final CepProgram.CompiledRule rule : next.rules()) {
            final String id = rule.def().id();
            // before the first event nothing is deployed yet; after it, an item kept must be running
            if (rule.fingerprint().equals(before.get(id)) && (!live || deployed.containsKey(id))) {
                kept.add(id);
            } else {
                starting.add(rule);
            }
        }
        final List<String> stopped = new ArrayList<>(before.keySet());
        stopped.removeAll(kept);
        final Swap swap = new Swap(kept, starting.stream().map(rule -> rule.def().id()).toList(), stopped);
        if (!live) {
            program = next; // nothing deployed yet: the first event deploys the new program
            return swap;
        }
        EPDeploymentRolloutItem[] started;
        try {
            started = rollout(starting);
        } catch (final EPDeployException beside) {
            if (stopped.isEmpty()) {
                throw notDeployed(starting, "nothing changed", beside);
            }
            // A changed item that declares a public (runtime-wide) name cannot run beside its old
            // version: stop the old ones first and try again.
            LOG.info("cep items {} do not deploy beside their old versions ({}); stopping those first", swap.started(),
                    beside.getMessage());
            stop(stopped);
            try {
                started = rollout(starting);
            } catch (final EPDeployException alone) {
                restart(stopped);
                throw notDeployed(starting, "the old items " + stopped + " were restarted empty", alone);
            }
        }
        // Stop the old ones only once the new ones are in, so a failure above leaves everything as it was.
        stop(stopped);
        final Map<String, Deployed> byId = new LinkedHashMap<>(deployed);
        deployed.clear();
        int index = 0;
        for (final CepProgram.CompiledRule rule : next.rules()) {
            final Deployed running = byId.get(rule.def().id());
            if (running != null) {
                running.rule = rule;
                deployed.put(rule.def().id(), running);
            } else {
                deployed.put(rule.def().id(), new Deployed(rule, started[index++].getDeployment()));
            }
        }
        program = next;
        live = !deployed.isEmpty();
        return swap;
    }

    @Override
    public void close() {
        runtime.destroy();
    }

    private void send(final long nanos, final Object[] row, final String type, final Consumer<Alert> alerts) {
        this.alerts = alerts;
        try {
            final long millis = Math.floorDiv(nanos, NANOS_PER_MILLI);
            if (!live) {
                // a jump, not a span: nothing is deployed, so no timer is due on the way
                clockMillis = Math.max(clockMillis, millis);
                events.advanceTime(clockMillis);
                deployAll();
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

    private void deployAll() {
        live = true; // once: a module that does not deploy fails this event, not every event after it
        final EPDeploymentRolloutItem[] started;
        try {
            started = rollout(program.rules());
        } catch (final EPDeployException e) {
            throw notDeployed(program.rules(), "no cep item runs", e);
        }
        for (int i = 0; i < started.length; i++) {
            final CepProgram.CompiledRule rule = program.rules().get(i);
            deployed.put(rule.def().id(), new Deployed(rule, started[i].getDeployment()));
        }
    }

    /** Deploys {@code rules} all or none. */
    private EPDeploymentRolloutItem[] rollout(final List<CepProgram.CompiledRule> rules) throws EPDeployException {
        if (rules.isEmpty()) {
            return new EPDeploymentRolloutItem[0];
        }
        return runtime.getDeploymentService()
                .rollout(rules.stream().map(rule -> new EPDeploymentRolloutCompiled(rule.module())).toList())
                .getItems();
    }

    private static IllegalStateException notDeployed(final List<CepProgram.CompiledRule> rules, final String outcome,
                                                     final EPDeployException e) {
        // CepCompiler deployed the same modules into a scratch runtime, so this is not a rule problem
        return new IllegalStateException("cep items " + rules.stream().map(rule -> rule.def().id()).toList()
                + " did not deploy, " + outcome + ": " + e.getMessage(), e);
    }

    /** Undeploys the running items {@code ids}, the later ones first (they may use what earlier ones declare). */
    private void stop(final List<String> ids) {
        final List<String> stopping = new ArrayList<>(ids);
        Collections.reverse(stopping);
        for (final String id : stopping) {
            final Deployed item = deployed.remove(id);
            if (item != null) {
                undeploy(item);
            }
        }
    }

    /** Deploys the running program's items {@code ids} again, empty, after a reload failed half-way. */
    private void restart(final List<String> ids) {
        final List<CepProgram.CompiledRule> rules = program.rules().stream()
                .filter(rule -> ids.contains(rule.def().id())).toList();
        try {
            final EPDeploymentRolloutItem[] started = rollout(rules);
            for (int i = 0; i < started.length; i++) {
                deployed.put(rules.get(i).def().id(), new Deployed(rules.get(i), started[i].getDeployment()));
            }
        } catch (final EPDeployException e) {
            // they ran a moment ago in this runtime; should they not come back, say which are gone
            LOG.error("cep items {} stopped for a reload that failed and did not deploy again: {}", ids, e.getMessage(),
                    e);
        }
    }

    private void undeploy(final Deployed item) {
        final EPStatement[] statements = item.deployment.getStatements();
        // silent first: should the undeploy fail, the stopped item raises nothing more
        statements[statements.length - 1].removeAllListeners();
        try {
            runtime.getDeploymentService().undeploy(item.deployment.getDeploymentId());
        } catch (final EPUndeployException e) {
            LOG.warn("cep '{}' stays deployed, silenced, until the engine stops: {}", item.rule.def().id(),
                    e.getMessage());
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
