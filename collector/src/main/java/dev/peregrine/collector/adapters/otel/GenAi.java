package dev.peregrine.collector.adapters.otel;

import dev.peregrine.collector.adapters.IdentityKeys;
import dev.peregrine.collector.adapters.JsonTree;
import dev.peregrine.collector.adapters.PayloadException;
import dev.peregrine.collector.deadletter.Rejection.Reason;
import dev.peregrine.collector.event.Event;
import dev.peregrine.collector.event.Field;
import dev.peregrine.collector.event.FieldRegistry;
import dev.peregrine.collector.event.StandardFields;
import java.util.Map;

/**
 * The GenAI semantic conventions as event fields, shared by spans and log records so that an
 * operation reads the same whichever signal carries it.
 */
final class GenAi {

    private GenAi() {
    }

    /** The event type of a {@code gen_ai.operation.name}, or {@code null} for an operation Peregrine does not map. */
    static String type(final String operation) {
        if (operation == null) {
            return null;
        }
        return switch (operation) {
            case "chat", "text_completion", "generate_content", "embeddings" -> "llm_call";
            case "execute_tool" -> "tool_call";
            case "invoke_agent", "create_agent" -> "platform_access";
            default -> null;
        };
    }

    /**
     * An agent event of {@code type} at {@code time}, with identity (record attributes first, then
     * resource attributes) and the host and container the resource names.
     */
    static Event.Builder start(final String type, final long time, final Map<String, Object> attributes,
                               final Map<String, Object> resource, final IdentityKeys identity) {
        final Event.Builder event = Event.builder().time(time)
                .set(StandardFields.EVT_SOURCE, "agent")
                .set(StandardFields.EVT_TYPE, type);
        identity.apply(event, key -> attributes.containsKey(key) ? attributes.get(key) : resource.get(key));
        setText(event, StandardFields.HOST_NAME, resource.get("host.name"));
        setText(event, StandardFields.CONTAINER_ID, resource.get("container.id"));
        setText(event, StandardFields.CONTAINER_NAME, resource.get("container.name"));
        setText(event, StandardFields.CONTAINER_IMAGE_REPOSITORY, resource.get("container.image.name"));
        setText(event, StandardFields.USER_NAME, firstPresent(attributes, "user.id", "enduser.id"));
        return event;
    }

    /** Model and token counts of an {@code llm_call}. */
    static void llm(final Event.Builder event, final Map<String, Object> attributes) throws PayloadException {
        setText(event, StandardFields.LLM_MODEL,
                firstPresent(attributes, "gen_ai.request.model", "gen_ai.response.model"));
        setCount(event, StandardFields.LLM_TOKENS_IN,
                firstPresent(attributes, "gen_ai.usage.input_tokens", "gen_ai.usage.prompt_tokens"));
        setCount(event, StandardFields.LLM_TOKENS_OUT,
                firstPresent(attributes, "gen_ai.usage.output_tokens", "gen_ai.usage.completion_tokens"));
    }

    /**
     * Tool name (an MCP name {@code mcp__server__tool} splits into server and tool) and outcome of a
     * {@code tool_call}.
     */
    static void tool(final Event.Builder event, final String tool, final boolean error, final String errorText) {
        final int split = tool.startsWith("mcp__") ? tool.indexOf("__", 5) : -1;
        if (split > 5) {
            event.set(StandardFields.TOOL_NAME, tool.substring(5, split));
            event.set(StandardFields.TOOL_ACTION, tool.substring(split + 2));
        } else {
            event.set(StandardFields.TOOL_NAME, tool);
        }
        event.set(StandardFields.TOOL_OUTCOME, error ? "error" : "allowed");
        event.set(StandardFields.EVT_RES, error ? "EIO" : "SUCCESS");
        if (error && errorText != null) {
            event.set(StandardFields.TOOL_REASON, errorText);
        }
    }

    /** Attributes kept as extras under their own names, except names of registered fields. */
    static void extras(final Event.Builder event, final Map<String, Object> attributes) {
        final FieldRegistry fields = FieldRegistry.standard();
        for (final Map.Entry<String, Object> attribute : attributes.entrySet()) {
            if (attribute.getValue() != null && fields.find(attribute.getKey()).isEmpty()) {
                event.extra(attribute.getKey(), attribute.getValue());
            }
        }
    }

    static Object firstPresent(final Map<String, Object> attributes, final String first, final String second) {
        final Object value = attributes.get(first);
        return value != null ? value : attributes.get(second);
    }

    static void setText(final Event.Builder event, final Field field, final Object value) {
        final String text = JsonTree.text(value);
        if (text != null) {
            event.set(field, text);
        }
    }

    static void putText(final Event.Builder event, final String key, final Object value) {
        final String text = JsonTree.text(value);
        if (text != null) {
            event.extra(key, text);
        }
    }

    private static void setCount(final Event.Builder event, final Field field, final Object value)
            throws PayloadException {
        if (value == null) {
            return;
        }
        final long count = Attributes.integer(value);
        if (count < 0) {
            throw new PayloadException(Reason.INVALID_VALUE, field.name() + " must be a non-negative integer, got "
                    + JsonTree.write(value));
        }
        event.set(field, count);
    }
}
