package dev.peregrine.collector.ndjson;

import dev.peregrine.collector.event.Timestamps;
import java.nio.charset.StandardCharsets;

/**
 * Reads a line that is one flat JSON object straight from its bytes, member by member: string
 * values without <code>&#92;u</code> escapes, integers of at most 18 digits, {@code true},
 * {@code false} and {@code null}. It is the fast path of {@link NdjsonParser}: no parser object
 * per line, keys matched by their bytes (the key that came next last time is tried first), RFC
 * 3339 times decoded where they lie, plain text found eight bytes at a time, and a value equal
 * to the last one of its key given the same String again instead of a new one.
 *
 * <p>It gives up ({@link Step#GIVE_UP}, or {@code false} from a read) on anything else — nested
 * values, fractions and exponents, long integers, <code>&#92;u</code> escapes, escapes in keys or
 * mixed with non-ASCII text, control characters, ill-formed UTF-8, and every syntax error — and
 * the caller then reads the whole line with Jackson. So every value this scanner returns is the
 * one Jackson would have returned, and every rejection of malformed JSON is still worded by
 * Jackson.
 *
 * <p>Cursor style: {@link #start} a line; {@link #next} moves to a member's key, then
 * {@link #readTimestamp} or {@link #readValue} reads its value. Not thread-safe.
 */
final class FlatObjectScanner {

    /** What {@link #next} found. */
    enum Step {
        /** A member: its key is read, its value is next. */
        MEMBER,
        /** The closing brace, with nothing but whitespace after it. */
        END,
        /** Something this scanner does not read; the line must go to Jackson. */
        GIVE_UP
    }

    // 18 decimal digits always fit in a long; Jackson decides about longer numbers.
    private static final int MAX_INTEGER_DIGITS = 18;

    // A string value longer than this is not remembered: copying it costs more than a hit saves.
    private static final int MAX_REMEMBERED_BYTES = 64;

    private final KeyNames names;
    private final StringBuilder unescaped = new StringBuilder();
    private final AsciiSlice slice = new AsciiSlice();

    // Lines of one source repeat their keys in the same order: the key that followed each known
    // key last time (by id + 1; 0 for the start of an object) is tried first, by its bytes and
    // closing quote, before any search or lookup.
    private final KeyNames.Name[] predicted;
    private final byte[][] predictedQuoted;
    private final byte[][] quotedById;
    private int previous;

    // And many values repeat per key (event types, sources, users, images): the last plain
    // string value of each known key, with its closing quote, and its String.
    private final byte[][] rememberedBytes;
    private final int[] rememberedLength;
    private final String[] rememberedValue;

    private byte[] buf;
    private int pos;
    private int end;
    private boolean first;

    private int keyOffset;
    private int keyLength;
    private KeyNames.Name keyName;
    private Object value;
    private long timestamp;

    /** A scanner that knows the keys in {@code names}. */
    FlatObjectScanner(final KeyNames names) {
        this.names = names;
        predicted = new KeyNames.Name[names.size() + 1];
        predictedQuoted = new byte[names.size() + 1][];
        quotedById = new byte[names.size()][];
        rememberedBytes = new byte[names.size()][];
        rememberedLength = new int[names.size()];
        rememberedValue = new String[names.size()];
    }

    /** Starts on the line {@code buf[off, off+len)}; false when it does not open with '{' (Jackson words that). */
    boolean start(final byte[] line, final int off, final int len) {
        this.buf = line;
        this.pos = off;
        this.end = off + len;
        this.first = true;
        this.previous = 0;
        skipWhitespace();
        if (pos == end || buf[pos] != '{') {
            return false;
        }
        pos++;
        return true;
    }

    /** Moves to the next member's key; after {@link Step#MEMBER} its value must be read. */
    Step next() {
        skipWhitespace();
        if (pos == end) {
            return Step.GIVE_UP;
        }
        byte b = buf[pos];
        if (b == '}') {
            pos++;
            skipWhitespace();
            return pos == end ? Step.END : Step.GIVE_UP;
        }
        if (!first) {
            if (b != ',') {
                return Step.GIVE_UP;
            }
            pos++;
            skipWhitespace();
            if (pos == end) {
                return Step.GIVE_UP;
            }
            b = buf[pos];
        }
        first = false;
        if (b != '"' || !scanKey()) {
            return Step.GIVE_UP;
        }
        skipWhitespace();
        if (pos == end || buf[pos] != ':') {
            return Step.GIVE_UP;
        }
        pos++;
        skipWhitespace();
        return pos == end ? Step.GIVE_UP : Step.MEMBER;
    }

    /** What the current key means, or {@code null} for a key {@link KeyNames} does not know. */
    KeyNames.Name keyName() {
        return keyName;
    }

    /** The current key as text. */
    String keyText() {
        return keyName != null ? keyName.text() : new String(buf, keyOffset, keyLength, StandardCharsets.UTF_8);
    }

    /**
     * Reads the current value if it is an RFC 3339 string, without making a String of it;
     * false, having read nothing, for any other value (and a bad timestamp), which
     * {@link #readValue} then reads.
     */
    boolean readTimestamp() {
        if (buf[pos] != '"') {
            return false;
        }
        final int start = pos + 1;
        final int quote = ByteWords.indexOfQuote(buf, start, end);
        if (quote < 0) {
            return false;
        }
        // A valid time has only digits, letters and punctuation, so no escape and no other quote
        // can hide in it: if it parses, the first quote was the closing one.
        slice.set(buf, start, quote - start);
        try {
            timestamp = Timestamps.parseRfc3339(slice);
        } catch (final IllegalArgumentException e) {
            return false;
        }
        pos = quote + 1;
        return true;
    }

    /** The epoch nanoseconds {@link #readTimestamp} read. */
    long timestamp() {
        return timestamp;
    }

    /** Reads the current value; false when this scanner does not read it (the line goes to Jackson). */
    boolean readValue() {
        return switch (buf[pos]) {
            case '"' -> scanString();
            case 't' -> literal(Boolean.TRUE, "true");
            case 'f' -> literal(Boolean.FALSE, "false");
            case 'n' -> literal(null, "null");
            case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9' -> scanInteger();
            default -> false;
        };
    }

    /** The value {@link #readValue} read, as {@link JsonValues#read} gives it: String, Long, Boolean or {@code null}. */
    Object value() {
        return value;
    }

    /** The key at {@code pos} (its opening quote); false when it has an escape, a control character or bad UTF-8. */
    private boolean scanKey() {
        final int start = pos + 1;
        final byte[] expected = predictedQuoted[previous];
        if (expected != null && start + expected.length <= end && ByteWords.equal(expected, 0, buf, start, expected.length)) {
            keyName = predicted[previous];
            keyOffset = start;
            keyLength = expected.length - 1;
            pos = start + expected.length;
            previous = keyName.id() + 1;
            return true;
        }
        int quote = ByteWords.skipPlainStringText(buf, start, end);
        if (quote < end && buf[quote] < 0) {
            quote = ByteWords.indexOfQuote(buf, quote, end);
            if (quote < 0 || !isPlainText(start, quote)) {
                return false;
            }
        } else if (quote == end || buf[quote] != '"') {
            return false;
        }
        keyName = names.find(buf, start, quote - start);
        if (keyName == null) {
            previous = 0;
        } else {
            predicted[previous] = keyName;
            predictedQuoted[previous] = quoted(keyName);
            previous = keyName.id() + 1;
        }
        keyOffset = start;
        keyLength = quote - start;
        pos = quote + 1;
        return true;
    }

    /** Whether {@code buf[from, to)} is string text without escapes or control characters, in well-formed UTF-8. */
    private boolean isPlainText(final int from, final int to) {
        boolean ascii = true;
        int i = ByteWords.skipPlainStringText(buf, from, to);
        while (i < to) {
            if (buf[i] >= 0) {
                return false;
            }
            ascii = false;
            i = ByteWords.skipPlainStringText(buf, i + 1, to);
        }
        return ascii || Utf8.firstInvalid(buf, from, to - from) < 0;
    }

    /** The string value at {@code pos} (its opening quote). */
    private boolean scanString() {
        final int start = pos + 1;
        final int id = keyName == null ? -1 : keyName.id();
        if (id >= 0) {
            // Only validated text is remembered, so matching it (and its closing quote) proves these bytes fine.
            final byte[] remembered = rememberedBytes[id];
            final int length = rememberedLength[id];
            if (remembered != null && start + length <= end && ByteWords.equal(remembered, 0, buf, start, length)) {
                value = rememberedValue[id];
                pos = start + length;
                return true;
            }
        }
        final int stop = ByteWords.skipPlainStringText(buf, start, end);
        if (stop < end && buf[stop] == '"') {
            final String text = id >= 0 ? RepeatedValues.text(buf, start, stop - start)
                    : new String(buf, start, stop - start, StandardCharsets.ISO_8859_1);
            if (id >= 0) {
                remember(id, start, stop + 1, text);
            }
            value = text;
            pos = stop + 1;
            return true;
        }
        return scanEscapedOrNonAscii(start);
    }

    /** Keeps {@code buf[from, to)} (plain text and its closing quote) and its String as key {@code id}'s last value. */
    private void remember(final int id, final int from, final int to, final String text) {
        final int length = to - from;
        if (length > MAX_REMEMBERED_BYTES) {
            return;
        }
        byte[] kept = rememberedBytes[id];
        if (kept == null || kept.length < length) {
            kept = new byte[MAX_REMEMBERED_BYTES];
            rememberedBytes[id] = kept;
        }
        System.arraycopy(buf, from, kept, 0, length);
        rememberedLength[id] = length;
        rememberedValue[id] = text;
    }

    private byte[] quoted(final KeyNames.Name name) {
        byte[] quoted = quotedById[name.id()];
        if (quoted == null) {
            quoted = name.quoted();
            quotedById[name.id()] = quoted;
        }
        return quoted;
    }

    /** A string value from {@code start} (after its opening quote) with escapes or non-ASCII text. */
    private boolean scanEscapedOrNonAscii(final int start) {
        boolean ascii = true;
        boolean escaped = false;
        int i = start;
        while (true) {
            i = ByteWords.skipPlainStringText(buf, i, end);
            if (i >= end) {
                return false;
            }
            final byte b = buf[i];
            if (b == '"') {
                break;
            }
            if (b == '\\') {
                escaped = true;
                // Skip the escaped byte so that an escaped quote does not end the string; unescape checks it.
                i += 2;
                continue;
            }
            if (b >= 0) {
                // A control character, which JSON allows only escaped.
                return false;
            }
            ascii = false;
            i++;
        }
        if (escaped) {
            if (!ascii || !unescape(start, i)) {
                return false;
            }
            value = unescaped.toString();
        } else {
            if (!ascii && Utf8.firstInvalid(buf, start, i - start) >= 0) {
                return false;
            }
            value = new String(buf, start, i - start, StandardCharsets.UTF_8);
        }
        pos = i + 1;
        return true;
    }

    /** Decodes the ASCII string {@code buf[from, to)} into {@link #unescaped}; false on a &#92;u or a bad escape. */
    private boolean unescape(final int from, final int to) {
        unescaped.setLength(0);
        for (int i = from; i < to; i++) {
            final byte b = buf[i];
            if (b != '\\') {
                unescaped.append((char) b);
                continue;
            }
            i++;
            final char c = switch (buf[i]) {
                case '"' -> '"';
                case '\\' -> '\\';
                case '/' -> '/';
                case 'b' -> '\b';
                case 'f' -> '\f';
                case 'n' -> '\n';
                case 'r' -> '\r';
                case 't' -> '\t';
                default -> 0;
            };
            if (c == 0) {
                return false;
            }
            unescaped.append(c);
        }
        return true;
    }

    private boolean literal(final Boolean literalValue, final String text) {
        final int length = text.length();
        if (end - pos < length) {
            return false;
        }
        for (int i = 1; i < length; i++) {
            if (buf[pos + i] != text.charAt(i)) {
                return false;
            }
        }
        value = literalValue;
        // What follows must end the value: next() gives up on anything but whitespace, ',' or '}'.
        pos += length;
        return true;
    }

    /** An integer at {@code pos}: '-'? then '0' or a non-zero digit and more digits. Fractions make next() give up. */
    private boolean scanInteger() {
        int i = pos;
        final boolean negative = buf[i] == '-';
        if (negative) {
            i++;
        }
        final int digitsStart = i;
        long number = 0;
        while (i < end && buf[i] >= '0' && buf[i] <= '9') {
            number = number * 10 + (buf[i] - '0');
            i++;
        }
        final int digits = i - digitsStart;
        if (digits == 0 || digits > MAX_INTEGER_DIGITS || (digits > 1 && buf[digitsStart] == '0')) {
            return false;
        }
        value = negative ? -number : number;
        pos = i;
        return true;
    }

    private void skipWhitespace() {
        while (pos < end) {
            final byte b = buf[pos];
            if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
                return;
            }
            pos++;
        }
    }

    /** ASCII bytes of the line seen as characters, reused from member to member. */
    private static final class AsciiSlice implements CharSequence {
        private byte[] bytes;
        private int offset;
        private int length;

        void set(final byte[] source, final int off, final int len) {
            bytes = source;
            offset = off;
            length = len;
        }

        @Override
        public int length() {
            return length;
        }

        @Override
        public char charAt(final int index) {
            if (index < 0 || index >= length) {
                throw new IndexOutOfBoundsException(index);
            }
            // Bytes above 0x7F become chars above 0xFF here, which no timestamp accepts.
            return (char) bytes[offset + index];
        }

        @Override
        public CharSequence subSequence(final int start, final int stop) {
            return toString().substring(start, stop);
        }

        @Override
        public String toString() {
            return new String(bytes, offset, length, StandardCharsets.ISO_8859_1);
        }
    }
}
