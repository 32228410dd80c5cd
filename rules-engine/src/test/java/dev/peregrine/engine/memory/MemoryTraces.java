package dev.peregrine.engine.memory;

import dev.peregrine.alerting.Alert;
import dev.peregrine.collector.event.Event;
import dev.peregrine.collector.ndjson.NdjsonParser;
import dev.peregrine.engine.Detector;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Loads the NDJSON traces under {@code traces/memory/} and replays them through a detector in event time. */
final class MemoryTraces {

    private MemoryTraces() {
    }

    static List<Event> load(final String... names) {
        final NdjsonParser parser = new NdjsonParser();
        final List<Event> events = new ArrayList<>();
        for (final String name : names) {
            try (InputStream in = MemoryTraces.class.getResourceAsStream("/traces/memory/" + name)) {
                if (in == null) {
                    throw new IllegalArgumentException("no trace " + name);
                }
                final String[] lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n");
                for (int i = 0; i < lines.length; i++) {
                    final byte[] bytes = lines[i].getBytes(StandardCharsets.UTF_8);
                    if (NdjsonParser.isBlank(bytes, 0, bytes.length)) {
                        continue;
                    }
                    try {
                        events.add(parser.parse(bytes, 0, bytes.length));
                    } catch (final Exception e) {
                        throw new AssertionError(name + ":" + (i + 1) + " rejected: " + e.getMessage(), e);
                    }
                }
            } catch (final IOException e) {
                throw new UncheckedIOException(e);
            }
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
