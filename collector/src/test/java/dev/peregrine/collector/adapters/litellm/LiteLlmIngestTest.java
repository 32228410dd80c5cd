package dev.peregrine.collector.adapters.litellm;

import static dev.peregrine.collector.event.StandardFields.AGENT_ID;
import static dev.peregrine.collector.event.StandardFields.AGENT_SESSION;
import static dev.peregrine.collector.event.StandardFields.EVT_SOURCE;
import static dev.peregrine.collector.event.StandardFields.EVT_TYPE;
import static dev.peregrine.collector.event.StandardFields.LLM_LATENCY_MS;
import static dev.peregrine.collector.event.StandardFields.LLM_MODEL;
import static dev.peregrine.collector.event.StandardFields.LLM_TOKENS_IN;
import static dev.peregrine.collector.event.StandardFields.LLM_TOKENS_OUT;
import static dev.peregrine.collector.event.StandardFields.USER_NAME;
import static org.assertj.core.api.Assertions.assertThat;

import dev.peregrine.collector.adapters.IdentityKeys;
import dev.peregrine.collector.adapters.IngestFixture;
import dev.peregrine.collector.deadletter.Rejection;
import dev.peregrine.collector.deadletter.Rejection.Reason;
import dev.peregrine.collector.event.Event;
import dev.peregrine.collector.event.Timestamps;
import dev.peregrine.collector.ingest.IdentityPattern;
import dev.peregrine.collector.ingest.TokenBinding;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** LiteLLM proxy StandardLoggingPayload records, as its logging docs shape them, posted over real HTTP. */
class LiteLlmIngestTest {

    private static final String PATH = LiteLlmAdapter.PATH;
    private static final String TOKEN = "proxy-token-0123456789abcdef";

    private IngestFixture ingest;

    @BeforeEach
    void start() throws Exception {
        ingest = new IngestFixture(List.of(new TokenBinding("litellm-proxy", TOKEN, IdentityPattern.ANY)));
    }

    @AfterEach
    void stop() throws Exception {
        ingest.close();
    }

    @Test
    void aLoggedCompletionIsAnLlmCallWithTokensLatencyAndCost() throws Exception {
        final HttpResponse<String> response = ingest.post(PATH, TOKEN,
                IngestFixture.example("litellm/standard-logging-payload.json"));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        final Event event = ingest.take(1).get(0);
        assertThat(event.getString(EVT_SOURCE)).isEqualTo("agent");
        assertThat(event.getString(EVT_TYPE)).isEqualTo("llm_call");
        assertThat(event.getString(LLM_MODEL)).isEqualTo("claude-sonnet-4-5");
        assertThat(event.get(LLM_TOKENS_IN)).isEqualTo(1204L);
        assertThat(event.get(LLM_TOKENS_OUT)).isEqualTo(187L);
        assertThat(event.get(LLM_LATENCY_MS)).isEqualTo(2814L);
        assertThat(event.timeNanos()).isBetween(Timestamps.parseRfc3339("2026-11-27T09:01:00.118Z"),
                Timestamps.parseRfc3339("2026-11-27T09:01:00.119Z"));
        assertThat(event.extra(LiteLlmAdapter.COST)).isEqualTo(0.0041275);
        assertThat(event.extra("llm.status")).isEqualTo("success");
        assertThat(event.extra("llm.provider")).isEqualTo("anthropic");
        assertThat(event.extra("litellm.metadata.user_api_key_team_alias")).isEqualTo("platform");
        assertThat(event.extras()).doesNotContainKeys("litellm.messages", "litellm.response");
    }

    @Test
    void theVirtualKeysAliasIsTheAgentAndTheTraceTheSession() throws Exception {
        ingest.post(PATH, TOKEN, IngestFixture.example("litellm/standard-logging-payload.json"));

        final Event event = ingest.take(1).get(0);
        assertThat(event.getString(AGENT_ID)).isEqualTo("ci-runner");
        assertThat(event.getString(AGENT_SESSION)).isEqualTo("a7d3c1e9-44b2-4f0a-9e6d-2c8b5f1a3e7d");
        assertThat(event.getString(USER_NAME)).isEqualTo("alice");
    }

    @Test
    void aBatchGivesOneEventPerRecordFailuresIncluded() throws Exception {
        final HttpResponse<String> response = ingest.post(PATH, TOKEN, IngestFixture.example("litellm/batch.json"));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        final List<Event> events = ingest.take(2);
        assertThat(events).extracting(e -> e.extra("llm.status")).containsExactly("success", "failure");
        assertThat(events.get(1).extra("llm.error")).asString().contains("RateLimitError");
        assertThat(events).allSatisfy(e -> assertThat(e.getString(AGENT_SESSION)).isEqualTo("t-91c2"));
    }

    @Test
    void aRecordWithABadValueIsRejectedAndTheRestTaken() throws Exception {
        final String body = "[{\"startTime\":1795770120.5,\"model\":\"m\",\"prompt_tokens\":3},"
                + "{\"startTime\":1795770121.5,\"model\":\"m\",\"prompt_tokens\":\"many\"}]";

        final HttpResponse<String> response = ingest.post(PATH, TOKEN, body.getBytes(StandardCharsets.UTF_8));

        assertThat(response.statusCode()).isEqualTo(207);
        assertThat(ingest.take(1).get(0).getString(AGENT_ID)).as("fallback").isEqualTo("litellm");
        final Rejection rejection = ingest.takeRejection();
        assertThat(rejection.reason()).isEqualTo(Reason.INVALID_VALUE);
        assertThat(rejection.line()).isEqualTo(2);
        assertThat(rejection.message()).contains("prompt_tokens");
    }

    @Test
    void identityKeysAreConfigurable() {
        final LiteLlmAdapter byTeam = new LiteLlmAdapter(new IdentityKeys(
                List.of("metadata.user_api_key_team_id"), List.of("id"), List.of(), null));
        final byte[] body = ("{\"id\":\"req-1\",\"startTime\":1795770120.5,\"metadata\":"
                + "{\"user_api_key_alias\":\"ci-runner\",\"user_api_key_team_id\":\"team-platform\"}}")
                .getBytes(StandardCharsets.UTF_8);

        final Event event = byTeam.adapt(body, body.length, 0).events().get(0);

        assertThat(event.getString(AGENT_ID)).isEqualTo("team-platform");
        assertThat(event.getString(AGENT_SESSION)).isEqualTo("req-1");
    }
}
