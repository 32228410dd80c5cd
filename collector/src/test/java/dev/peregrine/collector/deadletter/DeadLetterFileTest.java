package dev.peregrine.collector.deadletter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeadLetterFileTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-22T10:15:30.5Z"), ZoneOffset.UTC);

    @TempDir
    Path dir;

    @Test
    void aRejectionBecomesOneJsonLineWithEveryDetail() throws IOException {
        final Path file = dir.resolve("a/b/dead.ndjson");

        try (DeadLetterFile deadLetters = new DeadLetterFile(file, "node-1", CLOCK)) {
            deadLetters.append(new Rejection("in.ndjson", 7, Rejection.Reason.INVALID_VALUE,
                    "field 'proc.pid' must be an integer, got string \"abc\"", "{\"proc.pid\":\"abc\"}\t\u00e9",
                    21, "ab12", false));
        }

        assertThat(Files.readString(file, StandardCharsets.UTF_8)).isEqualTo(
                "{\"time\":\"2026-11-22T10:15:30.500000000Z\",\"source\":\"in.ndjson\",\"line\":7,"
                + "\"reason\":\"invalid_value\",\"message\":\"field 'proc.pid' must be an integer, got string \\\"abc\\\"\","
                + "\"raw\":\"{\\\"proc.pid\\\":\\\"abc\\\"}\\t\u00e9\",\"raw_length\":21,\"raw_sha256\":\"ab12\","
                + "\"truncated\":false,\"hostname\":\"node-1\"}\n");
    }

    @Test
    void reopeningAppendsAndEveryRecordIsOnDiskAsSoonAsAppended() throws IOException {
        final Path file = dir.resolve("dead.ndjson");
        try (DeadLetterFile first = new DeadLetterFile(file, "h", CLOCK)) {
            first.append(rejection(1));
        }

        try (DeadLetterFile second = new DeadLetterFile(file, "h", CLOCK)) {
            second.append(rejection(2));
            assertThat(Files.readAllLines(file)).hasSize(2);
        }
    }

    @Test
    void concurrentAppendsNeverInterleave() throws Exception {
        final Path file = dir.resolve("dead.ndjson");
        final ExecutorService pool = Executors.newFixedThreadPool(8);
        try (DeadLetterFile deadLetters = new DeadLetterFile(file, "h", CLOCK)) {
            final List<Future<?>> done = new ArrayList<>();
            for (int thread = 0; thread < 8; thread++) {
                final int base = thread * 1000;
                done.add(pool.submit(() -> {
                    for (int i = 1; i <= 200; i++) {
                        deadLetters.append(rejection(base + i));
                    }
                    return null;
                }));
            }
            for (final Future<?> future : done) {
                future.get();
            }
        } finally {
            pool.shutdown();
        }

        assertThat(Files.readAllLines(file)).hasSize(1600)
                .allSatisfy(line -> assertThat(line).startsWith("{\"time\":").endsWith("\"hostname\":\"h\"}"));
    }

    @Test
    void appendingAfterCloseFails() throws IOException {
        final DeadLetterFile deadLetters = new DeadLetterFile(dir.resolve("dead.ndjson"), "h", CLOCK);
        deadLetters.close();
        deadLetters.close();

        assertThatThrownBy(() -> deadLetters.append(rejection(1))).isInstanceOf(IOException.class)
                .hasMessageContaining("closed");
    }

    private static Rejection rejection(final long line) {
        return new Rejection("s", line, Rejection.Reason.MALFORMED_JSON, "bad", "{", 1, "00", false);
    }
}
