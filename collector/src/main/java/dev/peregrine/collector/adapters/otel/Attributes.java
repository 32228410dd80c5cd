package dev.peregrine.collector.adapters.otel;

import dev.peregrine.collector.adapters.JsonTree;
import dev.peregrine.collector.adapters.PayloadException;
import dev.peregrine.collector.deadletter.Rejection.Reason;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * OTLP JSON attribute lists ({@code [{"key":…,"value":{"stringValue":…}}]}) as plain values:
 * strings, {@link Long} (OTLP writes 64-bit {@code intValue} as a JSON string), {@link Double},
 * {@link Boolean}; arrays and key-value lists as compact JSON text, bytes as their base64 text.
 */
final class Attributes {

    private Attributes() {
    }

    /** The attributes of a list, by key; malformed entries are left out (they carry no usable value). */
    static Map<String, Object> of(final Object list) {
        final Map<String, Object> attributes = new LinkedHashMap<>();
        for (final Object entry : JsonTree.array(list)) {
            final Map<String, Object> keyValue = JsonTree.object(entry);
            if (keyValue != null && keyValue.get("key") instanceof String key) {
                final Object value = value(keyValue.get("value"));
                if (value != null) {
                    attributes.put(key, value);
                }
            }
        }
        return attributes;
    }

    /** One {@code AnyValue} as an attribute value: arrays and key-value lists as compact JSON text. */
    private static Object value(final Object anyValue) {
        final Object value = tree(anyValue);
        return value instanceof Map<?, ?> || value instanceof List<?> ? JsonTree.write(value) : value;
    }

    /**
     * One {@code AnyValue} (a log record's body, say) as a plain tree: {@code kvlistValue} as a
     * {@link Map}, {@code arrayValue} as a {@link List}, scalars as {@link #of} gives them;
     * {@code null} when it holds none.
     */
    static Object tree(final Object anyValue) {
        final Map<String, Object> value = JsonTree.object(anyValue);
        if (value == null) {
            return null;
        }
        if (value.get("stringValue") instanceof String text) {
            return text;
        }
        if (value.containsKey("intValue")) {
            final long number = integer(value.get("intValue"));
            return number == Long.MIN_VALUE ? JsonTree.text(value.get("intValue")) : (Object) number;
        }
        if (value.get("doubleValue") instanceof Number number) {
            return number.doubleValue();
        }
        if (value.get("boolValue") instanceof Boolean bool) {
            return bool;
        }
        if (value.get("bytesValue") instanceof String base64) {
            return base64;
        }
        if (value.containsKey("arrayValue")) {
            final List<Object> elements = new ArrayList<>();
            for (final Object element : JsonTree.array(JsonTree.at(value, "arrayValue.values"))) {
                elements.add(tree(element));
            }
            return elements;
        }
        if (value.containsKey("kvlistValue")) {
            final Map<String, Object> entries = new LinkedHashMap<>();
            for (final Object entry : JsonTree.array(JsonTree.at(value, "kvlistValue.values"))) {
                final Map<String, Object> keyValue = JsonTree.object(entry);
                if (keyValue != null && keyValue.get("key") instanceof String key) {
                    final Object element = tree(keyValue.get("value"));
                    if (element != null) {
                        entries.put(key, element);
                    }
                }
            }
            return entries;
        }
        return null;
    }

    /** An integer given as a JSON number or a string of digits; {@link Long#MIN_VALUE} when it is neither. */
    static long integer(final Object value) {
        if (value instanceof Long number) {
            return number;
        }
        if (value instanceof Double number && number == Math.rint(number) && Math.abs(number) < 9.0e18) {
            return number.longValue();
        }
        if (value instanceof String text) {
            try {
                return Long.parseLong(text.strip());
            } catch (final NumberFormatException e) {
                return Long.MIN_VALUE;
            }
        }
        return Long.MIN_VALUE;
    }

    /** A {@code fixed64} time in nanoseconds: {@code null} when absent or zero (OTLP's "unset"). */
    static Long unixNanos(final Object value, final String key) throws PayloadException {
        if (value == null) {
            return null;
        }
        final long nanos = integer(value);
        if (nanos == Long.MIN_VALUE || nanos < 0) {
            throw new PayloadException(Reason.INVALID_VALUE, "'" + key + "' must be nanoseconds since the epoch, got "
                    + JsonTree.write(value));
        }
        return nanos == 0 ? null : nanos;
    }
}
