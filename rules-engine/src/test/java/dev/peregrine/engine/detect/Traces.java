package dev.peregrine.engine.detect;

import dev.peregrine.alerting.Alert;
import dev.peregrine.collector.event.Event;
import dev.peregrine.engine.Detector;
import java.util.ArrayList;
import java.util.List;

/** Loads the NDJSON traces under {@code traces/detect/} and replays them through detectors in event time. */
final class Traces {

    private Traces() {
    }

    /** The events of {@code names} (paths under {@code traces/detect/}), in file order. */
    static List<Event> load(final String... names) {
        final List<Event> events = new ArrayList<>();
        for (final String name : names) {
            events.addAll(dev.peregrine.engine.Traces.events("traces/detect/" + name));
        }
        return events;
    }

    /** Replays events as the engine does: time advances to each event, then the event is seen. */
    static List<Alert> replay(final List<Detector> detectors, final List<Event> events) {
        final List<Alert> alerts = new ArrayList<>();
        for (final Event event : events) {
            for (final Detector detector : detectors) {
                detector.onTimeAdvance(event.timeNanos(), alerts::add);
                detector.onEvent(event, alerts::add);
            }
        }
        return alerts;
    }

    static List<Alert> replay(final Detector detector, final String... names) {
        return replay(List.of(detector), load(names));
    }
}
