package dev.peregrine.collector.adapters.otel;

import dev.peregrine.collector.adapters.Adapted;
import dev.peregrine.collector.adapters.IdentityKeys;
import dev.peregrine.collector.adapters.JsonTree;
import dev.peregrine.collector.adapters.PayloadException;
import dev.peregrine.collector.deadletter.Rejection.Reason;
import dev.peregrine.collector.event.Event;
import dev.peregrine.collector.event.StandardFields;
import io.opentelemetry.proto.collector.trace.v1.ExportTracePartialSuccess;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * OpenTelemetry traces over OTLP/HTTP, JSON or protobuf encoding ({@code POST /v1/traces}, the body an
 * {@code ExportTraceServiceRequest}: {@code resourceSpans[].scopeSpans[].spans[]}), read for the
 * GenAI semantic conventions. Each span is one record, numbered in body order.
 *
 * <h2>Mapping by {@code gen_ai.operation.name}</h2>
 * <table>
 *   <caption>spans to events</caption>
 *   <tr><th>operation</th><th>event</th></tr>
 *   <tr><td>chat, text_completion, generate_content, embeddings</td><td>{@code llm_call}: {@code llm.model} from
 *       {@code gen_ai.request.model} (else {@code gen_ai.response.model}), {@code llm.tokens.in/out} from
 *       {@code gen_ai.usage.input_tokens/output_tokens}, {@code llm.latency_ms} from the span's duration</td></tr>
 *   <tr><td>execute_tool</td><td>{@code tool_call}: {@code tool.name} from {@code gen_ai.tool.name} (an MCP name
 *       {@code mcp__server__tool} splits into {@code tool.name=server}, {@code tool.action=tool});
 *       {@code tool.outcome} {@code error} when the span's status is ERROR, else {@code allowed}</td></tr>
 *   <tr><td>invoke_agent, create_agent</td><td>{@code platform_access} with {@code platform.op} the operation</td></tr>
 *   <tr><td>anything else, or none</td><td>skipped and counted (an HTTP or database span is not an agent event)</td></tr>
 * </table>
 * {@code evt.time} is the span's {@code startTimeUnixNano} (a span without one is rejected).
 * Resource attributes give {@code host.name}, {@code container.id}, {@code container.name} and
 * {@code container.image.repository} (from {@code container.image.name}); identity keys are attribute
 * names, looked up on the span first, then on its resource (default: {@code agent.id} from
 * {@code gen_ai.agent.id}, {@code gen_ai.agent.name} or {@code service.name}; {@code agent.session} from
 * {@code gen_ai.conversation.id} or {@code session.id}; {@code sandbox.id} from {@code sandbox.id} or
 * {@code container.id}). Span attributes are kept as extras by their own names (except names of
 * registered fields), with {@code otel.trace_id}, {@code otel.span_id}, {@code otel.span_name}.
 */
public final class OtlpTraceAdapter implements OtlpAdapter {

    /** Where OTLP/HTTP exporters send traces. */
    public static final String PATH = "/v1/traces";

    private static final OtlpExport.Layout LAYOUT = new OtlpExport.Layout("ExportTraceServiceRequest",
            "resourceSpans", "scopeSpans", "spans", "span");

    /** The default identity keys (attribute names). */
    public static final IdentityKeys DEFAULT_IDENTITY = new IdentityKeys(
            List.of("gen_ai.agent.id", "gen_ai.agent.name", "service.name"),
            List.of("gen_ai.conversation.id", "session.id"),
            List.of("sandbox.id", "container.id"), null);

    private static final int STATUS_ERROR = 2;

    private final IdentityKeys identity;

    /** An adapter with {@link #DEFAULT_IDENTITY}. */
    public OtlpTraceAdapter() {
        this(DEFAULT_IDENTITY);
    }

    /** An adapter taking identities from {@code identity}. */
    public OtlpTraceAdapter(final IdentityKeys identity) {
        this.identity = Objects.requireNonNull(identity, "identity");
    }

    @Override
    public String format() {
        return "otlp";
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
        return OtlpExport.adapt(body, length, LAYOUT, this::map);
    }

    @Override
    public Adapted adaptProtobuf(final byte[] body, final int length, final long receivedNanos) {
        return OtlpExport.adaptProtobuf(body, length, LAYOUT, ExportTraceServiceRequest.parser(), this::map);
    }

    @Override
    public byte[] protobufResponse(final long rejected, final String message) {
        final ExportTraceServiceResponse.Builder response = ExportTraceServiceResponse.newBuilder();
        if (rejected > 0) {
            response.setPartialSuccess(ExportTracePartialSuccess.newBuilder().setRejectedSpans(rejected)
                    .setErrorMessage(message == null ? "" : message));
        }
        return response.build().toByteArray();
    }

    /** The event of one span, or {@code null} for a span that is no GenAI operation. */
    private Event map(final Map<String, Object> span, final Map<String, Object> resource) throws PayloadException {
        if (span == null) {
            throw new PayloadException(Reason.MALFORMED_JSON, "a span must be a JSON object");
        }
        final Map<String, Object> attributes = Attributes.of(span.get("attributes"));
        final String operation = JsonTree.text(attributes.get("gen_ai.operation.name"));
        if (operation == null) {
            return null;
        }
        final String type = GenAi.type(operation);
        if (type == null) {
            return null;
        }
        final Long start = Attributes.unixNanos(span.get("startTimeUnixNano"), "startTimeUnixNano");
        if (start == null) {
            throw new PayloadException(Reason.MISSING_FIELD, "span has no 'startTimeUnixNano'");
        }
        final Long end = Attributes.unixNanos(span.get("endTimeUnixNano"), "endTimeUnixNano");
        final boolean error = Attributes.integer(JsonTree.at(span, "status.code")) == STATUS_ERROR;
        final String errorText = firstText(JsonTree.text(attributes.get("error.type")),
                JsonTree.text(JsonTree.at(span, "status.message")));

        final Event.Builder event = GenAi.start(type, start, attributes, resource, identity);
        switch (type) {
            case "llm_call" -> {
                GenAi.llm(event, attributes);
                if (end != null && end >= start) {
                    event.set(StandardFields.LLM_LATENCY_MS, (end - start) / 1_000_000L);
                }
            }
            case "tool_call" -> {
                final String tool = JsonTree.text(attributes.get("gen_ai.tool.name"));
                if (tool == null) {
                    throw new PayloadException(Reason.MISSING_FIELD, "execute_tool span has no 'gen_ai.tool.name'");
                }
                GenAi.tool(event, tool, error, errorText);
            }
            default -> {
                event.set(StandardFields.PLATFORM_OP, operation);
                event.set(StandardFields.PLATFORM_OUTCOME, error ? "error" : "success");
                event.set(StandardFields.EVT_RES, error ? "EIO" : "SUCCESS");
            }
        }
        GenAi.extras(event, attributes);
        GenAi.putText(event, "otel.trace_id", span.get("traceId"));
        GenAi.putText(event, "otel.span_id", span.get("spanId"));
        GenAi.putText(event, "otel.parent_span_id", span.get("parentSpanId"));
        GenAi.putText(event, "otel.span_name", span.get("name"));
        if (error) {
            event.extra("otel.status_code", "ERROR");
        }
        return event.build();
    }

    private static String firstText(final String first, final String second) {
        return first != null ? first : second;
    }
}
