package dev.peregrine.engine.streams;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.apache.kafka.common.header.Headers;

/**
 * The headers of a dead-letter record: why it was rejected and where it came from. The record's
 * key and value are the original bytes, so it can be fixed and replayed.
 */
public final class DeadLetterHeaders {

    /** Rejection reason as a stable label ({@code malformed_json}, {@code processing_failed}, …). */
    public static final String REASON = "peregrine.reason";
    /** Human-readable detail: what the parser or the failing step said. */
    public static final String MESSAGE = "peregrine.message";
    /** Topic the record was read from. */
    public static final String TOPIC = "peregrine.origin.topic";
    /** Partition the record was read from (decimal). */
    public static final String PARTITION = "peregrine.origin.partition";
    /** Offset the record had there (decimal). */
    public static final String OFFSET = "peregrine.origin.offset";
    /** Engine instance that rejected it. */
    public static final String HOST = "peregrine.host";
    /** SHA-256 of the raw value (hex), to find duplicates without reading payloads. */
    public static final String SHA256 = "peregrine.value.sha256";

    private DeadLetterHeaders() {
    }

    /** Adds every header to {@code headers}. */
    public static void add(final Headers headers, final String reason, final String message, final String topic,
                    final int partition, final long offset, final String host, final byte[] value) {
        put(headers, REASON, reason);
        put(headers, MESSAGE, message);
        put(headers, TOPIC, topic);
        put(headers, PARTITION, Integer.toString(partition));
        put(headers, OFFSET, Long.toString(offset));
        put(headers, HOST, host);
        put(headers, SHA256, sha256(value == null ? new byte[0] : value));
    }

    /** A header's value as text, or {@code null} when absent. */
    public static String get(final Headers headers, final String name) {
        final var header = headers.lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    private static void put(final Headers headers, final String name, final String value) {
        headers.remove(name);
        headers.add(name, String.valueOf(value).getBytes(StandardCharsets.UTF_8));
    }

    private static String sha256(final byte[] value) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(value));
        } catch (final NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
