package dev.peregrine.collector.ndjson;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class LineReaderTest {

    /** How the input arrives: line boundaries must not depend on where reads happen to stop. */
    enum Delivery {
        WHOLE, ONE_BYTE_AT_A_TIME, SEVEN_BYTES_AT_A_TIME;

        InputStream of(final byte[] bytes) {
            final InputStream whole = new ByteArrayInputStream(bytes);
            return switch (this) {
                case WHOLE -> whole;
                case ONE_BYTE_AT_A_TIME -> trickle(whole, 1);
                case SEVEN_BYTES_AT_A_TIME -> trickle(whole, 7);
            };
        }

        private static InputStream trickle(final InputStream in, final int most) {
            return new FilterInputStream(in) {
                @Override
                public int read(final byte[] b, final int off, final int len) throws IOException {
                    return super.read(b, off, Math.min(len, most));
                }
            };
        }
    }

    /** What the reader said about one line. */
    record Line(long number, String text, boolean tooLong, long rawLength, String sha256) {
    }

    @ParameterizedTest
    @EnumSource(Delivery.class)
    void emptyInputHasNoLines(final Delivery delivery) throws IOException {
        assertThat(read(delivery, "", 100)).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Delivery.class)
    void onlyNewlinesAreEmptyLinesEachNumbered(final Delivery delivery) throws IOException {
        assertThat(read(delivery, "\n\r\n\n", 100))
                .extracting(Line::number, Line::text)
                .containsExactly(tuple(1L, ""), tuple(2L, ""), tuple(3L, ""));
    }

    @ParameterizedTest
    @EnumSource(Delivery.class)
    void crlfAndLfEndLinesAndALastLineWithoutNewlineCounts(final Delivery delivery) throws IOException {
        assertThat(read(delivery, "a\r\nb\nc\rd\ne", 100))
                .extracting(Line::number, Line::text)
                .containsExactly(tuple(1L, "a"), tuple(2L, "b"), tuple(3L, "c\rd"), tuple(4L, "e"));
    }

    @ParameterizedTest
    @EnumSource(Delivery.class)
    void aLineExactlyAtTheLimitIsWhole(final Delivery delivery) throws IOException {
        final String atLimit = "x".repeat(10);

        assertThat(read(delivery, atLimit + "\n" + atLimit + "\r\n" + atLimit, 10))
                .allSatisfy(line -> {
                    assertThat(line.tooLong()).isFalse();
                    assertThat(line.text()).isEqualTo(atLimit);
                    assertThat(line.rawLength()).isEqualTo(10);
                })
                .hasSize(3);
    }

    @ParameterizedTest
    @EnumSource(Delivery.class)
    void oneByteOverTheLimitIsTooLongWithLengthAndHashOfTheWholeLine(final Delivery delivery) throws IOException {
        final String over = "y".repeat(11);

        final List<Line> lines = read(delivery, over + "\n" + over + "\r\nok\n" + over, 10);

        assertThat(lines).extracting(Line::number, Line::tooLong, Line::rawLength).containsExactly(
                tuple(1L, true, 11L), tuple(2L, true, 11L), tuple(3L, false, 2L), tuple(4L, true, 11L));
        assertThat(lines.get(0).text()).isEqualTo("y".repeat(10));
        assertThat(lines.get(0).sha256()).isEqualTo(sha256(over.getBytes(StandardCharsets.UTF_8)));
        assertThat(lines.get(1).sha256()).isEqualTo(lines.get(0).sha256());
        assertThat(lines.get(2).text()).isEqualTo("ok");
    }

    @ParameterizedTest
    @EnumSource(value = Delivery.class, names = {"WHOLE", "SEVEN_BYTES_AT_A_TIME"})
    void aHugeLineIsStreamedKeepingItsStartAndTheLinesAroundIt(final Delivery delivery) throws IOException {
        final byte[] huge = new byte[3 * 1024 * 1024 + 5];
        for (int i = 0; i < huge.length; i++) {
            huge[i] = (byte) ('a' + i % 26);
        }
        huge[huge.length - 1] = '\r'; // a '\r' inside the line, just before the CRLF that ends it
        final ByteArrayOutputStream input = new ByteArrayOutputStream();
        input.writeBytes("before\n".getBytes(StandardCharsets.UTF_8));
        input.writeBytes(huge);
        input.writeBytes("\r\nafter".getBytes(StandardCharsets.UTF_8));

        final List<Line> lines = read(delivery, input.toByteArray(), LineReader.DEFAULT_MAX_LINE_BYTES);

        assertThat(lines).extracting(Line::text).first().isEqualTo("before");
        assertThat(lines).extracting(Line::text).last().isEqualTo("after");
        final Line long1 = lines.get(1);
        assertThat(long1.number()).isEqualTo(2);
        assertThat(long1.tooLong()).isTrue();
        assertThat(long1.rawLength()).isEqualTo(huge.length);
        assertThat(long1.sha256()).isEqualTo(sha256(huge));
        assertThat(long1.text()).hasSize(LineReader.KEPT_BYTES_OF_LONG_LINE)
                .isEqualTo(new String(huge, 0, LineReader.KEPT_BYTES_OF_LONG_LINE, StandardCharsets.US_ASCII));
    }

    @ParameterizedTest
    @EnumSource(Delivery.class)
    void firstInvalidUtf8PointsAtTheBadSequence(final Delivery delivery) throws IOException {
        final byte[] input = concat(
                "ok é ✓ 🦅\n".getBytes(StandardCharsets.UTF_8),
                new byte[] {'a', (byte) 0xC0, (byte) 0xAF, '\n'},               // overlong '/'
                new byte[] {'a', 'b', (byte) 0xED, (byte) 0xA0, (byte) 0x80, '\n'}, // surrogate
                new byte[] {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80, '\n'}, // above U+10FFFF
                new byte[] {'x', (byte) 0xE2, (byte) 0x9C});                    // cut short at the end

        final List<Integer> invalidAt = new ArrayList<>();
        try (LineReader reader = new LineReader(delivery.of(input), 100)) {
            while (reader.next()) {
                invalidAt.add(reader.firstInvalidUtf8());
            }
        }

        assertThat(invalidAt).containsExactly(-1, 1, 2, 0, 1);
    }

    private static List<Line> read(final Delivery delivery, final String input, final int max) throws IOException {
        return read(delivery, input.getBytes(StandardCharsets.UTF_8), max);
    }

    private static List<Line> read(final Delivery delivery, final byte[] input, final int max) throws IOException {
        final List<Line> lines = new ArrayList<>();
        try (LineReader reader = new LineReader(delivery.of(input), max)) {
            while (reader.next()) {
                final byte[] copy = Arrays.copyOfRange(reader.buffer(), reader.offset(), reader.offset() + reader.length());
                assertThat(reader.text()).isEqualTo(new String(copy, StandardCharsets.UTF_8));
                lines.add(new Line(reader.lineNumber(), reader.text(), reader.tooLong(), reader.rawLength(),
                        reader.sha256Hex()));
            }
        }
        return lines;
    }

    private static org.assertj.core.groups.Tuple tuple(final Object... values) {
        return org.assertj.core.groups.Tuple.tuple(values);
    }

    private static byte[] concat(final byte[]... parts) {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (final byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    static String sha256(final byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (final java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
