package dev.peregrine.collector.auditd;

import dev.peregrine.collector.deadletter.Rejection.Reason;
import dev.peregrine.collector.ndjson.LineRejectedException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One line of {@code audit.log}: {@code [node=HOST ]type=TYPE msg=audit(SECONDS.MILLIS:SERIAL): key=value …},
 * optionally followed by {@code \x1d} and the enriched {@code KEY="name"} pairs auditd adds.
 *
 * <p>Values are kept as written, quotes included, because whether a value is text depends on
 * the key and record type: an unquoted {@code a0} is a hex number in a SYSCALL record but a
 * hex-encoded argument in an EXECVE record. {@link #text} and {@link #number} interpret them.
 * Words without {@code =} (the prose of AVC and DAEMON records) are not kept. A key given twice
 * keeps its last value.
 *
 * @param node      the {@code node=} host, or {@code null}
 * @param type      record type, e.g. {@code SYSCALL}, {@code UNKNOWN[1329]}
 * @param id        the event id as written between the parentheses, {@code SECONDS.MILLIS:SERIAL}
 * @param timeNanos event time, nanoseconds since the epoch
 * @param serial    the event serial number
 * @param fields    the record's own key=value pairs, raw
 * @param enriched  the pairs after {@code \x1d}, quotes removed
 * @param line      the whole line, for the prose some records carry ({@code avc:  denied  { read }})
 */
record AuditRecord(String node, String type, String id, long timeNanos, long serial,
                   Map<String, String> fields, Map<String, String> enriched, String line) {

    private static final char ENRICHMENT_SEPARATOR = '\u001d';
    private static final String NODE = "node=";
    private static final String TYPE = "type=";
    private static final String MSG = "msg=audit(";

    /** Parses one line (UTF-8, no terminator). */
    static AuditRecord parse(final String line) throws LineRejectedException {
        int position = 0;
        String node = null;
        if (line.startsWith(NODE)) {
            final int space = line.indexOf(' ');
            if (space < 0) {
                throw new LineRejectedException(Reason.UNKNOWN_FORMAT, "'node=' is not followed by a record");
            }
            node = line.substring(NODE.length(), space);
            position = skipSpaces(line, space);
        }
        if (!line.startsWith(TYPE, position)) {
            throw new LineRejectedException(Reason.UNKNOWN_FORMAT,
                    "not an audit record: expected 'type=' at column " + (position + 1));
        }
        final int typeEnd = endOfWord(line, position);
        final String type = line.substring(position + TYPE.length(), typeEnd);
        if (type.isEmpty()) {
            throw new LineRejectedException(Reason.MISSING_FIELD, "audit record has an empty 'type='");
        }
        position = skipSpaces(line, typeEnd);
        if (!line.startsWith(MSG, position)) {
            throw new LineRejectedException(Reason.MISSING_FIELD,
                    "audit record " + type + " has no 'msg=audit(SECONDS.MILLIS:SERIAL)' header");
        }
        final int idStart = position + MSG.length();
        final int idEnd = line.indexOf(')', idStart);
        if (idEnd < 0) {
            throw new LineRejectedException(Reason.INVALID_VALUE, "audit record " + type + " has an unclosed 'msg=audit('");
        }
        final String id = line.substring(idStart, idEnd);
        final long timeNanos = timeOf(type, id);
        final long serial = serialOf(type, id);
        position = idEnd + 1;
        if (position < line.length() && line.charAt(position) == ':') {
            position++;
        }
        final int separator = line.indexOf(ENRICHMENT_SEPARATOR, position);
        final int bodyEnd = separator < 0 ? line.length() : separator;
        final Map<String, String> fields = pairs(line, position, bodyEnd, false);
        final Map<String, String> enriched = separator < 0
                ? Map.of() : pairs(line, separator + 1, line.length(), true);
        return new AuditRecord(node, type, id, timeNanos, serial, fields, enriched, line);
    }

    /** The raw value of {@code key}, quotes included, or {@code null}. */
    String raw(final String key) {
        return fields.get(key);
    }

    /**
     * The value of {@code key} as text: a quoted value without its quotes, an unquoted one
     * hex-decoded when it is hex (the kernel hex-encodes untrusted strings holding spaces,
     * quotes or control characters), {@code null} when absent or {@code (null)}.
     */
    String text(final String key) {
        return decodeText(fields.get(key));
    }

    /** {@link #text(String)} for a raw value. */
    static String decodeText(final String raw) {
        final byte[] bytes = bytes(raw);
        return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
    }

    /** The bytes a raw value stands for (see {@link #text(String)}); {@code null} when absent. */
    static byte[] bytes(final String raw) {
        if (raw == null || raw.equals("(null)") || raw.equals("(none)")) {
            return null;
        }
        if (raw.length() >= 2 && (raw.charAt(0) == '"' || raw.charAt(0) == '\'') && raw.charAt(raw.length() - 1) == raw.charAt(0)) {
            return raw.substring(1, raw.length() - 1).getBytes(StandardCharsets.UTF_8);
        }
        final byte[] decoded = Hex.decode(raw);
        return decoded != null ? decoded : raw.getBytes(StandardCharsets.UTF_8);
    }

    /** The value of {@code key} as a decimal number, or {@code null} when absent or not a number ({@code ?}). */
    Long number(final String key) {
        final String raw = fields.get(key);
        if (raw == null || raw.isEmpty()) {
            return null;
        }
        try {
            return Long.parseLong(raw);
        } catch (final NumberFormatException e) {
            return null;
        }
    }

    private static long timeOf(final String type, final String id) throws LineRejectedException {
        final int dot = id.indexOf('.');
        final int colon = id.indexOf(':');
        if (dot <= 0 || colon < dot + 2) {
            throw badId(type, id);
        }
        try {
            final long seconds = Long.parseLong(id, 0, dot, 10);
            long fraction = 0;
            final int digits = colon - dot - 1;
            if (digits > 9) {
                throw badId(type, id);
            }
            for (int i = dot + 1; i < colon; i++) {
                final char c = id.charAt(i);
                if (c < '0' || c > '9') {
                    throw badId(type, id);
                }
                fraction = fraction * 10 + (c - '0');
            }
            for (int scale = digits; scale < 9; scale++) {
                fraction *= 10;
            }
            if (seconds < 0) {
                throw badId(type, id);
            }
            return Math.addExact(Math.multiplyExact(seconds, 1_000_000_000L), fraction);
        } catch (final NumberFormatException | ArithmeticException e) {
            throw badId(type, id);
        }
    }

    private static long serialOf(final String type, final String id) throws LineRejectedException {
        try {
            final long serial = Long.parseLong(id.substring(id.indexOf(':') + 1));
            if (serial < 0) {
                throw badId(type, id);
            }
            return serial;
        } catch (final NumberFormatException e) {
            throw badId(type, id);
        }
    }

    private static LineRejectedException badId(final String type, final String id) {
        final String shown = id.length() <= 40 ? id : id.substring(0, 40) + "…";
        return new LineRejectedException(Reason.INVALID_VALUE, "audit record " + type
                + " has an invalid event id 'audit(" + shown + ")', expected SECONDS.MILLIS:SERIAL");
    }

    /** The key=value pairs of {@code line[from, to)}; {@code unquote} strips quotes (enriched values are never hex). */
    private static Map<String, String> pairs(final String line, final int from, final int to, final boolean unquote)
            throws LineRejectedException {
        final Map<String, String> pairs = new LinkedHashMap<>();
        int position = from;
        while (position < to) {
            position = skipSpaces(line, position);
            if (position >= to) {
                break;
            }
            final int wordStart = position;
            while (position < to && line.charAt(position) != ' ' && line.charAt(position) != '=') {
                position++;
            }
            if (position >= to || line.charAt(position) == ' ') {
                continue; // prose, e.g. "avc:  denied  { read } for"
            }
            final String key = line.substring(wordStart, position);
            position++; // '='
            final int valueStart = position;
            if (position < to && (line.charAt(position) == '"' || line.charAt(position) == '\'')) {
                final char quote = line.charAt(position);
                final int close = line.indexOf(quote, position + 1);
                if (close < 0 || close >= to) {
                    throw new LineRejectedException(Reason.INVALID_VALUE, "value of '" + key
                            + "' opens a " + (quote == '"' ? "double" : "single") + " quote that is never closed");
                }
                position = close + 1;
            } else {
                while (position < to && line.charAt(position) != ' ') {
                    position++;
                }
            }
            final String value = line.substring(valueStart, position);
            if (!key.isEmpty()) {
                pairs.put(key, unquote ? unquoted(value) : value);
            }
        }
        return pairs.isEmpty() ? Map.of() : Collections.unmodifiableMap(pairs);
    }

    private static String unquoted(final String value) {
        if (value.length() >= 2 && value.charAt(0) == '"' && value.charAt(value.length() - 1) == '"') {
            return value.substring(1, value.length() - 1);
        }
        return value;
    }

    private static int skipSpaces(final String line, final int from) {
        int position = from;
        while (position < line.length() && line.charAt(position) == ' ') {
            position++;
        }
        return position;
    }

    private static int endOfWord(final String line, final int from) {
        int position = from;
        while (position < line.length() && line.charAt(position) != ' ') {
            position++;
        }
        return position;
    }
}
