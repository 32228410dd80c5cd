package dev.peregrine.collector.adapters.otel;

import dev.peregrine.collector.adapters.Adapted;
import dev.peregrine.collector.adapters.IdentityKeys;
import dev.peregrine.collector.adapters.JsonTree;
import dev.peregrine.collector.adapters.PayloadException;
import dev.peregrine.collector.deadletter.Rejection.Reason;
import dev.peregrine.collector.event.Event;
import dev.peregrine.collector.event.StandardFields;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsPartialSuccess;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * OpenTelemetry logs over OTLP/HTTP, JSON or protobuf encoding ({@code POST /v1/logs}, the body an
 * {@code ExportLogsServiceRequest}: {@code resourceLogs[].scopeLogs[].logRecords[]}), read for the
 * GenAI semantic conventions' events. Each log record is one record, numbered in body order.
 *
 * <h2>Mapping</h2>
 * The event name is the record's {@code eventName}, else its {@code event.name} attribute.
 * <table>
 *   <caption>log records to events</caption>
 *   <tr><th>record</th><th>event</th></tr>
 *   <tr><td>any record with a {@code gen_ai.operation.name} attribute (e.g.
 *       {@code gen_ai.client.inference.operation.details})</td><td>as {@link OtlpTraceAdapter} maps a span of
 *       that operation, without {@code llm.latency_ms} (a record has no duration)</td></tr>
 *   <tr><td>{@code gen_ai.choice}</td><td>{@code llm_call}: the model answered; {@code llm.model} from
 *       {@code gen_ai.response.model} or {@code gen_ai.request.model}; the body's {@code finish_reason} and the
 *       names of the tools the model asked for ({@code gen_ai.choice.tool_calls}, a JSON array) as extras</td></tr>
 *   <tr><td>{@code gen_ai.tool.message} naming its tool ({@code gen_ai.tool.name} attribute, else the body's
 *       {@code name})</td><td>{@code tool_call} with the tool's result returned to the model</td></tr>
 *   <tr><td>anything else: {@code gen_ai.user.message}, {@code gen_ai.system.message},
 *       {@code gen_ai.assistant.message}, a tool message naming no tool, application logs</td><td>skipped and
 *       counted</td></tr>
 * </table>
 * {@code evt.time} is the record's {@code timeUnixNano}, else its {@code observedTimeUnixNano} (a
 * mapped record with neither is rejected). A tool record is an error when its severity is ERROR or
 * above, or it carries {@code error.type}. Identity, host and container come from the record's
 * attributes, then its resource's, exactly as for spans. Attributes are kept as extras (except
 * names of registered fields), with {@code otel.event_name}, {@code otel.trace_id},
 * {@code otel.span_id}; message contents in bodies are not kept.
 */
public final class OtlpLogAdapter implements OtlpAdapter {

    /** Where OTLP/HTTP exporters send logs. */
    public static final String PATH = "/v1/logs";

    private static final OtlpExport.Layout LAYOUT = new OtlpExport.Layout("ExportLogsServiceRequest",
            "resourceLogs", "scopeLogs", "logRecords", "log record");

    /** OTLP's {@code SEVERITY_NUMBER_ERROR}: this and above are errors. */
    private static final int SEVERITY_ERROR = 17;

    private final IdentityKeys identity;

    /** An adapter with {@link OtlpTraceAdapter#DEFAULT_IDENTITY}. */
    public OtlpLogAdapter() {
        this(OtlpTraceAdapter.DEFAULT_IDENTITY);
    }

    /** An adapter taking identities from {@code identity}. */
    public OtlpLogAdapter(final IdentityKeys identity) {
        this.identity = Objects.requireNonNull(identity, "identity");
    }

    @Override
    public String format() {
        return "otlp-logs";
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
        return OtlpExport.adaptProtobuf(body, length, LAYOUT, ExportLogsServiceRequest.parser(), this::map);
    }

    @Override
    public byte[] protobufResponse(final long rejected, final String message) {
        final ExportLogsServiceResponse.Builder response = ExportLogsServiceResponse.newBuilder();
        if (rejected > 0) {
            response.setPartialSuccess(ExportLogsPartialSuccess.newBuilder().setRejectedLogRecords(rejected)
                    .setErrorMessage(message == null ? "" : message));
        }
        return response.build().toByteArray();
    }

    /** The event of one log record, or {@code null} for a record that carries no GenAI call. */
    private Event map(final Map<String, Object> record, final Map<String, Object> resource) throws PayloadException {
        if (record == null) {
            throw new PayloadException(Reason.MALFORMED_JSON, "a log record must be a JSON object");
        }
        final Map<String, Object> attributes = Attributes.of(record.get("attributes"));
        final String name = JsonTree.text(record.get("eventName")) != null
                ? JsonTree.text(record.get("eventName")) : JsonTree.text(attributes.get("event.name"));
        final String operation = JsonTree.text(attributes.get("gen_ai.operation.name"));
        final Map<String, Object> body = JsonTree.object(Attributes.tree(record.get("body")));
        String type = GenAi.type(operation);
        String tool = JsonTree.text(attributes.get("gen_ai.tool.name"));
        if (type == null && "gen_ai.choice".equals(name)) {
            type = "llm_call";
        } else if (type == null && "gen_ai.tool.message".equals(name)) {
            tool = tool != null ? tool : JsonTree.text(JsonTree.at(body, "name"));
            type = tool == null ? null : "tool_call";
        }
        if (type == null) {
            return null;
        }
        Long time = Attributes.unixNanos(record.get("timeUnixNano"), "timeUnixNano");
        if (time == null) {
            time = Attributes.unixNanos(record.get("observedTimeUnixNano"), "observedTimeUnixNano");
        }
        if (time == null) {
            throw new PayloadException(Reason.MISSING_FIELD,
                    "log record has neither 'timeUnixNano' nor 'observedTimeUnixNano'");
        }
        final long severity = Attributes.integer(record.get("severityNumber"));
        final String errorType = JsonTree.text(attributes.get("error.type"));
        final boolean error = severity >= SEVERITY_ERROR || errorType != null;

        final Event.Builder event = GenAi.start(type, time, attributes, resource, identity);
        switch (type) {
            case "llm_call" -> {
                GenAi.llm(event, attributes);
                if ("gen_ai.choice".equals(name)) {
                    choice(event, body);
                }
            }
            case "tool_call" -> {
                if (tool == null) {
                    throw new PayloadException(Reason.MISSING_FIELD, "execute_tool record has no 'gen_ai.tool.name'");
                }
                GenAi.tool(event, tool, error, errorType);
                GenAi.putText(event, "gen_ai.tool.call.id", JsonTree.at(body, "id"));
            }
            default -> {
                event.set(StandardFields.PLATFORM_OP, operation);
                event.set(StandardFields.PLATFORM_OUTCOME, error ? "error" : "success");
                event.set(StandardFields.EVT_RES, error ? "EIO" : "SUCCESS");
            }
        }
        GenAi.extras(event, attributes);
        GenAi.putText(event, "otel.event_name", name);
        GenAi.putText(event, "otel.trace_id", record.get("traceId"));
        GenAi.putText(event, "otel.span_id", record.get("spanId"));
        return event.build();
    }

    /** What a {@code gen_ai.choice} body says beyond its text: why the model stopped, which tools it asked for. */
    private static void choice(final Event.Builder event, final Map<String, Object> body) {
        GenAi.putText(event, "gen_ai.choice.finish_reason", JsonTree.at(body, "finish_reason"));
        GenAi.putText(event, "gen_ai.choice.index", JsonTree.at(body, "index"));
        final List<Object> tools = new ArrayList<>();
        for (final Object call : JsonTree.array(JsonTree.at(body, "message.tool_calls"))) {
            final String tool = JsonTree.text(JsonTree.at(JsonTree.object(call), "function.name"));
            if (tool != null) {
                tools.add(tool);
            }
        }
        if (!tools.isEmpty()) {
            event.extra("gen_ai.choice.tool_calls", JsonTree.write(tools));
        }
    }
}
