package dev.peregrine.collector.adapters.otel;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.common.v1.KeyValueList;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.logs.v1.SeverityNumber;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import java.util.HexFormat;

/**
 * The shipped OTLP examples ({@code examples/integrations/otel/traces.json} and {@code logs.json})
 * built again with the protobuf builders, record for record and attribute for attribute, as an
 * exporter sending protobuf would send them.
 */
final class OtlpExamples {

    static final String TRACE_ID = "5b8efff798038103d269b633813fc60c";

    private static final SeverityNumber INFO = SeverityNumber.SEVERITY_NUMBER_INFO;

    private OtlpExamples() {
    }

    /** {@code traces.json} as an {@code ExportTraceServiceRequest}. */
    static ExportTraceServiceRequest traces() {
        final String agent = "eee19b7ec3c1b174";
        return ExportTraceServiceRequest.newBuilder().addResourceSpans(ResourceSpans.newBuilder()
                .setResource(resource())
                .addScopeSpans(ScopeSpans.newBuilder()
                        .setScope(scope("opentelemetry.instrumentation.openai_agents", "0.48.0"))
                        .addSpans(span(agent, null, "invoke_agent triage", Span.SpanKind.SPAN_KIND_INTERNAL,
                                1795770000000000000L, 1795770004200000000L)
                                .addAttributes(text("gen_ai.operation.name", "invoke_agent"))
                                .addAttributes(text("gen_ai.agent.id", "triage-agent"))
                                .addAttributes(text("gen_ai.agent.name", "Triage"))
                                .addAttributes(text("gen_ai.conversation.id", "conv-0c4e"))
                                .addAttributes(text("gen_ai.provider.name", "openai")))
                        .addSpans(span("6f1d2c3b4a596877", agent, "chat gpt-4o", Span.SpanKind.SPAN_KIND_CLIENT,
                                1795770000150000000L, 1795770001380000000L)
                                .addAttributes(text("gen_ai.operation.name", "chat"))
                                .addAttributes(text("gen_ai.provider.name", "openai"))
                                .addAttributes(text("gen_ai.request.model", "gpt-4o"))
                                .addAttributes(text("gen_ai.response.model", "gpt-4o-2024-08-06"))
                                .addAttributes(integer("gen_ai.usage.input_tokens", 1843))
                                .addAttributes(integer("gen_ai.usage.output_tokens", 212))
                                .addAttributes(field("gen_ai.response.finish_reasons", array(string("tool_calls"))))
                                .addAttributes(text("gen_ai.agent.id", "triage-agent"))
                                .addAttributes(text("gen_ai.conversation.id", "conv-0c4e"))
                                .addAttributes(text("server.address", "api.openai.com")))
                        .addSpans(span("a1b2c3d4e5f60718", agent, "execute_tool mcp__github__get_issue",
                                Span.SpanKind.SPAN_KIND_INTERNAL, 1795770001400000000L, 1795770001950000000L)
                                .addAttributes(text("gen_ai.operation.name", "execute_tool"))
                                .addAttributes(text("gen_ai.tool.name", "mcp__github__get_issue"))
                                .addAttributes(text("gen_ai.tool.call.id", "call_mszuSIzqtI65i1wAUOE8w5H4"))
                                .addAttributes(text("gen_ai.tool.type", "function"))
                                .addAttributes(text("gen_ai.agent.id", "triage-agent"))
                                .addAttributes(text("gen_ai.conversation.id", "conv-0c4e")))
                        .addSpans(span("b2c3d4e5f6071829", agent, "execute_tool run_shell",
                                Span.SpanKind.SPAN_KIND_INTERNAL, 1795770002000000000L, 1795770002100000000L)
                                .addAttributes(text("gen_ai.operation.name", "execute_tool"))
                                .addAttributes(text("gen_ai.tool.name", "run_shell"))
                                .addAttributes(text("gen_ai.agent.id", "triage-agent"))
                                .addAttributes(text("gen_ai.conversation.id", "conv-0c4e"))
                                .addAttributes(text("error.type", "PermissionError"))
                                .setStatus(Status.newBuilder().setCode(Status.StatusCode.STATUS_CODE_ERROR)
                                        .setMessage("command not allowed by policy")))
                        .addSpans(span("c3d4e5f607182930", "a1b2c3d4e5f60718", "GET", Span.SpanKind.SPAN_KIND_CLIENT,
                                1795770001410000000L, 1795770001900000000L)
                                .addAttributes(text("http.request.method", "GET"))
                                .addAttributes(text("url.full", "https://api.github.com/repos/acme/api/issues/412")))))
                .build();
    }

    /** {@code logs.json} as an {@code ExportLogsServiceRequest}. */
    static ExportLogsServiceRequest logs() {
        final String chat = "6f1d2c3b4a596877";
        return ExportLogsServiceRequest.newBuilder().addResourceLogs(ResourceLogs.newBuilder()
                .setResource(resource())
                .addScopeLogs(ScopeLogs.newBuilder()
                        .setScope(scope("opentelemetry.instrumentation.openai_v2", "2.1b0"))
                        .addLogRecords(record(1795770000100000000L, 1795770000100200000L, INFO,
                                "gen_ai.user.message", chat)
                                .setSeverityText("INFO")
                                .setBody(kvlist(field("content", string("Why does ticket 4211 fail?"))))
                                .addAttributes(text("gen_ai.provider.name", "openai"))
                                .addAttributes(text("gen_ai.agent.id", "triage-agent")))
                        .addLogRecords(record(1795770001380000000L, 1795770001380500000L, INFO,
                                "gen_ai.choice", chat)
                                .setBody(kvlist(
                                        field("index", AnyValue.newBuilder().setIntValue(0).build()),
                                        field("finish_reason", string("tool_calls")),
                                        field("message", kvlist(
                                                field("role", string("assistant")),
                                                field("tool_calls", array(kvlist(
                                                        field("id", string("call_VSPygqKTWdrhaFErNvMV18Yl")),
                                                        field("type", string("function")),
                                                        field("function", kvlist(field("name", string("run_shell")))))))))))
                                .addAttributes(text("gen_ai.provider.name", "openai"))
                                .addAttributes(text("gen_ai.response.model", "gpt-4o-2024-08-06"))
                                .addAttributes(text("gen_ai.agent.id", "triage-agent"))
                                .addAttributes(text("gen_ai.conversation.id", "conv-0c4e")))
                        .addLogRecords(record(1795770001450000000L, 0, SeverityNumber.SEVERITY_NUMBER_ERROR,
                                "gen_ai.tool.message", "c0ffee0000000001")
                                .setSeverityText("ERROR")
                                .setBody(kvlist(field("id", string("call_VSPygqKTWdrhaFErNvMV18Yl")),
                                        field("content", string("PermissionError: /etc/shadow"))))
                                .addAttributes(text("gen_ai.tool.name", "run_shell"))
                                .addAttributes(text("error.type", "PermissionError"))
                                .addAttributes(text("gen_ai.agent.id", "triage-agent"))
                                .addAttributes(text("gen_ai.conversation.id", "conv-0c4e")))
                        .addLogRecords(LogRecord.newBuilder().setObservedTimeUnixNano(1795770002000000000L)
                                .setSeverityNumber(INFO)
                                .addAttributes(text("event.name", "gen_ai.client.inference.operation.details"))
                                .addAttributes(text("gen_ai.operation.name", "chat"))
                                .addAttributes(text("gen_ai.request.model", "gpt-4o"))
                                .addAttributes(integer("gen_ai.usage.input_tokens", 1843))
                                .addAttributes(integer("gen_ai.usage.output_tokens", 212))
                                .addAttributes(text("gen_ai.agent.id", "triage-agent"))
                                .addAttributes(text("gen_ai.conversation.id", "conv-0c4e")))
                        .addLogRecords(LogRecord.newBuilder().setTimeUnixNano(1795770002100000000L)
                                .setSeverityNumber(INFO).setSeverityText("INFO")
                                .setBody(string("ticket 4211 triaged"))
                                .addAttributes(text("code.function.name", "triage")))))
                .build();
    }

    static Span.Builder span(final String id, final String parent, final String name, final Span.SpanKind kind,
                             final long start, final long end) {
        final Span.Builder span = Span.newBuilder().setTraceId(id(TRACE_ID)).setSpanId(id(id)).setName(name)
                .setKind(kind).setStartTimeUnixNano(start).setEndTimeUnixNano(end);
        return parent == null ? span : span.setParentSpanId(id(parent));
    }

    static KeyValue text(final String key, final String value) {
        return KeyValue.newBuilder().setKey(key).setValue(string(value)).build();
    }

    static KeyValue integer(final String key, final long value) {
        return KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setIntValue(value)).build();
    }

    static ByteString id(final String hex) {
        return ByteString.copyFrom(HexFormat.of().parseHex(hex));
    }

    private static LogRecord.Builder record(final long time, final long observed, final SeverityNumber severity,
                                            final String eventName, final String spanId) {
        return LogRecord.newBuilder().setTimeUnixNano(time).setObservedTimeUnixNano(observed)
                .setSeverityNumber(severity).setEventName(eventName)
                .setTraceId(id(TRACE_ID)).setSpanId(id(spanId));
    }

    private static Resource resource() {
        return Resource.newBuilder()
                .addAttributes(text("service.name", "support-triage-agent"))
                .addAttributes(text("host.name", "sandbox-host-3"))
                .addAttributes(text("container.id", "sbx-7d41"))
                .addAttributes(text("container.image.name", "ghcr.io/acme/agent-runtime"))
                .build();
    }

    private static InstrumentationScope scope(final String name, final String version) {
        return InstrumentationScope.newBuilder().setName(name).setVersion(version).build();
    }

    private static AnyValue string(final String value) {
        return AnyValue.newBuilder().setStringValue(value).build();
    }

    private static KeyValue field(final String key, final AnyValue value) {
        return KeyValue.newBuilder().setKey(key).setValue(value).build();
    }

    private static AnyValue array(final AnyValue... values) {
        final ArrayValue.Builder array = ArrayValue.newBuilder();
        for (final AnyValue value : values) {
            array.addValues(value);
        }
        return AnyValue.newBuilder().setArrayValue(array).build();
    }

    private static AnyValue kvlist(final KeyValue... values) {
        final KeyValueList.Builder list = KeyValueList.newBuilder();
        for (final KeyValue value : values) {
            list.addValues(value);
        }
        return AnyValue.newBuilder().setKvlistValue(list).build();
    }
}
