package dev.peregrine.collector.adapters.otel;

import static dev.peregrine.collector.event.StandardFields.AGENT_ID;
import static dev.peregrine.collector.event.StandardFields.AGENT_SESSION;
import static dev.peregrine.collector.event.StandardFields.CONTAINER_ID;
import static dev.peregrine.collector.event.StandardFields.CONTAINER_IMAGE_REPOSITORY;
import static dev.peregrine.collector.event.StandardFields.EVT_RES;
import static dev.peregrine.collector.event.StandardFields.EVT_SOURCE;
import static dev.peregrine.collector.event.StandardFields.EVT_TYPE;
import static dev.peregrine.collector.event.StandardFields.HOST_NAME;
import static dev.peregrine.collector.event.StandardFields.LLM_LATENCY_MS;
import static dev.peregrine.collector.event.StandardFields.LLM_MODEL;
import static dev.peregrine.collector.event.StandardFields.LLM_TOKENS_IN;
import static dev.peregrine.collector.event.StandardFields.LLM_TOKENS_OUT;
import static dev.peregrine.collector.event.StandardFields.SANDBOX_ID;
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

/** OTLP/HTTP JSON logs with GenAI events, as the semantic conventions name them, posted over real HTTP. */
class OtlpLogIngestTest {

    private static final String PATH = OtlpLogAdapter.PATH;
    private static final String TOKEN = "otel-token-0123456789abcdef";
    private static final String OTHER_AGENT = "other-token-0123456789abcdef";

    private IngestFixture ingest;

    @BeforeEach
    void start() throws Exception {
        ingest = new IngestFixture(List.of(
                new TokenBinding("agents", TOKEN, new IdentityPattern("triage-*", null, null)),
                new TokenBinding("billing", OTHER_AGENT, new IdentityPattern("billing-agent", null, null))),
                List.of(new OtlpLogAdapter()));
    }

    @AfterEach
    void stop() throws Exception {
        ingest.close();
    }

    @Test
    void genAiEventsBecomeLlmAndToolEventsAndMessagesAndAppLogsAreSkipped() throws Exception {
        final HttpResponse<String> response = ingest.post(PATH, TOKEN, IngestFixture.example("otel/logs.json"));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.body()).contains("\"accepted\":3", "2 records carry nothing Peregrine maps");
        final List<Event> events = ingest.take(3);
        assertThat(events).extracting(e -> e.getString(EVT_TYPE)).containsExactly("llm_call", "tool_call", "llm_call");
        assertThat(events).allSatisfy(e -> {
            assertThat(e.getString(EVT_SOURCE)).isEqualTo("agent");
            assertThat(e.getString(AGENT_ID)).isEqualTo("triage-agent");
            assertThat(e.getString(AGENT_SESSION)).isEqualTo("conv-0c4e");
            assertThat(e.getString(SANDBOX_ID)).as("from the resource's container.id").isEqualTo("sbx-7d41");
            assertThat(e.getString(HOST_NAME)).isEqualTo("sandbox-host-3");
            assertThat(e.getString(CONTAINER_ID)).isEqualTo("sbx-7d41");
            assertThat(e.getString(CONTAINER_IMAGE_REPOSITORY)).isEqualTo("ghcr.io/acme/agent-runtime");
        });
    }

    @Test
    void aChoiceIsAnLlmCallNamingTheToolsTheModelAskedFor() throws Exception {
        ingest.post(PATH, TOKEN, IngestFixture.example("otel/logs.json"));

        final Event choice = ingest.take(3).get(0);
        assertThat(choice.getString(LLM_MODEL)).isEqualTo("gpt-4o-2024-08-06");
        assertThat(choice.timeNanos()).isEqualTo(1_795_770_001_380_000_000L);
        assertThat(choice.extra("otel.event_name")).isEqualTo("gen_ai.choice");
        assertThat(choice.extra("otel.trace_id")).isEqualTo("5b8efff798038103d269b633813fc60c");
        assertThat(choice.extra("gen_ai.choice.finish_reason")).isEqualTo("tool_calls");
        assertThat(choice.extra("gen_ai.choice.tool_calls")).isEqualTo("[\"run_shell\"]");
        assertThat(choice.extra("gen_ai.provider.name")).isEqualTo("openai");
    }

    @Test
    void aToolMessageOfAnErrorSeverityIsAFailedToolCall() throws Exception {
        ingest.post(PATH, TOKEN, IngestFixture.example("otel/logs.json"));

        final Event tool = ingest.take(3).get(1);
        assertThat(tool.getString(TOOL_NAME)).isEqualTo("run_shell");
        assertThat(tool.getString(TOOL_OUTCOME)).isEqualTo("error");
        assertThat(tool.getString(EVT_RES)).isEqualTo("EIO");
        assertThat(tool.getString(TOOL_REASON)).isEqualTo("PermissionError");
        assertThat(tool.extra("gen_ai.tool.call.id")).isEqualTo("call_VSPygqKTWdrhaFErNvMV18Yl");
        assertThat(tool.extra("otel.event_name")).isEqualTo("gen_ai.tool.message");
    }

    @Test
    void aRecordCarryingAnOperationMapsAsItsSpanWouldAtItsObservedTime() throws Exception {
        ingest.post(PATH, TOKEN, IngestFixture.example("otel/logs.json"));

        final Event details = ingest.take(3).get(2);
        assertThat(details.getString(LLM_MODEL)).isEqualTo("gpt-4o");
        assertThat(details.get(LLM_TOKENS_IN)).as("intValue as a JSON string").isEqualTo(1843L);
        assertThat(details.get(LLM_TOKENS_OUT)).as("intValue as a JSON number").isEqualTo(212L);
        assertThat(details.get(LLM_LATENCY_MS)).as("a log record has no duration").isNull();
        assertThat(details.timeNanos()).isEqualTo(1_795_770_002_000_000_000L);
        assertThat(details.extra("otel.event_name")).isEqualTo("gen_ai.client.inference.operation.details");
    }

    @Test
    void aToolMessageNamingNoToolIsSkippedNotGuessed() throws Exception {
        final String body = logs("{\"timeUnixNano\":\"1795770000000000000\",\"eventName\":\"gen_ai.tool.message\","
                + "\"body\":{\"kvlistValue\":{\"values\":[{\"key\":\"id\",\"value\":{\"stringValue\":\"call_1\"}}]}},"
                + "\"attributes\":[]}");

        final HttpResponse<String> response = ingest.post(PATH, TOKEN, body.getBytes(StandardCharsets.UTF_8));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.body()).contains("\"accepted\":0", "1 records carry nothing Peregrine maps");
        assertThat(ingest.events).isEmpty();
    }

    @Test
    void eventsOfAnAgentTheTokenDoesNotSpeakForAreRefused() throws Exception {
        final HttpResponse<String> response = ingest.post(PATH, OTHER_AGENT, IngestFixture.example("otel/logs.json"));

        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(ingest.violations).hasSize(3).allSatisfy(v -> assertThat(v.claimed()).isEqualTo("triage-agent"));
        assertThat(ingest.events).isEmpty();
    }

    @Test
    void aMappedRecordWithoutAnyTimeIsRejectedAndTheOthersAreTaken() throws Exception {
        final String choice = "\"eventName\":\"gen_ai.choice\",\"attributes\":["
                + "{\"key\":\"gen_ai.response.model\",\"value\":{\"stringValue\":\"m\"}},"
                + "{\"key\":\"gen_ai.agent.id\",\"value\":{\"stringValue\":\"triage-agent\"}}]}";
        final String body = logs("{\"timeUnixNano\":\"1795770000000000000\"," + choice + ",{" + choice);

        final HttpResponse<String> response = ingest.post(PATH, TOKEN, body.getBytes(StandardCharsets.UTF_8));

        assertThat(response.statusCode()).as("OTLP/HTTP: a partial success is a 200").isEqualTo(200);
        assertThat(ingest.take(1).get(0).getString(LLM_MODEL)).isEqualTo("m");
        final Rejection rejection = ingest.takeRejection();
        assertThat(rejection.reason()).isEqualTo(Reason.MISSING_FIELD);
        assertThat(rejection.line()).isEqualTo(2);
        assertThat(rejection.message()).contains("log record 2", "timeUnixNano");
    }

    @Test
    void aBodyThatIsNoLogsExportIsRefusedAsAnUnknownFormat() throws Exception {
        final HttpResponse<String> response = ingest.post(PATH, TOKEN,
                "{\"resourceSpans\":[]}".getBytes(StandardCharsets.UTF_8));

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(ingest.takeRejection().reason()).isEqualTo(Reason.UNKNOWN_FORMAT);
    }

    private static String logs(final String records) {
        return "{\"resourceLogs\":[{\"resource\":{\"attributes\":[]},\"scopeLogs\":[{\"logRecords\":[" + records
                + "]}]}]}";
    }
}
