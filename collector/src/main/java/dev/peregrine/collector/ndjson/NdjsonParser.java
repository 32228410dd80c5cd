package dev.peregrine.collector.ndjson;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import dev.peregrine.collector.deadletter.Rejection.Reason;
import dev.peregrine.collector.event.Event;
import dev.peregrine.collector.event.Field;
import dev.peregrine.collector.event.FieldType;
import dev.peregrine.collector.event.StandardFields;
import java.io.IOException;
import java.util.Objects;

/**
 * Parses one NDJSON line into an {@link Event}, in either input format of spec §2: native
 * (keys are field names) or agent audit events (§2.2), detected per line unless a
 * {@link Format} is forced.
 *
 * <h2>Detection ({@link Format#AUTO})</h2>
 * A line with any key that is a registered field ({@code evt.time}, {@code proc.name}, …) is
 * native. Otherwise a line with {@code time} or {@code type} is an agent event — either key is
 * enough, so that an agent event lacking the other is reported as {@link Reason#MISSING_FIELD}
 * rather than as an unknown format. Anything else is {@link Reason#UNKNOWN_FORMAT}. The
 * decision needs no second pass: registered fields are written to the event as they come,
 * agent keys wait in a per-parser array until the end of the line, when the format (and the
 * agent {@code type}, which may follow {@code outcome}) is known.
 *
 * <h2>Values</h2>
 * A value is converted to its field's type: a string field takes a string, or a number or
 * boolean as its text; an int field takes an integer or a string of digits with an optional
 * leading {@code -}; a bool field takes {@code true}/{@code false} or those strings; a timestamp
 * takes an RFC 3339 string or integer epoch nanoseconds. JSON {@code null} means absent.
 * Anything else is {@link Reason#INVALID_VALUE}, naming the field. Keys that map onto no field
 * are kept as {@link Event#extras()}: String, Long, Double (also for integers too large for a
 * long), Boolean, or the compact JSON text of an object or array.
 *
 * <h2>Native events</h2>
 * {@code evt.time} is required; {@code evt.source} defaults to {@code syscall}. Agent keys such
 * as {@code time} in a native line are just extras.
 *
 * <h2>Agent events</h2>
 * {@code time}, {@code agent}, {@code session}, {@code type} are required. {@code sandbox},
 * {@code user}, {@code host} map for every type; the type-specific keys of §2.2 map only for
 * their own type ({@code status} on a {@code tool_call} is an extra, not {@code http.status}),
 * and all keys of an unknown type are extras. {@code evt.source} is {@code agent}.
 * {@code evt.res} is derived from the outcome, so that Falco-style rules on
 * {@code evt.res}/{@code evt.failed} see agent denials like OS ones:
 * <table>
 *   <caption>evt.res of agent events</caption>
 *   <tr><th>type</th><th>outcome</th><th>evt.res</th></tr>
 *   <tr><td>tool_call, platform_access</td><td>allowed, approved</td><td>SUCCESS</td></tr>
 *   <tr><td>platform_access</td><td>success</td><td>SUCCESS</td></tr>
 *   <tr><td>tool_call, platform_access</td><td>denied, rejected</td><td>EACCES</td></tr>
 *   <tr><td>tool_call, platform_access</td><td>error</td><td>EIO</td></tr>
 *   <tr><td>tool_call</td><td>approval_required</td><td>unset: neither done nor refused yet</td></tr>
 *   <tr><td>any</td><td>absent or anything else</td><td>unset</td></tr>
 *   <tr><td>llm_call, memory_*, http_request</td><td>—</td><td>unset</td></tr>
 * </table>
 *
 * <h2>Rejections</h2>
 * Checked in this order, the first that applies wins: {@link Reason#MALFORMED_JSON} (invalid
 * JSON, a top-level value that is not an object, anything after the object),
 * {@link Reason#UNKNOWN_FORMAT}, {@link Reason#INVALID_VALUE} (the first bad value in the line),
 * {@link Reason#MISSING_FIELD}.
 *
 * <h2>Blank lines</h2>
 * A line of only whitespace is no record, not a bad one: callers skip it ({@link #isBlank});
 * {@link #parse} given one rejects it as malformed, because it was handed no object.
 *
 * <p>A line that is a flat object of strings, integers, booleans and nulls (as events are) is
 * read straight from its bytes by {@link FlatObjectScanner}, keys matched by their bytes and
 * RFC 3339 times decoded without a String; any other line, and every line that turns out
 * malformed, is read again by streaming Jackson (one {@link JsonFactory} per parser), which gives
 * the same values and words every rejection. Not thread-safe: use one parser per source.
 */
public final class NdjsonParser {

    /** Which input format lines are in. */
    public enum Format {
        /** Decide per line (see {@link NdjsonParser}). */
        AUTO,
        /** Native events only; agent keys are extras. */
        NATIVE,
        /** Agent audit events only; keys named like registered fields are extras. */
        AGENT
    }

    private static final String DEFAULT_NATIVE_SOURCE = "syscall";
    private static final String AGENT_SOURCE = "agent";

    private final Format format;
    // Interning would put every key an input invents into the JVM-wide string table; the
    // factory's own bounded symbol table already gives the field lookup canonical strings.
    private final JsonFactory json = JsonFactory.builder().disable(JsonFactory.Feature.INTERN_FIELD_NAMES).build();
    private final JsonValues values = new JsonValues(json);
    private final FlatObjectScanner scanner = new FlatObjectScanner(KeyNames.STANDARD);

    // The line being parsed; build() copies the values out, so one builder serves every line.
    private final Event.Builder event = Event.builder();
    private boolean sawField;
    private LineRejectedException firstInvalid;

    // Agent keys of the current line, by AgentKey ordinal, and the order they came in.
    private final Object[] agentValues = new Object[AgentKey.count()];
    private final AgentKey[] agentOrder = new AgentKey[AgentKey.count()];
    private int agentCount;

    /** A parser that detects the format per line. */
    public NdjsonParser() {
        this(Format.AUTO);
    }

    /** A parser for {@code format}. */
    public NdjsonParser(final Format format) {
        this.format = Objects.requireNonNull(format, "format");
    }

    /** The format this parser reads. */
    public Format format() {
        return format;
    }

    /** Whether {@code buf[off, off+len)} holds only JSON whitespace, i.e. is no record at all. */
    public static boolean isBlank(final byte[] buf, final int off, final int len) {
        for (int i = off; i < off + len; i++) {
            final byte b = buf[i];
            if (b != ' ' && b != '\t' && b != '\r' && b != '\n') {
                return false;
            }
        }
        return true;
    }

    /**
     * Parses the UTF-8 line {@code buf[off, off+len)} (without its line terminator).
     *
     * @throws LineRejectedException when the line cannot become an event, with the reason
     */
    public Event parse(final byte[] buf, final int off, final int len) throws LineRejectedException {
        if (scanner.start(buf, off, len)) {
            final Event event = parseFlat();
            if (event != null) {
                return event;
            }
        }
        return parseWithJackson(buf, off, len);
    }

    /** The line read by {@link FlatObjectScanner}, or {@code null} when it gave up and Jackson must read it. */
    private Event parseFlat() throws LineRejectedException {
        beginLine();
        while (true) {
            final FlatObjectScanner.Step step = scanner.next();
            if (step == FlatObjectScanner.Step.END) {
                return finishLine();
            }
            if (step == FlatObjectScanner.Step.GIVE_UP) {
                return null;
            }
            final KeyNames.Name name = scanner.keyName();
            final Field field = name == null || format == Format.AGENT ? null : name.field();
            // The common case decoded without a String; anything else (or bad) goes the general way.
            if (field != null && field.type() == FieldType.TIMESTAMP && firstInvalid == null && scanner.readTimestamp()) {
                sawField = true;
                event.set(field, scanner.timestamp());
                continue;
            }
            if (!scanner.readValue()) {
                return null;
            }
            member(scanner.keyText(), name, scanner.value());
        }
    }

    /**
     * The line read by Jackson alone, as {@link #parse} reads every line the flat scanner gives
     * up on; tests hold the two paths to the same results.
     */
    Event parseWithJackson(final byte[] buf, final int off, final int len) throws LineRejectedException {
        beginLine();
        boolean objectEnded = false;
        try (JsonParser parser = json.createParser(buf, off, len)) {
            final JsonToken first = parser.nextToken();
            if (first == null) {
                throw new LineRejectedException(Reason.MALFORMED_JSON, "empty line: expected a JSON object");
            }
            if (first != JsonToken.START_OBJECT) {
                throw new LineRejectedException(Reason.MALFORMED_JSON,
                        "expected a JSON object, got " + describeToken(first));
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                final String key = parser.currentName();
                member(key, KeyNames.STANDARD.find(key), values.read(parser, parser.nextToken()));
            }
            objectEnded = true;
            final JsonToken trailing = parser.nextToken();
            if (trailing != null) {
                throw new LineRejectedException(Reason.MALFORMED_JSON, "unexpected content after the JSON object at column "
                        + parser.currentTokenLocation().getColumnNr() + ": " + describeToken(trailing));
            }
        } catch (final JsonProcessingException e) {
            final String where = e.getLocation() == null ? "" : " at column " + e.getLocation().getColumnNr();
            throw new LineRejectedException(Reason.MALFORMED_JSON, (objectEnded ? "unexpected content after the JSON object"
                    : "invalid JSON") + where + ": " + e.getOriginalMessage());
        } catch (final IOException e) {
            throw new LineRejectedException(Reason.MALFORMED_JSON, "invalid JSON: " + e.getMessage());
        }
        return finishLine();
    }

    private void beginLine() {
        clearAgentValues();
        event.clear();
        sawField = false;
        firstInvalid = null;
    }

    /** One member of the line's object, {@code name} what its key means ({@code null}: nothing). */
    private void member(final String key, final KeyNames.Name name, final Object value) {
        final Field field = format == Format.AGENT || name == null ? null : name.field();
        if (field != null) {
            sawField = true;
            if (value != null && firstInvalid == null) {
                // Keep reading after a bad value: if the line is not even JSON, that is the real problem.
                try {
                    event.set(field, JsonValues.coerce(field, key, value));
                } catch (final LineRejectedException e) {
                    firstInvalid = e;
                }
            }
            return;
        }
        if (value == null) {
            return;
        }
        final AgentKey agentKey = format == Format.NATIVE || name == null ? null : name.agentKey();
        if (agentKey != null) {
            holdAgentValue(agentKey, value);
        } else {
            event.extra(key, JsonValues.toExtra(value));
        }
    }

    /** The event of a line read to its end as valid JSON, or the first rejection that applies. */
    private Event finishLine() throws LineRejectedException {
        final Format lineFormat = resolveFormat(sawField);
        if (firstInvalid != null) {
            throw firstInvalid;
        }
        return lineFormat == Format.NATIVE ? finishNative(event) : finishAgent(event);
    }

    private Format resolveFormat(final boolean sawField) throws LineRejectedException {
        if (format != Format.AUTO) {
            return format;
        }
        if (sawField) {
            return Format.NATIVE;
        }
        if (agentValues[AgentKey.TIME.ordinal()] != null || agentValues[AgentKey.TYPE.ordinal()] != null) {
            return Format.AGENT;
        }
        throw new LineRejectedException(Reason.UNKNOWN_FORMAT, "neither a native event (no field such as "
                + "'evt.time') nor an agent audit event (no 'time' or 'type' key)");
    }

    private Event finishNative(final Event.Builder event) throws LineRejectedException {
        for (int i = 0; i < agentCount; i++) {
            final AgentKey key = agentOrder[i];
            event.extra(key.key(), JsonValues.toExtra(agentValues[key.ordinal()]));
        }
        if (!event.has(StandardFields.EVT_TIME)) {
            final boolean hasAgentTime = agentValues[AgentKey.TIME.ordinal()] != null;
            throw new LineRejectedException(Reason.MISSING_FIELD, "native event has no 'evt.time'"
                    + (hasAgentTime ? " ('time' is the agent-format key; a line mixes both formats)" : ""));
        }
        if (!event.has(StandardFields.EVT_SOURCE)) {
            event.set(StandardFields.EVT_SOURCE, DEFAULT_NATIVE_SOURCE);
        }
        return event.build();
    }

    private Event finishAgent(final Event.Builder event) throws LineRejectedException {
        final Object typeValue = agentValues[AgentKey.TYPE.ordinal()];
        if (typeValue != null && !(typeValue instanceof String)) {
            throw new LineRejectedException(Reason.INVALID_VALUE,
                    "key 'type' must be a string, got " + JsonValues.describe(typeValue));
        }
        final AgentType type = typeValue == null ? null : AgentType.of((String) typeValue);
        for (int i = 0; i < agentCount; i++) {
            final AgentKey key = agentOrder[i];
            final Object value = agentValues[key.ordinal()];
            final Field field = type == null ? key.envelopeField() : type.fieldFor(key);
            if (field == null) {
                event.extra(key.key(), JsonValues.toExtra(value));
            } else {
                event.set(field, JsonValues.coerce(field, key.key(), value));
            }
        }
        StringBuilder missing = null;
        for (final AgentKey required : AgentKey.REQUIRED) {
            if (agentValues[required.ordinal()] == null) {
                missing = missing == null ? new StringBuilder() : missing.append(", ");
                missing.append('\'').append(required.key()).append('\'');
            }
        }
        if (missing != null) {
            throw new LineRejectedException(Reason.MISSING_FIELD, "agent event has no " + missing);
        }
        event.set(StandardFields.EVT_SOURCE, AGENT_SOURCE);
        if (type != null) {
            final Object outcome = agentValues[AgentKey.OUTCOME.ordinal()];
            final String result = type.result(outcome instanceof String text ? text : null);
            if (result != null) {
                event.set(StandardFields.EVT_RES, result);
            }
        }
        return event.build();
    }

    private void holdAgentValue(final AgentKey key, final Object value) {
        if (agentValues[key.ordinal()] == null) {
            agentOrder[agentCount++] = key;
        }
        agentValues[key.ordinal()] = value;
    }

    private void clearAgentValues() {
        for (int i = 0; i < agentCount; i++) {
            agentValues[agentOrder[i].ordinal()] = null;
        }
        agentCount = 0;
    }

    private static String describeToken(final JsonToken token) {
        return switch (token) {
            case START_ARRAY -> "an array";
            case START_OBJECT -> "an object";
            case VALUE_STRING -> "a string";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case VALUE_NULL -> "null";
            default -> token.asString() == null ? token.name() : "'" + token.asString() + "'";
        };
    }
}
