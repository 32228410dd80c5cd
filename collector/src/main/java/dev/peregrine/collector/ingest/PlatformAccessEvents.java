package dev.peregrine.collector.ingest;

import static dev.peregrine.collector.event.StandardFields.AGENT_ID;
import static dev.peregrine.collector.event.StandardFields.AGENT_SESSION;
import static dev.peregrine.collector.event.StandardFields.EVT_SOURCE;
import static dev.peregrine.collector.event.StandardFields.EVT_TYPE;
import static dev.peregrine.collector.event.StandardFields.PLATFORM_OP;
import static dev.peregrine.collector.event.StandardFields.PLATFORM_OUTCOME;
import static dev.peregrine.collector.event.StandardFields.PLATFORM_REMOTE_ADDR;
import static dev.peregrine.collector.event.StandardFields.SANDBOX_ID;

import dev.peregrine.collector.event.Event;
import dev.peregrine.collector.source.EventSource;
import dev.peregrine.collector.source.SourceListener;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Accesses to Peregrine itself as {@code platform_access} events (spec §2.2), so the rules that
 * watch agents also watch whoever talks to the monitor: an identity violation at the ingest API
 * becomes an event that the shipped {@code ingest_spoof} rule alerts on, and every rule reload
 * (or refused attempt at one) an event that {@code rules_reloaded}, {@code rules_reload_invalid}
 * and {@code platform_access_denied} alert on: whoever can reload the rules can blind the monitor,
 * so each reload leaves a trail. Other parts of Peregrine {@link #record} theirs here too.
 *
 * <p>Violations arrive on HTTP threads; {@link #read} hands them to the pipeline on its own
 * thread, so no sink is ever called from an HTTP thread. The queue is bounded: past
 * {@value #CAPACITY} unread events, further ones are counted in {@link #dropped()} (an attacker
 * flooding spoofed requests is already rate-limited per token, so this only bounds memory).
 */
public final class PlatformAccessEvents implements EventSource, IdentityViolationListener {

    /** The source name in summaries and metrics. */
    public static final String NAME = "platform";

    private static final int CAPACITY = 10_000;
    private static final Event CLOSED = Event.builder().time(0).build();

    private final BlockingQueue<Event> queue = new LinkedBlockingQueue<>(CAPACITY + 1);
    private final AtomicLong dropped = new AtomicLong();
    private volatile boolean closed;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void onViolation(final IdentityViolation violation) {
        final Event.Builder event = Event.builder()
                .time(violation.time().getEpochSecond() * 1_000_000_000L + violation.time().getNano())
                .set(EVT_SOURCE, "agent")
                .set(EVT_TYPE, "platform_access")
                .set(PLATFORM_OP, "ingest")
                .set(PLATFORM_OUTCOME, "identity_violation")
                .set(PLATFORM_REMOTE_ADDR, violation.remoteAddress())
                .extra("ingest.token", violation.tokenName())
                .extra("ingest.field", violation.field())
                .extra("ingest.claimed", violation.claimed())
                .extra("ingest.allowed", violation.allowed())
                .extra("ingest.line", violation.line());
        // the claimed identity is what the alert is about: group and route by it
        switch (violation.field()) {
            case "agent.id" -> event.set(AGENT_ID, violation.claimed());
            case "agent.session" -> event.set(AGENT_SESSION, violation.claimed());
            case "sandbox.id" -> event.set(SANDBOX_ID, violation.claimed());
            default -> {
                // a field added to identity patterns later still reaches the rule through ingest.field
            }
        }
        offer(event.build());
    }

    /**
     * A rule reload, or an attempt at one, as Peregrine saw it.
     *
     * @param time          when it was decided
     * @param trigger       what asked for it: {@code sighup}, {@code file} (a rule file changed) or {@code http}
     * @param outcome       {@code success} (the new rules compiled), {@code invalid} (they did not; the running
     *                      rules stay), {@code unauthorized} (no valid token) or {@code forbidden} (a token that
     *                      may not reload)
     * @param client        who asked: the token's name for {@code http}, else the trigger's own description
     * @param remoteAddress the client's address for {@code http}, else null
     * @param generation    the rule set running after it (negative when the attempt was refused before loading)
     * @param rules         active per-event rules of the new set (0 unless {@code success})
     * @param cepItems      compiled cep items of the new set (0 unless {@code success})
     * @param problems      why the rules did not load, each {@code file:line:column: message}; empty otherwise
     */
    public record RulesReload(Instant time, String trigger, String outcome, String client, String remoteAddress,
                              long generation, int rules, int cepItems, List<String> problems) {
        public RulesReload {
            Objects.requireNonNull(time, "time");
            Objects.requireNonNull(trigger, "trigger");
            Objects.requireNonNull(outcome, "outcome");
            Objects.requireNonNull(client, "client");
            problems = List.copyOf(problems);
        }
    }

    /**
     * Queues a rule reload as a {@code platform_access} event with {@code platform.op=rules_reload};
     * its details are in {@code reload.*} keys (the first problem in {@code reload.problem}).
     */
    public void onRulesReload(final RulesReload reload) {
        final Event.Builder event = Event.builder()
                .time(reload.time().getEpochSecond() * 1_000_000_000L + reload.time().getNano())
                .set(EVT_SOURCE, "agent")
                .set(EVT_TYPE, "platform_access")
                .set(PLATFORM_OP, "rules_reload")
                .set(PLATFORM_OUTCOME, reload.outcome())
                .extra("reload.trigger", reload.trigger())
                .extra("reload.client", reload.client())
                .extra("reload.problems", (long) reload.problems().size());
        if (reload.remoteAddress() != null) {
            event.set(PLATFORM_REMOTE_ADDR, reload.remoteAddress());
        }
        if (reload.generation() >= 0) {
            event.extra("reload.generation", reload.generation())
                    .extra("reload.rules", (long) reload.rules())
                    .extra("reload.cep_items", (long) reload.cepItems());
        }
        if (!reload.problems().isEmpty()) {
            event.extra("reload.problem", reload.problems().get(0));
        }
        offer(event.build());
    }

    /**
     * Queues a {@code platform_access} event another part of Peregrine built (the analyst console's
     * suppressions and acknowledgements), so every access to the monitor reaches the rules through
     * this one source.
     */
    public void record(final Event event) {
        offer(Objects.requireNonNull(event, "event"));
    }

    private void offer(final Event event) {
        if (closed || !queue.offer(event)) {
            dropped.incrementAndGet();
        }
    }

    /** Events that could not be queued (closed, or {@value #CAPACITY} unread). */
    public long dropped() {
        return dropped.get();
    }

    @Override
    public void read(final SourceListener listener) {
        try {
            while (true) {
                final Event event = queue.poll(1, TimeUnit.SECONDS);
                if (event == CLOSED) {
                    return;
                }
                if (event != null) {
                    listener.onEvent(event);
                } else if (closed && queue.isEmpty()) {
                    return;
                }
            }
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        closed = true;
        queue.offer(CLOSED);
    }
}
