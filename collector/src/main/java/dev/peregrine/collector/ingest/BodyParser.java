package dev.peregrine.collector.ingest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import dev.peregrine.collector.deadletter.Rejection;
import dev.peregrine.collector.deadletter.Rejection.Reason;
import dev.peregrine.collector.ndjson.LineReader;
import dev.peregrine.collector.ndjson.LineRejectedException;
import dev.peregrine.collector.ndjson.NdjsonParser;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Splits a request body into events and rejections: NDJSON (spec §2.1 and §2.2, the format
 * decided per line as {@link NdjsonParser} does), or, when the body starts with {@code [}, a
 * JSON array of such objects, split into elements by byte offset without building a tree.
 * Line numbers are 1-based: lines of NDJSON, elements of an array.
 */
final class BodyParser {

    private static final JsonFactory JSON = JsonFactory.builder().disable(JsonFactory.Feature.INTERN_FIELD_NAMES).build();
    private static final byte[] UTF8_BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};

    private final String source;
    private final int maxLineBytes;

    BodyParser(final String source, final int maxLineBytes) {
        this.source = source;
        this.maxLineBytes = maxLineBytes;
    }

    /** Parses {@code body[0, length)}; {@code who} (token and client) prefixes every rejection message. */
    Batch parse(final byte[] body, final int length, final String who) {
        final Batch batch = new Batch();
        int start = 0;
        if (length >= 3 && body[0] == UTF8_BOM[0] && body[1] == UTF8_BOM[1] && body[2] == UTF8_BOM[2]) {
            start = 3;
        }
        int first = start;
        while (first < length && isWhitespace(body[first])) {
            first++;
        }
        if (first < length && body[first] == '[') {
            parseArray(body, first, length, who, batch);
        } else {
            parseLines(body, start, length, who, batch);
        }
        return batch;
    }

    private void parseLines(final byte[] body, final int start, final int length, final String who,
                            final Batch batch) {
        final NdjsonParser parser = new NdjsonParser();
        // Where the current line starts in the body: lines end at '\n', as LineReader splits them.
        int lineStart = start;
        // The same line handling as every line-oriented source: limits, UTF-8, blank lines.
        try (LineReader lines = new LineReader(new ByteArrayInputStream(body, start, length - start), maxLineBytes)) {
            while (lines.next()) {
                final int thisLine = lineStart;
                final int newline = indexOf(body, (byte) '\n', thisLine, length);
                lineStart = newline < 0 ? length : newline + 1;
                if (lines.tooLong()) {
                    batch.reject(rejection(lines, Reason.TOO_LONG, who, "line is " + lines.rawLength()
                            + " bytes long, over the limit of " + lines.maxLineBytes() + " bytes"));
                    continue;
                }
                final int invalidAt = lines.firstInvalidUtf8();
                if (invalidAt >= 0) {
                    batch.reject(rejection(lines, Reason.INVALID_ENCODING, who, String.format(
                            "byte %d (0x%02X) is not valid UTF-8", invalidAt + 1,
                            lines.buffer()[lines.offset() + invalidAt] & 0xFF)));
                    continue;
                }
                if (NdjsonParser.isBlank(lines.buffer(), lines.offset(), lines.length())) {
                    continue;
                }
                try {
                    batch.event(lines.lineNumber(), parser.parse(lines.buffer(), lines.offset(), lines.length()),
                            thisLine, thisLine + lines.length());
                } catch (final LineRejectedException e) {
                    batch.reject(rejection(lines, e.reason(), who, e.getMessage()));
                }
            }
        } catch (final IOException e) {
            throw new UncheckedIOException("reading a byte array cannot fail", e);
        }
    }

    private void parseArray(final byte[] body, final int first, final int length, final String who,
                            final Batch batch) {
        final NdjsonParser parser = new NdjsonParser();
        long element = 0;
        int resumeAt = first;
        try (JsonParser json = JSON.createParser(body, 0, length)) {
            json.nextToken();
            JsonToken token;
            while ((token = json.nextToken()) != JsonToken.END_ARRAY) {
                if (token == null) {
                    throw new JsonProcessingException("the array is not closed", json.currentLocation()) {
                    };
                }
                final long index = element + 1;
                final int elementStart = (int) json.currentTokenLocation().getByteOffset();
                resumeAt = elementStart;
                if (token.isStructStart()) {
                    json.skipChildren();
                } else {
                    // Scalars are read lazily: finish the token so that the location is past its end.
                    json.finishToken();
                }
                final int elementEnd = (int) json.currentLocation().getByteOffset();
                element = index;
                resumeAt = elementEnd;
                if (token != JsonToken.START_OBJECT) {
                    batch.reject(rejection(body, elementStart, elementEnd, index, Reason.MALFORMED_JSON, who,
                            "array element " + index + " is not a JSON object"));
                    continue;
                }
                try {
                    batch.event(index, parser.parse(body, elementStart, elementEnd - elementStart), elementStart,
                            elementEnd);
                } catch (final LineRejectedException e) {
                    batch.reject(rejection(body, elementStart, elementEnd, index, e.reason(), who, e.getMessage()));
                }
            }
            final JsonToken trailing = json.nextToken();
            if (trailing != null) {
                final int at = (int) json.currentTokenLocation().getByteOffset();
                batch.reject(rejection(body, at, length, element + 1, Reason.MALFORMED_JSON, who,
                        "unexpected content after the JSON array at byte " + (at + 1)));
            }
        } catch (final JsonProcessingException e) {
            // Past a syntax error nothing can be split reliably: the rest of the body is one rejection.
            final long at = e.getLocation() == null ? -1 : e.getLocation().getByteOffset();
            batch.reject(rejection(body, resumeAt, length, element + 1, Reason.MALFORMED_JSON, who,
                    "invalid JSON array" + (at >= 0 ? " at byte " + (at + 1) : "") + ": " + e.getOriginalMessage()
                            + "; the body from element " + (element + 1) + " on is rejected"));
        } catch (final IOException e) {
            throw new UncheckedIOException("reading a byte array cannot fail", e);
        }
    }

    private Rejection rejection(final LineReader lines, final Reason reason, final String who, final String message) {
        return new Rejection(source, lines.lineNumber(), reason, who + ": " + message, lines.text(), lines.rawLength(),
                lines.sha256Hex(), lines.tooLong());
    }

    /** A rejection of the body bytes {@code [from, to)}, numbered {@code line}. */
    Rejection rejection(final byte[] body, final int from, final int to, final long line, final Reason reason,
                                final String who, final String message) {
        return rejection(body, from, to, line, reason, who, message, false);
    }

    /**
     * As {@link #rejection(byte[], int, int, long, Reason, String, String)}; the bytes of a
     * {@code binary} body (protobuf, or what should have been gzip) are kept in base64, since as text
     * they would not survive, and the message says so.
     */
    Rejection rejection(final byte[] body, final int from, final int to, final long line, final Reason reason,
                        final String who, final String message, final boolean binary) {
        final int kept = Math.min(to - from, LineReader.KEPT_BYTES_OF_LONG_LINE);
        final String raw = binary
                ? Base64.getEncoder().encodeToString(Arrays.copyOfRange(body, from, from + kept))
                : new String(body, from, kept, StandardCharsets.UTF_8);
        return new Rejection(source, line, reason, who + ": " + message + (binary ? " (raw: the bytes in base64)" : ""),
                raw, to - from, sha256(body, from, to - from), kept < to - from);
    }

    private static String sha256(final byte[] bytes, final int off, final int len) {
        try {
            final MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(bytes, off, len);
            return HexFormat.of().formatHex(digest.digest());
        } catch (final NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    private static int indexOf(final byte[] bytes, final byte wanted, final int from, final int to) {
        for (int i = from; i < to; i++) {
            if (bytes[i] == wanted) {
                return i;
            }
        }
        return -1;
    }

    private static boolean isWhitespace(final byte b) {
        return b == ' ' || b == '\t' || b == '\r' || b == '\n';
    }
}
