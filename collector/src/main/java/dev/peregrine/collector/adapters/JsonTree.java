package dev.peregrine.collector.adapters;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import dev.peregrine.collector.deadletter.Rejection.Reason;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a payload into plain Java values: {@link Map} (insertion-ordered), {@link List},
 * {@link String}, {@link Long}, {@link Double}, {@link Boolean}, {@code null}.
 *
 * <p>Ecosystem payloads are nested documents whose interesting keys sit at any depth (an OTLP
 * attribute is three arrays down), so adapters read a tree; they run per request, not on the
 * per-event hot path the streaming parsers serve. Nesting is bounded so that a hostile body
 * cannot exhaust the stack.
 */
public final class JsonTree {

    /** Deepest nesting accepted; real payloads stay far below. */
    public static final int MAX_DEPTH = 64;

    private static final JsonFactory JSON = JsonFactory.builder().disable(JsonFactory.Feature.INTERN_FIELD_NAMES).build();

    private JsonTree() {
    }

    /**
     * The one JSON value in {@code body[0, length)}.
     *
     * @throws PayloadException {@code malformed_json} for invalid JSON, trailing content or nesting past {@link #MAX_DEPTH}
     */
    public static Object parse(final byte[] body, final int length) throws PayloadException {
        try (JsonParser parser = JSON.createParser(body, 0, length)) {
            final JsonToken first = parser.nextToken();
            if (first == null) {
                throw new PayloadException(Reason.MALFORMED_JSON, "the body is empty: expected a JSON document");
            }
            final Object value = read(parser, first, 0);
            final JsonToken trailing = parser.nextToken();
            if (trailing != null) {
                throw new PayloadException(Reason.MALFORMED_JSON, "unexpected content after the JSON document at byte "
                        + (parser.currentTokenLocation().getByteOffset() + 1));
            }
            return value;
        } catch (final JsonProcessingException e) {
            final long at = e.getLocation() == null ? -1 : e.getLocation().getByteOffset();
            throw new PayloadException(Reason.MALFORMED_JSON, "invalid JSON" + (at >= 0 ? " at byte " + (at + 1) : "")
                    + ": " + e.getOriginalMessage());
        } catch (final IOException e) {
            throw new UncheckedIOException("reading a byte array cannot fail", e);
        }
    }

    private static Object read(final JsonParser parser, final JsonToken token, final int depth)
            throws IOException, PayloadException {
        switch (token) {
            case START_OBJECT: {
                checkDepth(depth);
                final Map<String, Object> object = new LinkedHashMap<>();
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    final String key = parser.currentName();
                    object.put(key, read(parser, parser.nextToken(), depth + 1));
                }
                return object;
            }
            case START_ARRAY: {
                checkDepth(depth);
                final List<Object> array = new ArrayList<>();
                JsonToken next;
                while ((next = parser.nextToken()) != JsonToken.END_ARRAY) {
                    array.add(read(parser, next, depth + 1));
                }
                return array;
            }
            case VALUE_STRING:
                return parser.getText();
            case VALUE_NUMBER_INT:
                return parser.getNumberType() == JsonParser.NumberType.BIG_INTEGER
                        ? (Object) parser.getDoubleValue() : (Object) parser.getLongValue();
            case VALUE_NUMBER_FLOAT:
                return parser.getDoubleValue();
            case VALUE_TRUE:
                return Boolean.TRUE;
            case VALUE_FALSE:
                return Boolean.FALSE;
            case VALUE_NULL:
                return null;
            default:
                throw new PayloadException(Reason.MALFORMED_JSON, "unexpected " + token + " in the JSON document");
        }
    }

    private static void checkDepth(final int depth) throws PayloadException {
        if (depth >= MAX_DEPTH) {
            throw new PayloadException(Reason.MALFORMED_JSON, "the JSON document nests deeper than " + MAX_DEPTH + " levels");
        }
    }

    /**
     * The records of a body that holds one JSON document, a JSON array of them, or NDJSON (one
     * per line, as a spool drains): numbered from 1 by array element or line. Lines that are not
     * JSON go to {@code out} as problems; a body that is none of these is one problem.
     */
    public static List<Numbered> records(final byte[] body, final int length, final Adapted.Builder out) {
        final List<Numbered> records = new ArrayList<>();
        final PayloadException whole;
        try {
            final Object document = parse(body, length);
            if (document instanceof List<?> list) {
                for (int i = 0; i < list.size(); i++) {
                    records.add(new Numbered(Adapted.Origin.whole(i + 1), list.get(i)));
                }
            } else {
                records.add(new Numbered(new Adapted.Origin(1, 0, length), document));
            }
            return records;
        } catch (final PayloadException e) {
            whole = e;
        }
        int lineStart = 0;
        long line = 0;
        int nonBlank = 0;
        final List<Numbered> lines = new ArrayList<>();
        final Adapted.Builder lineProblems = new Adapted.Builder();
        while (lineStart < length) {
            int end = lineStart;
            while (end < length && body[end] != '\n') {
                end++;
            }
            line++;
            final byte[] text = java.util.Arrays.copyOfRange(body, lineStart, end);
            if (!new String(text, java.nio.charset.StandardCharsets.UTF_8).isBlank()) {
                nonBlank++;
                final Adapted.Origin origin = new Adapted.Origin(line, lineStart, end);
                try {
                    lines.add(new Numbered(origin, parse(text, text.length)));
                } catch (final PayloadException e) {
                    lineProblems.problem(origin, e.reason(), "line " + line + ": " + e.getMessage());
                }
            }
            lineStart = end + 1;
        }
        if (nonBlank <= 1) {
            // One document that is not JSON: its own error says best what is wrong.
            out.problem(new Adapted.Origin(1, 0, length), whole.reason(), whole.getMessage());
            return List.of();
        }
        for (final Adapted.Problem problem : lineProblems.build().problems()) {
            out.problem(problem.origin(), problem.reason(), problem.message());
        }
        return lines;
    }

    /**
     * One record of a body.
     *
     * @param origin its 1-based array element or line number, and its bytes when they can be told
     * @param value  the record as a tree
     */
    public record Numbered(Adapted.Origin origin, Object value) {
    }

    /** {@code value} (a tree as {@link #parse} gives it) as compact JSON text. */
    public static String write(final Object value) {
        final StringWriter text = new StringWriter();
        try (JsonGenerator json = JSON.createGenerator(text)) {
            write(json, value);
        } catch (final IOException e) {
            throw new UncheckedIOException("writing to a string cannot fail", e);
        }
        return text.toString();
    }

    private static void write(final JsonGenerator json, final Object value) throws IOException {
        if (value == null) {
            json.writeNull();
        } else if (value instanceof Map<?, ?> map) {
            json.writeStartObject();
            for (final Map.Entry<?, ?> entry : map.entrySet()) {
                json.writeFieldName(String.valueOf(entry.getKey()));
                write(json, entry.getValue());
            }
            json.writeEndObject();
        } else if (value instanceof List<?> list) {
            json.writeStartArray();
            for (final Object element : list) {
                write(json, element);
            }
            json.writeEndArray();
        } else if (value instanceof Long number) {
            json.writeNumber(number);
        } else if (value instanceof Double number) {
            json.writeNumber(number);
        } else if (value instanceof Boolean bool) {
            json.writeBoolean(bool);
        } else {
            json.writeString(value.toString());
        }
    }

    /** {@code value} as an object, or {@code null} when it is none. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> object(final Object value) {
        return value instanceof Map<?, ?> map ? (Map<String, Object>) map : null;
    }

    /** {@code value} as an array, or an empty list when it is none. */
    @SuppressWarnings("unchecked")
    public static List<Object> array(final Object value) {
        return value instanceof List<?> list ? (List<Object>) list : List.of();
    }

    /**
     * The value at a dotted path ({@code metadata.user_api_key_alias}) inside {@code root}, or
     * {@code null}. A key that itself holds dots is found too: {@code root} is tried with the
     * whole path before it is split.
     */
    public static Object at(final Map<String, Object> root, final String path) {
        if (root == null) {
            return null;
        }
        if (root.containsKey(path)) {
            return root.get(path);
        }
        final int dot = path.indexOf('.');
        if (dot < 0) {
            return null;
        }
        return at(object(root.get(path.substring(0, dot))), path.substring(dot + 1));
    }

    /**
     * {@code value} as text when it is a scalar: a string as it is, a number or boolean as its
     * JSON text; {@code null} for null, objects, arrays and blank strings.
     */
    public static String text(final Object value) {
        if (value instanceof String string) {
            return string.isBlank() ? null : string;
        }
        if (value instanceof Double number && number == Math.rint(number) && !number.isInfinite()
                && Math.abs(number) < 1e15) {
            return Long.toString(number.longValue());
        }
        if (value instanceof Long || value instanceof Double || value instanceof Boolean) {
            return value.toString();
        }
        return null;
    }
}
