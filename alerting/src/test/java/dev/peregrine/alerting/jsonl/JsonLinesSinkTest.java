package dev.peregrine.alerting.jsonl;

import static org.assertj.core.api.Assertions.assertThat;

import dev.peregrine.alerting.Alert;
import dev.peregrine.alerting.AlertJson;
import dev.peregrine.alerting.Priority;
import dev.peregrine.alerting.dedup.AlertStorm;
import dev.peregrine.alerting.dedup.DeduplicatingSink;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonLinesSinkTest {

    private static Alert alert(final String ruleId, final long time) {
        return new Alert(Alert.deterministicId(ruleId, "s", time), time, ruleId, ruleId, Priority.NOTICE,
                "agent", "h", List.of(), "out", Map.of(), "a", "s", 1, time, time);
    }

    @Test
    void streamSinkWritesOneLinePerAlertAndFlushesEach() throws IOException {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final JsonLinesSink sink = JsonLinesSink.toStream(out);

        sink.deliver(alert("r1", 1));
        // visible before close: a pipe reader must see alerts as they happen
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo(new AlertJson().toJson(alert("r1", 1)) + "\n");
        sink.deliver(alert("r2", 2));
        sink.close();

        assertThat(out.toString(StandardCharsets.UTF_8).lines()).hasSize(2);
    }

    @Test
    void thousandIdenticalAlertsThroughDedupOnStdoutAreOneAlertWhoseCountReaches1000() throws IOException {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final AlertStorm storm = AlertStorm.of(alert("denied_burst", 1_795_342_562_000_000_000L));
        try (DeduplicatingSink dedup = storm.pourInto(JsonLinesSink.toStream(out))) {
            assertThat(dedup.suppressed()).isEqualTo(AlertStorm.SIZE - 1);
        }

        // the first alert at once, a summary every 100 repeats, the final one at flush: all one alert
        final List<String> lines = out.toString(StandardCharsets.UTF_8).lines().collect(Collectors.toList());
        assertThat(lines).allSatisfy(line -> assertThat(line).contains("\"id\":\"" + storm.expectedId() + "\""));
        assertThat(lines).extracting(line -> Long.parseLong(line.replaceAll(".*\"count\":(\\d+),.*", "$1")))
                .containsExactlyElementsOf(AlertStorm.DELIVERED_COUNTS);
        assertThat(lines.get(lines.size() - 1))
                .contains("\"last_seen\":\"" + AlertJson.formatTime(storm.lastSeenNanos()) + "\"");
    }

    @Test
    void fileSinkAppendsAndCreatesParentDirectories(@TempDir final Path dir) throws IOException {
        final Path file = dir.resolve("nested/alerts.ndjson");
        try (JsonLinesSink sink = JsonLinesSink.toFile(file)) {
            sink.deliver(alert("r1", 1));
        }
        try (JsonLinesSink sink = JsonLinesSink.toFile(file)) {
            sink.deliver(alert("r2", 2));
        }

        assertThat(Files.readAllLines(file)).hasSize(2)
                .satisfiesExactly(first -> assertThat(first).contains("\"rule_id\":\"r1\""),
                        second -> assertThat(second).contains("\"rule_id\":\"r2\""));
    }

    @Test
    void eachLineIsExactlyTheAlertsJsonWhateverItsTextAndValues(@TempDir final Path dir) throws IOException {
        final Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("proc.cmdline", "sh -c \"echo \\\"hi\\\"\"\n\tnext");
        fields.put("proc.pid", 42L);
        fields.put("ratio", 2.5);
        fields.put("missing", null);
        fields.put("ok", true);
        final List<Alert> alerts = List.of(alert("r1", 1),
                new Alert("id-2", 2, "r2", "Rule «two»", Priority.CRITICAL, "syscall", "h\u0001", List.of("a", "b"),
                        "out \u2028 ünïcode \uD83D\uDE00", fields, "agent", "s-1", 3, 1, 2),
                alert("r3", 3));
        final Path file = dir.resolve("alerts.ndjson");
        try (JsonLinesSink sink = JsonLinesSink.toFile(file)) {
            for (final Alert alert : alerts) {
                sink.deliver(alert);
            }
        }

        final AlertJson json = new AlertJson();
        assertThat(Files.readString(file, StandardCharsets.UTF_8))
                .isEqualTo(alerts.stream().map(alert -> json.toJson(alert) + "\n").collect(Collectors.joining()));
    }
}
