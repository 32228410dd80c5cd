package dev.peregrine.collector.adapters.otel;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * OTLP protobuf messages in the OTLP/HTTP JSON form the adapters read, as the OTLP specification
 * defines that form: field names in lowerCamelCase, trace and span ids as hex (not base64, as
 * protobuf's own JSON mapping would write them), 64-bit integers as decimal strings, enums as
 * their numbers, other bytes as base64, fields at their default value left out.
 */
final class OtlpProtobuf {

    /** The {@code bytes} fields OTLP JSON writes as hex, by proto name. */
    private static final Set<String> HEX_IDS = Set.of("trace_id", "span_id", "parent_span_id");

    private OtlpProtobuf() {
    }

    /** {@code message} as the plain tree {@link dev.peregrine.collector.adapters.JsonTree} reads from its JSON form. */
    static Map<String, Object> tree(final Message message) {
        final Map<String, Object> object = new LinkedHashMap<>();
        for (final Map.Entry<FieldDescriptor, Object> field : message.getAllFields().entrySet()) {
            final FieldDescriptor descriptor = field.getKey();
            if (descriptor.isRepeated()) {
                final List<Object> values = new ArrayList<>();
                for (final Object value : (List<?>) field.getValue()) {
                    values.add(value(descriptor, value));
                }
                object.put(descriptor.getJsonName(), values);
            } else {
                object.put(descriptor.getJsonName(), value(descriptor, field.getValue()));
            }
        }
        return object;
    }

    private static Object value(final FieldDescriptor field, final Object value) {
        return switch (field.getJavaType()) {
            case MESSAGE -> value instanceof KeyValue keyValue ? keyValue(keyValue)
                    : value instanceof AnyValue anyValue ? anyValue(anyValue) : tree((Message) value);
            case ENUM -> (long) ((EnumValueDescriptor) value).getNumber();
            case INT -> unsigned(field) ? Integer.toUnsignedLong((Integer) value) : (long) (Integer) value;
            case LONG -> unsigned(field) ? Long.toUnsignedString((Long) value) : Long.toString((Long) value);
            case FLOAT -> (double) (Float) value;
            case DOUBLE, BOOLEAN, STRING -> value;
            case BYTE_STRING -> HEX_IDS.contains(field.getName())
                    ? HexFormat.of().formatHex(((ByteString) value).toByteArray())
                    : Base64.getEncoder().encodeToString(((ByteString) value).toByteArray());
        };
    }

    // Attributes are most of a request: their two types are written out directly, as the generic
    // walk would write them, without its per-message reflection.

    private static Map<String, Object> keyValue(final KeyValue keyValue) {
        final Map<String, Object> object = new LinkedHashMap<>(4);
        if (!keyValue.getKey().isEmpty()) {
            object.put("key", keyValue.getKey());
        }
        if (keyValue.hasValue()) {
            object.put("value", anyValue(keyValue.getValue()));
        }
        return object;
    }

    static Map<String, Object> anyValue(final AnyValue value) {
        final Map<String, Object> object = new LinkedHashMap<>(2);
        switch (value.getValueCase()) {
            case STRING_VALUE -> object.put("stringValue", value.getStringValue());
            case BOOL_VALUE -> object.put("boolValue", value.getBoolValue());
            case INT_VALUE -> object.put("intValue", Long.toString(value.getIntValue()));
            case DOUBLE_VALUE -> object.put("doubleValue", value.getDoubleValue());
            case BYTES_VALUE -> object.put("bytesValue",
                    Base64.getEncoder().encodeToString(value.getBytesValue().toByteArray()));
            case ARRAY_VALUE -> {
                final List<Object> values = new ArrayList<>(value.getArrayValue().getValuesCount());
                for (final AnyValue element : value.getArrayValue().getValuesList()) {
                    values.add(anyValue(element));
                }
                object.put("arrayValue", values.isEmpty() ? Map.of() : Map.of("values", values));
            }
            case KVLIST_VALUE -> {
                final List<Object> values = new ArrayList<>(value.getKvlistValue().getValuesCount());
                for (final KeyValue entry : value.getKvlistValue().getValuesList()) {
                    values.add(keyValue(entry));
                }
                object.put("kvlistValue", values.isEmpty() ? Map.of() : Map.of("values", values));
            }
            default -> {
                // VALUE_NOT_SET: an empty AnyValue, as in JSON
            }
        }
        return object;
    }

    private static boolean unsigned(final FieldDescriptor field) {
        return switch (field.getType()) {
            case UINT32, FIXED32, UINT64, FIXED64 -> true;
            default -> false;
        };
    }

    /**
     * A {@code google.rpc.Status} (the body OTLP/HTTP gives a refused protobuf request): the gRPC
     * code of HTTP {@code status} and a message. Written by hand: the type is not in the OTLP artifact.
     */
    static byte[] status(final int status, final String message) {
        final int code = switch (status) {
            case 400, 415 -> 3; // INVALID_ARGUMENT
            case 401 -> 16; // UNAUTHENTICATED
            case 403 -> 7; // PERMISSION_DENIED
            case 405 -> 12; // UNIMPLEMENTED
            case 413, 429 -> 8; // RESOURCE_EXHAUSTED
            case 503 -> 14; // UNAVAILABLE
            default -> 2; // UNKNOWN
        };
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final CodedOutputStream out = CodedOutputStream.newInstance(bytes);
        try {
            out.writeInt32(1, code);
            if (message != null && !message.isEmpty()) {
                out.writeString(2, message);
            }
            out.flush();
        } catch (final IOException e) {
            throw new UncheckedIOException("writing to memory cannot fail", e);
        }
        return bytes.toByteArray();
    }
}
