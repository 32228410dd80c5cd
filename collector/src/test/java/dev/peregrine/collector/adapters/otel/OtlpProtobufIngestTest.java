package dev.peregrine.collector.adapters.otel;

import static dev.peregrine.collector.event.StandardFields.EVT_TYPE;
import static dev.peregrine.collector.event.StandardFields.LLM_LATENCY_MS;
import static dev.peregrine.collector.event.StandardFields.LLM_MODEL;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import dev.peregrine.collector.adapters.IngestFixture;
import dev.peregrine.collector.deadletter.Rejection;
import dev.peregrine.collector.deadletter.Rejection.Reason;
import dev.peregrine.collector.event.Event;
import dev.peregrine.collector.ingest.IdentityPattern;
import dev.peregrine.collector.ingest.IngestLimits;
import dev.peregrine.collector.ingest.IngestServer;
import dev.peregrine.collector.ingest.TokenBinding;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.common.v1.KeyValueList;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.ByteArrayOutputStream;
import java.io.IOException;





import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * OTLP/HTTP protobuf and gzip on {@code /v1/traces} and {@code /v1/logs}, over real HTTP on
 * 127.0.0.1: the shipped examples built with the protobuf builders map onto exactly the events their
 * JSON form does, and bad bodies are refused, counted and dead-lettered like bad JSON.
 */
class OtlpProtobufIngestTest {

    private static final String TOKEN = "otel-token-0123456789abcdef";
    private static final String OTHER_AGENT = "other-token-0123456789abcdef";
    private static final int MAX_BODY = 64 * 1024;
    private static final String PROTOBUF = "application/x-protobuf";
    private static final String JSON = "application/json";

    private IngestFixture ingest;

    @BeforeEach
    void start() throws IOException {
        ingest = new IngestFixture(List.of(
                new TokenBinding("agents", TOKEN, new IdentityPattern("triage-*", null, null)),
                new TokenBinding("billing", OTHER_AGENT, new IdentityPattern("billing-agent", null, null))),
                new IngestLimits(MAX_BODY, 16 * 1024, 1_000, 10_000, 10_000, 100));
    }

    @AfterEach
    void stop() throws InterruptedException {
        ingest.close();
    }

    @Test
    void protobufSpansBecomeExactlyTheEventsOfTheSameSpansInJson() throws Exception {
        final HttpResponse<byte[]> json = post(OtlpTraceAdapter.PATH, JSON, null,
                IngestFixture.example("otel/traces.json"));
        final List<Event> fromJson = take(4);
        final HttpResponse<byte[]> protobuf = post(OtlpTraceAdapter.PATH, PROTOBUF, null,
                OtlpExamples.traces().toByteArray());
        final List<Event> fromProtobuf = take(4);

        assertThat(json.statusCode()).isEqualTo(200);
        assertThat(protobuf.statusCode()).isEqualTo(200);
        assertThat(protobuf.headers().firstValue("Content-Type")).hasValue(PROTOBUF);
        assertThat(ExportTraceServiceResponse.parseFrom(protobuf.body()).hasPartialSuccess()).isFalse();
        assertThat(fromProtobuf).extracting(e -> e.getString(EVT_TYPE))
                .containsExactly("platform_access", "llm_call", "tool_call", "tool_call");
        // Event equality is every field and every extra: times, token counts, hex ids, JSON-text arrays.
        assertThat(fromProtobuf).isEqualTo(fromJson);
        assertThat(fromProtobuf.get(1).extra("otel.span_id")).isEqualTo("6f1d2c3b4a596877");
        assertThat(fromProtobuf.get(1).extra("gen_ai.response.finish_reasons")).isEqualTo("[\"tool_calls\"]");
    }

    @Test
    void protobufLogRecordsBecomeExactlyTheEventsOfTheSameRecordsInJson() throws Exception {
        post(OtlpLogAdapter.PATH, JSON, null, IngestFixture.example("otel/logs.json"));
        final List<Event> fromJson = take(3);
        final HttpResponse<byte[]> protobuf = post(OtlpLogAdapter.PATH, PROTOBUF, null,
                OtlpExamples.logs().toByteArray());
        final List<Event> fromProtobuf = take(3);

        assertThat(protobuf.statusCode()).isEqualTo(200);
        assertThat(ExportLogsServiceResponse.parseFrom(protobuf.body()).hasPartialSuccess()).isFalse();
        assertThat(fromProtobuf).isEqualTo(fromJson);
        assertThat(fromProtobuf.get(0).extra("gen_ai.choice.tool_calls")).isEqualTo("[\"run_shell\"]");
    }

    @Test
    void everyKindOfAttributeValueReadsAsItsJsonFormDoes() throws Exception {
        final Span span = chat(1795770000000000000L).toBuilder()
                .addAttributes(OtlpExamples.integer("big", Long.MAX_VALUE))
                .addAttributes(KeyValue.newBuilder().setKey("ratio").setValue(AnyValue.newBuilder().setDoubleValue(0.25)))
                .addAttributes(KeyValue.newBuilder().setKey("stream").setValue(AnyValue.newBuilder().setBoolValue(false)))
                .addAttributes(KeyValue.newBuilder().setKey("digest")
                        .setValue(AnyValue.newBuilder().setBytesValue(ByteString.copyFrom(new byte[] {1, 2, 3}))))
                .addAttributes(KeyValue.newBuilder().setKey("tags").setValue(AnyValue.newBuilder()
                        .setArrayValue(ArrayValue.newBuilder().addValues(AnyValue.newBuilder().setIntValue(7))
                                .addValues(AnyValue.newBuilder().setStringValue("x")))))
                .addAttributes(KeyValue.newBuilder().setKey("request").setValue(AnyValue.newBuilder()
                        .setKvlistValue(KeyValueList.newBuilder().addValues(OtlpExamples.text("path", "/v1")))))
                .setEndTimeUnixNano(1795770000250000000L)
                .build();
        final String json = "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{"
                + "\"traceId\":\"" + OtlpExamples.TRACE_ID + "\",\"spanId\":\"0102030405060708\","
                + "\"startTimeUnixNano\":\"1795770000000000000\",\"endTimeUnixNano\":\"1795770000250000000\","
                + "\"attributes\":["
                + "{\"key\":\"gen_ai.operation.name\",\"value\":{\"stringValue\":\"chat\"}},"
                + "{\"key\":\"gen_ai.request.model\",\"value\":{\"stringValue\":\"m\"}},"
                + "{\"key\":\"gen_ai.agent.id\",\"value\":{\"stringValue\":\"triage-agent\"}},"
                + "{\"key\":\"big\",\"value\":{\"intValue\":\"9223372036854775807\"}},"
                + "{\"key\":\"ratio\",\"value\":{\"doubleValue\":0.25}},"
                + "{\"key\":\"stream\",\"value\":{\"boolValue\":false}},"
                + "{\"key\":\"digest\",\"value\":{\"bytesValue\":\"AQID\"}},"
                + "{\"key\":\"tags\",\"value\":{\"arrayValue\":{\"values\":[{\"intValue\":\"7\"},{\"stringValue\":\"x\"}]}}},"
                + "{\"key\":\"request\",\"value\":{\"kvlistValue\":{\"values\":["
                + "{\"key\":\"path\",\"value\":{\"stringValue\":\"/v1\"}}]}}}]}]}]}]}";

        post(OtlpTraceAdapter.PATH, JSON, null, json.getBytes(StandardCharsets.UTF_8));
        final Event fromJson = take(1).get(0);
        post(OtlpTraceAdapter.PATH, PROTOBUF, null, ExportTraceServiceRequest.newBuilder()
                .addResourceSpans(ResourceSpans.newBuilder().addScopeSpans(ScopeSpans.newBuilder().addSpans(span)))
                .build().toByteArray());
        final Event fromProtobuf = take(1).get(0);

        assertThat(fromProtobuf).isEqualTo(fromJson);
        assertThat(fromProtobuf.extra("big")).isEqualTo(Long.MAX_VALUE);
        assertThat(fromProtobuf.extra("digest")).isEqualTo("AQID");
        assertThat(fromProtobuf.extra("tags")).isEqualTo("[7,\"x\"]");
        assertThat(fromProtobuf.extra("request")).isEqualTo("{\"path\":\"/v1\"}");
        assertThat(fromProtobuf.get(LLM_LATENCY_MS)).isEqualTo(250L);
    }

    @Test
    void aTimeBeyondTheSignedRangeIsRefusedAsInJson() throws Exception {
        final HttpResponse<byte[]> response = post(OtlpTraceAdapter.PATH, PROTOBUF, null,
                ExportTraceServiceRequest.newBuilder().addResourceSpans(ResourceSpans.newBuilder()
                        .addScopeSpans(ScopeSpans.newBuilder().addSpans(chat(-1)))).build().toByteArray());

        assertThat(response.statusCode()).isEqualTo(400);
        final Rejection rejection = takeRejection();
        assertThat(rejection.reason()).isEqualTo(Reason.INVALID_VALUE);
        assertThat(rejection.message()).contains("span 1", "18446744073709551615");
    }

    @Test
    void theShippedProtobufExamplesAreTheJsonExamplesInProtobuf() throws Exception {
        assertThat(IngestFixture.example("otel/traces.pb")).isEqualTo(OtlpExamples.traces().toByteArray());
        assertThat(IngestFixture.example("otel/logs.pb")).isEqualTo(OtlpExamples.logs().toByteArray());
    }

    @Test
    void gzippedBodiesOfEitherEncodingAreReadAsThePlainOnes() throws Exception {
        post(OtlpTraceAdapter.PATH, JSON, null, IngestFixture.example("otel/traces.json"));
        final List<Event> plain = take(4);

        final HttpResponse<byte[]> json = post(OtlpTraceAdapter.PATH, JSON, "gzip",
                gzip(IngestFixture.example("otel/traces.json")));
        final List<Event> gzippedJson = take(4);
        final HttpResponse<byte[]> protobuf = post(OtlpTraceAdapter.PATH, PROTOBUF, "gzip",
                gzip(OtlpExamples.traces().toByteArray()));
        final List<Event> gzippedProtobuf = take(4);

        assertThat(json.statusCode()).isEqualTo(200);
        assertThat(protobuf.statusCode()).isEqualTo(200);
        assertThat(gzippedJson).isEqualTo(plain);
        assertThat(gzippedProtobuf).isEqualTo(plain);
    }

    @Test
    void malformedProtobufIsABadRequestCountedAndDeadLetteredWithItsBytes() throws Exception {
        // A length-delimited field 1 (resource_spans) claiming 100 bytes where 3 follow.
        final byte[] garbage = {0x0a, 0x64, 0x01, 0x02, 0x03};

        final HttpResponse<byte[]> response = post(OtlpTraceAdapter.PATH, PROTOBUF, null, garbage);

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.headers().firstValue("Content-Type")).hasValue(PROTOBUF);
        assertThat(status(response.body())).satisfies(status -> {
            assertThat(status.getKey()).as("INVALID_ARGUMENT").isEqualTo(3);
            assertThat(status.getValue()).contains("0 accepted, 1 rejected", "unknown_format", "protobuf");
        });
        final Rejection rejection = takeRejection();
        assertThat(rejection.reason()).isEqualTo(Reason.UNKNOWN_FORMAT);
        assertThat(rejection.source()).isEqualTo(IngestServer.NAME);
        assertThat(rejection.message()).contains("ExportTraceServiceRequest", "base64");
        assertThat(Base64.getDecoder().decode(rejection.raw())).isEqualTo(garbage);
        assertThat(rejection.rawSha256()).isEqualTo(HexFormat.of().formatHex(
                MessageDigest.getInstance("SHA-256").digest(garbage)));
        assertThat(ingest.stats().rejectedByReason()).containsEntry("unknown_format", 1L);
        assertThat(ingest.stats().requestsByStatus()).containsEntry(400, 1L);
        assertThat(ingest.events).isEmpty();
    }

    @Test
    void aRejectedSpanIsAPartialSuccessAndTheOthersAreTaken() throws Exception {
        final ExportTraceServiceRequest request = ExportTraceServiceRequest.newBuilder()
                .addResourceSpans(ResourceSpans.newBuilder().addScopeSpans(ScopeSpans.newBuilder()
                        .addSpans(chat(1795770000000000000L))
                        .addSpans(chat(0))))
                .build();

        final HttpResponse<byte[]> response = post(OtlpTraceAdapter.PATH, PROTOBUF, null, request.toByteArray());

        assertThat(response.statusCode()).as("OTLP/HTTP: a partial success is a 200").isEqualTo(200);
        final ExportTraceServiceResponse answer = ExportTraceServiceResponse.parseFrom(response.body());
        assertThat(answer.getPartialSuccess().getRejectedSpans()).isEqualTo(1);
        assertThat(answer.getPartialSuccess().getErrorMessage())
                .contains("1 accepted, 1 rejected", "record 2 (missing_field)", "startTimeUnixNano");
        assertThat(take(1).get(0).getString(LLM_MODEL)).isEqualTo("m");
        final Rejection rejection = takeRejection();
        assertThat(rejection.line()).isEqualTo(2);
        assertThat(rejection.reason()).isEqualTo(Reason.MISSING_FIELD);
        assertThat(Base64.getDecoder().decode(rejection.raw())).isEqualTo(request.toByteArray());
        assertThat(ingest.stats().rejectedByReason()).containsEntry("missing_field", 1L);
    }

    @Test
    void spansOfAnAgentTheTokenDoesNotSpeakForAreForbiddenInProtobuf() throws Exception {
        final HttpResponse<byte[]> response = post(OtlpTraceAdapter.PATH, PROTOBUF, null,
                OtlpExamples.traces().toByteArray(), OTHER_AGENT);

        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(status(response.body())).satisfies(status -> {
            assertThat(status.getKey()).as("PERMISSION_DENIED").isEqualTo(7);
            assertThat(status.getValue()).contains("agent.id 'triage-agent' is not allowed");
        });
        assertThat(ingest.events).isEmpty();
    }

    @Test
    void aSmallBodyThatInflatesPastTheLimitIsRefusedAsTooLarge() throws Exception {
        final byte[] bomb = gzip(new byte[MAX_BODY * 16]);
        assertThat(bomb.length).isLessThan(MAX_BODY);

        final HttpResponse<byte[]> response = post(OtlpTraceAdapter.PATH, PROTOBUF, "gzip", bomb);

        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(status(response.body()).getValue()).contains("once decompressed");
        assertThat(ingest.stats().requestsByStatus()).containsEntry(413, 1L);
        assertThat(ingest.events).isEmpty();
    }

    @Test
    void aBodyThatIsNotTheGzipItSaysIsRejectedAndDeadLettered() throws Exception {
        final byte[] body = IngestFixture.example("otel/traces.json");

        final HttpResponse<byte[]> response = post(OtlpTraceAdapter.PATH, JSON, "gzip", body);

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(new String(response.body(), StandardCharsets.UTF_8)).contains("not valid gzip");
        final Rejection rejection = takeRejection();
        assertThat(rejection.reason()).isEqualTo(Reason.UNKNOWN_FORMAT);
        assertThat(Base64.getDecoder().decode(rejection.raw())).isEqualTo(body);
        assertThat(ingest.stats().rejectedByReason()).containsEntry("unknown_format", 1L);
    }

    @Test
    void otherContentTypesAndEncodingsAreUnsupportedAndTakeNothing() throws Exception {
        final byte[] body = IngestFixture.example("otel/traces.json");

        final HttpResponse<byte[]> form = post(OtlpTraceAdapter.PATH, "application/x-www-form-urlencoded", null, body);
        final HttpResponse<byte[]> brotli = post(OtlpTraceAdapter.PATH, JSON, "br", body);
        final HttpResponse<byte[]> charset = post(OtlpTraceAdapter.PATH, "Application/JSON; charset=utf-8", null, body);

        assertThat(form.statusCode()).isEqualTo(415);
        assertThat(new String(form.body(), StandardCharsets.UTF_8))
                .contains("unsupported_media_type", "application/json", "application/x-protobuf");
        assertThat(brotli.statusCode()).isEqualTo(415);
        assertThat(new String(brotli.body(), StandardCharsets.UTF_8)).contains("Content-Encoding 'br'");
        assertThat(charset.statusCode()).as("parameters and case do not matter").isEqualTo(200);
        assertThat(take(4)).hasSize(4);
        assertThat(ingest.stats().requestsByStatus()).containsEntry(415, 2L);
        assertThat(ingest.events).isEmpty();
    }

    private static Span chat(final long start) {
        return Span.newBuilder().setTraceId(OtlpExamples.id(OtlpExamples.TRACE_ID))
                .setSpanId(OtlpExamples.id("0102030405060708")).setStartTimeUnixNano(start)
                .addAttributes(OtlpExamples.text("gen_ai.operation.name", "chat"))
                .addAttributes(OtlpExamples.text("gen_ai.request.model", "m"))
                .addAttributes(OtlpExamples.text("gen_ai.agent.id", "triage-agent"))
                .build();
    }

    /** The code and message of a {@code google.rpc.Status}. */
    private static Map.Entry<Integer, String> status(final byte[] body) throws IOException {
        final CodedInputStream in = CodedInputStream.newInstance(body);
        int code = 0;
        String message = "";
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            switch (WireFormat.getTagFieldNumber(tag)) {
                case 1 -> code = in.readInt32();
                case 2 -> message = in.readString();
                default -> in.skipField(tag);
            }
        }
        return Map.entry(code, message);
    }

    private static byte[] gzip(final byte[] plain) throws IOException {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
            out.write(plain);
        }
        return bytes.toByteArray();
    }

    private HttpResponse<byte[]> post(final String path, final String contentType, final String encoding,
                                      final byte[] body) throws Exception {
        return post(path, contentType, encoding, body, TOKEN);
    }

    private HttpResponse<byte[]> post(final String path, final String contentType, final String encoding,
                                      final byte[] body, final String token) throws Exception {
        return ingest.post(path, token, contentType, encoding, body);
    }

    private List<Event> take(final int count) throws InterruptedException {
        return ingest.take(count);
    }

    private Rejection takeRejection() throws InterruptedException {
        return ingest.takeRejection();
    }
}
