package dev.peregrine.engine.memory;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The memory audit as a Prometheus counter,
 * {@code peregrine_memory_operations_total{operation,agent,namespace}}: every memory read and write
 * per agent and namespace.
 *
 * <p>Label cardinality is capped: the first {@code maxPairs} distinct (agent, namespace) pairs
 * (default {@value #DEFAULT_MAX_PAIRS}) get series of their own; every later pair is counted under
 * {@code agent="_other",namespace="_other"}, so a fleet of many agents or per-user namespaces cannot
 * swell every scrape. A pair keeps its series once it has one; a write naming no namespace is
 * counted under {@code namespace="_none"}.
 */
public final class MemoryAuditMetrics implements MemoryAudit {

    /** Distinct (agent, namespace) pairs with series of their own. */
    public static final int DEFAULT_MAX_PAIRS = 1_000;
    /** The agent and namespace label of pairs past the cap. */
    public static final String OTHER = "_other";
    /** The namespace label of an operation that names none. */
    public static final String NONE_NAMESPACE = "_none";

    private final Counter operations;
    private final int maxPairs;
    private final Set<String> pairs = ConcurrentHashMap.newKeySet();

    /** Registers the counter in {@code registry} with the default cap. */
    public static MemoryAuditMetrics register(final PrometheusRegistry registry) {
        return new MemoryAuditMetrics(registry, DEFAULT_MAX_PAIRS);
    }

    /** Registers the counter in {@code registry}, giving at most {@code maxPairs} pairs series of their own. */
    public MemoryAuditMetrics(final PrometheusRegistry registry, final int maxPairs) {
        if (maxPairs < 1) {
            throw new IllegalArgumentException("maxPairs must be positive, got " + maxPairs);
        }
        this.maxPairs = maxPairs;
        this.operations = Counter.builder().name("peregrine_memory_operations_total")
                .help("LLM-memory reads and writes by agent and namespace; pairs past the first " + maxPairs
                        + " are counted as agent=\"_other\",namespace=\"_other\"")
                .labelNames("operation", "agent", "namespace").register(registry);
    }

    @Override
    public void onOperation(final Operation operation, final String agent, final String namespace) {
        final String ns = namespace == null ? NONE_NAMESPACE : namespace;
        final String pair = agent + "\u0000" + ns;
        // Racing callers may let a few pairs past the cap; it bounds the series, it is not an exact count.
        if (pairs.contains(pair) || pairs.size() < maxPairs && pairs.add(pair)) {
            operations.labelValues(operation.label(), agent, ns).inc();
        } else {
            operations.labelValues(operation.label(), OTHER, OTHER).inc();
        }
    }

    /** The count of one series: for tests and the console. */
    public long count(final Operation operation, final String agent, final String namespace) {
        long total = 0;
        for (final CounterSnapshot.CounterDataPointSnapshot point : operations.collect().getDataPoints()) {
            if (point.getLabels().get("operation").equals(operation.label()) && point.getLabels().get("agent").equals(agent)
                    && point.getLabels().get("namespace").equals(namespace)) {
                total += (long) point.getValue();
            }
        }
        return total;
    }

    /** How many series the counter has. */
    public int series() {
        return operations.collect().getDataPoints().size();
    }
}
