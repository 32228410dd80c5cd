package dev.peregrine.alerting.dedup;

import dev.peregrine.alerting.Alert;
import dev.peregrine.alerting.AlertSink;
import java.io.IOException;
import java.util.List;

/**
 * Issue 7's storm, shared by every sink's test: {@value #SIZE} identical alerts in one suppression
 * window, poured through a {@link DeduplicatingSink} with the default config into the sink under
 * test. The receiving end must see one alert id only: the first alert (count 1), a summary every
 * {@value DedupConfig#DEFAULT_SUMMARY_EVERY} repeats, and the final summary at count 1000.
 */
public final class AlertStorm {

    /** Alerts in the storm. */
    public static final int SIZE = 1000;
    /** Event time between two alerts: the storm lasts 10 s, well inside the 60 s default window. */
    public static final long SPACING_NANOS = 10_000_000L;
    /** The counts delivered downstream, in order: 1, 101, 201, … 901 and the final 1000. */
    public static final List<Long> DELIVERED_COUNTS =
            List.of(1L, 101L, 201L, 301L, 401L, 501L, 601L, 701L, 801L, 901L, 1000L);

    private final Alert alert;

    private AlertStorm(final Alert alert) {
        this.alert = alert;
    }

    /** A storm of copies of {@code alert}, the first at its time, the others {@link #SPACING_NANOS} apart. */
    public static AlertStorm of(final Alert alert) {
        return new AlertStorm(alert);
    }

    /** Copy {@code n} (0-based) of the storm's alert. */
    public Alert copy(final int n) {
        final long time = alert.timeNanos() + n * SPACING_NANOS;
        return new Alert(alert.id(), time, alert.ruleId(), alert.rule(), alert.priority(), alert.source(),
                alert.hostname(), alert.tags(), alert.output(), alert.outputFields(), alert.agent(), alert.session(),
                1, time, time);
    }

    /**
     * Delivers the whole storm through a default {@link DeduplicatingSink} into {@code downstream} and
     * flushes it, so every summary is out; returns the dedup sink, still open (closing it closes
     * {@code downstream}).
     */
    public DeduplicatingSink pourInto(final AlertSink downstream) throws IOException {
        final DeduplicatingSink dedup = new DeduplicatingSink(downstream);
        for (int n = 0; n < SIZE; n++) {
            dedup.deliver(copy(n));
        }
        dedup.flush();
        return dedup;
    }

    /** The id every delivered alert carries: dedup re-identifies the window by rule, grouping key and start. */
    public String expectedId() {
        final DeduplicatingSink keys = new DeduplicatingSink(a -> {
        });
        return Alert.deterministicId(alert.ruleId(), keys.groupingKey(alert), alert.timeNanos());
    }

    /** Event time of the first alert. */
    public long firstSeenNanos() {
        return alert.timeNanos();
    }

    /** Event time of the last alert. */
    public long lastSeenNanos() {
        return alert.timeNanos() + (SIZE - 1) * SPACING_NANOS;
    }
}
