package dev.peregrine.engine.detect;

import dev.peregrine.alerting.Alert;
import dev.peregrine.alerting.Priority;
import dev.peregrine.collector.event.Event;
import dev.peregrine.collector.event.StandardFields;
import dev.peregrine.engine.Detector;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * {@code denied_burst}: a session gets {@code threshold} permission denials within
 * {@code window} (an agent tool call with {@code tool.outcome=denied}, or an OS event with
 * {@code evt.res} {@code EACCES} or {@code EPERM}); and {@code denied_burst.probing}: denials of
 * {@code probing_resources} distinct resources within {@code probing_window}.
 *
 * <p>One alert per burst: after it fires, further denials belong to the same burst until a
 * whole window passes without one. "Within the window" means the first and the last of the
 * {@code threshold} denials are less than {@code window} apart.
 *
 * <p>State is short-lived and not persisted: per session, the last {@code threshold} denial
 * times (a ring buffer) and at most {@code probing_resources} recent resources; a session is
 * dropped once both windows have passed since its last denial. O(1) per event.
 */
public final class DeniedBurstDetector implements Detector {

    /** The rule id of a denial burst. */
    public static final String RULE_ID = "denied_burst";
    /** The rule id of a burst of denials on many distinct resources. */
    public static final String PROBING_RULE_ID = "denied_burst.probing";

    private static final List<String> TAGS = List.of("peregrine_builtin", "agent", "permission", "mitre_discovery",
            "mitre_privilege_escalation");
    private static final List<String> PROBING_TAGS = List.of("peregrine_builtin", "agent", "permission",
            "mitre_discovery", "T1083");

    private final PerAgent<DeniedBurstSettings> settings;
    // Access order: the head is the session idle longest, so eviction looks at the head only.
    private final LinkedHashMap<String, SessionDenials> sessions = new LinkedHashMap<>(64, 0.75f, true);
    private final long idleNanos;

    /** Per-session denial state. */
    private static final class SessionDenials {
        final long[] times;
        int next;
        int size;
        long lastDenial;
        long burstStart = -1;
        long burstCount;
        final LinkedHashMap<String, Long> resources = new LinkedHashMap<>();
        long probingStart = -1;
        long probingCount;

        SessionDenials(final int threshold) {
            times = new long[threshold];
        }
    }

    public DeniedBurstDetector(final PerAgent<DeniedBurstSettings> settings) {
        this.settings = settings;
        long idle = 0;
        for (final DeniedBurstSettings s : allOf(settings)) {
            idle = Math.max(idle, Math.max(s.window().toNanos(), s.probingWindow().toNanos()));
        }
        this.idleNanos = idle;
    }

    private static List<DeniedBurstSettings> allOf(final PerAgent<DeniedBurstSettings> settings) {
        final List<DeniedBurstSettings> all = new ArrayList<>(settings.agents().values());
        all.add(settings.global());
        return all;
    }

    /** Whether {@code event} is a permission denial. */
    static boolean isDenial(final Event event) {
        final String outcome = event.getString(StandardFields.TOOL_OUTCOME);
        if ("denied".equals(outcome)) {
            return true;
        }
        final String res = event.getString(StandardFields.EVT_RES);
        return "EACCES".equals(res) || "EPERM".equals(res);
    }

    /** What was denied: the tool action and resource, else the file or connection, else the command. */
    static String deniedResource(final Event event) {
        final String action = event.getString(StandardFields.TOOL_ACTION);
        if (action != null || event.has(StandardFields.TOOL_RESOURCE)) {
            final String resource = event.getString(StandardFields.TOOL_RESOURCE);
            return (action == null ? event.getString(StandardFields.TOOL_NAME) : action)
                    + (resource == null ? "" : " " + resource);
        }
        final String fd = event.getString(StandardFields.FD_NAME);
        if (fd != null) {
            return fd;
        }
        final String cmdline = event.getString(StandardFields.PROC_CMDLINE);
        return cmdline != null ? cmdline : String.valueOf(event.getString(StandardFields.EVT_TYPE));
    }

    /** Sessions currently holding denial state. */
    public int trackedSessions() {
        return sessions.size();
    }

    @Override
    public void onEvent(final Event event, final Consumer<Alert> alerts) {
        final long now = event.timeNanos();
        evictIdle(now);
        if (!isDenial(event)) {
            return;
        }
        final String key = DetectionAlerts.sessionKey(event);
        if (key == null) {
            return;
        }
        final DeniedBurstSettings s = settings.forAgent(event.getString(StandardFields.AGENT_ID));
        if (!s.enabled()) {
            return;
        }
        SessionDenials state = sessions.get(key);
        if (state == null || state.times.length != s.threshold()) {
            state = new SessionDenials(s.threshold());
            sessions.put(key, state);
        }
        countDenial(event, key, s, state, now, alerts);
        countResource(event, key, s, state, now, alerts);
        state.lastDenial = now;
    }

    @Override
    public void onTimeAdvance(final long eventTimeNanos, final Consumer<Alert> alerts) {
        evictIdle(eventTimeNanos);
    }

    private void countDenial(final Event event, final String key, final DeniedBurstSettings s,
                             final SessionDenials state, final long now, final Consumer<Alert> alerts) {
        final long window = s.window().toNanos();
        if (state.burstStart >= 0 && now - state.lastDenial >= window) {
            state.burstStart = -1;
        }
        state.times[state.next] = now;
        state.next = (state.next + 1) % state.times.length;
        state.size = Math.min(state.size + 1, state.times.length);
        if (state.burstStart >= 0) {
            state.burstCount++;
            return;
        }
        // When full, times[next] is the oldest of the last `threshold` denials.
        final long oldest = state.times[state.next];
        if (state.size == state.times.length && now - oldest < window) {
            state.burstStart = oldest;
            state.burstCount = state.size;
            final Map<String, Object> fields = DetectionAlerts.identity(event);
            fields.put("denials", (long) state.size);
            fields.put("span_seconds", (now - oldest) / 1e9);
            fields.put("threshold", (long) s.threshold());
            fields.put("window_seconds", s.window().toSeconds());
            DetectionAlerts.putPresent(fields, "evt.source", event.getString(StandardFields.EVT_SOURCE));
            fields.put("last_denied", deniedResource(event));
            DetectionAlerts.putPresent(fields, "tool.reason", event.getString(StandardFields.TOOL_REASON));
            DetectionAlerts.putPresent(fields, "evt.res", event.getString(StandardFields.EVT_RES));
            final String output = "Permission denial burst: " + state.size + " denials in "
                    + DetectionAlerts.seconds(now - oldest) + " (threshold " + s.threshold() + " in "
                    + DetectionAlerts.human(s.window()) + ") for agent=" + event.getString(StandardFields.AGENT_ID)
                    + " session=" + key + "; last denied: " + deniedResource(event);
            alerts.accept(DetectionAlerts.alert(RULE_ID, "Permission denied burst", Priority.WARNING, TAGS, event,
                    key, oldest, output, fields, state.size, oldest));
        }
    }

    private void countResource(final Event event, final String key, final DeniedBurstSettings s,
                               final SessionDenials state, final long now, final Consumer<Alert> alerts) {
        final long window = s.probingWindow().toNanos();
        if (state.probingStart >= 0 && now - state.lastDenial >= window) {
            state.probingStart = -1;
        }
        final Iterator<Long> oldest = state.resources.values().iterator();
        while (oldest.hasNext() && now - oldest.next() >= window) {
            oldest.remove();
        }
        final String resource = deniedResource(event);
        state.resources.remove(resource);
        state.resources.put(resource, now);
        if (state.resources.size() > s.probingResources()) {
            state.resources.remove(state.resources.keySet().iterator().next());
        }
        if (state.probingStart >= 0) {
            state.probingCount++;
            return;
        }
        if (state.resources.size() >= s.probingResources()) {
            final long first = state.resources.values().iterator().next();
            state.probingStart = first;
            state.probingCount = state.resources.size();
            final Map<String, Object> fields = DetectionAlerts.identity(event);
            fields.put("distinct_resources", (long) state.resources.size());
            fields.put("span_seconds", (now - first) / 1e9);
            fields.put("threshold", (long) s.probingResources());
            fields.put("window_seconds", s.probingWindow().toSeconds());
            DetectionAlerts.putPresent(fields, "evt.source", event.getString(StandardFields.EVT_SOURCE));
            fields.put("resources", String.join(", ", state.resources.keySet()));
            final String output = "Permission probing: denials on " + state.resources.size()
                    + " distinct resources in " + DetectionAlerts.seconds(now - first) + " (threshold "
                    + s.probingResources() + " in " + DetectionAlerts.human(s.probingWindow()) + ") for agent="
                    + event.getString(StandardFields.AGENT_ID) + " session=" + key + ": "
                    + String.join(", ", state.resources.keySet());
            alerts.accept(DetectionAlerts.alert(PROBING_RULE_ID, "Permission probing across resources",
                    Priority.WARNING, PROBING_TAGS, event, key, first, output, fields, state.resources.size(), first));
        }
    }

    private void evictIdle(final long now) {
        final Iterator<SessionDenials> eldest = sessions.values().iterator();
        while (eldest.hasNext()) {
            if (now - eldest.next().lastDenial < idleNanos) {
                return;
            }
            eldest.remove();
        }
    }
}
