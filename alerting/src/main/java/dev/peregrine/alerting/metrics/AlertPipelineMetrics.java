package dev.peregrine.alerting.metrics;

import dev.peregrine.alerting.Alert;
import dev.peregrine.alerting.AlertSink;
import dev.peregrine.alerting.dedup.DedupObserver;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;

/**
 * The alert pipeline's metrics in a Prometheus registry:
 * <ul>
 *   <li>{@code peregrine_alerts_total{rule_id, priority}} — alerts raised by rules and detectors,
 *       before deduplication (counted by the {@link #counting} wrapper);</li>
 *   <li>{@code peregrine_alerts_suppressed_total{rule_id}} — of those, repeats absorbed by
 *       deduplication (reported through {@link #dedupObserver()});</li>
 *   <li>{@code peregrine_alert_summaries_total{rule_id}} — summaries deduplication sent instead;</li>
 *   <li>{@code peregrine_alert_latency_seconds} — from the newest event an alert stands for
 *       ({@code last_seen}, event time) to the wall clock when the sinks accepted it (measured by
 *       the {@link #timing} wrapper).</li>
 * </ul>
 * Alerts delivered downstream of dedup are therefore {@code alerts - suppressed + summaries}.
 * Wire it as {@code counting(new DeduplicatingSink(timing(sinks), config, dedupObserver()))}.
 */
public final class AlertPipelineMetrics {

    /** Counter name without the {@code _total} suffix, which the exposition adds. */
    public static final String ALERTS = "peregrine_alerts";
    /** Counter name without the {@code _total} suffix. */
    public static final String SUPPRESSED = "peregrine_alerts_suppressed";
    /** Counter name without the {@code _total} suffix. */
    public static final String SUMMARIES = "peregrine_alert_summaries";
    /** Histogram name. */
    public static final String LATENCY = "peregrine_alert_latency_seconds";

    // from a sub-second live pipeline to an alert held back by a long dedup window or a spool
    private static final double[] LATENCY_BUCKETS = {
        0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600};

    private final Counter alerts;
    private final Counter suppressed;
    private final Counter summaries;
    private final Histogram latency;
    private final Clock clock;

    private AlertPipelineMetrics(final Counter alerts, final Counter suppressed, final Counter summaries,
                                 final Histogram latency, final Clock clock) {
        this.alerts = alerts;
        this.suppressed = suppressed;
        this.summaries = summaries;
        this.latency = latency;
        this.clock = clock;
    }

    /** Registers the metrics in {@code registry}; latency is measured against the system clock. */
    public static AlertPipelineMetrics register(final PrometheusRegistry registry) {
        return register(registry, Clock.systemUTC());
    }

    /** Registers the metrics in {@code registry}, measuring latency against {@code clock}. */
    public static AlertPipelineMetrics register(final PrometheusRegistry registry, final Clock clock) {
        return register(registry, clock, true);
    }

    /**
     * Registers every metric but {@value #ALERTS}, for a runner whose pipeline already counts the
     * alerts it raises under that name (the embedded runner does); {@link #counting} then passes
     * alerts through uncounted.
     */
    public static AlertPipelineMetrics registerWithoutAlertCount(final PrometheusRegistry registry) {
        return register(registry, Clock.systemUTC(), false);
    }

    private static AlertPipelineMetrics register(final PrometheusRegistry registry, final Clock clock,
                                                 final boolean countAlerts) {
        final Counter alerts = !countAlerts ? null : Counter.builder().name(ALERTS)
                .help("Alerts raised by rules and detectors, before deduplication")
                .labelNames("rule_id", "priority").register(registry);
        final Counter suppressed = Counter.builder().name(SUPPRESSED)
                .help("Repeated alerts absorbed by deduplication into an open window")
                .labelNames("rule_id").register(registry);
        final Counter summaries = Counter.builder().name(SUMMARIES)
                .help("Summaries of absorbed repeats sent by deduplication")
                .labelNames("rule_id").register(registry);
        final Histogram latency = Histogram.builder().name(LATENCY)
                .help("Event time of the newest event an alert stands for to its delivery to the sinks")
                .unit(Unit.SECONDS).classicOnly().classicUpperBounds(LATENCY_BUCKETS).register(registry);
        return new AlertPipelineMetrics(alerts, suppressed, summaries, latency, clock);
    }

    /** Counts every alert passing through into {@code next} (put it in front of deduplication). */
    public AlertSink counting(final AlertSink next) {
        if (alerts == null) {
            return next;
        }
        return new AlertSink() {
            @Override
            public void deliver(final Alert alert) throws IOException {
                // raised is raised, whether or not a sink then fails to take it
                alerts.labelValues(alert.ruleId(), alert.priority().displayName()).inc();
                next.deliver(alert);
            }

            @Override
            public void flush() throws IOException {
                next.flush();
            }

            @Override
            public void close() throws IOException {
                next.close();
            }
        };
    }

    /** Observes the latency of every alert {@code sinks} accepted (put it behind deduplication). */
    public AlertSink timing(final AlertSink sinks) {
        return new AlertSink() {
            @Override
            public void deliver(final Alert alert) throws IOException {
                sinks.deliver(alert);
                observeLatency(alert);
            }

            @Override
            public void flush() throws IOException {
                sinks.flush();
            }

            @Override
            public void close() throws IOException {
                sinks.close();
            }
        };
    }

    /** Reports deduplication's suppressed repeats and summaries to these metrics. */
    public DedupObserver dedupObserver() {
        return new DedupObserver() {
            @Override
            public void suppressed(final Alert repeat) {
                suppressed.labelValues(repeat.ruleId()).inc();
            }

            @Override
            public void summarized(final Alert summary) {
                summaries.labelValues(summary.ruleId()).inc();
            }
        };
    }

    private void observeLatency(final Alert alert) {
        final Instant now = clock.instant();
        // in doubles: a nonsense event time must not overflow; sub-microsecond precision is plenty here
        final double seconds = now.getEpochSecond() + now.getNano() / 1e9 - alert.lastSeenNanos() / 1e9;
        // an event stamped ahead of this host's clock (skew) counts as delivered at once, not as negative time
        latency.observe(Math.max(0, seconds));
    }
}
