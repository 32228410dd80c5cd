package dev.peregrine.engine.detect;

import dev.peregrine.engine.state.StateCodec;
import java.time.Duration;

/**
 * One key's count of events per tumbling window (aligned to the epoch) against an exponentially
 * weighted mean of its earlier windows: the baseline behind {@code volume_spike} and the
 * {@code memory_anomaly.write_burst} variant, so both judge a spike the same way.
 *
 * <p>Windows without events count as 0; the window being counted is not part of the mean; a
 * key's first, partial window is not a sample. A spike is judged once: after {@link Step#spikeStarted()}
 * the windows that stay at or above the threshold do not start another one.
 *
 * @param firstSeen    event time of the key's first event
 * @param windowStart  start of the window being counted
 * @param count        events in that window so far
 * @param mean         the baseline, events per window (NaN before the first full window)
 * @param windows      windows in the baseline
 * @param spiking      whether a spike was reported and has not ended
 */
public record RateBaseline(long firstSeen, long windowStart, long count, double mean, long windows, boolean spiking) {

    /**
     * How a baseline counts and judges.
     *
     * @param window     the counting window
     * @param factor     how many times the baseline one window's count must reach
     * @param minEvents  the least count in one window that can be a spike, whatever the baseline
     * @param warmup     how long after the key's first event its baseline is trusted
     * @param halfLife   half-life of the mean
     */
    public record Knobs(Duration window, double factor, long minEvents, Duration warmup, Duration halfLife) {

        /** The weight of the newest window in the mean, from the half-life. */
        double alpha() {
            return 1.0 - Math.pow(0.5, (double) window.toNanos() / halfLife.toNanos());
        }

        /** The count at which a window is a spike against {@code mean}. */
        public double threshold(final double mean) {
            return Math.max(factor * mean, minEvents);
        }
    }

    /**
     * The outcome of counting one event.
     *
     * @param baseline       the state to store
     * @param before         the state the event was judged against (its window rolled over, not yet counted)
     * @param spikeStarted   whether this event made the window a new spike
     */
    public record Step(RateBaseline baseline, RateBaseline before, boolean spikeStarted) {
    }

    /** Encodes a baseline as six space-separated values (the {@code volume_spike.baseline} format). */
    public static final StateCodec<RateBaseline> CODEC = new StateCodec<>() {
        @Override
        public String encode(final RateBaseline b) {
            return b.firstSeen + " " + b.windowStart + " " + b.count + " " + b.mean + " " + b.windows + " " + b.spiking;
        }

        @Override
        public RateBaseline decode(final String text) {
            final String[] parts = text.split(" ");
            if (parts.length != 6) {
                throw new IllegalArgumentException("expected 6 values, got " + parts.length);
            }
            return new RateBaseline(Long.parseLong(parts[0]), Long.parseLong(parts[1]), Long.parseLong(parts[2]),
                    Double.parseDouble(parts[3]), Long.parseLong(parts[4]), Boolean.parseBoolean(parts[5]));
        }
    };

    /**
     * Counts one event at {@code now} into {@code previous} ({@code null}: the key's first event).
     */
    public static Step count(final RateBaseline previous, final long now, final Knobs knobs) {
        final long window = knobs.window().toNanos();
        final long windowStart = Math.floorDiv(now, window) * window;
        RateBaseline b = previous;
        if (b == null) {
            b = new RateBaseline(now, windowStart, 0, Double.NaN, 0, false);
        } else if (windowStart > b.windowStart) {
            b = b.rollOver(windowStart, window, knobs);
        }
        final long count = b.count + 1;
        boolean spiking = b.spiking;
        boolean started = false;
        if (!spiking && b.windows > 0 && now - b.firstSeen >= knobs.warmup().toNanos()
                && count >= knobs.threshold(b.mean)) {
            spiking = true;
            started = true;
        }
        return new Step(new RateBaseline(b.firstSeen, b.windowStart, count, b.mean, b.windows, spiking), b, started);
    }

    /** Closes the counted window and any empty ones after it into the mean. */
    private RateBaseline rollOver(final long newWindowStart, final long window, final Knobs knobs) {
        final double alpha = knobs.alpha();
        double newMean = mean;
        long newWindows = windows;
        final boolean partialFirst = windows == 0 && Double.isNaN(mean) && firstSeen > windowStart;
        if (!partialFirst) {
            newMean = Double.isNaN(newMean) ? count : newMean + alpha * (count - newMean);
            newWindows++;
        }
        final long empty = (newWindowStart - windowStart) / window - 1;
        if (empty > 0 && !Double.isNaN(newMean)) {
            newMean *= Math.pow(1 - alpha, empty);
            newWindows += empty;
        }
        // The spike is over once a window closes below the threshold it was judged against.
        final boolean stillSpiking = spiking && empty == 0 && count >= knobs.threshold(mean);
        return new RateBaseline(firstSeen, newWindowStart, 0, newMean, newWindows, stillSpiking);
    }
}
