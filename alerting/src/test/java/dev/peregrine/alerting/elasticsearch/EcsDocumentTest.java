package dev.peregrine.alerting.elasticsearch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.peregrine.alerting.Alert;
import dev.peregrine.alerting.Priority;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EcsDocumentTest {

    /** The README's example: a shell spawned by the agent's tool process. */
    static Alert shellSpawned(final String id, final long count) {
        final Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("agent.id", "ci-runner");
        fields.put("agent.session", "s-8f2c");
        fields.put("sandbox.id", "sbx-12");
        fields.put("proc.name", "bash");
        fields.put("proc.cmdline", "bash -c cat ~/.ssh/id_ed25519");
        fields.put("proc.pname", "python3");
        fields.put("proc.pcmdline", "python3 /opt/agent/runner.py --session s-8f2c");
        fields.put("proc.pid", 520L);
        fields.put("proc.cwd", "/workspace/api");
        fields.put("user.name", "alice");
        fields.put("host.name", "sandbox-host-3");
        fields.put("container.id", "3ad7b26ded6d");
        fields.put("fd.name", "/root/.ssh/id_ed25519");
        fields.put("fd.sip", "169.254.169.254");
        fields.put("fd.sip.name", "metadata.google.internal");
        final long time = 1_795_342_527_030_000_000L;
        return new Alert(id, time, "agent_shell_spawned", "Shell spawned by agent tool process", Priority.NOTICE,
                "syscall", "sandbox-host-3",
                List.of("maturity_incubating", "shell", "mitre_execution", "mitre_credential_access", "T1059",
                        "T1059.004", "T1552.004"),
                "Shell spawned by agent tool process (command=bash -c cat ~/.ssh/id_ed25519)", fields, "ci-runner",
                "s-8f2c", count, time, time + 1_000_000L * (count - 1));
    }

    private final EcsDocument ecs = new EcsDocument();

    @Test
    void falcoOutputFieldsLandInTheirEcsFields() {
        final Map<String, Object> doc = ecs.toTree(shellSpawned("03c2ed50acc3475585c47ebecc31565b", 1));
        assertThat(doc).containsEntry("@timestamp", "2026-11-22T10:15:27.030000000Z")
                .containsEntry("message", "Shell spawned by agent tool process (command=bash -c cat ~/.ssh/id_ed25519)");
        assertThat(doc.get("event")).asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
                .containsEntry("kind", "alert").containsEntry("severity", 5).containsEntry("provider", "syscall")
                .containsEntry("id", "03c2ed50acc3475585c47ebecc31565b");
        assertThat(doc.get("rule")).isEqualTo(Map.of("id", "agent_shell_spawned",
                "name", "Shell spawned by agent tool process",
                "description", "Shell spawned by agent tool process (command=bash -c cat ~/.ssh/id_ed25519)",
                "ruleset", "peregrine"));
        assertThat(doc.get("process")).isEqualTo(Map.of("name", "bash",
                "command_line", "bash -c cat ~/.ssh/id_ed25519", "pid", 520L, "working_directory", "/workspace/api",
                "parent", Map.of("name", "python3", "command_line", "python3 /opt/agent/runner.py --session s-8f2c")));
        assertThat(doc.get("user")).isEqualTo(Map.of("name", "alice"));
        assertThat(doc.get("host")).isEqualTo(Map.of("name", "sandbox-host-3"));
        assertThat(doc.get("container")).isEqualTo(Map.of("id", "3ad7b26ded6d"));
        assertThat(doc.get("destination")).isEqualTo(Map.of("address", "169.254.169.254",
                "domain", "metadata.google.internal"));
    }

    @Test
    void mitreTagsBecomeThreatTechniquesAndTactics() {
        final Map<String, Object> doc = ecs.toTree(shellSpawned("x", 1));
        assertThat(doc.get("threat")).isEqualTo(Map.of("framework", "MITRE ATT&CK",
                "tactic", Map.of("name", List.of("Execution", "Credential Access")),
                "technique", Map.of("id", List.of("T1059", "T1552"),
                        "subtechnique", Map.of("id", List.of("T1059.004", "T1552.004")))));
    }

    @Test
    void everythingWithoutAnEcsHomeIsKeptUnderPeregrine() {
        final Map<String, Object> doc = ecs.toTree(shellSpawned("x", 5));
        assertThat(doc.get("peregrine")).asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
                .containsEntry("rule_id", "agent_shell_spawned").containsEntry("agent", "ci-runner")
                .containsEntry("session", "s-8f2c").containsEntry("sandbox", "sbx-12").containsEntry("count", 5L)
                .containsEntry("priority", "Notice")
                .containsEntry("fields", Map.of("fd_name", "/root/.ssh/id_ed25519"));
    }

    @Test
    void aNumericFieldWithAnOddValueStaysOutOfTheLongField() {
        final Alert alert = shellSpawned("x", 1);
        final Map<String, Object> fields = new LinkedHashMap<>(alert.outputFields());
        fields.put("proc.pid", "<NA>");
        final Alert odd = new Alert(alert.id(), alert.timeNanos(), alert.ruleId(), alert.rule(), alert.priority(),
                alert.source(), alert.hostname(), alert.tags(), alert.output(), fields, alert.agent(), alert.session(),
                1, alert.firstSeenNanos(), alert.lastSeenNanos());
        final String json = new String(ecs.toJson(odd), StandardCharsets.UTF_8);
        assertThat(json).doesNotContain("\"pid\"").contains("\"proc_pid\":\"<NA>\"");
    }
}
