package dev.peregrine.collector.ndjson;

import dev.peregrine.collector.event.Field;
import dev.peregrine.collector.event.StandardFields;
import java.util.HashMap;
import java.util.Map;

/** The keys of an agent audit event (spec §2.2); the envelope ones map onto a field whatever the type. */
enum AgentKey {
    TIME("time", StandardFields.EVT_TIME),
    AGENT("agent", StandardFields.AGENT_ID),
    SESSION("session", StandardFields.AGENT_SESSION),
    SANDBOX("sandbox", StandardFields.SANDBOX_ID),
    USER("user", StandardFields.USER_NAME),
    HOST("host", StandardFields.HOST_NAME),
    TYPE("type", StandardFields.EVT_TYPE),
    TOOL("tool"),
    ACTION("action"),
    RESOURCE("resource"),
    OUTCOME("outcome"),
    REASON("reason"),
    MODEL("model"),
    TOKENS_IN("tokens_in"),
    TOKENS_OUT("tokens_out"),
    LATENCY_MS("latency_ms"),
    NAMESPACE("namespace"),
    KEY("key"),
    CONTENT("content"),
    SHA256("sha256"),
    SIZE("size"),
    METHOD("method"),
    URL("url"),
    STATUS("status"),
    BYTES_OUT("bytes_out"),
    OP("op"),
    REMOTE_ADDR("remote_addr");

    /** The keys an agent event must carry, in the order a missing-key message names them. */
    static final AgentKey[] REQUIRED = {TIME, AGENT, SESSION, TYPE};

    private static final AgentKey[] ALL = values();
    private static final Map<String, AgentKey> BY_KEY = new HashMap<>();

    static {
        for (final AgentKey key : ALL) {
            BY_KEY.put(key.key, key);
        }
    }

    private final String key;
    private final Field envelopeField;

    AgentKey(final String key) {
        this(key, null);
    }

    AgentKey(final String key, final Field envelopeField) {
        this.key = key;
        this.envelopeField = envelopeField;
    }

    /** The key as it appears in the JSON. */
    String key() {
        return key;
    }

    /** The field an envelope key fills for every type, or {@code null} for a type-specific key. */
    Field envelopeField() {
        return envelopeField;
    }

    static int count() {
        return ALL.length;
    }

    /** The agent key named {@code key}, or {@code null}. */
    static AgentKey of(final String key) {
        return BY_KEY.get(key);
    }
}
