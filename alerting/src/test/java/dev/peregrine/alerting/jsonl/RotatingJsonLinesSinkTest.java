package dev.peregrine.alerting.jsonl;

import static org.assertj.core.api.Assertions.assertThat;

import dev.peregrine.alerting.Alert;
import dev.peregrine.alerting.AlertJson;
import dev.peregrine.alerting.Priority;
import dev.peregrine.alerting.dedup.DedupConfig;
import dev.peregrine.alerting.dedup.DeduplicatingSink;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RotatingJsonLinesSinkTest {

    private static final AlertJson JSON = new AlertJson();

    /** Alert number {@code n}; outputs of different lengths so rotations fall at uneven places. */
    private static Alert alert(final int n) {
        final long time = 1_700_000_000_000_000_000L + n;
        return new Alert(Alert.deterministicId("r", "s", time), time, "r", "rule r", Priority.WARNING, "agent", "h",
                List.of("t"), "alert " + n + " " + "x".repeat(n % 7 * 10), Map.of("n", (long) n), "a", "s", 1,
                time, time);
    }

    /** Every line of the rotated files, oldest file first, then the live file. */
    private static List<String> allLinesOldestFirst(final RotatingJsonLinesSink sink, final int keep)
            throws IOException {
        final List<String> lines = new ArrayList<>();
        for (int n = keep; n >= 1; n--) {
            if (Files.exists(sink.rotated(n))) {
                lines.addAll(Files.readAllLines(sink.rotated(n)));
            }
        }
        lines.addAll(Files.readAllLines(sink.file()));
        return lines;
    }

    @Test
    void writingPastTheLimitManyTimesKeepsEveryAlertWholeInExactlyOneFileInOrder(@TempDir final Path dir)
            throws IOException {
        final Rotation rotation = new Rotation(1_000, 100);
        final List<String> expected = new ArrayList<>();
        final RotatingJsonLinesSink sink = RotatingJsonLinesSink.toFile(dir.resolve("alerts.ndjson"), rotation);
        for (int n = 0; n < 60; n++) {
            sink.deliver(alert(n));
            expected.add(JSON.toJson(alert(n)));
        }
        sink.close();

        assertThat(sink.rotations()).isGreaterThanOrEqualTo(10);
        assertThat(allLinesOldestFirst(sink, 100)).containsExactlyElementsOf(expected);
        for (int n = 1; n <= sink.rotations(); n++) {
            assertThat(Files.size(sink.rotated(n))).isPositive().isLessThanOrEqualTo(rotation.maxBytes());
            // no line is split across a rotation: every file ends with a whole line
            assertThat(Files.readString(sink.rotated(n))).endsWith("}\n");
        }
        assertThat(sink.rotated((int) sink.rotations() + 1)).doesNotExist();
    }

    @Test
    void onlyTheConfiguredNumberOfRotatedFilesIsKeptAndTheyHoldTheNewestAlerts(@TempDir final Path dir)
            throws IOException {
        final List<String> expected = new ArrayList<>();
        final RotatingJsonLinesSink sink = RotatingJsonLinesSink.toFile(dir.resolve("alerts.ndjson"),
                new Rotation(600, 2));
        for (int n = 0; n < 40; n++) {
            sink.deliver(alert(n));
            expected.add(JSON.toJson(alert(n)));
        }
        sink.close();

        try (var files = Files.list(dir)) {
            assertThat(files.map(file -> file.getFileName().toString()))
                    .containsExactlyInAnyOrder("alerts.ndjson", "alerts.ndjson.1", "alerts.ndjson.2");
        }
        assertThat(sink.deleted()).isEqualTo(sink.rotations() - 2);
        final List<String> kept = allLinesOldestFirst(sink, 2);
        assertThat(kept).isNotEmpty();
        assertThat(expected).endsWith(kept.toArray(String[]::new));
    }

    @Test
    void anAlertLongerThanTheLimitGetsAFileOfItsOwn(@TempDir final Path dir) throws IOException {
        final RotatingJsonLinesSink sink = RotatingJsonLinesSink.toFile(dir.resolve("alerts.ndjson"),
                new Rotation(100, 5));
        sink.deliver(alert(1));
        sink.deliver(alert(2));
        sink.deliver(alert(3));
        sink.close();

        assertThat(Files.readAllLines(sink.rotated(2))).containsExactly(JSON.toJson(alert(1)));
        assertThat(Files.readAllLines(sink.rotated(1))).containsExactly(JSON.toJson(alert(2)));
        assertThat(Files.readAllLines(sink.file())).containsExactly(JSON.toJson(alert(3)));
    }

    @Test
    void aRestartContinuesTheLiveFileAndCountsWhatItAlreadyHolds(@TempDir final Path dir) throws IOException {
        final Path file = dir.resolve("logs/alerts.ndjson");
        final int lineBytes = (JSON.toJson(alert(0)) + "\n").getBytes(StandardCharsets.UTF_8).length;
        final Rotation twoLines = new Rotation(2L * lineBytes, 3);
        try (RotatingJsonLinesSink sink = RotatingJsonLinesSink.toFile(file, twoLines)) {
            sink.deliver(alert(0));
        }
        try (RotatingJsonLinesSink sink = RotatingJsonLinesSink.toFile(file, twoLines)) {
            sink.deliver(alert(7));
            sink.deliver(alert(14));
            assertThat(sink.rotations()).isEqualTo(1);
        }

        assertThat(Files.readAllLines(dir.resolve("logs/alerts.ndjson.1")))
                .containsExactly(JSON.toJson(alert(0)), JSON.toJson(alert(7)));
        assertThat(Files.readAllLines(file)).containsExactly(JSON.toJson(alert(14)));
    }

    @Test
    void aThousandIdenticalAlertsBehindDedupLandAsTheFirstAlertAndOneSummaryWithCount1000(@TempDir final Path dir)
            throws IOException {
        final RotatingJsonLinesSink file = RotatingJsonLinesSink.toFile(dir.resolve("alerts.ndjson"),
                Rotation.defaults());
        try (DeduplicatingSink dedup = new DeduplicatingSink(file, DedupConfig.defaults().withSummaryEvery(10_000))) {
            for (int n = 0; n < 1000; n++) {
                dedup.deliver(alert(5));
            }
        }

        final List<String> lines = Files.readAllLines(file.file());
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0)).contains("\"count\":1,");
        assertThat(lines.get(1)).contains("\"count\":1000,");
        final String id = lines.get(0).replaceAll(".*\"id\":\"([0-9a-f]+)\".*", "$1");
        assertThat(lines.get(1)).contains("\"id\":\"" + id + "\"");
    }
}
