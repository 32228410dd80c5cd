package dev.peregrine.alerting.metrics;

import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.GaugeDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * Sink metrics in a Prometheus registry, one label value per sink name:
 * <ul>
 *   <li>{@code peregrine_sink_deliveries_total{sink, outcome}} — outcome is {@code delivered},
 *       {@code retried}, {@code spooled} or {@code failed};</li>
 *   <li>{@code peregrine_sink_spool_depth{sink}} — alerts waiting in the sink's spool.</li>
 * </ul>
 * Register once per registry; {@link #forSink} hands out the per-sink view.
 */
public final class PrometheusSinkMetrics {

    /** Counter name without the {@code _total} suffix, which the exposition adds. */
    public static final String DELIVERIES = "peregrine_sink_deliveries";
    /** Gauge name. */
    public static final String SPOOL_DEPTH = "peregrine_sink_spool_depth";

    private final Counter deliveries;
    private final Gauge spoolDepth;

    private PrometheusSinkMetrics(final Counter deliveries, final Gauge spoolDepth) {
        this.deliveries = deliveries;
        this.spoolDepth = spoolDepth;
    }

    /** Registers the sink metrics in {@code registry}. */
    public static PrometheusSinkMetrics register(final PrometheusRegistry registry) {
        final Counter deliveries = Counter.builder().name(DELIVERIES)
                .help("Alerts per sink and outcome: delivered, retried (per repeated attempt), spooled to disk, failed")
                .labelNames("sink", "outcome").register(registry);
        final Gauge depth = Gauge.builder().name(SPOOL_DEPTH)
                .help("Alerts waiting in the sink's on-disk spool").labelNames("sink").register(registry);
        return new PrometheusSinkMetrics(deliveries, depth);
    }

    /** The metrics of the sink called {@code sink} (a low-cardinality name such as {@code elasticsearch}). */
    public SinkMetrics forSink(final String sink) {
        final CounterDataPoint delivered = deliveries.labelValues(sink, "delivered");
        final CounterDataPoint retried = deliveries.labelValues(sink, "retried");
        final CounterDataPoint spooled = deliveries.labelValues(sink, "spooled");
        final CounterDataPoint failed = deliveries.labelValues(sink, "failed");
        final GaugeDataPoint depth = spoolDepth.labelValues(sink);
        return new SinkMetrics() {
            @Override
            public void delivered(final long alerts) {
                delivered.inc(alerts);
            }

            @Override
            public void retried(final long alerts) {
                retried.inc(alerts);
            }

            @Override
            public void spooled(final long alerts) {
                spooled.inc(alerts);
            }

            @Override
            public void failed(final long alerts) {
                failed.inc(alerts);
            }

            @Override
            public void spoolDepth(final long alerts) {
                depth.set(alerts);
            }
        };
    }
}
