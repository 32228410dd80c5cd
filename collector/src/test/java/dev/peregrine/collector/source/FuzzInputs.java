package dev.peregrine.collector.source;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import dev.peregrine.collector.event.Field;
import dev.peregrine.collector.event.FieldRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Tuple;

/**
 * Inputs for the parser fuzz tests: real seed lines mutated the ways damaged logs and hostile
 * writers damage them (byte flips, truncations, splices, huge numbers, deep nesting, invalid
 * UTF-8, NULs), plus lines built from the vocabulary of a format, plus jqwik's own strings.
 */
public final class FuzzInputs {

    /** The floor of inputs every parser's fuzz property must run. */
    public static final int INPUTS_PER_PARSER = 100_000;

    /** Inputs per try: jqwik's own work per try would otherwise cost more than the parse. */
    public static final int BATCH = 10;

    /** Tries per fuzz property, {@link #BATCH} inputs each. */
    public static final int TRIES = INPUTS_PER_PARSER / BATCH;

    private static final byte[][] INVALID_UTF8 = {
        {(byte) 0xFF}, {(byte) 0xC0, (byte) 0xAF}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, {(byte) 0x80},
        {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, {(byte) 0xE2, (byte) 0x82}, {(byte) 0xC3},
    };
    private static final String[] HUGE_NUMBERS = {
        "99999999999999999999999999999999999999", "-9223372036854775809", "9223372036854775808",
        "9223372036854775807", "-9223372036854775808", "1e999", "-1e-999", "4294967295", "18446744073709551616",
        "0x7fffffffffffffff", "1" + "0".repeat(1200), "NaN", "-0", "00000000000000000000001",
    };
    private static final String[] ODD_TEXT = {
        "\u0000", "\\u0000", "\\ud800", "\\", "\"", "'", "\u001d", "\u001dUID=\"root\"", "=", "==", " ", "\t", ")", "(",
        ":", "msg=audit(", "type=", "node=", "(null)", "(none)", "<NA>", "\u00e9", "\ud83d\udc1f", "\u202e", "%s",
        "{}", "[]", "null", "true", "\r",
    };

    private FuzzInputs() {
    }

    /** One fuzz input; prints as escaped text so that a failing sample can be read and pasted into a regression test. */
    public record Line(byte[] bytes) {

        /** The input as a Java string literal body. */
        @Override
        public String toString() {
            final StringBuilder text = new StringBuilder(bytes.length + 16);
            for (final byte b : bytes) {
                final int c = b & 0xFF;
                if (c == '\\' || c == '"') {
                    text.append('\\').append((char) c);
                } else if (c >= 0x20 && c < 0x7F) {
                    text.append((char) c);
                } else {
                    text.append(String.format("\\x%02X", c));
                }
            }
            return "Line[" + bytes.length + " bytes: \"" + (text.length() > 2000 ? text.substring(0, 2000) + "…" : text) + "\"]";
        }
    }

    /** The non-blank lines of the test resource {@code resource}, each as it is in the file. */
    public static List<byte[]> resourceLines(final String resource) {
        final List<byte[]> lines = new ArrayList<>();
        for (final String line : new String(resource(resource), StandardCharsets.UTF_8).split("\n")) {
            if (!line.isBlank()) {
                lines.add(line.getBytes(StandardCharsets.UTF_8));
            }
        }
        return lines;
    }

    /** The audit records (lines starting with {@code type=}) quoted in a YAML test resource, unindented. */
    public static List<byte[]> yamlRecordLines(final String resource) {
        final List<byte[]> lines = new ArrayList<>();
        for (final String line : new String(resource(resource), StandardCharsets.UTF_8).split("\n")) {
            if (line.strip().startsWith("type=")) {
                lines.add(line.strip().getBytes(StandardCharsets.UTF_8));
            }
        }
        return lines;
    }

    /** Every top-level JSON value of a (possibly pretty-printed) test resource, each compacted to one line. */
    public static List<byte[]> jsonValues(final String resource) {
        final JsonFactory json = new JsonFactory();
        final List<byte[]> values = new ArrayList<>();
        try (JsonParser parser = json.createParser(resource(resource))) {
            while (parser.nextToken() != null) {
                final StringWriter out = new StringWriter();
                try (JsonGenerator generator = json.createGenerator(out)) {
                    generator.copyCurrentStructure(parser);
                }
                values.add(out.toString().getBytes(StandardCharsets.UTF_8));
            }
        } catch (final IOException e) {
            throw new UncheckedIOException(resource, e);
        }
        return values;
    }

    private static byte[] resource(final String resource) {
        try (InputStream in = FuzzInputs.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalArgumentException("no test resource " + resource);
            }
            return in.readAllBytes();
        } catch (final IOException e) {
            throw new UncheckedIOException(resource, e);
        }
    }

    /**
     * The inputs for a parser: mostly mutated seeds, a share of lines built by {@code structured}
     * and of arbitrary strings, and the seeds themselves unchanged.
     */
    public static Arbitrary<Line> forParser(final List<byte[]> seeds, final Function<Random, byte[]> structured) {
        if (seeds.isEmpty()) {
            throw new IllegalArgumentException("no seeds");
        }
        final Arbitrary<Line> mutated = Arbitraries.randomValue(random -> new Line(mutate(seeds, random)));
        final Arbitrary<Line> built = Arbitraries.randomValue(random -> {
            final byte[] line = structured.apply(random);
            return new Line(random.nextInt(3) == 0 ? mutateOnce(line, seeds, random) : line);
        });
        final Arbitrary<Line> strings = Arbitraries.strings().ofMaxLength(300)
                .map(text -> new Line(text.getBytes(StandardCharsets.UTF_8)));
        final Arbitrary<Line> unchanged = Arbitraries.of(seeds).map(Line::new);
        return Arbitraries.frequencyOf(
                Tuple.of(60, mutated), Tuple.of(28, built), Tuple.of(8, strings), Tuple.of(4, unchanged));
    }

    /** {@link #forParser} in lists of {@link #BATCH}, one list per try. */
    public static Arbitrary<List<Line>> batches(final List<byte[]> seeds, final Function<Random, byte[]> structured) {
        return forParser(seeds, structured).list().ofSize(BATCH);
    }

    /** A seed with one to four mutations stacked. */
    static byte[] mutate(final List<byte[]> seeds, final Random random) {
        byte[] line = seeds.get(random.nextInt(seeds.size()));
        final int rounds = 1 + random.nextInt(4);
        for (int i = 0; i < rounds; i++) {
            line = mutateOnce(line, seeds, random);
        }
        return line;
    }

    private static byte[] mutateOnce(final byte[] line, final List<byte[]> seeds, final Random random) {
        final int at = line.length == 0 ? 0 : random.nextInt(line.length + 1);
        return switch (random.nextInt(11)) {
            case 0 -> flipBit(line, random);
            case 1 -> line.length == 0 ? line : Arrays.copyOf(line, random.nextInt(line.length)); // truncation
            case 2 -> splice(line, seeds.get(random.nextInt(seeds.size())), random);
            case 3 -> insert(line, at, HUGE_NUMBERS[random.nextInt(HUGE_NUMBERS.length)].getBytes(StandardCharsets.UTF_8));
            case 4 -> replaceNumber(line, random);
            case 5 -> insert(line, at, nesting(random).getBytes(StandardCharsets.UTF_8));
            case 6 -> insert(line, at, INVALID_UTF8[random.nextInt(INVALID_UTF8.length)]);
            case 7 -> insert(line, at, new byte[] {0});
            case 8 -> insert(line, at, ODD_TEXT[random.nextInt(ODD_TEXT.length)].getBytes(StandardCharsets.UTF_8));
            case 9 -> deleteSlice(line, random);
            default -> duplicateSlice(line, random);
        };
    }

    private static byte[] flipBit(final byte[] line, final Random random) {
        if (line.length == 0) {
            return line;
        }
        final byte[] copy = line.clone();
        copy[random.nextInt(copy.length)] ^= (byte) (1 << random.nextInt(8));
        return copy;
    }

    private static byte[] splice(final byte[] head, final byte[] tail, final Random random) {
        final int cut = random.nextInt(head.length + 1);
        final int from = random.nextInt(tail.length + 1);
        final ByteArrayOutputStream out = new ByteArrayOutputStream(cut + tail.length - from);
        out.write(head, 0, cut);
        out.write(tail, from, tail.length - from);
        return out.toByteArray();
    }

    private static byte[] insert(final byte[] line, final int at, final byte[] piece) {
        final int position = Math.min(at, line.length);
        final byte[] out = new byte[line.length + piece.length];
        System.arraycopy(line, 0, out, 0, position);
        System.arraycopy(piece, 0, out, position, piece.length);
        System.arraycopy(line, position, out, position + piece.length, line.length - position);
        return out;
    }

    /** Replaces a run of digits (a timestamp, a pid, an event serial) with a huge or odd number. */
    private static byte[] replaceNumber(final byte[] line, final Random random) {
        final List<int[]> runs = new ArrayList<>();
        for (int i = 0; i < line.length; ) {
            if (line[i] >= '0' && line[i] <= '9') {
                int j = i;
                while (j < line.length && line[j] >= '0' && line[j] <= '9') {
                    j++;
                }
                runs.add(new int[] {i, j});
                i = j;
            } else {
                i++;
            }
        }
        if (runs.isEmpty()) {
            return line;
        }
        final int[] run = runs.get(random.nextInt(runs.size()));
        final byte[] number = HUGE_NUMBERS[random.nextInt(HUGE_NUMBERS.length)].getBytes(StandardCharsets.UTF_8);
        final ByteArrayOutputStream out = new ByteArrayOutputStream(line.length + number.length);
        out.write(line, 0, run[0]);
        out.writeBytes(number);
        out.write(line, run[1], line.length - run[1]);
        return out.toByteArray();
    }

    /** Deep nesting, closed or not: past Jackson's default depth limit of 1000 as often as below it. */
    private static String nesting(final Random random) {
        final int depth = random.nextBoolean() ? 1 + random.nextInt(50) : 900 + random.nextInt(1500);
        final boolean arrays = random.nextBoolean();
        final String open = arrays ? "[" : "{\"a\":";
        final String close = arrays ? "]" : "}";
        return open.repeat(depth) + (random.nextBoolean() ? "1" + close.repeat(depth) : "");
    }

    private static byte[] deleteSlice(final byte[] line, final Random random) {
        if (line.length < 2) {
            return line;
        }
        final int from = random.nextInt(line.length);
        final int to = from + random.nextInt(Math.min(64, line.length - from) + 1);
        final ByteArrayOutputStream out = new ByteArrayOutputStream(line.length);
        out.write(line, 0, from);
        out.write(line, to, line.length - to);
        return out.toByteArray();
    }

    private static byte[] duplicateSlice(final byte[] line, final Random random) {
        if (line.length == 0) {
            return line;
        }
        final int from = random.nextInt(line.length);
        final int to = from + random.nextInt(Math.min(64, line.length - from) + 1);
        return insert(line, random.nextInt(line.length + 1), Arrays.copyOfRange(line, from, to));
    }

    // --- structured generators ---

    /** Every registered field name, for building native lines and Falco output fields. */
    public static List<String> fieldNames() {
        final List<String> names = new ArrayList<>();
        for (final Field field : FieldRegistry.standard().fields()) {
            names.add(field.name());
        }
        return names;
    }

    /**
     * A JSON object of up to a dozen keys, mostly drawn from {@code keys} (nested objects too),
     * with values of every JSON type: strings that look like timestamps, numbers and paths, odd
     * text, huge and negative integers, floats, booleans, nulls, arrays and nested objects.
     */
    public static byte[] jsonObject(final Random random, final List<String> keys) {
        final StringBuilder json = new StringBuilder(256);
        object(json, random, keys, 0);
        return json.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void object(final StringBuilder json, final Random random, final List<String> keys, final int depth) {
        json.append('{');
        final int size = random.nextInt(depth == 0 ? 14 : 6);
        for (int i = 0; i < size; i++) {
            if (i > 0) {
                json.append(',');
            }
            final String key = random.nextInt(10) < 8 ? keys.get(random.nextInt(keys.size())) : randomText(random, 8);
            string(json, key);
            json.append(':');
            value(json, random, keys, depth);
        }
        json.append('}');
    }

    private static void value(final StringBuilder json, final Random random, final List<String> keys, final int depth) {
        switch (random.nextInt(depth < 4 ? 12 : 10)) {
            case 0, 1 -> string(json, timestamp(random));
            case 2 -> string(json, randomText(random, 20));
            case 3 -> string(json, Long.toString(random.nextLong()));
            case 4 -> json.append(HUGE_NUMBERS[random.nextInt(HUGE_NUMBERS.length)].replace("0x", "")
                    .replace("NaN", "0"));
            case 5 -> json.append(random.nextInt(100_000) - 1000);
            case 6 -> json.append(random.nextDouble() * Math.pow(10, random.nextInt(40) - 20));
            case 7 -> json.append(random.nextBoolean());
            case 8 -> json.append("null");
            case 9 -> string(json, ODD_TEXT[random.nextInt(ODD_TEXT.length)]);
            case 10 -> {
                json.append('[');
                final int size = random.nextInt(4);
                for (int i = 0; i < size; i++) {
                    if (i > 0) {
                        json.append(',');
                    }
                    value(json, random, keys, depth + 1);
                }
                json.append(']');
            }
            default -> object(json, random, keys, depth + 1);
        }
    }

    /** An RFC 3339 timestamp, usually valid, sometimes out of range or malformed. */
    public static String timestamp(final Random random) {
        final int year = random.nextInt(10) == 0 ? random.nextInt(10_000) : 1970 + random.nextInt(300);
        final String fraction = random.nextBoolean() ? "" : "." + "123456789123".substring(0, 1 + random.nextInt(12));
        final String zone = switch (random.nextInt(4)) {
            case 0 -> "+02:00";
            case 1 -> "";
            case 2 -> "-25:61";
            default -> "Z";
        };
        return String.format("%04d-%02d-%02dT%02d:%02d:%02d%s%s", year, 1 + random.nextInt(13), 1 + random.nextInt(32),
                random.nextInt(25), random.nextInt(61), random.nextInt(61), fraction, zone);
    }

    /** Up to {@code max} characters from the whole range of char values, lone surrogates included. */
    public static String randomText(final Random random, final int max) {
        final int length = random.nextInt(max + 1);
        final StringBuilder text = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            text.append(random.nextInt(4) == 0 ? (char) random.nextInt(0x10000) : (char) (0x20 + random.nextInt(0x5F)));
        }
        return text.toString();
    }

    private static void string(final StringBuilder json, final String text) {
        json.append('"');
        for (int i = 0; i < text.length(); i++) {
            final char c = text.charAt(i);
            if (c == '"' || c == '\\') {
                json.append('\\').append(c);
            } else if (c < 0x20) {
                json.append(String.format("\\u%04x", (int) c));
            } else {
                json.append(c);
            }
        }
        json.append('"');
    }
}
