package dev.peregrine.collector.deadletter;

import java.util.Objects;

/**
 * An input record that could not become an event, with everything an operator needs to find
 * and replay it: where it came from, why it was refused, and the raw bytes (or their start).
 *
 * @param source       source name (file path, {@code stdin}, ingest client)
 * @param line         1-based line number in the source, or 0 when the source has no lines
 * @param reason       machine-readable reason, low cardinality (for metrics labels)
 * @param message      what was wrong, for a human
 * @param raw          the raw record as text (invalid UTF-8 replaced), possibly truncated
 * @param rawLength    length in bytes of the full raw record
 * @param rawSha256    hex SHA-256 of the full raw record bytes
 * @param truncated    whether {@code raw} holds only the start of the record
 */
public record Rejection(String source, long line, Reason reason, String message, String raw,
                        long rawLength, String rawSha256, boolean truncated) {

    public Rejection {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(raw, "raw");
    }

    /** Why a record was rejected; the label value of the rejection counter. */
    public enum Reason {
        /** Not valid JSON (or not one JSON object). */
        MALFORMED_JSON,
        /** A required field such as {@code evt.time} is missing. */
        MISSING_FIELD,
        /** A field holds a value of the wrong type or an unparseable value. */
        INVALID_VALUE,
        /** The record is longer than the configured maximum. */
        TOO_LONG,
        /** The bytes are not valid UTF-8. */
        INVALID_ENCODING,
        /** The record is in no format this source understands. */
        UNKNOWN_FORMAT,
        /** The record claims an agent, session or sandbox identity its ingest token is not bound to. */
        IDENTITY_NOT_ALLOWED;

        /** The label value used in metrics and dead-letter files. */
        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }
}
