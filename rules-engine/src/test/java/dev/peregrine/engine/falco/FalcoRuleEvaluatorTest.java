package dev.peregrine.engine.falco;

import static dev.peregrine.collector.event.StandardFields.AGENT_ID;
import static dev.peregrine.collector.event.StandardFields.AGENT_SESSION;
import static dev.peregrine.collector.event.StandardFields.EVT_RES;
import static dev.peregrine.collector.event.StandardFields.EVT_SOURCE;
import static dev.peregrine.collector.event.StandardFields.EVT_TYPE;
import static dev.peregrine.collector.event.StandardFields.FD_NAME;
import static dev.peregrine.collector.event.StandardFields.HOST_NAME;
import static dev.peregrine.collector.event.StandardFields.PROC_ARGS;
import static dev.peregrine.collector.event.StandardFields.PROC_NAME;
import static dev.peregrine.collector.event.StandardFields.PROC_PID;
import static dev.peregrine.collector.event.StandardFields.PROC_PNAME;
import static dev.peregrine.collector.event.StandardFields.TOOL_ACTION;
import static dev.peregrine.collector.event.StandardFields.TOOL_OUTCOME;
import static org.assertj.core.api.Assertions.assertThat;

import dev.peregrine.alerting.Alert;
import dev.peregrine.alerting.Priority;
import dev.peregrine.collector.event.Event;
import dev.peregrine.collector.event.FieldRegistry;
import dev.peregrine.engine.rules.RuleFile;
import dev.peregrine.engine.rules.RuleLoader;
import dev.peregrine.engine.rules.RuleSet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class FalcoRuleEvaluatorTest {

    private static final long T0 = 1_795_000_000_000_000_000L;

    private FalcoRuleEvaluator evaluator;

    @BeforeEach
    void loadExampleRules() throws Exception {
        final RuleSet rules = new RuleLoader(FieldRegistry.standard()).loadFiles(List.of(RuleFile.ofResource(
                getClass().getClassLoader(), "dev/peregrine/engine/rules/sandbox_example.yaml")));
        evaluator = new FalcoRuleEvaluator(rules);
    }

    private static Event.Builder syscall(final String type) {
        return Event.builder().time(T0).set(EVT_SOURCE, "syscall").set(EVT_TYPE, type)
                .set(HOST_NAME, "sbx-host").set(AGENT_ID, "ci-runner").set(AGENT_SESSION, "s-1");
    }

    private static Event shellFromNode() {
        return syscall("execve").set(PROC_NAME, "bash").set(PROC_ARGS, "-c id").set(PROC_PNAME, "node")
                .set(PROC_PID, 4242L).build();
    }

    @Test
    void matchingEventRaisesOneAlertWithEveryField() {
        final List<Alert> alerts = evaluator.evaluate(shellFromNode());
        assertThat(alerts).singleElement().satisfies(alert -> {
            assertThat(alert.ruleId()).isEqualTo("shell_spawned_by_agent");
            assertThat(alert.rule()).isEqualTo("Shell spawned by agent");
            assertThat(alert.priority()).isEqualTo(Priority.WARNING);
            assertThat(alert.timeNanos()).isEqualTo(T0);
            assertThat(alert.firstSeenNanos()).isEqualTo(T0);
            assertThat(alert.lastSeenNanos()).isEqualTo(T0);
            assertThat(alert.count()).isEqualTo(1);
            assertThat(alert.source()).isEqualTo("syscall");
            assertThat(alert.hostname()).isEqualTo("sbx-host");
            assertThat(alert.agent()).isEqualTo("ci-runner");
            assertThat(alert.session()).isEqualTo("s-1");
            assertThat(alert.tags()).containsExactly("process", "mitre_execution");
        });
    }

    @Test
    void outputRendersFieldValuesAndNaForMissingOnes() {
        final Alert alert = evaluator.evaluate(shellFromNode()).get(0);
        assertThat(alert.output()).isEqualTo(
                "Shell spawned (proc=bash parent=node cmdline=bash -c id session=s-1 pid=4242)");
        final Event noParentArgs = syscall("execve").set(PROC_NAME, "sh").set(PROC_PNAME, "python3").build();
        assertThat(evaluator.evaluate(noParentArgs).get(0).output())
                .isEqualTo("Shell spawned (proc=sh parent=python3 cmdline=sh session=s-1 pid=<NA>)");
    }

    @Test
    void outputFieldsAreTypedInTemplateOrderWithNullForMissing() {
        final Map<String, Object> expected = new LinkedHashMap<>();
        expected.put("proc.name", "sh");
        expected.put("proc.pname", "python3");
        expected.put("proc.cmdline", "sh");
        expected.put("agent.session", "s-1");
        expected.put("proc.pid", null);
        final Event event = syscall("execve").set(PROC_NAME, "sh").set(PROC_PNAME, "python3").build();
        final Alert alert = evaluator.evaluate(event).get(0);
        assertThat(new ArrayList<>(alert.outputFields().entrySet())).isEqualTo(new ArrayList<>(expected.entrySet()));
        assertThat(evaluator.evaluate(shellFromNode()).get(0).outputFields().get("proc.pid")).isEqualTo(4242L);
    }

    @Test
    void ruleForExecveIsNotEvaluatedForOpenat() {
        evaluator.evaluate(syscall("openat").set(PROC_NAME, "bash").set(PROC_PNAME, "node")
                .set(FD_NAME, "/tmp/x").build());
        final RuleStats stats = evaluator.stats();
        assertThat(stats.evaluated("shell_spawned_by_agent")).isZero();
        assertThat(stats.evaluated("read_shadow")).isEqualTo(1);
        assertThat(stats.evaluated("any_failed_syscall")).isEqualTo(1);
        assertThat(stats.evaluated("agent_tool_call_denied")).isZero();
        assertThat(stats.matched("read_shadow")).isZero();
    }

    @Test
    void countersCountEvaluationsAndMatches() {
        evaluator.evaluate(shellFromNode());
        evaluator.evaluate(syscall("execve").set(PROC_NAME, "ls").set(PROC_PNAME, "node").build());
        final RuleStats stats = evaluator.stats();
        assertThat(stats.evaluated("shell_spawned_by_agent")).isEqualTo(2);
        assertThat(stats.matched("shell_spawned_by_agent")).isEqualTo(1);
        assertThat(stats.snapshot()).extracting(RuleStats.Counts::ruleId).containsExactly(
                "shell_spawned_by_agent", "read_shadow", "any_failed_syscall", "agent_tool_call_denied");
    }

    @Test
    void eventOfUnindexedTypeMeetsOnlyCatchAllRules() {
        assertThat(evaluator.candidateCount("syscall", "connect")).isEqualTo(1);
        assertThat(evaluator.candidateCount("syscall", "execve")).isEqualTo(2);
        assertThat(evaluator.candidateCount("agent", "tool_call")).isEqualTo(1);
        assertThat(evaluator.candidateCount("agent", "llm_call")).isZero();
        assertThat(evaluator.candidateCount("k8s_audit", "x")).isZero();
    }

    @Test
    void syscallRulesSeeEveryOsLevelSourceButNotAgentEvents() {
        for (final String source : List.of("syscall", "auditd", "tetragon", "procfs", "falco")) {
            final Event denied = syscall("openat").set(EVT_SOURCE, source).set(EVT_RES, "EACCES").build();
            assertThat(evaluator.evaluate(denied)).as(source).extracting(Alert::ruleId).containsExactly("any_failed_syscall");
        }
        final Event agentFailure = syscall("tool_call").set(EVT_SOURCE, "agent").set(EVT_RES, "EACCES").build();
        assertThat(evaluator.evaluate(agentFailure)).isEmpty();
    }

    @Test
    void eventWithoutSourceCountsAsSyscall() {
        final Event event = Event.builder().time(T0).set(EVT_TYPE, "openat").set(EVT_RES, "ENOENT").build();
        assertThat(evaluator.evaluate(event)).extracting(Alert::ruleId).containsExactly("any_failed_syscall");
        assertThat(evaluator.evaluate(event).get(0).source()).isEqualTo("syscall");
    }

    @Test
    void agentRulesSeeOnlyAgentEvents() {
        final Event denied = Event.builder().time(T0).set(EVT_SOURCE, "agent").set(EVT_TYPE, "tool_call")
                .set(TOOL_OUTCOME, "denied").set(TOOL_ACTION, "git:push").build();
        assertThat(evaluator.evaluate(denied)).singleElement().satisfies(alert -> {
            assertThat(alert.ruleId()).isEqualTo("agent_tool_call_denied");
            assertThat(alert.output()).isEqualTo("denied git:push on <NA>");
            assertThat(alert.source()).isEqualTo("agent");
        });
        assertThat(evaluator.evaluate(denied.with(EVT_SOURCE, "syscall"))).isEmpty();
    }

    @Test
    void disabledRulesAreNotEvaluated() {
        evaluator.evaluate(shellFromNode());
        assertThat(evaluator.stats().evaluated("disabled_rule")).isZero();
        assertThat(evaluator.evaluate(shellFromNode())).extracting(Alert::ruleId).doesNotContain("disabled_rule");
    }

    @Test
    void alertIdIsDeterministicAndSeparatesEventsInTheSameNanosecond() {
        final Alert first = evaluator.evaluate(shellFromNode()).get(0);
        final Alert again = evaluator.evaluate(shellFromNode()).get(0);
        final Alert otherProcess = evaluator.evaluate(shellFromNode().with(PROC_PID, 4343L)).get(0);
        assertThat(again.id()).isEqualTo(first.id());
        assertThat(otherProcess.id()).isNotEqualTo(first.id());
        assertThat(first.id()).hasSize(32);
    }

    @Test
    void severalMatchingRulesAlertInLoadOrder() {
        final Event failedShell = syscall("execve").set(PROC_NAME, "sh").set(PROC_PNAME, "node")
                .set(EVT_RES, "EPERM").build();
        assertThat(evaluator.evaluate(failedShell)).extracting(Alert::ruleId)
                .containsExactly("shell_spawned_by_agent", "any_failed_syscall");
    }

    @Test
    void onEventHandsAlertsToTheConsumerLikeAnyDetector() {
        final List<Alert> alerts = new ArrayList<>();
        evaluator.onEvent(shellFromNode(), alerts::add);
        assertThat(alerts).hasSize(1);
    }

    @Test
    void timestampFieldsRenderAsRfc3339() throws Exception {
        final RuleSet rules = new RuleLoader(FieldRegistry.standard()).load("t.yaml", """
                - rule: Time
                  condition: evt.type = x
                  output: at %evt.time by %{proc.name}.
                  priority: INFO
                """);
        final Alert alert = new FalcoRuleEvaluator(rules).evaluate(syscall("x").set(PROC_NAME, "sh").build()).get(0);
        assertThat(alert.output()).startsWith("at 2026-").endsWith("Z by sh.");
        assertThat(alert.outputFields().get("evt.time")).isEqualTo(T0);
    }

    @Test
    void eventTypeIndexSkipsRulesThatCannotMatchAcrossManyTypes() throws Exception {
        final StringBuilder yaml = new StringBuilder();
        final List<String> types = Arrays.asList("execve", "openat", "connect", "unlink");
        for (final String type : types) {
            yaml.append("- rule: On ").append(type).append("\n  condition: evt.type = ").append(type)
                    .append("\n  output: x\n  priority: INFO\n");
        }
        final FalcoRuleEvaluator many = new FalcoRuleEvaluator(new RuleLoader(FieldRegistry.standard())
                .load("many.yaml", yaml.toString()));
        for (final String type : types) {
            assertThat(many.evaluate(syscall(type).build())).extracting(Alert::ruleId).containsExactly("on_" + type);
        }
        for (final String type : types) {
            assertThat(many.stats().evaluated("on_" + type)).isEqualTo(1);
        }
    }

    @Test
    void ruleForASourcePeregrineDoesNotIngestNeverFiresEvenOnAMatchingEvent() throws Exception {
        final RuleSet rules = new RuleLoader(FieldRegistry.standard()).load("k8s.yaml", """
                - rule: K8s exec
                  condition: ka.verb = create
                  output: exec
                  priority: NOTICE
                  source: k8s_audit
                """);
        final FalcoRuleEvaluator k8s = new FalcoRuleEvaluator(rules);
        final Event event = Event.builder().time(T0).set(EVT_SOURCE, "k8s_audit").extra("ka.verb", "create").build();
        assertThat(k8s.evaluate(event)).isEmpty();
        assertThat(k8s.candidateCount("k8s_audit", null)).isZero();
        assertThat(k8s.stats().snapshot()).isEmpty();
    }

    @Test
    void exceptionAppendedInALocalFileSilencesOnlyTheListedCombination() throws Exception {
        final RuleSet rules = new RuleLoader(FieldRegistry.standard()).loadFiles(List.of(
                new RuleFile("base.yaml", """
                        - rule: Shell from agent
                          condition: evt.type = execve and proc.name in (bash, sh)
                          output: shell %proc.name under %proc.pname
                          priority: WARNING
                          exceptions:
                            - name: parent_shell
                              fields: [proc.pname, proc.name]
                        """),
                new RuleFile("local.yaml", """
                        - rule: Shell from agent
                          exceptions:
                            - name: parent_shell
                              values:
                                - [make, sh]
                          override:
                            exceptions: append
                        """)));
        final FalcoRuleEvaluator local = new FalcoRuleEvaluator(rules);
        final Event fromMake = syscall("execve").set(PROC_NAME, "sh").set(PROC_PNAME, "make").build();
        final Event bashFromMake = syscall("execve").set(PROC_NAME, "bash").set(PROC_PNAME, "make").build();
        assertThat(local.evaluate(fromMake)).isEmpty();
        assertThat(local.evaluate(bashFromMake)).extracting(Alert::output).containsExactly("shell bash under make");
        assertThat(local.candidateCount("syscall", "execve")).isEqualTo(1);
        assertThat(local.candidateCount("syscall", "openat")).isZero();
    }
}
