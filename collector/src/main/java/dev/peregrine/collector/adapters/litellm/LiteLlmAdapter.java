package dev.peregrine.collector.adapters.litellm;

import dev.peregrine.collector.adapters.Adapted;
import dev.peregrine.collector.adapters.IdentityKeys;
import dev.peregrine.collector.adapters.JsonTree;
import dev.peregrine.collector.adapters.PayloadAdapter;
import dev.peregrine.collector.adapters.PayloadException;
import dev.peregrine.collector.deadletter.Rejection.Reason;
import dev.peregrine.collector.event.Event;
import dev.peregrine.collector.event.Field;
import dev.peregrine.collector.event.StandardFields;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * LiteLLM proxy logs ({@code POST /v1/litellm}): its {@code StandardLoggingPayload}, one object,
 * a JSON array of them (as its generic API logger batches them) or NDJSON, each an
 * {@code llm_call}.
 *
 * <h2>Mapping</h2>
 * {@code evt.time} from {@code startTime} (epoch seconds, fractional); {@code llm.model} from
 * {@code model}; {@code llm.tokens.in}/{@code out} from {@code prompt_tokens}/{@code completion_tokens};
 * {@code llm.latency_ms} from {@code endTime - startTime}; {@code user.name} from
 * {@code metadata.user_api_key_user_id} (else {@code end_user}). The spend is the extra
 * {@value #COST} (USD, from {@code response_cost}), with {@code llm.status} ({@code success} or
 * {@code failure}), {@code llm.call_type}, {@code llm.provider}, {@code llm.tokens.total} and
 * {@code llm.error}. The other scalar keys are kept as {@code litellm.<key>} and
 * {@code litellm.metadata.<key>}; {@code messages} and {@code response} are not: prompt and
 * completion text belong to the LLM log, not to a security event.
 *
 * <h2>Identity</h2>
 * Keys are dotted paths. By default {@code agent.id} is the virtual key's alias, else its team's
 * alias or id ({@code metadata.user_api_key_alias}, {@code metadata.user_api_key_team_alias},
 * {@code metadata.user_api_key_team_id}), else {@code litellm}; {@code agent.session} is
 * {@code metadata.session_id}, else {@code trace_id}.
 */
public final class LiteLlmAdapter implements PayloadAdapter {

    /** Where LiteLLM's generic logger posts. */
    public static final String PATH = "/v1/litellm";

    /** Extra holding the call's cost in USD. */
    public static final String COST = "llm.cost_usd";

    /** The default identity keys. */
    public static final IdentityKeys DEFAULT_IDENTITY = new IdentityKeys(
            List.of("metadata.user_api_key_alias", "metadata.user_api_key_team_alias", "metadata.user_api_key_team_id"),
            List.of("metadata.session_id", "trace_id"), List.of(), "litellm");

    private static final Set<String> CONTENT_KEYS = Set.of("messages", "response");

    private final IdentityKeys identity;

    /** An adapter with {@link #DEFAULT_IDENTITY}. */
    public LiteLlmAdapter() {
        this(DEFAULT_IDENTITY);
    }

    /** An adapter taking identities from {@code identity}. */
    public LiteLlmAdapter(final IdentityKeys identity) {
        this.identity = Objects.requireNonNull(identity, "identity");
    }

    @Override
    public String format() {
        return "litellm";
    }

    @Override
    public String path() {
        return PATH;
    }

    @Override
    public IdentityKeys identity() {
        return identity;
    }

    @Override
    public Adapted adapt(final byte[] body, final int length, final long receivedNanos) {
        final Adapted.Builder out = new Adapted.Builder();
        for (final JsonTree.Numbered record : JsonTree.records(body, length, out)) {
            try {
                out.event(record.origin(), map(record.value()));
            } catch (final PayloadException e) {
                out.problem(record.origin(), e.reason(), "record " + record.origin().record() + ": " + e.getMessage());
            }
        }
        return out.build();
    }

    private Event map(final Object value) throws PayloadException {
        final Map<String, Object> payload = JsonTree.object(value);
        if (payload == null) {
            throw new PayloadException(Reason.MALFORMED_JSON, "a StandardLoggingPayload must be a JSON object");
        }
        final Double start = seconds(payload, "startTime");
        if (start == null) {
            throw new PayloadException(Reason.MISSING_FIELD, "StandardLoggingPayload has no 'startTime'");
        }
        final Double end = seconds(payload, "endTime");
        final Event.Builder event = Event.builder()
                .time(Math.round(start * 1e9))
                .set(StandardFields.EVT_SOURCE, "agent")
                .set(StandardFields.EVT_TYPE, "llm_call");
        identity.apply(event, key -> JsonTree.at(payload, key));
        final String model = JsonTree.text(payload.get("model"));
        if (model != null) {
            event.set(StandardFields.LLM_MODEL, model);
        }
        count(event, StandardFields.LLM_TOKENS_IN, payload, "prompt_tokens");
        count(event, StandardFields.LLM_TOKENS_OUT, payload, "completion_tokens");
        if (end != null && end >= start) {
            event.set(StandardFields.LLM_LATENCY_MS, Math.round((end - start) * 1000));
        }
        final Object user = JsonTree.at(payload, "metadata.user_api_key_user_id");
        final String userName = JsonTree.text(user != null ? user : payload.get("end_user"));
        if (userName != null) {
            event.set(StandardFields.USER_NAME, userName);
        }
        final Object cost = payload.get("response_cost");
        if (cost instanceof Number number) {
            event.extra(COST, number.doubleValue());
        } else if (cost != null) {
            throw new PayloadException(Reason.INVALID_VALUE, "'response_cost' must be a number, got " + JsonTree.write(cost));
        }
        putText(event, "llm.status", payload.get("status"));
        putText(event, "llm.call_type", payload.get("call_type"));
        putText(event, "llm.provider", payload.get("custom_llm_provider"));
        putText(event, "llm.error", payload.get("error_str"));
        if (payload.get("total_tokens") instanceof Long total) {
            event.extra("llm.tokens.total", total);
        }
        keepScalars(event, "litellm.", payload);
        keepScalars(event, "litellm.metadata.", JsonTree.object(payload.get("metadata")));
        return event.build();
    }

    private static void keepScalars(final Event.Builder event, final String prefix, final Map<String, Object> object) {
        if (object == null) {
            return;
        }
        for (final Map.Entry<String, Object> entry : object.entrySet()) {
            final Object value = entry.getValue();
            if (!CONTENT_KEYS.contains(entry.getKey()) && (value instanceof String || value instanceof Number
                    || value instanceof Boolean)) {
                event.extra(prefix + entry.getKey(), value);
            }
        }
    }

    private static Double seconds(final Map<String, Object> payload, final String key) throws PayloadException {
        final Object value = payload.get(key);
        if (value == null) {
            return null;
        }
        if (value instanceof Number number && number.doubleValue() >= 0) {
            return number.doubleValue();
        }
        throw new PayloadException(Reason.INVALID_VALUE, "'" + key + "' must be epoch seconds, got " + JsonTree.write(value));
    }

    private static void count(final Event.Builder event, final Field field, final Map<String, Object> payload,
                              final String key) throws PayloadException {
        final Object value = payload.get(key);
        if (value == null) {
            return;
        }
        if (value instanceof Long number && number >= 0) {
            event.set(field, number);
            return;
        }
        throw new PayloadException(Reason.INVALID_VALUE, "'" + key + "' must be a non-negative integer, got "
                + JsonTree.write(value));
    }

    private static void putText(final Event.Builder event, final String key, final Object value) {
        final String text = JsonTree.text(value);
        if (text != null) {
            event.extra(key, text);
        }
    }
}
