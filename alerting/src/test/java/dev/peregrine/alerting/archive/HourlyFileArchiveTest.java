package dev.peregrine.alerting.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HourlyFileArchiveTest {

    /** 2026-11-27T12:00:00Z. */
    private static final long NOON = 1_795_780_800_000_000_000L;
    private static final long MINUTE = 60_000_000_000L;
    private static final long HOUR = 60 * MINUTE;

    private static String event(final int n, final long time) {
        return "{\"evt.num\":" + n + ",\"evt.time\":" + time + ",\"proc.cmdline\":\"curl http://x/" + n + "\"}";
    }

    private static List<String> read(final Path gzipFile) throws IOException {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(
                new GZIPInputStream(Files.newInputStream(gzipFile)), StandardCharsets.UTF_8))) {
            return in.lines().toList();
        }
    }

    private static List<String> names(final List<Path> files) {
        return files.stream().map(file -> file.getFileName().toString()).toList();
    }

    private static List<String> namesIn(final Path dir) throws IOException {
        try (var files = Files.list(dir)) {
            return files.map(file -> file.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void everyEventIsReadBackFromItsHourFileAfterSeveralHoursOfEventTime(@TempDir final Path dir)
            throws IOException {
        final List<String> written = new ArrayList<>();
        try (HourlyFileArchive archive = HourlyFileArchive.open(ArchiveConfig.in(dir))) {
            int n = 0;
            // five hours, an event every 7 minutes, and now and then one 10 minutes late
            for (long time = NOON; time < NOON + 5 * HOUR; time += 7 * MINUTE) {
                final long eventTime = n % 5 == 4 ? time - 10 * MINUTE : time;
                archive.append(eventTime, event(n, eventTime));
                written.add(event(n, eventTime));
                n++;
            }
            assertThat(archive.events()).isEqualTo(written.size());
        }

        final List<Path> files = HourlyFileArchive.completeFiles(dir);
        assertThat(names(files)).containsExactly("events-2026-11-27T12.ndjson.gz", "events-2026-11-27T13.ndjson.gz",
                "events-2026-11-27T14.ndjson.gz", "events-2026-11-27T15.ndjson.gz", "events-2026-11-27T16.ndjson.gz");
        assertThat(namesIn(dir)).noneMatch(name -> name.endsWith(".partial"));
        final List<String> readBack = new ArrayList<>();
        for (int hour = 0; hour < files.size(); hour++) {
            final List<String> lines = read(files.get(hour));
            final long hourStart = NOON + hour * HOUR;
            // each file holds exactly the events of its hour, late ones included, in arrival order
            assertThat(lines).containsExactlyElementsOf(written.stream()
                    .filter(line -> timeOf(line) >= hourStart && timeOf(line) < hourStart + HOUR).toList());
            readBack.addAll(lines);
        }
        assertThat(readBack).containsExactlyInAnyOrderElementsOf(written);
    }

    @Test
    void fileNamesAreTheUtcHourOfTheEventTimeAndThePartNumber() {
        assertThat(HourlyFileArchive.fileName(NOON + 59 * MINUTE, 0)).isEqualTo("events-2026-11-27T12.ndjson.gz");
        assertThat(HourlyFileArchive.fileName(NOON + HOUR, 3)).isEqualTo("events-2026-11-27T13.part3.ndjson.gz");
        assertThat(HourlyFileArchive.fileName(-1, 0)).isEqualTo("events-1969-12-31T23.ndjson.gz");
    }

    private static long timeOf(final String line) {
        final int start = line.indexOf("\"evt.time\":") + "\"evt.time\":".length();
        return Long.parseLong(line.substring(start, line.indexOf(',', start)));
    }

    @Test
    void anHourIsCompletedOnceEventTimeIsTwoHoursOnAndTheCurrentOneStaysPartial(@TempDir final Path dir)
            throws IOException {
        try (HourlyFileArchive archive = HourlyFileArchive.open(ArchiveConfig.in(dir))) {
            archive.append(NOON, event(1, NOON));
            archive.append(NOON + HOUR, event(2, NOON + HOUR));
            assertThat(namesIn(dir)).containsExactly("events-2026-11-27T12.ndjson.gz.partial",
                    "events-2026-11-27T13.ndjson.gz.partial");

            archive.advanceTo(NOON + 2 * HOUR);

            // a shipper sees hour 12 as soon as it is whole, and nothing of the hours still open
            assertThat(namesIn(dir)).containsExactly("events-2026-11-27T12.ndjson.gz",
                    "events-2026-11-27T13.ndjson.gz.partial");
            assertThat(read(dir.resolve("events-2026-11-27T12.ndjson.gz"))).containsExactly(event(1, NOON));
            assertThat(archive.filesCompleted()).isEqualTo(1);
        }
        assertThat(namesIn(dir)).containsExactly("events-2026-11-27T12.ndjson.gz", "events-2026-11-27T13.ndjson.gz");
    }

    @Test
    void anHourOutgrowingTheSizeCapContinuesInNumberedParts(@TempDir final Path dir) throws IOException {
        final int lineBytes = event(10, NOON).length() + 1;
        final List<String> written = new ArrayList<>();
        try (HourlyFileArchive archive = HourlyFileArchive.open(new ArchiveConfig(dir, 4L * lineBytes))) {
            for (int n = 10; n < 20; n++) {
                archive.append(NOON + n, event(n, NOON));
                written.add(event(n, NOON));
            }
        }

        final List<Path> files = HourlyFileArchive.completeFiles(dir);
        assertThat(names(files)).containsExactly("events-2026-11-27T12.ndjson.gz",
                "events-2026-11-27T12.part1.ndjson.gz", "events-2026-11-27T12.part2.ndjson.gz");
        assertThat(read(files.get(0))).hasSize(4);
        assertThat(read(files.get(2))).hasSize(2);
        final List<String> readBack = new ArrayList<>();
        for (final Path file : files) {
            readBack.addAll(read(file));
        }
        assertThat(readBack).containsExactlyElementsOf(written);
    }

    @Test
    void anEventLaterThanTheOpenHoursGoesToANewPartOfItsHourNeverIntoACompleteFile(@TempDir final Path dir)
            throws IOException {
        try (HourlyFileArchive archive = HourlyFileArchive.open(ArchiveConfig.in(dir))) {
            archive.append(NOON, event(1, NOON));
            archive.append(NOON + 3 * HOUR, event(2, NOON + 3 * HOUR));
            archive.append(NOON + MINUTE, event(3, NOON + MINUTE));
        }

        assertThat(read(dir.resolve("events-2026-11-27T12.ndjson.gz"))).containsExactly(event(1, NOON));
        assertThat(read(dir.resolve("events-2026-11-27T12.part1.ndjson.gz"))).containsExactly(event(3, NOON + MINUTE));
        assertThat(read(dir.resolve("events-2026-11-27T15.ndjson.gz"))).containsExactly(event(2, NOON + 3 * HOUR));
    }

    @Test
    void closeLeavesValidGzipAndATruncatedFileFailsToReadInsteadOfLookingComplete(@TempDir final Path dir)
            throws IOException {
        try (HourlyFileArchive archive = HourlyFileArchive.open(ArchiveConfig.in(dir))) {
            for (int n = 0; n < 500; n++) {
                archive.append(NOON + n, event(n, NOON + n));
            }
        }
        final Path file = dir.resolve("events-2026-11-27T12.ndjson.gz");
        assertThat(read(file)).hasSize(500);

        final byte[] whole = Files.readAllBytes(file);
        final Path truncated = dir.resolve("truncated.gz");
        Files.write(truncated, Arrays.copyOf(whole, whole.length - 6));

        // the gzip trailer (CRC and length) is what tells a whole file from a cut one
        assertThatThrownBy(() -> read(truncated)).hasRootCauseInstanceOf(EOFException.class);
    }

    @Test
    void aPartialFileLeftByACrashIsCountedKeptAndNeverReused(@TempDir final Path dir) throws IOException {
        final Path crashed = dir.resolve("events-2026-11-27T12.ndjson.gz.partial");
        Files.write(crashed, new byte[] {0x1f, (byte) 0x8b, 8, 0});

        try (HourlyFileArchive archive = HourlyFileArchive.open(ArchiveConfig.in(dir))) {
            assertThat(archive.leftoverPartials()).isEqualTo(1);
            archive.append(NOON, event(1, NOON));
        }

        assertThat(crashed).hasBinaryContent(new byte[] {0x1f, (byte) 0x8b, 8, 0});
        assertThat(names(HourlyFileArchive.completeFiles(dir))).containsExactly("events-2026-11-27T12.part1.ndjson.gz");
        assertThat(read(dir.resolve("events-2026-11-27T12.part1.ndjson.gz"))).containsExactly(event(1, NOON));
    }

    @Test
    void lineBreaksInAnEventBecomeSpacesAndBlankLinesAreRefusedAndCounted(@TempDir final Path dir)
            throws IOException {
        try (HourlyFileArchive archive = HourlyFileArchive.open(ArchiveConfig.in(dir))) {
            archive.append(NOON, "{\"a\":1,\r\n\"b\":2}");
            archive.append(NOON, "  ");
            archive.append(NOON, null);
            assertThat(archive.repaired()).isEqualTo(1);
            assertThat(archive.refused()).isEqualTo(2);
            assertThat(archive.events()).isEqualTo(1);
        }

        assertThat(read(dir.resolve("events-2026-11-27T12.ndjson.gz"))).containsExactly("{\"a\":1,  \"b\":2}");
    }

    @Test
    void afterACrashThePartialFileGivesBackEveryEventUpToTheLastFlushAndThenReportsItsMissingEnd(
            @TempDir final Path dir) throws IOException {
        final Path snapshot = dir.resolve("as-left-by-a-crash.gz");
        try (HourlyFileArchive archive = HourlyFileArchive.open(ArchiveConfig.in(dir.resolve("archive")))) {
            for (int n = 0; n < 3; n++) {
                archive.append(NOON + n, event(n, NOON + n));
            }
            archive.flush();
            archive.append(NOON + 3, event(3, NOON + 3));
            // the bytes on disk at this moment are what a killed process leaves behind
            Files.copy(dir.resolve("archive/events-2026-11-27T12.ndjson.gz.partial"), snapshot);
        }

        final ByteArrayOutputStream recovered = new ByteArrayOutputStream();
        try (GZIPInputStream in = new GZIPInputStream(Files.newInputStream(snapshot))) {
            assertThatThrownBy(() -> in.transferTo(recovered)).isInstanceOf(EOFException.class);
        }
        assertThat(recovered.toString(StandardCharsets.UTF_8).lines())
                .containsExactly(event(0, NOON), event(1, NOON + 1), event(2, NOON + 2));
    }
}
