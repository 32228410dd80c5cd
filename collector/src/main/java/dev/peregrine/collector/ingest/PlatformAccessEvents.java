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
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Accesses to Peregrine itself as {@code platform_access} events (spec §2.2), so the rules that
 * watch agents also watch whoever talks to the monitor: an identity violation at the ingest API
 * becomes an event that the shipped {@code ingest_spoof} rule alerts on.
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
        if (closed || !queue.offer(event.build())) {
            dropped.incrementAndGet();
        }
    }

    /** Violations that could not be queued (closed, or {@value #CAPACITY} unread). */
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
