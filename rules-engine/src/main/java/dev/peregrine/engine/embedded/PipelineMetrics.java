package dev.peregrine.engine.embedded;

import dev.peregrine.alerting.Alert;
import dev.peregrine.collector.deadletter.Rejection;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import java.util.Map;
import java.util.TreeMap;

/**
 * The pipeline's Prometheus counters; also the single source of the numbers in a run's
 * {@link PipelineSummary}, so what an operator scrapes and what a replay prints agree.
 */
public final class PipelineMetrics {

    private final Counter events;
    private final Counter rejected;
    private final Counter alerts;
    private final Counter detectorErrors;
    private final Counter deliveryFailures;
    private final Counter sourceErrors;

    /** Registers the counters in {@code registry}. */
    public PipelineMetrics(final PrometheusRegistry registry) {
        events = Counter.builder().name("peregrine_events_total")
                .help("Events accepted from a source").labelNames("source").register(registry);
        rejected = Counter.builder().name("peregrine_events_rejected_total")
                .help("Input records rejected and written to the dead-letter file")
                .labelNames("source", "reason").register(registry);
        alerts = Counter.builder().name("peregrine_alerts_total")
                .help("Alerts raised").labelNames("rule_id", "priority").register(registry);
        detectorErrors = Counter.builder().name("peregrine_detector_errors_total")
                .help("Events on which a detector failed; the event still reached the other detectors")
                .labelNames("detector").register(registry);
        deliveryFailures = Counter.builder().name("peregrine_alert_delivery_failures_total")
                .help("Alerts a sink failed to deliver").register(registry);
        sourceErrors = Counter.builder().name("peregrine_source_errors_total")
                .help("Sources that stopped on an I/O error").labelNames("source").register(registry);
    }

    /** Counters registered in a private registry, for replays and tests. */
    public static PipelineMetrics unregistered() {
        return new PipelineMetrics(new PrometheusRegistry());
    }

    /** The accepted-events counter of {@code source}: looked up once per source, not per event. */
    CounterDataPoint eventsFrom(final String source) {
        return events.labelValues(source);
    }

    void rejected(final Rejection rejection) {
        rejected.labelValues(rejection.source(), rejection.reason().label()).inc();
    }

    void alertRaised(final Alert alert) {
        alerts.labelValues(alert.ruleId(), alert.priority().displayName()).inc();
    }

    void detectorFailed(final String detector) {
        detectorErrors.labelValues(detector).inc();
    }

    void deliveryFailed() {
        deliveryFailures.inc();
    }

    void sourceFailed(final String source) {
        sourceErrors.labelValues(source).inc();
    }

    /** Events accepted, over all sources. */
    public long eventsAccepted() {
        return sum(events.collect());
    }

    /** Records rejected, over all sources and reasons. */
    public long eventsRejected() {
        return sum(rejected.collect());
    }

    /** Rejections by reason label, sorted by reason. */
    public Map<String, Long> rejectedByReason() {
        return byLabel(rejected.collect(), "reason");
    }

    /** Alerts by rule id, sorted by rule id. */
    public Map<String, Long> alertsByRule() {
        return byLabel(alerts.collect(), "rule_id");
    }

    /** Detector failures, over all detectors. */
    public long detectorErrors() {
        return sum(detectorErrors.collect());
    }

    /** Alerts not delivered. */
    public long deliveryFailures() {
        return sum(deliveryFailures.collect());
    }

    /** Sources that stopped on an I/O error. */
    public long sourceErrors() {
        return sum(sourceErrors.collect());
    }

    private static long sum(final CounterSnapshot snapshot) {
        double total = 0;
        for (final CounterSnapshot.CounterDataPointSnapshot point : snapshot.getDataPoints()) {
            total += point.getValue();
        }
        return (long) total;
    }

    private static Map<String, Long> byLabel(final CounterSnapshot snapshot, final String label) {
        final Map<String, Long> counts = new TreeMap<>();
        for (final CounterSnapshot.CounterDataPointSnapshot point : snapshot.getDataPoints()) {
            counts.merge(point.getLabels().get(label), (long) point.getValue(), Long::sum);
        }
        return counts;
    }
}
