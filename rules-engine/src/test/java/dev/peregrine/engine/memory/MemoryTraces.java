package dev.peregrine.engine.memory;

import dev.peregrine.alerting.Alert;
import dev.peregrine.collector.event.Event;
import dev.peregrine.engine.Detector;
import java.util.ArrayList;
import java.util.List;

/** Loads the NDJSON traces under {@code traces/memory/} and replays them through a detector in event time. */
final class MemoryTraces {

    private MemoryTraces() {
    }

    /** The events of {@code names} in file order; a line that does not parse fails the test. */
    static List<Event> load(final String... names) {
        final List<Event> events = new ArrayList<>();
        for (final String name : names) {
            events.addAll(dev.peregrine.engine.Traces.events("traces/memory/" + name));
        }
        return events;
    }

    static List<Alert> replay(final Detector detector, final List<Event> events) {
        final List<Alert> alerts = new ArrayList<>();
        for (final Event event : events) {
            detector.onTimeAdvance(event.timeNanos(), alerts::add);
            detector.onEvent(event, alerts::add);
        }
        return alerts;
    }

    static List<Alert> replay(final Detector detector, final String... names) {
        return replay(detector, load(names));
    }
}
