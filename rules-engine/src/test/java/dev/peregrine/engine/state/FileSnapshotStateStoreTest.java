package dev.peregrine.engine.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileSnapshotStateStoreTest {

    /** Numbers as decimal text; rejects anything else. */
    private static final StateCodec<Long> LONGS = new StateCodec<>() {
        @Override
        public String encode(final Long value) {
            return value.toString();
        }

        @Override
        public Long decode(final String text) {
            try {
                return Long.parseLong(text);
            } catch (final NumberFormatException e) {
                throw new IllegalArgumentException("not a number: " + text);
            }
        }
    };

    private static final StateCodec<String> STRINGS = new StateCodec<>() {
        @Override
        public String encode(final String value) {
            return value;
        }

        @Override
        public String decode(final String text) {
            return text;
        }
    };

    /** A wall clock the test moves by hand. */
    private static final class ManualClock extends Clock {
        private Instant now = Instant.parse("2026-11-27T12:00:00Z");

        void advance(final Duration by) {
            now = now.plus(by);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(final ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @TempDir
    Path dir;

    private FileSnapshotStateStore open() throws IOException {
        return FileSnapshotStateStore.open(dir, Duration.ofMinutes(1), Clock.systemUTC());
    }

    private static <V> TreeMap<String, V> contents(final KeyValueStore<V> store) {
        final TreeMap<String, V> map = new TreeMap<>();
        store.forEach(map::put);
        return map;
    }

    @Test
    void whatWasPutIsThereAfterCloseAndReopen() throws IOException {
        try (FileSnapshotStateStore store = open()) {
            final KeyValueStore<Long> counts = store.keyValueStore("counts", LONGS);
            counts.put("ci-runner", 42L);
            counts.put("key with \"quotes\"\nand a newline", 7L);
            counts.put("gone", 1L);
            counts.delete("gone");
            store.keyValueStore("names", STRINGS).put("a", "x y z");
        }

        try (FileSnapshotStateStore store = open()) {
            assertThat(contents(store.keyValueStore("counts", LONGS)))
                    .containsOnlyKeys("ci-runner", "key with \"quotes\"\nand a newline")
                    .containsEntry("ci-runner", 42L);
            assertThat(store.keyValueStore("names", STRINGS).get("a")).isEqualTo("x y z");
            assertThat(store.problems()).isEmpty();
        }
        assertThat(Files.list(dir).map(p -> p.getFileName().toString()).toList())
                .containsExactly(FileSnapshotStateStore.SNAPSHOT_FILE);
    }

    @Test
    void theSnapshotIsReadableNdjsonWithAnEntryCount() throws IOException {
        try (FileSnapshotStateStore store = open()) {
            store.keyValueStore("counts", LONGS).put("ci-runner", 42L);
        }

        assertThat(Files.readAllLines(dir.resolve(FileSnapshotStateStore.SNAPSHOT_FILE))).containsExactly(
                "{\"format\":\"peregrine-state\",\"version\":1}",
                "{\"store\":\"counts\",\"key\":\"ci-runner\",\"value\":\"42\"}",
                "{\"entries\":1}");
    }

    @Test
    void snapshotsAreWrittenWhenThePeriodHasPassed() throws IOException {
        final ManualClock clock = new ManualClock();
        final Path file = dir.resolve(FileSnapshotStateStore.SNAPSHOT_FILE);
        try (FileSnapshotStateStore store = FileSnapshotStateStore.open(dir, Duration.ofMinutes(5), clock)) {
            store.keyValueStore("counts", LONGS).put("ci-runner", 1L);

            clock.advance(Duration.ofMinutes(4));
            store.snapshotIfDue();
            assertThat(file).doesNotExist();

            clock.advance(Duration.ofMinutes(1));
            store.snapshotIfDue();
            assertThat(file).exists();
        }
    }

    @Test
    void aCorruptSnapshotIsMovedAsideAndReportedAndTheRunStartsEmpty() throws IOException {
        Files.writeString(dir.resolve(FileSnapshotStateStore.SNAPSHOT_FILE), "{\"format\":\"peregrine-state\",\"version\":1}\n"
                + "{\"store\":\"counts\",\"key\":\"a\",\"value\":\"1\"}\n{not json\n", StandardCharsets.UTF_8);

        try (FileSnapshotStateStore store = open()) {
            assertThat(store.keyValueStore("counts", LONGS).size()).isZero();
            assertThat(store.problems()).singleElement().asString()
                    .contains("unreadable state snapshot (line 3:").contains("moved to peregrine-state.ndjson.corrupt-1");
        }
        assertThat(dir.resolve("peregrine-state.ndjson.corrupt-1")).exists();
    }

    @Test
    void aTruncatedSnapshotIsTreatedAsCorrupt() throws IOException {
        try (FileSnapshotStateStore store = open()) {
            final KeyValueStore<Long> counts = store.keyValueStore("counts", LONGS);
            counts.put("a", 1L);
            counts.put("b", 2L);
        }
        final Path file = dir.resolve(FileSnapshotStateStore.SNAPSHOT_FILE);
        final List<String> lines = Files.readAllLines(file);
        Files.write(file, lines.subList(0, 2));

        try (FileSnapshotStateStore store = open()) {
            assertThat(store.problems()).singleElement().asString().contains("no trailer after 2 lines (truncated?)");
            assertThat(store.keyValueStore("counts", LONGS).size()).isZero();
        }
    }

    @Test
    void aValueItsCodecRejectsIsReportedAndKeptForTheNextSnapshot() throws IOException {
        Files.writeString(dir.resolve(FileSnapshotStateStore.SNAPSHOT_FILE), "{\"format\":\"peregrine-state\",\"version\":1}\n"
                + "{\"store\":\"counts\",\"key\":\"good\",\"value\":\"1\"}\n"
                + "{\"store\":\"counts\",\"key\":\"bad\",\"value\":\"one\"}\n{\"entries\":2}\n", StandardCharsets.UTF_8);

        try (FileSnapshotStateStore store = open()) {
            final KeyValueStore<Long> counts = store.keyValueStore("counts", LONGS);
            assertThat(contents(counts)).containsOnlyKeys("good");
            assertThat(store.undecodableEntries()).isEqualTo(1);
            assertThat(store.problems()).singleElement().asString()
                    .contains("store 'counts' key 'bad': value not readable (not a number: one); kept as it was");
        }

        assertThat(Files.readString(dir.resolve(FileSnapshotStateStore.SNAPSHOT_FILE)))
                .contains("{\"store\":\"counts\",\"key\":\"bad\",\"value\":\"one\"}");
    }

    @Test
    void storesNobodyOpenedInThisRunAreKept() throws IOException {
        try (FileSnapshotStateStore store = open()) {
            store.keyValueStore("off_for_now", LONGS).put("a", 1L);
        }
        try (FileSnapshotStateStore store = open()) {
            store.keyValueStore("other", LONGS).put("b", 2L);
        }
        try (FileSnapshotStateStore store = open()) {
            assertThat(store.keyValueStore("off_for_now", LONGS).get("a")).isEqualTo(1L);
        }
    }

    @Test
    void aStoreOpenedTwiceWithAnotherCodecIsRefused() throws IOException {
        try (FileSnapshotStateStore store = open()) {
            store.keyValueStore("counts", LONGS);

            assertThat(store.keyValueStore("counts", LONGS)).isSameAs(store.keyValueStore("counts", LONGS));
            assertThatThrownBy(() -> store.keyValueStore("counts", STRINGS))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'counts'");
        }
    }

    @Test
    void aFailedSnapshotLeavesThePreviousOneAndIsCounted() throws IOException {
        final FileSnapshotStateStore store = open();
        store.keyValueStore("counts", LONGS).put("a", 1L);
        store.snapshot();
        final String before = Files.readString(store.snapshotFile());
        // A directory where the temporary file goes makes the write fail.
        Files.createDirectory(dir.resolve(FileSnapshotStateStore.SNAPSHOT_FILE + ".tmp"));
        store.keyValueStore("counts", LONGS).put("b", 2L);

        store.close();

        assertThat(store.snapshotFailures()).isEqualTo(1);
        assertThat(Files.readString(store.snapshotFile())).isEqualTo(before);
    }
}
