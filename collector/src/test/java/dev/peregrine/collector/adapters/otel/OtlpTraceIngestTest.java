package dev.peregrine.collector.adapters.otel;

import static dev.peregrine.collector.event.StandardFields.AGENT_ID;
import static dev.peregrine.collector.event.StandardFields.AGENT_SESSION;
import static dev.peregrine.collector.event.StandardFields.CONTAINER_ID;
import static dev.peregrine.collector.event.StandardFields.CONTAINER_IMAGE_REPOSITORY;
import static dev.peregrine.collector.event.StandardFields.EVT_RES;
import static dev.peregrine.collector.event.StandardFields.EVT_TYPE;
import static dev.peregrine.collector.event.StandardFields.HOST_NAME;
import static dev.peregrine.collector.event.StandardFields.LLM_LATENCY_MS;
import static dev.peregrine.collector.event.StandardFields.LLM_MODEL;
import static dev.peregrine.collector.event.StandardFields.LLM_TOKENS_IN;
import static dev.peregrine.collector.event.StandardFields.LLM_TOKENS_OUT;
import static dev.peregrine.collector.event.StandardFields.PLATFORM_OP;
import static dev.peregrine.collector.event.StandardFields.SANDBOX_ID;
import static dev.peregrine.collector.event.StandardFields.TOOL_ACTION;
import static dev.peregrine.collector.event.StandardFields.TOOL_NAME;
import static dev.peregrine.collector.event.StandardFields.TOOL_OUTCOME;
import static dev.peregrine.collector.event.StandardFields.TOOL_REASON;
import static org.assertj.core.api.Assertions.assertThat;

import dev.peregrine.collector.adapters.IngestFixture;
import dev.peregrine.collector.deadletter.Rejection;
import dev.peregrine.collector.deadletter.Rejection.Reason;
import dev.peregrine.collector.event.Event;
import dev.peregrine.collector.ingest.IdentityPattern;
import dev.peregrine.collector.ingest.TokenBinding;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** OTLP/HTTP JSON traces with GenAI spans, as the semantic conventions name them, posted over real HTTP. */
class OtlpTraceIngestTest {

    private static final String PATH = OtlpTraceAdapter.PATH;
    private static final String TOKEN = "otel-token-0123456789abcdef";
    private static final String OTHER_AGENT = "other-token-0123456789abcdef";

    private IngestFixture ingest;

    @BeforeEach
    void start() throws Exception {
        ingest = new IngestFixture(List.of(
                new TokenBinding("agents", TOKEN, new IdentityPattern("triage-*", null, null)),
                new TokenBinding("billing", OTHER_AGENT, new IdentityPattern("billing-agent", null, null))));
    }

    @AfterEach
    void stop() throws Exception {
        ingest.close();
    }

    @Test
    void genAiSpansBecomeAgentLlmAndToolEventsAndOtherSpansAreSkipped() throws Exception {
        final HttpResponse<String> response = ingest.post(PATH, TOKEN, IngestFixture.example("otel/traces.json"));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.body()).contains("\"accepted\":4", "1 records carry nothing Peregrine maps");
        final List<Event> events = ingest.take(4);
        assertThat(events).extracting(e -> e.getString(EVT_TYPE))
                .containsExactly("platform_access", "llm_call", "tool_call", "tool_call");
        assertThat(events).allSatisfy(e -> {
            assertThat(e.getString(AGENT_ID)).isEqualTo("triage-agent");
            assertThat(e.getString(AGENT_SESSION)).isEqualTo("conv-0c4e");
            assertThat(e.getString(SANDBOX_ID)).isEqualTo("sbx-7d41");
            assertThat(e.getString(HOST_NAME)).isEqualTo("sandbox-host-3");
            assertThat(e.getString(CONTAINER_ID)).isEqualTo("sbx-7d41");
            assertThat(e.getString(CONTAINER_IMAGE_REPOSITORY)).isEqualTo("ghcr.io/acme/agent-runtime");
            assertThat(e.extra("otel.trace_id")).isEqualTo("5b8efff798038103d269b633813fc60c");
        });
        assertThat(events.get(0).getString(PLATFORM_OP)).isEqualTo("invoke_agent");
    }

    @Test
    void aChatSpanCarriesModelTokensAndLatency() throws Exception {
        ingest.post(PATH, TOKEN, IngestFixture.example("otel/traces.json"));

        final Event chat = ingest.take(4).get(1);
        assertThat(chat.getString(LLM_MODEL)).isEqualTo("gpt-4o");
        assertThat(chat.get(LLM_TOKENS_IN)).as("intValue as a JSON string").isEqualTo(1843L);
        assertThat(chat.get(LLM_TOKENS_OUT)).as("intValue as a JSON number").isEqualTo(212L);
        assertThat(chat.get(LLM_LATENCY_MS)).isEqualTo(1230L);
        assertThat(chat.timeNanos()).isEqualTo(1_795_770_000_150_000_000L);
        assertThat(chat.extra("gen_ai.provider.name")).isEqualTo("openai");
        assertThat(chat.extra("gen_ai.response.finish_reasons")).isEqualTo("[\"tool_calls\"]");
    }

    @Test
    void toolSpansNameTheirToolAndAFailedOneIsAnError() throws Exception {
        ingest.post(PATH, TOKEN, IngestFixture.example("otel/traces.json"));

        final List<Event> events = ingest.take(4);
        final Event mcp = events.get(2);
        assertThat(mcp.getString(TOOL_NAME)).isEqualTo("github");
        assertThat(mcp.getString(TOOL_ACTION)).isEqualTo("get_issue");
        assertThat(mcp.getString(TOOL_OUTCOME)).isEqualTo("allowed");
        final Event failed = events.get(3);
        assertThat(failed.getString(TOOL_NAME)).isEqualTo("run_shell");
        assertThat(failed.getString(TOOL_OUTCOME)).isEqualTo("error");
        assertThat(failed.getString(EVT_RES)).isEqualTo("EIO");
        assertThat(failed.getString(TOOL_REASON)).isEqualTo("PermissionError");
    }

    @Test
    void spansOfAnAgentTheTokenDoesNotSpeakForAreRefused() throws Exception {
        final HttpResponse<String> response = ingest.post(PATH, OTHER_AGENT, IngestFixture.example("otel/traces.json"));

        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(ingest.violations).hasSize(4).allSatisfy(v -> assertThat(v.claimed()).isEqualTo("triage-agent"));
        assertThat(ingest.events).isEmpty();
    }

    @Test
    void aSpanWithoutAStartTimeIsRejectedAndTheOthersAreTaken() throws Exception {
        final String body = "{\"resourceSpans\":[{\"resource\":{\"attributes\":[]},\"scopeSpans\":[{\"spans\":["
                + span("\"startTimeUnixNano\":\"1795770000000000000\",", "chat")
                + "," + span("", "chat") + "]}]}]}";

        final HttpResponse<String> response = ingest.post(PATH, TOKEN, body.getBytes(StandardCharsets.UTF_8));

        assertThat(response.statusCode()).as("OTLP/HTTP: a partial success is a 200").isEqualTo(200);
        assertThat(ingest.take(1).get(0).getString(LLM_MODEL)).isEqualTo("m");
        final Rejection rejection = ingest.takeRejection();
        assertThat(rejection.reason()).isEqualTo(Reason.MISSING_FIELD);
        assertThat(rejection.line()).isEqualTo(2);
        assertThat(rejection.message()).contains("span 2", "startTimeUnixNano");
    }

    @Test
    void aBodyThatIsNoTraceExportIsRefusedAsAnUnknownFormat() throws Exception {
        final HttpResponse<String> response = ingest.post(PATH, TOKEN,
                "{\"resourceLogs\":[]}".getBytes(StandardCharsets.UTF_8));

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(ingest.takeRejection().reason()).isEqualTo(Reason.UNKNOWN_FORMAT);
    }

    private static String span(final String start, final String operation) {
        return "{\"traceId\":\"t\",\"spanId\":\"s\"," + start + "\"attributes\":["
                + "{\"key\":\"gen_ai.operation.name\",\"value\":{\"stringValue\":\"" + operation + "\"}},"
                + "{\"key\":\"gen_ai.request.model\",\"value\":{\"stringValue\":\"m\"}},"
                + "{\"key\":\"gen_ai.agent.id\",\"value\":{\"stringValue\":\"triage-agent\"}}]}";
    }
}
