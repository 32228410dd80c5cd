package dev.peregrine.app.console;

import static dev.peregrine.collector.event.StandardFields.AGENT_ID;
import static dev.peregrine.collector.event.StandardFields.AGENT_SESSION;
import static dev.peregrine.collector.event.StandardFields.EVT_TYPE;
import static dev.peregrine.collector.event.StandardFields.PLATFORM_OP;
import static dev.peregrine.collector.event.StandardFields.PLATFORM_OUTCOME;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.peregrine.alerting.Alert;
import dev.peregrine.alerting.AlertSink;
import dev.peregrine.alerting.Priority;
import dev.peregrine.alerting.suppress.SuppressingSink;
import dev.peregrine.collector.event.Event;
import dev.peregrine.collector.ingest.IdentityPattern;
import dev.peregrine.collector.ingest.PlatformAccessEvents;
import dev.peregrine.collector.ingest.TokenBinding;
import dev.peregrine.collector.source.SourceListener;
import dev.peregrine.collector.event.FieldRegistry;
import dev.peregrine.engine.Detector;
import dev.peregrine.engine.cep.CepCompiler;
import dev.peregrine.engine.cep.CepProgram;
import dev.peregrine.engine.reload.LoadedRules;
import dev.peregrine.engine.reload.Reload;
import dev.peregrine.engine.reload.ReloadResult;
import dev.peregrine.engine.rules.RuleLoadException;
import dev.peregrine.engine.rules.RuleLoader;
import dev.peregrine.engine.rules.RuleSet;
import dev.peregrine.engine.state.FileSnapshotStateStore;
import dev.peregrine.engine.state.InMemoryStateStore;
import dev.peregrine.engine.state.StateStore;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The console API over real HTTP on 127.0.0.1, fed as the pipeline feeds it: events to its recorders, alerts to its log. */
class ConsoleApiTest {

    private static final String TOKEN = "console-test-token-0123456789";
    private static final Instant NOW = Instant.parse("2026-11-27T10:30:00Z");
    private static final long T0 = Instant.parse("2026-11-27T10:00:00Z").getEpochSecond() * 1_000_000_000L;
    private static final long SECOND = 1_000_000_000L;

    private final HttpClient http = HttpClient.newHttpClient();
    private final List<Alert> delivered = new ArrayList<>();
    private HttpServer server;
    private Console console;
    private AlertSink pipeline;

    private void start(final StateStore state) throws IOException {
        start(state, null, null);
    }

    private void start(final StateStore state, final RunningRules rules, final KibanaLink kibana) throws IOException {
        console = new Console(List.of(new TokenBinding("analyst", TOKEN, IdentityPattern.ANY)), state,
                Clock.fixed(NOW, ZoneOffset.UTC), new PlatformAccessEvents(), rules, kibana);
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        console.mount(server);
        server.start();
        // as Monitor wires it: suppressions before delivery, the log among the delivered outputs
        final AlertSink log = console.alertLog();
        pipeline = new SuppressingSink(alert -> {
            delivered.add(alert);
            log.deliver(alert);
        }, console.suppressions());
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    private static Event event(final String agent, final String session, final long time, final String tool) {
        return Event.builder().time(time).set(AGENT_ID, agent).set(AGENT_SESSION, session)
                .set(EVT_TYPE, "tool_call").extra("tool", tool).build();
    }

    private static Alert alert(final String ruleId, final Priority priority, final String agent, final String session,
                               final long time) {
        return new Alert(Alert.deterministicId(ruleId, session, time), time, ruleId, "Rule " + ruleId, priority,
                "agent", "h", List.of("agent", "mitre_execution", "T1059"), ruleId + " by " + agent,
                Map.of("agent.id", agent), agent, session, 1, time, time);
    }

    private void see(final Event event) {
        for (final Detector recorder : console.recorders()) {
            recorder.onEvent(event, alert -> { });
        }
    }

    private HttpResponse<String> get(final String path) throws Exception {
        return send("GET", path, null, TOKEN);
    }

    private HttpResponse<String> send(final String method, final String path, final String body, final String token)
            throws Exception {
        final HttpRequest.Builder request = HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path))
                .timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private void twoAgentsWithAlerts() throws IOException {
        for (int i = 0; i < 5; i++) {
            see(event("ci-runner", "s-1", T0 + i * SECOND, "tool-" + i));
            see(event("deployer", "s-9", T0 + i * SECOND, "deploy-" + i));
        }
        pipeline.deliver(alert("shell_spawned", Priority.WARNING, "ci-runner", "s-1", T0 + 2 * SECOND));
        pipeline.deliver(alert("secret_read", Priority.CRITICAL, "deployer", "s-9", T0 + 3 * SECOND));
        pipeline.deliver(alert("shell_spawned", Priority.NOTICE, "deployer", "s-9", T0 + 4 * SECOND));
    }

    @Test
    void everyDataPathNeedsAConfiguredTokenButThePageDoesNot() throws Exception {
        start(new InMemoryStateStore());
        for (final String path : List.of("/v1/alerts", "/v1/agents", "/v1/suppressions", "/v1/alerts/x")) {
            final HttpResponse<String> anonymous = send("GET", path, null, null);
            assertThat(anonymous.statusCode()).as(path).isEqualTo(401);
            assertThat(anonymous.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"peregrine\"");
            assertThat(send("GET", path, null, "not-a-configured-token-at-all").statusCode()).as(path).isEqualTo(401);
        }
        final HttpResponse<String> page = send("GET", "/", null, null);
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("text/html"));
        assertThat(page.body()).contains("/console/app.js");
        assertThat(send("GET", "/console/app.js", null, null).statusCode()).isEqualTo(200);
        assertThat(send("GET", "/console/app.css", null, null).statusCode()).isEqualTo(200);
        assertThat(send("GET", "/console/../pom.xml", null, null).statusCode()).isEqualTo(404);
        assertThat(send("GET", "/nothing-here", null, null).statusCode()).isEqualTo(404);
    }

    @Test
    void alertsComeNewestFirstFilteredAndPaged() throws Exception {
        start(new InMemoryStateStore());
        twoAgentsWithAlerts();

        final String all = get("/v1/alerts").body();
        assertThat(all).contains("\"matched\":3");
        assertThat(all.indexOf("Rule shell_spawned\",\"priority\":\"Notice\"")).isLessThan(all.indexOf("secret_read"));
        assertThat(all.indexOf("secret_read")).isLessThan(all.indexOf("\"priority\":\"Warning\""));

        assertThat(get("/v1/alerts?agent=deployer").body()).contains("\"matched\":2").doesNotContain("\"agent\":\"ci-runner\"");
        assertThat(get("/v1/alerts?priority=warning").body()).contains("\"matched\":2").doesNotContain("Notice");
        assertThat(get("/v1/alerts?rule=shell_spawned&session=s-9").body()).contains("\"matched\":1");
        assertThat(get("/v1/alerts?since=2026-11-27T10:00:03Z&until=2026-11-27T10:00:04Z").body())
                .contains("\"matched\":1", "secret_read");

        final String first = get("/v1/alerts?limit=2").body();
        assertThat(first).contains("\"next_cursor\":\"2\"");
        final String second = get("/v1/alerts?limit=2&cursor=2").body();
        assertThat(second).contains("\"next_cursor\":null", "\"priority\":\"Warning\"").doesNotContain("secret_read");

        assertThat(get("/v1/alerts?priority=loud").statusCode()).isEqualTo(400);
        assertThat(get("/v1/alerts?since=yesterday").body()).contains("bad_query", "RFC 3339");
        assertThat(get("/v1/alerts?limit=100000").statusCode()).isEqualTo(400);
        assertThat(send("DELETE", "/v1/alerts", null, TOKEN).statusCode()).isEqualTo(405);
    }

    @Test
    void countsByRuleAndPriorityOverTime() throws Exception {
        start(new InMemoryStateStore());
        twoAgentsWithAlerts();
        final String counts = get("/v1/alerts/counts?bucket=2").body();
        assertThat(counts).contains("\"by_rule\":{", "\"shell_spawned\":2", "\"secret_read\":1",
                "\"by_priority\":{", "\"Critical\":1",
                "{\"start\":\"2026-11-27T10:00:02.000000000Z\",\"by_priority\":{\"Critical\":1,\"Warning\":1}}",
                "{\"start\":\"2026-11-27T10:00:04.000000000Z\",\"by_priority\":{\"Notice\":1}}");
    }

    @Test
    void anAlertsDetailHasItsFieldsTagsEvidenceAndTheAgentsTimelineAndCanBeAcknowledged() throws Exception {
        start(new InMemoryStateStore());
        twoAgentsWithAlerts();
        final String id = Alert.deterministicId("shell_spawned", "s-1", T0 + 2 * SECOND);

        final String detail = get("/v1/alerts/" + id).body();
        assertThat(detail).contains("\"output\":\"shell_spawned by ci-runner\"", "\"output_fields\":{\"agent.id\":\"ci-runner\"}",
                "\"mitre\":[\"mitre_execution\",\"T1059\"]", "\"ack\":null",
                "\"evidence\":[{", "\"tool\":\"tool-2\"", "\"before\":[{", "\"tool\":\"tool-0\"", "\"tool\":\"tool-1\"",
                "\"after\":[{", "\"tool\":\"tool-3\"", "\"tool\":\"tool-4\"").doesNotContain("deploy-");
        assertThat(get("/v1/alerts/no-such-alert").statusCode()).isEqualTo(404);
        assertThat(detail).as("no Kibana configured, no link").contains("\"kibana_url\":null");

        final HttpResponse<String> ack = send("POST", "/v1/alerts/" + id + "/ack", "", TOKEN);
        assertThat(ack.statusCode()).isEqualTo(200);
        assertThat(ack.body()).contains("\"ack\":{\"by\":\"analyst\",\"at\":\"2026-11-27T10:30:00Z\"}");
        assertThat(get("/v1/alerts?acked=false").body()).contains("\"matched\":2");
        assertThat(send("GET", "/v1/alerts/" + id + "/ack", null, TOKEN).statusCode()).isEqualTo(405);

        final List<Event> audit = drain(console.auditEvents());
        assertThat(audit).singleElement().satisfies(event -> {
            assertThat(event.get(EVT_TYPE)).isEqualTo("platform_access");
            assertThat(event.get(PLATFORM_OP)).isEqualTo("console");
            assertThat(event.get(PLATFORM_OUTCOME)).isEqualTo("alert_acknowledged");
            assertThat(event.get(AGENT_ID)).isEqualTo("ci-runner");
            assertThat(event.extra("console.token")).isEqualTo("analyst");
        });
    }

    @Test
    void agentsListEachSessionWithAlertCountsRecentAlertsAndActivity() throws Exception {
        start(new InMemoryStateStore());
        twoAgentsWithAlerts();
        final String agents = get("/v1/agents").body();
        assertThat(agents).contains("{\"agent\":\"ci-runner\",\"session\":\"s-1\",\"alerts\":1,\"open_alerts\":1,"
                        + "\"alerts_by_priority\":{\"Warning\":1},\"events_in_window\":5,"
                        + "\"first_event\":\"2026-11-27T10:00:00.000000000Z\"",
                "{\"agent\":\"deployer\",\"session\":\"s-9\",\"alerts\":2,\"open_alerts\":2,"
                        + "\"alerts_by_priority\":{\"Notice\":1,\"Critical\":1}",
                "\"recent_alerts\":[{\"alert\":{");
    }

    @Test
    void aSuppressionFromAnAlertDropsItsRepeatsCountsThemIsAuditedAndCanBeRemoved() throws Exception {
        start(new InMemoryStateStore());
        twoAgentsWithAlerts();
        final String id = Alert.deterministicId("secret_read", "s-9", T0 + 3 * SECOND);

        final HttpResponse<String> added = send("POST", "/v1/suppressions",
                "{\"alert_id\":\"" + id + "\",\"keys\":[\"agent\"],\"duration\":\"PT4H\",\"reason\":\"rotation job\"}",
                TOKEN);
        assertThat(added.statusCode()).isEqualTo(200);
        assertThat(added.body()).contains("\"rule_id\":\"secret_read\"", "\"match\":{\"agent\":\"deployer\"}",
                "\"expires\":\"2026-11-27T14:30:00Z\"", "\"created_by\":\"analyst\"", "\"active\":true");
        final String suppressionId = added.body().replaceAll(".*\"id\":\"(sup-[^\"]+)\".*", "$1");

        pipeline.deliver(alert("secret_read", Priority.CRITICAL, "deployer", "s-10", T0 + 9 * SECOND));
        pipeline.deliver(alert("secret_read", Priority.CRITICAL, "ci-runner", "s-1", T0 + 9 * SECOND));
        assertThat(delivered).extracting(Alert::agent).endsWith("deployer", "ci-runner").hasSize(4);
        assertThat(get("/v1/suppressions").body()).contains("\"suppressed\":1", "\"suppressed_by_rule\":{\"secret_read\":1}");
        assertThat(get("/v1/alerts/" + id).body()).contains("\"suppressed_by\":[{\"id\":\"" + suppressionId + "\"");

        assertThat(send("DELETE", "/v1/suppressions/" + suppressionId, null, TOKEN).statusCode()).isEqualTo(200);
        assertThat(send("DELETE", "/v1/suppressions/" + suppressionId, null, TOKEN).statusCode()).isEqualTo(404);
        assertThat(get("/v1/suppressions").body()).contains("\"suppressions\":[]");

        assertThat(drain(console.auditEvents())).extracting(event -> event.get(PLATFORM_OUTCOME),
                event -> event.extra("console.rule_id"), event -> event.get(AGENT_ID))
                .containsExactly(org.assertj.core.groups.Tuple.tuple("suppression_added", "secret_read", "deployer"),
                        org.assertj.core.groups.Tuple.tuple("suppression_removed", "secret_read", "deployer"));
    }

    @Test
    void aSuppressionThatCannotBeJudgedOrParsedIsRefusedWithTheReason() throws Exception {
        start(new InMemoryStateStore());
        twoAgentsWithAlerts();
        assertThat(send("POST", "/v1/suppressions", "{\"rule_id\":\"x\",\"duration\":\"PT1H\"}", TOKEN).body())
                .contains("bad_suppression", "reason");
        assertThat(send("POST", "/v1/suppressions", "{\"rule_id\":\"x\",\"reason\":\"r\"}", TOKEN).body())
                .contains("expires");
        assertThat(send("POST", "/v1/suppressions", "{\"rule_id\":\"x\",\"reason\":\"r\",\"expires\":\"2020-01-01T00:00:00Z\"}",
                TOKEN).body()).contains("not in the future");
        assertThat(send("POST", "/v1/suppressions", "{not json", TOKEN).body()).contains("bad_json");
        assertThat(send("POST", "/v1/suppressions", "{\"alert_id\":\"nope\",\"reason\":\"r\",\"duration\":\"PT1H\"}",
                TOKEN).statusCode()).isEqualTo(404);
        assertThat(console.suppressions().all()).isEmpty();
        assertThat(get("/v1/suppressions").body()).contains("\"suppressions\":[]");
    }

    @Test
    void suppressionsAreKeptInTheStateStoreAcrossARestart(@TempDir final Path dir) throws Exception {
        final FileSnapshotStateStore first = FileSnapshotStateStore.open(dir, Duration.ofMinutes(1), Clock.systemUTC());
        start(first);
        assertThat(send("POST", "/v1/suppressions", "{\"rule_id\":\"shell_spawned\",\"match\":{\"agent\":\"ci-runner\"},"
                + "\"expires\":\"2026-11-28T00:00:00Z\",\"reason\":\"sandbox image rebuild\"}", TOKEN).statusCode())
                .isEqualTo(200);
        // the engine thread writes the store when it next runs, and the state's last snapshot follows at close
        for (final Detector recorder : console.recorders()) {
            recorder.close();
        }
        first.close();
        stop();

        start(FileSnapshotStateStore.open(dir, Duration.ofMinutes(1), Clock.systemUTC()));
        assertThat(get("/v1/suppressions").body()).contains("\"rule_id\":\"shell_spawned\"",
                "\"match\":{\"agent\":\"ci-runner\"}", "\"reason\":\"sandbox image rebuild\"");
        pipeline.deliver(alert("shell_spawned", Priority.WARNING, "ci-runner", "s-2", T0));
        assertThat(delivered).isEmpty();
        assertThat(drain(console.auditEvents())).as("a restored suppression is not a new decision").isEmpty();
    }

    @Test
    void agentsShowTheBaselineAndActiveHoursOfTheStatesLastSnapshot(@TempDir final Path dir) throws Exception {
        // as the state directory holds it after a run: one line per entry, in each detector's own encoding
        java.nio.file.Files.writeString(dir.resolve(FileSnapshotStateStore.SNAPSHOT_FILE), """
                {"format":"peregrine-state","version":1}
                {"store":"volume_spike.baseline","key":"ci-runner","value":"1795773600000000000 1795777200000000000 4 12.5 36 false"}
                {"store":"off_hours.learned","key":"ci-runner","value":"1795773600000000000 29929560 0 0 0 0 0 0 0 0 0 30 60 60 0 0 0 0 0 0 0 0 0 0 0 0"}
                {"store":"off_hours.learned","key":"deployer","value":"not what the detector writes"}
                {"entries":3}
                """);
        start(FileSnapshotStateStore.open(dir, Duration.ofMinutes(1), Clock.systemUTC()));
        twoAgentsWithAlerts();

        final String agents = get("/v1/agents").body();
        assertThat(agents).contains("\"learned\":{\"volume_baseline\":{\"since\":\"2026-11-27T10:00:00.000000000Z\","
                        + "\"mean_events_per_window\":12.5,\"windows\":36,\"spiking\":false},"
                        + "\"active_minutes_by_hour\":[0,0,0,0,0,0,0,0,0,30,60,60,0,0,0,0,0,0,0,0,0,0,0,0]}",
                "\"learned\":null", "\"learned_as_of\":\"");
    }

    @Test
    void aRuleIdOpensTheRunningRuleWithItsFileLineAndYamlAndAnAppliedReloadReplacesIt(@TempDir final Path dir)
            throws Exception {
        final Path file = dir.resolve("team.yaml");
        Files.writeString(file, """
                # team rules
                - rule: Shell in agent
                  id: shell_spawned
                  desc: a shell
                  condition: evt.type = tool_call and tool = bash
                  output: shell (agent=%agent.id)
                  priority: WARNING
                  tags: [agent, mitre_execution, T1059]
                  source: agent

                # the next one
                - rule: Secret read
                  id: secret_read
                  condition: evt.type = tool_call and tool = cat
                  output: secret (agent=%agent.id)
                  priority: CRITICAL
                  source: agent
                """);
        final RuleLoader loader = new RuleLoader(FieldRegistry.standard());
        final RunningRules running = new RunningRules(loader.load(List.of(file)));
        start(new InMemoryStateStore(), running, null);

        final HttpResponse<String> rule = get("/v1/rules/shell_spawned");
        assertThat(rule.statusCode()).isEqualTo(200);
        assertThat(rule.body()).contains("\"id\":\"shell_spawned\"", "\"kind\":\"rule\"",
                "\"name\":\"Shell in agent\"", "\"file\":\"" + file + "\"", "\"line\":2",
                "\"yaml\":\"- rule: Shell in agent\\n  id: shell_spawned\\n", "  source: agent\\n\"",
                "\"priority\":\"Warning\"", "\"tags\":[\"agent\",\"mitre_execution\",\"T1059\"]",
                "\"condition\":\"evt.type = tool_call and tool = bash\"", "\"output\":\"shell (agent=%agent.id)\"")
                .doesNotContain("the next one", "Secret read");
        assertThat(get("/v1/rules/secret_read").body()).contains("\"line\":12", "\"priority\":\"Critical\"");
        assertThat(get("/v1/rules/memory_anomaly.cross_read").body()).contains("\"kind\":\"detection\"",
                "\"docs\":\"docs/detections.md#memory_anomaly--poisoned-or-misplaced-llm-memory-entries\"");
        assertThat(get("/v1/rules/no_such_rule").statusCode()).isEqualTo(404);
        assertThat(get("/v1/rules/../alerts").statusCode()).isEqualTo(404);
        assertThat(send("GET", "/v1/rules/shell_spawned", null, null).statusCode()).isEqualTo(401);

        // a reload that is refused keeps the rules; one that is applied replaces them, file text included
        Files.writeString(file, Files.readString(file).replace("priority: WARNING", "priority: ERROR"));
        final CepProgram noCep = new CepCompiler(FieldRegistry.standard()).compile(List.of());
        reload(running, ReloadResult.Outcome.REJECTED, () -> new LoadedRules(loadQuietly(loader, file), noCep));
        assertThat(get("/v1/rules/shell_spawned").body()).contains("\"priority\":\"Warning\"");
        reload(running, ReloadResult.Outcome.APPLIED, () -> new LoadedRules(loadQuietly(loader, file), noCep));
        assertThat(get("/v1/rules/shell_spawned").body()).contains("\"priority\":\"Error\"", "priority: ERROR");
    }

    @Test
    void withKibanaConfiguredAnAlertsDetailLinksToDiscoverFilteredOnTheAlertId() throws Exception {
        start(new InMemoryStateStore(), null, new KibanaLink(URI.create("http://127.0.0.1:5601/kibana/")));
        twoAgentsWithAlerts();
        final String id = Alert.deterministicId("shell_spawned", "s-1", T0 + 2 * SECOND);

        assertThat(get("/v1/alerts/" + id).body()).contains("\"kibana_url\":\"http://127.0.0.1:5601/kibana/app/discover#/"
                + "?_g=(time:(from:'2026-11-27T09:00:02Z',to:'2026-11-27T11:00:02Z'))"
                + "&_a=(query:(language:kuery,query:'event.id:%22" + id + "%22'))\"");
    }

    /** A reload through {@link RunningRules#tracking} that the engine ends with {@code outcome}. */
    private static void reload(final RunningRules running, final ReloadResult.Outcome outcome,
                               final Supplier<LoadedRules> loading) {
        final Function<Supplier<LoadedRules>, Reload> engine = rules -> {
            final LoadedRules loaded = rules.get();
            final ReloadResult result = new ReloadResult(outcome, 1, loaded.rules().rules().size(), List.of(),
                    List.of(), Duration.ZERO);
            return new Reload(CompletableFuture.completedFuture(result), CompletableFuture.completedFuture(result));
        };
        running.tracking(engine).apply(loading).outcome().join();
    }

    private static RuleSet loadQuietly(final RuleLoader loader, final Path file) {
        try {
            return loader.load(List.of(file));
        } catch (final RuleLoadException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<Event> drain(final PlatformAccessEvents audit) throws IOException {
        final List<Event> events = new ArrayList<>();
        audit.close();
        audit.read(new SourceListener() {
            @Override
            public void onEvent(final Event event) {
                events.add(event);
            }

            @Override
            public void onRejected(final dev.peregrine.collector.deadletter.Rejection rejection) {
                throw new AssertionError("audit events are never rejected: " + rejection);
            }
        });
        return events;
    }
}
