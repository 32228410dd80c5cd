package dev.peregrine.collector.adapters.claudecode;

import static dev.peregrine.collector.event.StandardFields.AGENT_ID;
import static dev.peregrine.collector.event.StandardFields.AGENT_SESSION;
import static dev.peregrine.collector.event.StandardFields.EVT_RES;
import static dev.peregrine.collector.event.StandardFields.EVT_SOURCE;
import static dev.peregrine.collector.event.StandardFields.EVT_TYPE;
import static dev.peregrine.collector.event.StandardFields.PLATFORM_OP;
import static dev.peregrine.collector.event.StandardFields.PROC_ARGS;
import static dev.peregrine.collector.event.StandardFields.PROC_CMDLINE;
import static dev.peregrine.collector.event.StandardFields.PROC_CWD;
import static dev.peregrine.collector.event.StandardFields.PROC_NAME;
import static dev.peregrine.collector.event.StandardFields.TOOL_ACTION;
import static dev.peregrine.collector.event.StandardFields.TOOL_NAME;
import static dev.peregrine.collector.event.StandardFields.TOOL_OUTCOME;
import static dev.peregrine.collector.event.StandardFields.TOOL_RESOURCE;
import static org.assertj.core.api.Assertions.assertThat;

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

/** Claude Code hook payloads, as its public hooks documentation shapes them, posted over real HTTP. */
class ClaudeCodeHookIngestTest {

    private static final String PATH = ClaudeCodeHookAdapter.PATH;
    private static final String ANY = "any-token-0123456789abcdef";
    private static final String LAPTOP = "laptop-token-0123456789abcdef";
    private static final String CI = "ci-token-0123456789abcdef";
    private static final String SESSION = "9f3c2a1e-5b7d-4c2e-8a41-0d6e2f1b7c90";

    private IngestFixture ingest;

    @BeforeEach
    void start() throws Exception {
        ingest = new IngestFixture(List.of(
                new TokenBinding("any", ANY, IdentityPattern.ANY),
                new TokenBinding("laptop", LAPTOP, new IdentityPattern("dev-laptop", null, null)),
                new TokenBinding("ci", CI, new IdentityPattern("ci-runner", "s-*", null))));
    }

    @AfterEach
    void stop() throws Exception {
        ingest.close();
    }

    @Test
    void aBashPreToolUseIsAToolCallWhoseCommandIsAlsoTheProcessCommandLine() throws Exception {
        final HttpResponse<String> response = ingest.post(PATH, ANY,
                IngestFixture.example("claude-code/pre-tool-use-bash.json"));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        final Event event = ingest.take(1).get(0);
        assertThat(event.getString(EVT_SOURCE)).isEqualTo("agent");
        assertThat(event.getString(EVT_TYPE)).isEqualTo("tool_call");
        assertThat(event.getString(TOOL_NAME)).isEqualTo("Bash");
        assertThat(event.getString(TOOL_ACTION)).isEqualTo("exec");
        assertThat(event.getString(TOOL_RESOURCE)).isEqualTo("pip install flask-gpt-helper");
        assertThat(event.has(TOOL_OUTCOME)).as("not decided before the permission check").isFalse();
        assertThat(event.getString(PROC_CMDLINE)).isEqualTo("pip install flask-gpt-helper");
        assertThat(event.getString(PROC_NAME)).isEqualTo("pip");
        assertThat(event.getString(PROC_ARGS)).isEqualTo("install flask-gpt-helper");
        assertThat(event.getString(PROC_CWD)).isEqualTo("/workspace/api");
        assertThat(event.getString(AGENT_SESSION)).isEqualTo(SESSION);
        assertThat(event.getString(AGENT_ID)).as("neither payload nor token names one").isEqualTo("claude-code");
        assertThat(event.extra("hook_event_name")).isEqualTo("PreToolUse");
        assertThat(event.extra("tool_use_id")).isEqualTo("toolu_01HkZ8qR3vX9wN2mP5tB7cYd");
        assertThat((String) event.extra("tool_input")).contains("\"command\":\"pip install flask-gpt-helper\"");
    }

    @Test
    void aPermissionRequestIsAToolCallAwaitingApproval() throws Exception {
        ingest.post(PATH, ANY, IngestFixture.example("claude-code/permission-request.json"));

        final Event event = ingest.take(1).get(0);
        assertThat(event.getString(EVT_TYPE)).isEqualTo("tool_call");
        assertThat(event.getString(TOOL_OUTCOME)).isEqualTo("approval_required");
        assertThat(event.getString(TOOL_RESOURCE)).isEqualTo("git push origin main");
        assertThat(event.has(EVT_RES)).isFalse();
        assertThat(event.has(PROC_CMDLINE)).as("only PreToolUse describes the process").isFalse();
    }

    @Test
    void aPostToolUseIsAnAllowedToolCallOnItsResource() throws Exception {
        ingest.post(PATH, ANY, IngestFixture.example("claude-code/post-tool-use-write.json"));

        final Event event = ingest.take(1).get(0);
        assertThat(event.getString(TOOL_NAME)).isEqualTo("Write");
        assertThat(event.getString(TOOL_ACTION)).isEqualTo("write");
        assertThat(event.getString(TOOL_RESOURCE)).isEqualTo("/workspace/api/api/orders.py");
        assertThat(event.getString(TOOL_OUTCOME)).isEqualTo("allowed");
        assertThat(event.getString(EVT_RES)).isEqualTo("SUCCESS");
        assertThat(event.extra("permission_mode")).isEqualTo("acceptEdits");
    }

    @Test
    void anMcpToolNamesItsServerAsTheToolAndItsToolAsTheAction() throws Exception {
        ingest.post(PATH, ANY, IngestFixture.example("claude-code/pre-tool-use-mcp.json"));

        final Event event = ingest.take(1).get(0);
        assertThat(event.getString(TOOL_NAME)).isEqualTo("github");
        assertThat(event.getString(TOOL_ACTION)).isEqualTo("create_pull_request");
        assertThat(event.extra("tool_name")).isEqualTo("mcp__github__create_pull_request");
    }

    @Test
    void aPromptIsAPlatformEvent() throws Exception {
        ingest.post(PATH, ANY, IngestFixture.example("claude-code/user-prompt-submit.json"));

        final Event event = ingest.take(1).get(0);
        assertThat(event.getString(EVT_TYPE)).isEqualTo("platform_access");
        assertThat(event.getString(PLATFORM_OP)).isEqualTo("user_prompt_submit");
        assertThat(event.extra("prompt")).isEqualTo("Fix the failing order total test (issue #412)");
    }

    @Test
    void aSpooledSessionKeepsItsOrderAndTheTimesTheHooksFired() throws Exception {
        final HttpResponse<String> response = ingest.post(PATH, ANY, IngestFixture.example("claude-code/session.ndjson"));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.body()).contains("\"accepted\":8");
        final List<Event> events = ingest.take(8);
        assertThat(events).extracting(e -> e.getString(PLATFORM_OP) != null ? e.getString(PLATFORM_OP)
                : e.getString(TOOL_NAME) + "/" + e.extra("hook_event_name")).containsExactly(
                "session_start", "user_prompt_submit", "Read/PreToolUse", "Read/PostToolUse", "Bash/PreToolUse",
                "Bash/PermissionRequest", "github/PreToolUse", "session_end");
        assertThat(events.get(0).timeNanos()).isEqualTo(Timestamps.parseRfc3339("2026-11-27T09:00:00Z"));
        assertThat(events).allSatisfy(e -> assertThat(e.getString(AGENT_SESSION)).isEqualTo(SESSION));
        assertThat(events.stream().filter(e -> e.has(PROC_CMDLINE)).map(e -> e.getString(PROC_CMDLINE)))
                .containsExactly("pip install flask-gpt-helper");
    }

    @Test
    void theTokensAgentFillsPayloadsThatNameNone() throws Exception {
        ingest.post(PATH, LAPTOP, IngestFixture.example("claude-code/pre-tool-use-bash.json"));

        assertThat(ingest.take(1).get(0).getString(AGENT_ID)).isEqualTo("dev-laptop");
    }

    @Test
    void aSessionOutsideTheTokensBindingIsRefusedAndReported() throws Exception {
        final HttpResponse<String> response = ingest.post(PATH, CI,
                IngestFixture.example("claude-code/pre-tool-use-bash.json"));

        assertThat(response.statusCode()).isEqualTo(403);
        final Rejection rejection = ingest.takeRejection();
        assertThat(rejection.reason()).isEqualTo(Reason.IDENTITY_NOT_ALLOWED);
        assertThat(rejection.raw()).contains("pip install flask-gpt-helper");
        assertThat(ingest.violations).singleElement().satisfies(v -> {
            assertThat(v.field()).isEqualTo("agent.session");
            assertThat(v.claimed()).isEqualTo(SESSION);
        });
        assertThat(ingest.events).isEmpty();
    }

    @Test
    void aPayloadWithoutAHookNameIsRejectedAndKept() throws Exception {
        final byte[] body = "{\"session_id\":\"s-1\",\"tool_name\":\"Bash\"}".getBytes(StandardCharsets.UTF_8);

        final HttpResponse<String> response = ingest.post(PATH, ANY, body);

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("missing_field", "hook_event_name");
        final Rejection rejection = ingest.takeRejection();
        assertThat(rejection.reason()).isEqualTo(Reason.MISSING_FIELD);
        assertThat(rejection.raw()).isEqualTo(new String(body, StandardCharsets.UTF_8));
    }

    @Test
    void aBodyThatIsNotJsonIsRejectedAsMalformed() throws Exception {
        final HttpResponse<String> response = ingest.post(PATH, ANY, "{\"hook_event_name\": ".getBytes(StandardCharsets.UTF_8));

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(ingest.takeRejection().reason()).isEqualTo(Reason.MALFORMED_JSON);
    }
}
