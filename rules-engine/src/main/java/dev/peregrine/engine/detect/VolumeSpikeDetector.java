package dev.peregrine.engine.detect;

import dev.peregrine.alerting.Alert;
import dev.peregrine.alerting.AlertJson;
import dev.peregrine.alerting.Priority;
import dev.peregrine.collector.event.Event;
import dev.peregrine.engine.Detector;
import dev.peregrine.engine.state.KeyValueStore;
import dev.peregrine.engine.state.StateCodec;
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
 * <p>State per agent: one small record in the {@value #STORE} store, so a restarted engine keeps
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

    /**
     * One agent's baseline and current window.
     *
     * @param firstSeen    event time of the agent's first event
     * @param windowStart  start of the window being counted
     * @param count        events in that window so far
     * @param mean         the baseline, events per window (NaN before the first full window)
     * @param windows      windows in the baseline
     * @param spiking      whether an alert was raised and its spike has not ended
     */
    public record Baseline(long firstSeen, long windowStart, long count, double mean, long windows, boolean spiking) {
    }

    /** Encodes a {@link Baseline} as space-separated numbers. */
    static final StateCodec<Baseline> CODEC = new StateCodec<>() {
        @Override
        public String encode(final Baseline b) {
            return b.firstSeen + " " + b.windowStart + " " + b.count + " " + b.mean + " " + b.windows + " " + b.spiking;
        }

        @Override
        public Baseline decode(final String text) {
            final String[] parts = text.split(" ");
            if (parts.length != 6) {
                throw new IllegalArgumentException("expected 6 values, got " + parts.length);
            }
            return new Baseline(Long.parseLong(parts[0]), Long.parseLong(parts[1]), Long.parseLong(parts[2]),
                    Double.parseDouble(parts[3]), Long.parseLong(parts[4]), Boolean.parseBoolean(parts[5]));
        }
    };

    private final PerAgent<VolumeSpikeSettings> settings;
    private final KeyValueStore<Baseline> baselines;
    private long nextSweep = Long.MIN_VALUE;

    public VolumeSpikeDetector(final PerAgent<VolumeSpikeSettings> settings, final StateStore state) {
        this.settings = settings;
        this.baselines = state.keyValueStore(STORE, CODEC);
    }

    /** The baseline of {@code agent}, or {@code null}: for tests and the console. */
    public Baseline baseline(final String agent) {
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
        final long window = s.window().toNanos();
        final long windowStart = Math.floorDiv(now, window) * window;
        Baseline b = baselines.get(agent);
        if (b == null) {
            b = new Baseline(now, windowStart, 0, Double.NaN, 0, false);
        } else if (windowStart > b.windowStart) {
            b = rollOver(b, windowStart, window, s);
        }
        final long count = b.count + 1;
        boolean spiking = b.spiking;
        final double threshold = threshold(b.mean, s);
        if (!spiking && b.windows > 0 && now - b.firstSeen >= s.warmup().toNanos() && count >= threshold) {
            spiking = true;
            alerts.accept(alert(event, agent, b, count, windowStart, s));
        }
        baselines.put(agent, new Baseline(b.firstSeen, b.windowStart, count, b.mean, b.windows, spiking));
    }

    private static double threshold(final double mean, final VolumeSpikeSettings s) {
        return Math.max(s.factor() * mean, s.minEvents());
    }

    /** Closes the counted window and any empty ones after it into the baseline. */
    private static Baseline rollOver(final Baseline b, final long windowStart, final long window,
                                     final VolumeSpikeSettings s) {
        final double alpha = s.alpha();
        double mean = b.mean;
        long windows = b.windows;
        final boolean partialFirst = b.windows == 0 && Double.isNaN(b.mean) && b.firstSeen > b.windowStart;
        if (!partialFirst) {
            mean = Double.isNaN(mean) ? b.count : mean + alpha * (b.count - mean);
            windows++;
        }
        final long empty = (windowStart - b.windowStart) / window - 1;
        if (empty > 0 && !Double.isNaN(mean)) {
            mean *= Math.pow(1 - alpha, empty);
            windows += empty;
        }
        // The spike is over once a window closes below the threshold it was judged against.
        final boolean spiking = b.spiking && empty == 0 && b.count >= threshold(b.mean, s);
        return new Baseline(b.firstSeen, windowStart, 0, mean, windows, spiking);
    }

    private static Alert alert(final Event event, final String agent, final Baseline b, final long count,
                               final long windowStart, final VolumeSpikeSettings s) {
        final double ratio = b.mean > 0 ? count / b.mean : Double.POSITIVE_INFINITY;
        final Map<String, Object> fields = DetectionAlerts.identity(event);
        fields.put("events", count);
        fields.put("window_seconds", s.window().toSeconds());
        fields.put("window_start", AlertJson.formatTime(windowStart));
        fields.put("baseline", round(b.mean));
        fields.put("ratio", Double.isInfinite(ratio) ? null : round(ratio));
        fields.put("factor", s.factor());
        fields.put("min_events", s.minEvents());
        fields.put("baseline_windows", b.windows);
        final String output = String.format(Locale.ROOT,
                "Volume spike: agent=%s made %d events in the %s window from %s, %sx its baseline of %.1f per %s"
                        + " (threshold %sx and at least %d)",
                agent, count, DetectionAlerts.human(s.window()), AlertJson.formatTime(windowStart),
                Double.isInfinite(ratio) ? "inf" : String.format(Locale.ROOT, "%.1f", ratio), b.mean,
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
            if (now - b.windowStart > FORGET_AFTER) {
                idle.add(agent);
            }
        });
        idle.forEach(baselines::delete);
    }
}
