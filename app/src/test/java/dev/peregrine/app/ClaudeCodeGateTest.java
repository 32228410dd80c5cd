package dev.peregrine.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.peregrine.collector.adapters.JsonTree;
import dev.peregrine.collector.event.Event;
import dev.peregrine.collector.ingest.IdentityPattern;
import dev.peregrine.collector.ingest.IngestLimits;
import dev.peregrine.collector.ingest.IngestServer;
import dev.peregrine.collector.ingest.TokenBinding;
import dev.peregrine.collector.source.SourceListener;
import dev.peregrine.collector.deadletter.Rejection;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code peregrine hook --gate} against a real Peregrine HTTP server on 127.0.0.1 with the shipped
 * rules: a PreToolUse call a Critical rule matches is denied in Claude Code's own terms, anything
 * else, and a Peregrine that is down, is allowed, and the hook always exits 0.
 */
class ClaudeCodeGateTest {

    private static final String TOKEN = "gate-token-0123456789abcdef";

    @TempDir
    Path dir;

    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private HttpServer server;
    private ExecutorService executor;
    private IngestServer ingest;
    private Thread reader;
    private ClaudeCodeGate gate;
    private String url;

    @BeforeEach
    void start() throws IOException {
        final List<TokenBinding> tokens = List.of(new TokenBinding("laptop", TOKEN, IdentityPattern.ANY));
        ingest = new IngestServer(tokens, IngestLimits.DEFAULTS, violation -> { });
        gate = new ClaudeCodeGate(tokens, RuleFiles.load(List.of()));
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        executor = Executors.newFixedThreadPool(2);
        server.setExecutor(executor);
        ingest.mount(server);
        server.createContext(ClaudeCodeGate.PATH, gate);
        server.start();
        url = "http://127.0.0.1:" + server.getAddress().getPort();
        reader = new Thread(() -> {
            try {
                ingest.read(new SourceListener() {
                    @Override
                    public void onEvent(final Event event) {
                        events.add(event);
                    }

                    @Override
                    public void onRejected(final Rejection rejection) {
                        // the gate tests post valid payloads
                    }
                });
            } catch (final IOException e) {
                throw new UncheckedIOException(e);
            }
        }, "gate-test-reader");
        reader.start();
    }

    @AfterEach
    void stop() throws InterruptedException {
        server.stop(0);
        executor.shutdownNow();
        ingest.close();
        reader.join(TimeUnit.SECONDS.toMillis(10));
    }

    @Test
    void aRecursiveDeleteOfTheRootIsDeniedAndStillForwarded() throws Exception {
        final Result result = hook(url, bash("rm -rf /", "a"), "--gate");

        assertThat(result.exit()).isZero();
        final Map<String, Object> decision = JsonTree.object(JsonTree.object(parse(result.out())).get("hookSpecificOutput"));
        assertThat(decision).containsEntry("hookEventName", "PreToolUse").containsEntry("permissionDecision", "deny");
        assertThat((String) decision.get("permissionDecisionReason"))
                .contains("Peregrine", "Critical", "destructive_rm_system_path");
        final Event forwarded = events.poll(10, TimeUnit.SECONDS);
        assertThat(forwarded).as("the payload still reaches the monitor").isNotNull();
        assertThat(forwarded.extra("tool_use_id")).isEqualTo("toolu_a");
        assertThat(gate.outcomes()).containsEntry("deny", 1L);
    }

    @Test
    void aCurlToTheCloudMetadataServiceIsDenied() throws Exception {
        final Result result = hook(url,
                bash("curl -s http://169.254.169.254/latest/meta-data/iam/security-credentials/", "m"), "--gate");

        assertThat(result.exit()).isZero();
        assertThat(result.out()).contains("\"permissionDecision\":\"deny\"", "agent_http_metadata_request");
    }

    @Test
    void anOrdinaryCommandIsAllowedWithNothingOnStdout() throws Exception {
        final Result result = hook(url, bash("ls -la", "l"), "--gate");

        assertThat(result.exit()).isZero();
        assertThat(result.out()).isEmpty();
        assertThat(events.poll(10, TimeUnit.SECONDS)).isNotNull();
        assertThat(gate.outcomes()).containsEntry("allow", 1L);
    }

    @Test
    void withoutGateTheHookNeverAsks() throws Exception {
        final Result result = hook(url, bash("rm -rf /", "n"));

        assertThat(result.exit()).isZero();
        assertThat(result.out()).isEmpty();
        assertThat(events.poll(10, TimeUnit.SECONDS)).isNotNull();
        assertThat(gate.outcomes()).isEmpty();
    }

    @Test
    void whenPeregrineIsDownTheCallIsAllowedAndTheHookExitsZero() throws Exception {
        final int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }

        final Result result = hook("http://127.0.0.1:" + closedPort, bash("rm -rf /", "d"), "--gate");

        assertThat(result.exit()).isZero();
        assertThat(result.out()).isEmpty();
        assertThat(result.err()).contains("gate", "allowed");
    }

    @Test
    void theGateAnswersOnlyIngestTokens() throws Exception {
        final HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(url + ClaudeCodeGate.PATH))
                        .header("Authorization", "Bearer not-a-configured-token-at-all")
                        .POST(HttpRequest.BodyPublishers.ofString(bash("rm -rf /", "t"))).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(gate.outcomes()).containsEntry("unauthorized", 1L);
    }

    @Test
    void aBodyThatIsNoHookPayloadIsRefusedWithItsReason() throws Exception {
        final HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(url + ClaudeCodeGate.PATH))
                        .header("Authorization", "Bearer " + TOKEN)
                        .POST(HttpRequest.BodyPublishers.ofString("{\"tool_name\":\"Bash\"}")).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
        assertThat(response.body()).contains("hook_event_name");
    }

    private static String bash(final String command, final String id) {
        return JsonTree.write(Map.of("session_id", "sess-1", "cwd", "/workspace/api", "hook_event_name", "PreToolUse",
                "tool_name", "Bash", "tool_input", Map.of("command", command), "tool_use_id", "toolu_" + id));
    }

    private static Object parse(final String text) throws Exception {
        final byte[] bytes = text.strip().getBytes(StandardCharsets.UTF_8);
        return JsonTree.parse(bytes, bytes.length);
    }

    private record Result(int exit, String out, String err) {
    }

    private Result hook(final String base, final String stdin, final String... args) {
        final HookCommand command = new HookCommand();
        command.stdin = new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8));
        command.environment = Map.of("PEREGRINE_URL", base, "PEREGRINE_TOKEN", TOKEN,
                "PEREGRINE_HOOK_SPOOL", dir.resolve("spool.ndjson").toString());
        final CommandLine commandLine = new CommandLine(command);
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        final int exit = commandLine.execute(args);
        return new Result(exit, out.toString(), err.toString());
    }
}
