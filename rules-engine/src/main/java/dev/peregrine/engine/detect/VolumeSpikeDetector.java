package dev.peregrine.engine.detect;

import dev.peregrine.alerting.Alert;
import dev.peregrine.alerting.AlertJson;
import dev.peregrine.alerting.Priority;
import dev.peregrine.collector.event.Event;
import dev.peregrine.engine.Detector;
import dev.peregrine.engine.state.KeyValueStore;
import dev.peregrine.engine.state.StateStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * {@code volume_spike}: an agent's event count in one window (tumbling, aligned to the epoch)
 * reaches {@code factor} times its baseline and at least {@code min_events}.
 *
 * <p>The baseline is an exponentially weighted mean of the agent's per-window counts (windows
 * without events count as 0), with the configured half-life; the window being counted is not
 * part of it. An agent's first, partial window is not a sample. No alert until {@code warmup}
 * has passed since the agent's first event and one full window is in the baseline. One alert per
 * spike: windows that stay at or above the threshold after the alert do not alert again.
 *
 * <p>The counting and the baseline are {@link RateBaseline}'s. State per agent: one small
 * record in the {@value #STORE} store, so a restarted engine keeps
 * its baselines and does not warm up again. O(1) per event.
 */
public final class VolumeSpikeDetector implements Detector {

    /** The rule id. */
    public static final String RULE_ID = "volume_spike";
    /** The state store holding per-agent baselines. */
    public static final String STORE = "volume_spike.baseline";

    private static final List<String> TAGS = List.of("peregrine_builtin", "agent", "baseline", "mitre_impact", "T1499");
    // An agent silent this long is forgotten; its baseline would have decayed to nothing anyway.
    private static final long FORGET_AFTER = Duration.ofDays(30).toNanos();
    private static final long SWEEP_EVERY = Duration.ofHours(1).toNanos();

    private final PerAgent<VolumeSpikeSettings> settings;
    private final KeyValueStore<RateBaseline> baselines;
    private long nextSweep = Long.MIN_VALUE;

    public VolumeSpikeDetector(final PerAgent<VolumeSpikeSettings> settings, final StateStore state) {
        this.settings = settings;
        this.baselines = state.keyValueStore(STORE, RateBaseline.CODEC);
    }

    /** The baseline of {@code agent}, or {@code null}: for tests and the console. */
    public RateBaseline baseline(final String agent) {
        return baselines.get(agent);
    }

    @Override
    public void onEvent(final Event event, final Consumer<Alert> alerts) {
        final long now = event.timeNanos();
        sweep(now);
        final String agent = DetectionAlerts.agentKey(event);
        if (agent == null) {
            return;
        }
        final VolumeSpikeSettings s = settings.forAgent(agent);
        if (!s.enabled()) {
            return;
        }
        final RateBaseline.Step step = RateBaseline.count(baselines.get(agent), now, s.knobs());
        if (step.spikeStarted()) {
            alerts.accept(alert(event, agent, step.before(), step.baseline().count(), step.before().windowStart(), s));
        }
        baselines.put(agent, step.baseline());
    }

    private static Alert alert(final Event event, final String agent, final RateBaseline b, final long count,
                               final long windowStart, final VolumeSpikeSettings s) {
        final double ratio = b.mean() > 0 ? count / b.mean() : Double.POSITIVE_INFINITY;
        final Map<String, Object> fields = DetectionAlerts.identity(event);
        fields.put("events", count);
        fields.put("window_seconds", s.window().toSeconds());
        fields.put("window_start", AlertJson.formatTime(windowStart));
        fields.put("baseline", round(b.mean()));
        fields.put("ratio", Double.isInfinite(ratio) ? null : round(ratio));
        fields.put("factor", s.factor());
        fields.put("min_events", s.minEvents());
        fields.put("baseline_windows", b.windows());
        final String output = String.format(Locale.ROOT,
                "Volume spike: agent=%s made %d events in the %s window from %s, %sx its baseline of %.1f per %s"
                        + " (threshold %sx and at least %d)",
                agent, count, DetectionAlerts.human(s.window()), AlertJson.formatTime(windowStart),
                Double.isInfinite(ratio) ? "inf" : String.format(Locale.ROOT, "%.1f", ratio), b.mean(),
                DetectionAlerts.human(s.window()), trim(s.factor()), s.minEvents());
        return DetectionAlerts.alert(RULE_ID, "Agent event volume spike", Priority.WARNING, TAGS, event, agent,
                windowStart, output, fields, count, windowStart);
    }

    private static double round(final double value) {
        return Math.round(value * 100.0) / 100.0;
    }

    private static String trim(final double value) {
        return value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
    }

    private void sweep(final long now) {
        if (now < nextSweep) {
            return;
        }
        nextSweep = now + SWEEP_EVERY;
        final List<String> idle = new ArrayList<>();
        baselines.forEach((agent, b) -> {
            if (now - b.windowStart() > FORGET_AFTER) {
                idle.add(agent);
            }
        });
        idle.forEach(baselines::delete);
    }
}
