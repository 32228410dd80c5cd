package dev.peregrine.collector.ndjson;

import static dev.peregrine.collector.ndjson.AgentKey.ACTION;
import static dev.peregrine.collector.ndjson.AgentKey.BYTES_OUT;
import static dev.peregrine.collector.ndjson.AgentKey.CONTENT;
import static dev.peregrine.collector.ndjson.AgentKey.KEY;
import static dev.peregrine.collector.ndjson.AgentKey.LATENCY_MS;
import static dev.peregrine.collector.ndjson.AgentKey.METHOD;
import static dev.peregrine.collector.ndjson.AgentKey.MODEL;
import static dev.peregrine.collector.ndjson.AgentKey.NAMESPACE;
import static dev.peregrine.collector.ndjson.AgentKey.OP;
import static dev.peregrine.collector.ndjson.AgentKey.OUTCOME;
import static dev.peregrine.collector.ndjson.AgentKey.REASON;
import static dev.peregrine.collector.ndjson.AgentKey.REMOTE_ADDR;
import static dev.peregrine.collector.ndjson.AgentKey.RESOURCE;
import static dev.peregrine.collector.ndjson.AgentKey.SHA256;
import static dev.peregrine.collector.ndjson.AgentKey.SIZE;
import static dev.peregrine.collector.ndjson.AgentKey.STATUS;
import static dev.peregrine.collector.ndjson.AgentKey.TOKENS_IN;
import static dev.peregrine.collector.ndjson.AgentKey.TOKENS_OUT;
import static dev.peregrine.collector.ndjson.AgentKey.TOOL;
import static dev.peregrine.collector.ndjson.AgentKey.URL;

import dev.peregrine.collector.event.Field;
import dev.peregrine.collector.event.StandardFields;
import java.util.Map;

/**
 * The agent event types of spec §2.2: which type-specific keys each maps onto which field,
 * and how its outcome becomes {@code evt.res}.
 */
enum AgentType {
    TOOL_CALL(Map.of(
        TOOL, StandardFields.TOOL_NAME, ACTION, StandardFields.TOOL_ACTION,
        RESOURCE, StandardFields.TOOL_RESOURCE, OUTCOME, StandardFields.TOOL_OUTCOME,
        REASON, StandardFields.TOOL_REASON)),
    LLM_CALL(Map.of(
        MODEL, StandardFields.LLM_MODEL, TOKENS_IN, StandardFields.LLM_TOKENS_IN,
        TOKENS_OUT, StandardFields.LLM_TOKENS_OUT, LATENCY_MS, StandardFields.LLM_LATENCY_MS)),
    MEMORY_WRITE(memoryKeys()),
    MEMORY_READ(memoryKeys()),
    HTTP_REQUEST(Map.of(
        METHOD, StandardFields.HTTP_METHOD, URL, StandardFields.HTTP_URL,
        STATUS, StandardFields.HTTP_STATUS, BYTES_OUT, StandardFields.HTTP_BYTES_OUT)),
    PLATFORM_ACCESS(Map.of(
        OP, StandardFields.PLATFORM_OP, OUTCOME, StandardFields.PLATFORM_OUTCOME,
        REMOTE_ADDR, StandardFields.PLATFORM_REMOTE_ADDR));

    /** Fields by {@link AgentKey#ordinal()}, envelope keys included; {@code null} where a key is not this type's. */
    private final Field[] fields = new Field[AgentKey.count()];

    AgentType(final Map<AgentKey, Field> specific) {
        for (final AgentKey key : AgentKey.values()) {
            fields[key.ordinal()] = key.envelopeField();
        }
        specific.forEach((key, field) -> fields[key.ordinal()] = field);
    }

    private static Map<AgentKey, Field> memoryKeys() {
        return Map.of(
            NAMESPACE, StandardFields.MEMORY_NAMESPACE, KEY, StandardFields.MEMORY_KEY,
            CONTENT, StandardFields.MEMORY_CONTENT, SHA256, StandardFields.MEMORY_SHA256,
            SIZE, StandardFields.MEMORY_SIZE);
    }

    /** The type named {@code type} in the input, or {@code null} for a type this version does not know. */
    static AgentType of(final String type) {
        return switch (type) {
            case "tool_call" -> TOOL_CALL;
            case "llm_call" -> LLM_CALL;
            case "memory_write" -> MEMORY_WRITE;
            case "memory_read" -> MEMORY_READ;
            case "http_request" -> HTTP_REQUEST;
            case "platform_access" -> PLATFORM_ACCESS;
            default -> null;
        };
    }

    /** The field {@code key} fills in an event of this type, or {@code null} when it stays an extra. */
    Field fieldFor(final AgentKey key) {
        return fields[key.ordinal()];
    }

    /**
     * {@code evt.res} for an outcome, or {@code null} when it cannot be told. Only tool calls and
     * platform access carry an outcome; see {@link NdjsonParser} for the table.
     */
    String result(final String outcome) {
        if (outcome == null || (this != TOOL_CALL && this != PLATFORM_ACCESS)) {
            return null;
        }
        return switch (outcome) {
            case "allowed", "approved" -> "SUCCESS";
            case "success" -> this == PLATFORM_ACCESS ? "SUCCESS" : null;
            case "denied", "rejected" -> "EACCES";
            case "error" -> "EIO";
            default -> null;
        };
    }
}
