package dev.peregrine.app.console;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.peregrine.engine.detect.OffHoursDetector;
import dev.peregrine.engine.detect.RateBaseline;
import dev.peregrine.engine.detect.VolumeSpikeDetector;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the built-in detections had learned about each agent — its event-rate baseline and the
 * hours it is usually active — as of the state's last snapshot. Read from the snapshot file,
 * never from the live stores: those belong to the engine thread, and the console answers on
 * HTTP threads. The file is replaced atomically, so a reader sees a whole snapshot.
 */
final class LearnedState {

    private static final Logger LOG = LoggerFactory.getLogger(LearnedState.class);
    private static final int HOURS = 24;

    /**
     * One agent's learned state.
     *
     * @param volume        its event-rate baseline, or null
     * @param activeMinutes active minutes counted per hour of day (24 entries), or null
     */
    record Agent(RateBaseline volume, long[] activeMinutes) {
    }

    /**
     * A snapshot's content for the console.
     *
     * @param asOf   when the snapshot was written, or null when there is none
     * @param agents by agent id
     */
    record Snapshot(Instant asOf, Map<String, Agent> agents) {
        static final Snapshot NONE = new Snapshot(null, Map.of());
    }

    private final Path file;
    private final JsonFactory json = JsonFactory.builder().build();

    /** Reads {@code file} (null: state is not kept on disk, nothing was learned that can be shown). */
    LearnedState(final Path file) {
        this.file = file;
    }

    /** The latest snapshot's learned state; an unreadable entry is skipped and logged at debug. */
    Snapshot read() {
        if (file == null) {
            return Snapshot.NONE;
        }
        final Map<String, RateBaseline> volume = new HashMap<>();
        final Map<String, long[]> hours = new HashMap<>();
        final Instant asOf;
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            asOf = Files.getLastModifiedTime(file).toInstant();
            String line;
            while ((line = reader.readLine()) != null) {
                final Map<String, String> entry = entry(line);
                final String store = entry.get("store");
                final String key = entry.get("key");
                final String value = entry.get("value");
                if (store == null || key == null || value == null) {
                    continue;
                }
                try {
                    if (store.equals(VolumeSpikeDetector.STORE)) {
                        volume.put(key, RateBaseline.CODEC.decode(value));
                    } else if (store.equals(OffHoursDetector.STORE)) {
                        hours.put(key, activeMinutes(value));
                    }
                } catch (final IllegalArgumentException e) {
                    LOG.debug("learned state of {} in {} not shown: {}", key, store, e.getMessage());
                }
            }
        } catch (final NoSuchFileException nothingYet) {
            return Snapshot.NONE;
        } catch (final IOException e) {
            LOG.debug("learned state not readable from {}: {}", file, e.toString());
            return Snapshot.NONE;
        }
        final Map<String, Agent> agents = new HashMap<>();
        volume.forEach((agent, baseline) -> agents.put(agent, new Agent(baseline, hours.get(agent))));
        hours.forEach((agent, minutes) -> agents.putIfAbsent(agent, new Agent(null, minutes)));
        return new Snapshot(asOf, agents);
    }

    private Map<String, String> entry(final String line) throws IOException {
        final Map<String, String> fields = new HashMap<>();
        try (JsonParser parser = json.createParser(line)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return fields;
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                final String name = parser.currentName();
                if (parser.nextToken().isScalarValue()) {
                    fields.put(name, parser.getText());
                } else {
                    parser.skipChildren();
                }
            }
        } catch (final com.fasterxml.jackson.core.JsonProcessingException e) {
            LOG.debug("a line of {} is not JSON: {}", file, e.getOriginalMessage());
        }
        return fields;
    }

    /** The off_hours store's value: first-seen time, last minute, then 24 counts of active minutes. */
    private static long[] activeMinutes(final String value) {
        final String[] parts = value.split(" ");
        if (parts.length != HOURS + 2) {
            throw new IllegalArgumentException("expected " + (HOURS + 2) + " values, got " + parts.length);
        }
        final long[] minutes = new long[HOURS];
        for (int hour = 0; hour < HOURS; hour++) {
            minutes[hour] = Long.parseLong(parts[hour + 2]);
        }
        return minutes;
    }
}
