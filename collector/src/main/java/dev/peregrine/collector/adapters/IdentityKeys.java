package dev.peregrine.collector.adapters;

import dev.peregrine.collector.event.Event;
import dev.peregrine.collector.event.Field;
import dev.peregrine.collector.event.StandardFields;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * Which payload keys give an event its identity: for each of {@code agent.id},
 * {@code agent.session} and {@code sandbox.id}, keys tried in order, the first one present
 * wins. What a key means is the adapter's (a dotted path into a hook payload, an attribute name
 * of an OTLP span). Whatever the payload claims, the ingest token's binding still decides
 * whether it may.
 *
 * @param agentId         keys for {@code agent.id}
 * @param session         keys for {@code agent.session}
 * @param sandbox         keys for {@code sandbox.id}
 * @param fallbackAgentId {@code agent.id} of events that name none and whose token binding names
 *                        none either (so that per-agent detections still group them), or {@code null}
 */
public record IdentityKeys(List<String> agentId, List<String> session, List<String> sandbox, String fallbackAgentId) {

    public IdentityKeys {
        agentId = List.copyOf(Objects.requireNonNull(agentId, "agentId"));
        session = List.copyOf(Objects.requireNonNull(session, "session"));
        sandbox = List.copyOf(Objects.requireNonNull(sandbox, "sandbox"));
    }

    /** Sets the identity fields {@code lookup} finds values for (text values; others are ignored). */
    public void apply(final Event.Builder event, final Function<String, Object> lookup) {
        set(event, StandardFields.AGENT_ID, agentId, lookup);
        set(event, StandardFields.AGENT_SESSION, session, lookup);
        set(event, StandardFields.SANDBOX_ID, sandbox, lookup);
    }

    private static void set(final Event.Builder event, final Field field, final List<String> keys,
                            final Function<String, Object> lookup) {
        for (final String key : keys) {
            final String value = JsonTree.text(lookup.apply(key));
            if (value != null) {
                event.set(field, value);
                return;
            }
        }
    }
}
