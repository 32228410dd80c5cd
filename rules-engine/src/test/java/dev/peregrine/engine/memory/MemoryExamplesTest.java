package dev.peregrine.engine.memory;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import dev.peregrine.alerting.Alert;
import dev.peregrine.alerting.AlertJson;
import dev.peregrine.engine.detect.DetectionSettings;
import dev.peregrine.engine.detect.MemoryAnomalySettings;
import dev.peregrine.engine.detect.PerAgent;
import dev.peregrine.engine.state.InMemoryStateStore;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Writes the poisoned write and the poisoned read of the example trace, a foreign read and a
 * session burst, pretty printed, to {@code target/detection-examples/RULE_ID.json}: the examples in
 * {@code docs/detections.md}.
 */
class MemoryExamplesTest {

    private static final Path OUT = Path.of("target", "detection-examples");

    @Test
    void thePoisoningTraceHasAWriteAndAReadExample() throws IOException {
        final MemoryAnomalySettings d = MemoryAnomalySettings.DEFAULTS;
        final MemoryAnomalySettings shared = new MemoryAnomalySettings(true, Set.of("team-kb"), Set.of(), Set.of(),
                d.urlAllowlist(), d.blobLength(), d.sizeFactor(), d.minSize(), d.sizeWarmupWrites(), d.writeBurst(),
                d.sessionWriteWarmup(), d.readAlertWindow(), d.taintTtl());
        final List<Alert> alerts = MemoryTraces.replay(new MemoryDetector(PerAgent.of(shared), new InMemoryStateStore()),
                "poisoned_shared_entry_read_by_two_agents.ndjson");

        Files.createDirectories(OUT);
        for (final Alert alert : alerts.subList(0, 2)) {
            Files.writeString(OUT.resolve(alert.ruleId() + ".json"), pretty(alert), StandardCharsets.UTF_8);
        }
        assertThat(OUT.resolve("memory_anomaly.instruction.json")).exists();
        assertThat(OUT.resolve("memory_anomaly.tainted_read.json")).exists();
    }

    @Test
    void theForeignReadAndSessionBurstTracesHaveAnExampleEach() throws Exception {
        final MemoryDetector detector = new MemoryDetector(DetectionSettings.parse("""
                detections:
                  memory_anomaly:
                    shared_namespaces: [team-kb]
                """, "peregrine.yaml").memoryAnomaly(), new InMemoryStateStore());
        final Alert read = MemoryTraces.replay(detector, "reads_outside_the_agents_namespaces.ndjson").get(0);
        final Alert burst = MemoryTraces.replay(detector, "writes_three_sessions_steady.ndjson",
                "session_burst_40.ndjson").get(0);

        Files.createDirectories(OUT);
        for (final Alert alert : List.of(read, burst)) {
            Files.writeString(OUT.resolve(alert.ruleId() + ".json"), pretty(alert), StandardCharsets.UTF_8);
        }
        assertThat(OUT.resolve("memory_anomaly.cross_namespace_read.json")).exists();
        assertThat(OUT.resolve("memory_anomaly.session_write_burst.json")).exists();
    }

    private static String pretty(final Alert alert) throws IOException {
        final StringWriter pretty = new StringWriter();
        final JsonFactory json = new JsonFactory();
        try (JsonParser parser = json.createParser(new AlertJson().toJson(alert));
             JsonGenerator out = json.createGenerator(pretty)) {
            out.useDefaultPrettyPrinter();
            parser.nextToken();
            out.copyCurrentStructure(parser);
        }
        return pretty + "\n";
    }
}
