package dev.peregrine.app.console;

import static dev.peregrine.collector.event.StandardFields.AGENT_ID;
import static dev.peregrine.collector.event.StandardFields.AGENT_SESSION;

import dev.peregrine.alerting.Alert;
import dev.peregrine.collector.event.Event;
import dev.peregrine.engine.Detector;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * The most recent events the engine saw, so the console can show an alert's evidence and the
 * agent's timeline around it. A detector that raises nothing: placed among the built-in
 * detections, it sees every event in the order the engine does. Bounded: past its capacity the
 * oldest event is forgotten and counted in {@link #evicted()}. Thread-safe: the engine thread
 * records, HTTP threads read.
 */
public final class EventWindow implements Detector {

    /** Events kept when no capacity is given. */
    public static final int DEFAULT_CAPACITY = 20_000;

    /**
     * The events around one alert.
     *
     * @param before   the agent's events just before the alert's first occurrence, oldest first
     * @param evidence the agent's events from its first to its last occurrence
     * @param after    the agent's events just after its last occurrence
     */
    public record Timeline(List<Event> before, List<Event> evidence, List<Event> after) {
    }

    /**
     * What the window holds for one agent session.
     *
     * @param agent          {@code agent.id}
     * @param session        {@code agent.session}
     * @param events         how many of its events are in the window
     * @param firstTimeNanos event time of the oldest of them
     * @param lastTimeNanos  event time of the newest
     */
    public record SessionActivity(String agent, String session, long events, long firstTimeNanos,
                                  long lastTimeNanos) {
    }

    private final int capacity;
    private final ArrayDeque<Event> events;
    private long evicted;

    /** A window of at most {@code capacity} events. */
    public EventWindow(final int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be positive");
        }
        this.capacity = capacity;
        this.events = new ArrayDeque<>(Math.min(capacity, 1024));
    }

    @Override
    public synchronized void onEvent(final Event event, final Consumer<Alert> alerts) {
        events.addLast(event);
        if (events.size() > capacity) {
            events.removeFirst();
            evicted++;
        }
    }

    /**
     * The events of the alert's agent and session (either, when the alert has only one) from its
     * first to its last occurrence, with up to {@code context} events either side.
     */
    public synchronized Timeline around(final Alert alert, final int context, final int maxEvidence) {
        final List<Event> before = new ArrayList<>();
        final List<Event> evidence = new ArrayList<>();
        final List<Event> after = new ArrayList<>();
        if (alert.agent().isEmpty() && alert.session().isEmpty()) {
            return new Timeline(before, evidence, after);
        }
        for (final Event event : events) {
            if (!sameActor(alert, event)) {
                continue;
            }
            final long time = event.timeNanos();
            if (time < alert.firstSeenNanos()) {
                before.add(event);
                if (before.size() > context) {
                    before.remove(0);
                }
            } else if (time <= alert.lastSeenNanos()) {
                if (evidence.size() < maxEvidence) {
                    evidence.add(event);
                }
            } else if (after.size() < context) {
                after.add(event);
            }
        }
        return new Timeline(before, evidence, after);
    }

    /** Each agent session with events in the window, by agent then session. */
    public synchronized List<SessionActivity> sessions() {
        final Map<String, long[]> bySession = new TreeMap<>();
        for (final Event event : events) {
            final String agent = Objects.requireNonNullElse(event.getString(AGENT_ID), "");
            final String session = Objects.requireNonNullElse(event.getString(AGENT_SESSION), "");
            if (agent.isEmpty() && session.isEmpty()) {
                continue;
            }
            final long[] stats = bySession.computeIfAbsent(agent + '\u0000' + session,
                    key -> new long[] {0, Long.MAX_VALUE, Long.MIN_VALUE});
            stats[0]++;
            stats[1] = Math.min(stats[1], event.timeNanos());
            stats[2] = Math.max(stats[2], event.timeNanos());
        }
        final List<SessionActivity> sessions = new ArrayList<>();
        bySession.forEach((key, stats) -> {
            final int split = key.indexOf('\u0000');
            sessions.add(new SessionActivity(key.substring(0, split), key.substring(split + 1), stats[0], stats[1],
                    stats[2]));
        });
        return sessions;
    }

    /** Events forgotten because the window was full. */
    public synchronized long evicted() {
        return evicted;
    }

    /** How many events the window holds. */
    public synchronized int size() {
        return events.size();
    }

    private static boolean sameActor(final Alert alert, final Event event) {
        return (alert.agent().isEmpty() || alert.agent().equals(event.getString(AGENT_ID)))
                && (alert.session().isEmpty() || alert.session().equals(event.getString(AGENT_SESSION)));
    }
}
