package dev.peregrine.engine.memory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.peregrine.engine.detect.DetectionSettings;
import dev.peregrine.engine.detect.MemoryAnomalySettings;
import dev.peregrine.engine.detect.PerAgent;
import dev.peregrine.engine.memory.MemoryAudit.Operation;
import dev.peregrine.engine.state.InMemoryStateStore;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.junit.jupiter.api.Test;

class MemoryAuditMetricsTest {

    private final PrometheusRegistry registry = new PrometheusRegistry();

    @Test
    void everyReadAndWriteIsCountedPerAgentAndNamespaceFlaggedOrNot() throws Exception {
        final MemoryAuditMetrics audit = MemoryAuditMetrics.register(registry);
        final PerAgent<MemoryAnomalySettings> settings = DetectionSettings.parse("""
                detections:
                  memory_anomaly:
                    shared_namespaces: [team-kb]
                """, "peregrine.yaml").memoryAnomaly();

        MemoryTraces.replay(new MemoryDetector(settings, new InMemoryStateStore(), audit),
                "poisoned_shared_entry_read_by_two_agents.ndjson", "clean_entry_in_own_namespace.ndjson");

        assertThat(audit.count(Operation.READ, "research-bot", "team-kb")).isEqualTo(2);
        assertThat(audit.count(Operation.WRITE, "research-bot", "team-kb")).isEqualTo(1);
        assertThat(audit.count(Operation.READ, "ci-runner", "team-kb")).isEqualTo(2);
        assertThat(audit.count(Operation.READ, "release-bot", "team-kb")).isEqualTo(2);
        assertThat(audit.count(Operation.WRITE, "research-bot", "research-bot")).isEqualTo(1);
        assertThat(audit.count(Operation.READ, "ci-runner", "research-bot")).isEqualTo(1);
    }

    @Test
    void pairsPastTheCapAreCountedAsOtherSoTheSeriesStayBounded() {
        final MemoryAuditMetrics audit = new MemoryAuditMetrics(registry, 2);

        audit.onOperation(Operation.WRITE, "a", "a");
        audit.onOperation(Operation.READ, "a", "team-kb");
        for (int user = 0; user < 500; user++) {
            audit.onOperation(Operation.WRITE, "a", "a/user-" + user);
        }
        audit.onOperation(Operation.READ, "a", "team-kb");
        audit.onOperation(Operation.WRITE, "b", null);

        assertThat(audit.count(Operation.READ, "a", "team-kb")).isEqualTo(2);
        assertThat(audit.count(Operation.WRITE, MemoryAuditMetrics.OTHER, MemoryAuditMetrics.OTHER)).isEqualTo(501);
        assertThat(audit.series()).isEqualTo(3);
    }
}
