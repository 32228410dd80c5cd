package dev.peregrine.engine.detect;

import dev.peregrine.alerting.Alert;
import dev.peregrine.alerting.AlertJson;
import dev.peregrine.alerting.Priority;
import dev.peregrine.collector.event.Event;
import dev.peregrine.collector.event.StandardFields;
import dev.peregrine.engine.Detector;
import dev.peregrine.engine.state.KeyValueStore;
import dev.peregrine.engine.state.StateCodec;
import dev.peregrine.engine.state.StateStore;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * {@code sensor_silent}: a sensor that was sending events sends none for longer than
 * {@code after}. A sensor is one {@code evt.source} on one sandbox ({@code sandbox.id}, else
 * {@code host.name}): {@code syscall@sbx-12}, {@code agent@sbx-12}.
 *
 * <p>Silence is measured in event time, so it is noticed when time advances: on another
 * sensor's event or on {@link #onTimeAdvance}; in live mode the runner must advance time while
 * input is idle for a silence of every sensor to be seen. One alert per silence; when the sensor
 * sends again it is watched again. A sensor silent for {@code forget_after} is forgotten.
 *
 * <p>Last-seen times live in the {@value #STORE} store, so a sensor that stopped while the
 * engine was down is reported after the restart. In memory, sensors are kept in last-seen
 * order, so finding the silent ones looks only at the oldest: O(1) per event.
 */
public final class SensorSilentDetector implements Detector {

    /** The rule id. */
    public static final String RULE_ID = "sensor_silent";
    /** The state store holding each sensor's last event. */
    public static final String STORE = "sensor_silent.last_seen";

    private static final List<String> TAGS = List.of("peregrine_builtin", "sensor", "mitre_defense_evasion", "T1562");

    /**
     * A sensor's last event.
     *
     * @param lastSeen  its event time
     * @param agent     its {@code agent.id}, or empty
     * @param host      its {@code host.name}, or empty
     * @param silent    whether its silence has alerted
     */
    public record Sensor(long lastSeen, String agent, String host, boolean silent) {
    }

    static final StateCodec<Sensor> CODEC = new StateCodec<>() {
        @Override
        public String encode(final Sensor s) {
            return s.lastSeen + " " + s.silent + " " + s.agent.length() + " " + s.agent + s.host;
        }

        @Override
        public Sensor decode(final String text) {
            final String[] parts = text.split(" ", 4);
            if (parts.length < 3) {
                throw new IllegalArgumentException("expected last-seen time, flag, agent length");
            }
            final int agentLength = Integer.parseInt(parts[2]);
            final String names = parts.length == 4 ? parts[3] : "";
            if (agentLength > names.length()) {
                throw new IllegalArgumentException("agent length " + agentLength + " exceeds the text");
            }
            return new Sensor(Long.parseLong(parts[0]), names.substring(0, agentLength), names.substring(agentLength),
                    Boolean.parseBoolean(parts[1]));
        }
    };

    private final PerAgent<SensorSilentSettings> settings;
    private final KeyValueStore<Sensor> sensors;
    // Sensors being watched, oldest last-seen first: access order, so the put on every event moves the
    // sensor to the end as a remove and re-insert would, in one lookup. Nothing else reads it by key.
    private final LinkedHashMap<String, Long> watched = new LinkedHashMap<>(16, 0.75f, true);
    // Sensors whose silence has alerted, with their last-seen time, until they send or are forgotten.
    private final LinkedHashMap<String, Long> silent = new LinkedHashMap<>();
    private long latest = Long.MIN_VALUE;

    public SensorSilentDetector(final PerAgent<SensorSilentSettings> settings, final StateStore state) {
        this.settings = settings;
        this.sensors = state.keyValueStore(STORE, CODEC);
        final List<Map.Entry<String, Sensor>> persisted = new ArrayList<>();
        sensors.forEach((key, sensor) -> persisted.add(Map.entry(key, sensor)));
        persisted.sort(Comparator.comparingLong(e -> e.getValue().lastSeen()));
        for (final Map.Entry<String, Sensor> entry : persisted) {
            (entry.getValue().silent() ? silent : watched).put(entry.getKey(), entry.getValue().lastSeen());
        }
    }

    /** The sensor name of {@code event}: {@code SOURCE@SANDBOX}, else {@code SOURCE@HOST}, else the source. */
    static String sensorOf(final Event event) {
        final String source = String.valueOf(event.getString(StandardFields.EVT_SOURCE));
        final String sandbox = event.getString(StandardFields.SANDBOX_ID);
        if (sandbox != null) {
            return source + "@" + sandbox;
        }
        final String host = event.getString(StandardFields.HOST_NAME);
        return host != null ? source + "@" + host : source;
    }

    /** Sensors known (watched or silent). */
    public int trackedSensors() {
        return watched.size() + silent.size();
    }

    @Override
    public void onEvent(final Event event, final Consumer<Alert> alerts) {
        final long now = event.timeNanos();
        // Late events (within the reorder buffer's slack) must not move a sensor's clock back.
        onTimeAdvance(now, alerts);
        final String key = sensorOf(event);
        final String agent = event.getString(StandardFields.AGENT_ID);
        if (!settings.forAgent(agent).enabled()) {
            return;
        }
        final Sensor before = sensors.get(key);
        final long lastSeen = before == null ? now : Math.max(before.lastSeen(), now);
        if (before == null || before.silent()) {
            silent.remove(key); // only a sensor stored as silent can be in it
        }
        watched.put(key, lastSeen);
        final String host = event.getString(StandardFields.HOST_NAME);
        sensors.put(key, new Sensor(lastSeen, agent == null ? "" : agent, host == null ? "" : host, false));
    }

    @Override
    public void onTimeAdvance(final long eventTimeNanos, final Consumer<Alert> alerts) {
        if (eventTimeNanos <= latest) {
            return;
        }
        latest = eventTimeNanos;
        final Iterator<Map.Entry<String, Long>> oldest = watched.entrySet().iterator();
        while (oldest.hasNext()) {
            final Map.Entry<String, Long> entry = oldest.next();
            final Sensor sensor = sensors.get(entry.getKey());
            final SensorSilentSettings s = settings.forAgent(sensor.agent().isEmpty() ? null : sensor.agent());
            final long quiet = eventTimeNanos - entry.getValue();
            // Per-agent windows differ, so an entry not yet silent only stops the scan under the global window.
            if (quiet <= s.after().toNanos()) {
                if (settings.agents().isEmpty()) {
                    break;
                }
                continue;
            }
            oldest.remove();
            silent.put(entry.getKey(), entry.getValue());
            sensors.put(entry.getKey(), new Sensor(sensor.lastSeen(), sensor.agent(), sensor.host(), true));
            alerts.accept(alert(entry.getKey(), sensor, eventTimeNanos, s));
        }
        final Iterator<Map.Entry<String, Long>> forgotten = silent.entrySet().iterator();
        while (forgotten.hasNext()) {
            final Map.Entry<String, Long> entry = forgotten.next();
            final Sensor sensor = sensors.get(entry.getKey());
            if (eventTimeNanos - entry.getValue() <= settings.forAgent(sensor.agent().isEmpty() ? null : sensor.agent())
                    .forgetAfter().toNanos()) {
                break;
            }
            forgotten.remove();
            sensors.delete(entry.getKey());
        }
    }

    private static Alert alert(final String key, final Sensor sensor, final long now, final SensorSilentSettings s) {
        final String source = key.contains("@") ? key.substring(0, key.indexOf('@')) : key;
        final Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("sensor", key);
        fields.put("evt.source", source);
        fields.put("agent.id", sensor.agent().isEmpty() ? null : sensor.agent());
        fields.put("host.name", sensor.host().isEmpty() ? null : sensor.host());
        fields.put("last_seen", AlertJson.formatTime(sensor.lastSeen()));
        fields.put("silent_seconds", (now - sensor.lastSeen()) / 1_000_000_000L);
        fields.put("after_seconds", s.after().toSeconds());
        final String output = "Sensor silent: " + key + " has sent no events since " + AlertJson.formatTime(sensor.lastSeen())
                + " (" + DetectionAlerts.seconds(now - sensor.lastSeen()) + ", limit " + DetectionAlerts.human(s.after())
                + ")";
        return new Alert(Alert.deterministicId(RULE_ID, key, sensor.lastSeen()), now, RULE_ID, "Sensor went silent",
                Priority.WARNING, source, sensor.host(), TAGS, output, fields, sensor.agent(), "", 1, sensor.lastSeen(),
                now);
    }
}
