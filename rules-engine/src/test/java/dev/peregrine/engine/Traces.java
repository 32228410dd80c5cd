package dev.peregrine.engine;

import dev.peregrine.collector.event.Event;
import dev.peregrine.collector.ndjson.LineRejectedException;
import dev.peregrine.collector.ndjson.NdjsonParser;
import dev.peregrine.engine.rules.RuleFile;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Test fixtures from the classpath: NDJSON traces parsed as the collector parses them, and rule files. */
public final class Traces {

    private Traces() {
    }

    /** The events of an NDJSON trace, in file order; a line that does not parse fails the test. */
    public static List<Event> events(final String resource) {
        final NdjsonParser parser = new NdjsonParser();
        final List<Event> events = new ArrayList<>();
        int number = 0;
        for (final String line : text(resource).split("\n")) {
            number++;
            if (line.isBlank()) {
                continue;
            }
            final byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
            try {
                events.add(parser.parse(bytes, 0, bytes.length));
            } catch (final LineRejectedException e) {
                throw new AssertionError(resource + ":" + number + ": " + e.getMessage(), e);
            }
        }
        return events;
    }

    /** A rule file from the classpath. */
    public static RuleFile ruleFile(final String resource) {
        return new RuleFile(resource, text(resource));
    }

    private static String text(final String resource) {
        try (InputStream in = Traces.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new AssertionError("not on the classpath: " + resource);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (final IOException e) {
            throw new AssertionError("cannot read " + resource, e);
        }
    }
}
