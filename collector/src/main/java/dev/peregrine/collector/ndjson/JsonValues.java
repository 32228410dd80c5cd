package dev.peregrine.collector.ndjson;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.peregrine.collector.deadletter.Rejection.Reason;
import dev.peregrine.collector.event.Field;
import dev.peregrine.collector.event.Timestamps;
import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.util.Objects;

/**
 * Reads JSON values off a streaming parser and converts them to field types, the same way for
 * every JSON input (native and agent NDJSON, Falco, Tetragon). Not thread-safe: one per parser.
 */
public final class JsonValues {

    private static final int QUOTED_VALUE_LIMIT = 40;

    private final JsonFactory json;
    private final StringWriter nestedText = new StringWriter();

    /** Values read with parsers of {@code json}, which also writes nested values back as text. */
    public JsonValues(final JsonFactory json) {
        this.json = Objects.requireNonNull(json, "json");
    }

    /**
     * The value starting at {@code token} as String, Long, BigInteger, Double, Boolean or, for an
     * object or array, its compact JSON text wrapped so that {@link #toExtra} and {@link #describe}
     * know it; {@code null} for JSON null.
     */
    public Object read(final JsonParser parser, final JsonToken token) throws IOException {
        return switch (token) {
            case VALUE_STRING -> parser.getText();
            case VALUE_NUMBER_INT -> parser.getNumberType() == JsonParser.NumberType.BIG_INTEGER
                    ? parser.getBigIntegerValue() : (Object) parser.getLongValue();
            case VALUE_NUMBER_FLOAT -> parser.getDoubleValue();
            case VALUE_TRUE -> Boolean.TRUE;
            case VALUE_FALSE -> Boolean.FALSE;
            case VALUE_NULL -> null;
            case START_OBJECT, START_ARRAY -> new Nested(copyStructure(parser), token == JsonToken.START_ARRAY);
            default -> throw new IllegalStateException("a value cannot start with " + token);
        };
    }

    private String copyStructure(final JsonParser parser) throws IOException {
        nestedText.getBuffer().setLength(0);
        try (JsonGenerator generator = json.createGenerator(nestedText)) {
            generator.copyCurrentStructure(parser);
        }
        return nestedText.toString();
    }

    /**
     * {@code value} (as {@link #read} gives it) converted to the Java type {@code field} stores,
     * by the rules {@link NdjsonParser} documents; {@code key} is the input's name for it.
     *
     * @throws LineRejectedException {@code INVALID_VALUE}, naming the field, when it does not fit
     */
    public static Object coerce(final Field field, final String key, final Object value) throws LineRejectedException {
        switch (field.type()) {
            case STRING:
                if (value instanceof String || value instanceof Long || value instanceof Boolean
                        || value instanceof Double || value instanceof BigInteger) {
                    return value.toString();
                }
                break;
            case INT:
                if (value instanceof Long) {
                    return value;
                }
                if (value instanceof String text && isInteger(text)) {
                    return parseLong(field, key, text);
                }
                if (value instanceof BigInteger) {
                    throw invalid(field, key, value, "out of range for a 64-bit integer");
                }
                break;
            case BOOL:
                if (value instanceof Boolean) {
                    return value;
                }
                if ("true".equals(value) || "false".equals(value)) {
                    return Boolean.valueOf((String) value);
                }
                break;
            case TIMESTAMP:
                if (value instanceof Long) {
                    return value;
                }
                if (value instanceof String text) {
                    if (isInteger(text)) {
                        return parseLong(field, key, text);
                    }
                    try {
                        return Timestamps.parseRfc3339(text);
                    } catch (final IllegalArgumentException e) {
                        throw invalid(field, key, value, e.getMessage());
                    }
                }
                if (value instanceof BigInteger) {
                    throw invalid(field, key, value, "out of range for epoch nanoseconds");
                }
                break;
            default:
                throw new IllegalStateException("unhandled field type " + field.type());
        }
        throw invalid(field, key, value, null);
    }

    private static long parseLong(final Field field, final String key, final String digits) throws LineRejectedException {
        try {
            return Long.parseLong(digits);
        } catch (final NumberFormatException e) {
            throw invalid(field, key, digits, "out of range for a 64-bit integer");
        }
    }

    private static LineRejectedException invalid(final Field field, final String key, final Object value,
                                                 final String detail) {
        final String subject = key.equals(field.name())
                ? "field '" + key + "'" : "key '" + key + "' (" + field.name() + ")";
        final String expected = switch (field.type()) {
            case STRING -> "a string";
            case INT -> "an integer";
            case BOOL -> "true or false";
            case TIMESTAMP -> "an RFC 3339 timestamp or integer epoch nanoseconds";
        };
        return new LineRejectedException(Reason.INVALID_VALUE, subject + " must be " + expected + ", got "
                + describe(value) + (detail == null ? "" : " (" + detail + ")"));
    }

    private static boolean isInteger(final String text) {
        final int start = text.startsWith("-") ? 1 : 0;
        if (text.length() == start) {
            return false;
        }
        for (int i = start; i < text.length(); i++) {
            final char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    /** {@code value} as an extra: String, Long, Double (also for integers too large for a long), Boolean or JSON text. */
    public static Object toExtra(final Object value) {
        if (value instanceof Nested nested) {
            return nested.json();
        }
        if (value instanceof BigInteger big) {
            return big.doubleValue();
        }
        return value;
    }

    /** {@code value} described for an error message, long strings cut short. */
    public static String describe(final Object value) {
        if (value instanceof String text) {
            final String shown = text.length() <= QUOTED_VALUE_LIMIT ? text : text.substring(0, QUOTED_VALUE_LIMIT) + "…";
            return "string \"" + shown + "\"";
        }
        if (value instanceof Long || value instanceof BigInteger) {
            return "integer " + value;
        }
        if (value instanceof Double) {
            return "number " + value;
        }
        if (value instanceof Boolean) {
            return "boolean " + value;
        }
        if (value instanceof Nested nested) {
            return nested.array() ? "an array" : "an object";
        }
        return String.valueOf(value);
    }

    /** An object or array value, kept as compact JSON text. */
    private record Nested(String json, boolean array) {
    }
}
