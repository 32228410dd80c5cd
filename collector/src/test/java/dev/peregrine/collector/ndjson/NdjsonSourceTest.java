package dev.peregrine.collector.ndjson;

import static dev.peregrine.collector.deadletter.Rejection.Reason.INVALID_ENCODING;
import static dev.peregrine.collector.deadletter.Rejection.Reason.INVALID_VALUE;
import static dev.peregrine.collector.deadletter.Rejection.Reason.MALFORMED_JSON;
import static dev.peregrine.collector.deadletter.Rejection.Reason.MISSING_FIELD;
import static dev.peregrine.collector.deadletter.Rejection.Reason.TOO_LONG;
import static dev.peregrine.collector.deadletter.Rejection.Reason.UNKNOWN_FORMAT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.peregrine.collector.deadletter.DeadLetterFile;
import dev.peregrine.collector.deadletter.Rejection;
import dev.peregrine.collector.event.Event;
import dev.peregrine.collector.event.StandardFields;
import dev.peregrine.collector.event.Timestamps;
import dev.peregrine.collector.source.SourceListener;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class NdjsonSourceTest {

    private static final String FIXTURES = "/dev/peregrine/collector/ndjson/";

    @TempDir
    Path dir;

    /** Collects what a source hands over, and dead-letters the rejections as the app will. */
    static final class Recorder implements SourceListener {
        final List<Event> events = new ArrayList<>();
        final List<Rejection> rejections = new ArrayList<>();
        private final DeadLetterFile deadLetters;

        Recorder(final DeadLetterFile deadLetters) {
            this.deadLetters = deadLetters;
        }

        @Override
        public void onEvent(final Event event) {
            events.add(event);
        }

        @Override
        public void onRejected(final Rejection rejection) {
            rejections.add(rejection);
            if (deadLetters != null) {
                try {
                    deadLetters.append(rejection);
                } catch (final IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
    }

    @Test
    void aFileMixingGoodAndBadLinesGivesEveryGoodEventAndOneRejectionPerBadLine() throws Exception {
        final byte[] twoMebibyteLine = ("{\"evt.time\":1,\"proc.args\":\"" + "A".repeat(2 * 1024 * 1024) + "\"}")
                .getBytes(StandardCharsets.US_ASCII);
        final byte[] invalidUtf8Line = concat("{\"evt.time\":1,\"proc.name\":\"".getBytes(StandardCharsets.US_ASCII),
                new byte[] {(byte) 0xC3, (byte) 0x28, (byte) 0xFF}, "\"}".getBytes(StandardCharsets.US_ASCII));
        final Path input = dir.resolve("mixed.ndjson");
        Files.write(input, assemble(fixtureLines("mixed-with-bad-lines.ndjson"),
                Map.of("@@TWO_MEBIBYTE_LINE@@", twoMebibyteLine, "@@INVALID_UTF8_LINE@@", invalidUtf8Line)));
        final Path deadLetterPath = dir.resolve("state/dead-letter/rejected.ndjson");
        final Recorder recorder;

        try (DeadLetterFile deadLetters = new DeadLetterFile(deadLetterPath, "test-host",
                Clock.fixed(Instant.parse("2026-11-22T11:00:00Z"), ZoneOffset.UTC));
             NdjsonSource source = NdjsonSource.file(input)) {
            recorder = new Recorder(deadLetters);
            source.read(recorder);
        }

        assertThat(recorder.events).extracting(event -> Timestamps.formatRfc3339(event.timeNanos()))
                .containsExactly("2026-11-22T10:00:01.000000000Z", "2026-11-22T10:00:02.000000000Z",
                        "2026-11-22T10:00:10.000000000Z", "2026-11-22T10:00:15.000000000Z",
                        "2026-11-22T10:00:16.000000000Z");
        assertThat(recorder.events.get(4).extra("note")).isEqualTo("the last line has no newline");
        assertThat(recorder.rejections)
                .extracting(Rejection::source, Rejection::line, Rejection::reason)
                .containsExactly(
                        tuple(input.toString(), 3L, MALFORMED_JSON),
                        tuple(input.toString(), 4L, MISSING_FIELD),
                        tuple(input.toString(), 5L, INVALID_VALUE),
                        tuple(input.toString(), 6L, INVALID_VALUE),
                        tuple(input.toString(), 7L, MALFORMED_JSON),
                        tuple(input.toString(), 8L, MALFORMED_JSON),
                        tuple(input.toString(), 11L, TOO_LONG),
                        tuple(input.toString(), 12L, INVALID_ENCODING),
                        tuple(input.toString(), 13L, MISSING_FIELD),
                        tuple(input.toString(), 14L, UNKNOWN_FORMAT));

        final Rejection tooLong = recorder.rejections.get(6);
        assertThat(tooLong.truncated()).isTrue();
        assertThat(tooLong.rawLength()).isEqualTo(twoMebibyteLine.length);
        assertThat(tooLong.rawSha256()).isEqualTo(LineReaderTest.sha256(twoMebibyteLine));
        assertThat(tooLong.raw()).hasSize(LineReader.KEPT_BYTES_OF_LONG_LINE).startsWith("{\"evt.time\":1,");
        final Rejection badBytes = recorder.rejections.get(7);
        assertThat(badBytes.raw()).isEqualTo("{\"evt.time\":1,\"proc.name\":\"\uFFFD(\uFFFD\"}");
        assertThat(badBytes.rawLength()).isEqualTo(invalidUtf8Line.length);
        assertThat(badBytes.rawSha256()).isEqualTo(LineReaderTest.sha256(invalidUtf8Line));
        assertThat(badBytes.truncated()).isFalse();
        assertThat(recorder.rejections.get(2).message()).contains("proc.pid").contains("\"abc\"");

        final List<Map<String, Object>> deadLetters = readJsonLines(deadLetterPath);
        assertThat(deadLetters).extracting(record -> record.get("line"), record -> record.get("reason"))
                .containsExactly(tuple(3L, "malformed_json"), tuple(4L, "missing_field"), tuple(5L, "invalid_value"),
                        tuple(6L, "invalid_value"), tuple(7L, "malformed_json"), tuple(8L, "malformed_json"),
                        tuple(11L, "too_long"), tuple(12L, "invalid_encoding"), tuple(13L, "missing_field"),
                        tuple(14L, "unknown_format"));
        assertThat(deadLetters.get(0)).containsEntry("source", input.toString())
                .containsEntry("time", "2026-11-22T11:00:00.000000000Z")
                .containsEntry("hostname", "test-host")
                .containsEntry("truncated", false)
                .containsEntry("raw", fixtureLines("mixed-with-bad-lines.ndjson").get(2))
                .containsKeys("message", "raw_length", "raw_sha256");
        assertThat(deadLetters.get(6)).containsEntry("truncated", true)
                .containsEntry("raw_length", (long) twoMebibyteLine.length)
                .containsEntry("raw_sha256", LineReaderTest.sha256(twoMebibyteLine));
    }

    @Test
    void agentFixtureOfEveryTypeReadsWithoutRejections() throws Exception {
        final Recorder recorder = readFixture("agent-events.ndjson");

        assertThat(recorder.rejections).isEmpty();
        assertThat(recorder.events).extracting(event -> event.get(StandardFields.EVT_TYPE)).containsExactly(
                "tool_call", "llm_call", "memory_write", "memory_read", "http_request", "platform_access");
        assertThat(recorder.events).allSatisfy(event -> {
            assertThat(event.get(StandardFields.EVT_SOURCE)).isEqualTo("agent");
            assertThat(event.extras()).isEmpty();
        });
        assertThat(recorder.events.get(5).get(StandardFields.PLATFORM_OUTCOME)).isEqualTo("denied");
    }

    @Test
    void nativeFixtureReadsWithTypesTimesAndExtras() throws Exception {
        final Recorder recorder = readFixture("native-events.ndjson");

        assertThat(recorder.rejections).isEmpty();
        assertThat(recorder.events).extracting(Event::timeNanos).containsExactly(
                Timestamps.parseRfc3339("2026-11-22T10:15:30.123456789Z"),
                Timestamps.parseRfc3339("2026-11-22T10:15:30.5Z"),
                Timestamps.parseRfc3339("2026-11-22T12:15:30Z"));
        assertThat(recorder.events.get(0).get(StandardFields.PROC_PPID)).isEqualTo(4200L);
        assertThat(recorder.events.get(0).get(StandardFields.PROC_CMDLINE)).isEqualTo("pip install reqeusts");
        assertThat(recorder.events.get(1).get(StandardFields.EVT_FAILED)).isEqualTo(true);
        assertThat(recorder.events.get(2).get(StandardFields.EVT_SOURCE)).isEqualTo("falco");
        assertThat(recorder.events.get(2).extras()).containsEntry("labels", "{\"team\":\"infra\"}")
                .containsEntry("tags", "[\"a\",\"b\"]").containsEntry("score", 0.75);
    }

    @Test
    void aByteOrderMarkOnTheFirstLineIsNoRejection() throws Exception {
        final byte[] input = concat(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF},
                "{\"evt.time\":1}\n{\"evt.time\":2}".getBytes(StandardCharsets.UTF_8));
        final Recorder recorder = new Recorder(null);

        new NdjsonSource(NdjsonSource.STDIN, new ByteArrayInputStream(input), new NdjsonParser(), 100).read(recorder);

        assertThat(recorder.rejections).isEmpty();
        assertThat(recorder.events).extracting(Event::timeNanos).containsExactly(1L, 2L);
    }

    @Test
    void aConfiguredLineLimitApplies() throws Exception {
        final Recorder recorder = new Recorder(null);
        final byte[] input = "{\"evt.time\":1}\n{\"evt.time\":12345}\n".getBytes(StandardCharsets.UTF_8);

        new NdjsonSource("s", new ByteArrayInputStream(input), new NdjsonParser(), 14).read(recorder);

        assertThat(recorder.events).hasSize(1);
        assertThat(recorder.rejections).singleElement().satisfies(rejection -> {
            assertThat(rejection.reason()).isEqualTo(TOO_LONG);
            assertThat(rejection.line()).isEqualTo(2);
            assertThat(rejection.message()).isEqualTo("line is 18 bytes long, over the limit of 14 bytes");
            assertThat(rejection.raw()).isEqualTo("{\"evt.time\":12");
        });
    }

    @Test
    @Timeout(10)
    void closeFromAnotherThreadStopsAReadWaitingForInput() throws Exception {
        final BlockingInput stdin = new BlockingInput("{\"evt.time\":1}\n{\"evt.time\":2}\n");
        final NdjsonSource source = new NdjsonSource(NdjsonSource.STDIN, stdin, new NdjsonParser(), 1024);
        final Recorder recorder = new Recorder(null);
        final Thread reader = new Thread(() -> {
            try {
                source.read(recorder);
            } catch (final IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        final List<Throwable> failures = new ArrayList<>();
        reader.setUncaughtExceptionHandler((thread, e) -> failures.add(e));

        reader.start();
        assertThat(stdin.waiting.await(5, TimeUnit.SECONDS)).isTrue();
        source.close();
        reader.join(5000);

        assertThat(reader.isAlive()).isFalse();
        assertThat(failures).isEmpty();
        assertThat(recorder.events).extracting(Event::timeNanos).containsExactly(1L, 2L);
        assertThat(source.name()).isEqualTo("stdin");
    }

    /** Serves its text, then blocks like an idle pipe until closed, when it fails like a closed socket. */
    private static final class BlockingInput extends InputStream {
        final CountDownLatch waiting = new CountDownLatch(1);
        private final CountDownLatch closed = new CountDownLatch(1);
        private final ByteArrayInputStream text;

        BlockingInput(final String text) {
            this.text = new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public int read() throws IOException {
            final byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(final byte[] b, final int off, final int len) throws IOException {
            if (text.available() > 0) {
                return text.read(b, off, len);
            }
            waiting.countDown();
            try {
                closed.await();
            } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            throw new IOException("Stream closed");
        }

        @Override
        public void close() {
            closed.countDown();
        }
    }

    private Recorder readFixture(final String name) throws IOException {
        final Path file = dir.resolve(name);
        Files.write(file, String.join("\n", fixtureLines(name)).getBytes(StandardCharsets.UTF_8));
        final Recorder recorder = new Recorder(null);
        try (NdjsonSource source = NdjsonSource.file(file)) {
            source.read(recorder);
        }
        return recorder;
    }

    private static List<String> fixtureLines(final String name) throws IOException {
        try (InputStream in = NdjsonSourceTest.class.getResourceAsStream(FIXTURES + name)) {
            assertThat(in).as("fixture %s", name).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        }
    }

    /**
     * The fixture's lines with placeholders replaced, ending alternately in CRLF and LF, the
     * last one in nothing at all.
     */
    private static byte[] assemble(final List<String> lines, final Map<String, byte[]> placeholders) {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < lines.size(); i++) {
            final byte[] generated = placeholders.get(lines.get(i));
            out.writeBytes(generated != null ? generated : lines.get(i).getBytes(StandardCharsets.UTF_8));
            if (i < lines.size() - 1) {
                out.writeBytes(i % 2 == 0 ? new byte[] {'\r', '\n'} : new byte[] {'\n'});
            }
        }
        return out.toByteArray();
    }

    private static byte[] concat(final byte[]... parts) {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        Arrays.stream(parts).forEach(out::writeBytes);
        return out.toByteArray();
    }

    /** Reads flat JSON objects, one per line; scalars only, as the dead-letter format has. */
    static List<Map<String, Object>> readJsonLines(final Path file) throws IOException {
        final JsonFactory json = new JsonFactory();
        final List<Map<String, Object>> records = new ArrayList<>();
        for (final String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            final Map<String, Object> record = new LinkedHashMap<>();
            try (JsonParser parser = json.createParser(line)) {
                assertThat(parser.nextToken()).isEqualTo(JsonToken.START_OBJECT);
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    final String key = parser.currentName();
                    final JsonToken token = parser.nextToken();
                    record.put(key, switch (token) {
                        case VALUE_NUMBER_INT -> parser.getLongValue();
                        case VALUE_TRUE, VALUE_FALSE -> parser.getBooleanValue();
                        case VALUE_NULL -> null;
                        default -> parser.getText();
                    });
                }
                assertThat(parser.nextToken()).isNull();
            }
            records.add(record);
        }
        return records;
    }
}
