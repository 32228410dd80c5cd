package dev.peregrine.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class RulesCommandTest {

    private static final Path RULES = Path.of("src", "test", "resources", "rules");

    @Test
    void validateReportsEveryErrorWithFileLineColumnAndExits2() {
        final String file = RULES.resolve("broken.yaml").toString();

        final CommandLineRun run = CommandLineRun.of("rules", "validate", file);

        assertThat(run.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(run.stderr().lines()).containsExactly(
                file + ":6:14: undefined macro 'open_reed'",
                file + ":12:36: unknown field 'proc.nme' (did you mean 'proc.name'?)",
                file + ":18:28: unbalanced parenthesis: '(' is never closed");
        assertThat(run.stdout()).isEmpty();
    }

    private static final String FALCO_RULES = Path.of("..", "rules-engine", "src", "test", "resources", "falco",
            "upstream", "falco_rules.yaml").toString();
    private static final String LINT_EXAMPLE = Path.of("..", "rules-engine", "src", "test", "resources", "dev",
            "peregrine", "engine", "rules", "lint_example.yaml").toString();

    @Test
    void validateReportsFalcoStableRulesBySourceAndTheFieldsNoSourceFills() {
        final CommandLineRun run = CommandLineRun.of("rules", "validate", FALCO_RULES);

        assertThat(run.exitCode()).as(run.stderr()).isZero();
        assertThat(run.stdout()).contains("OK: 25 rules (25 active), 87 macros, 49 lists")
                .containsPattern("syscall +25 +25 +0")
                .contains("fields no configured source fills (agent, auditd, falco, procfs, tetragon)")
                .containsPattern("thread\\.cap_effective +used by Linux Kernel Module Injection Detected, "
                        + "Detect release_agent File Container Escapes")
                .contains("warnings: 0");
        assertThat(run.stderr()).isEmpty();
    }

    @Test
    void validateWithNativeInputFindsEveryFieldFilled() {
        final CommandLineRun run = CommandLineRun.of("rules", "validate", "--source", "native", FALCO_RULES);

        assertThat(run.exitCode()).isZero();
        assertThat(run.stdout()).contains("fields no configured source fills (native): none");
    }

    @Test
    void validatePrintsFalcosWarningsAndCountsInactiveRulesAndStrictTurnsWarningsIntoExit1() {
        final CommandLineRun lenient = CommandLineRun.of("rules", "validate", "--source", "auditd", LINT_EXAMPLE);
        final CommandLineRun strict = CommandLineRun.of("rules", "validate", "--strict", "--source", "auditd",
                LINT_EXAMPLE);

        assertThat(lenient.exitCode()).isZero();
        assertThat(lenient.stderr()).contains(
                LINT_EXAMPLE + ":8:3: warning: list 'forgotten_list' is not referred to by any rule, macro or list"
                        + " (LOAD_UNUSED_LIST)",
                LINT_EXAMPLE + ":12:3: warning: macro 'forgotten_macro' is not referred to by any rule or macro"
                        + " (LOAD_UNUSED_MACRO)",
                "(SHADOWED_MACRO)", "(LOAD_NO_EVTTYPE)", "(LOAD_UNSAFE_NA_CHECK)");
        assertThat(lenient.stdout()).containsPattern("k8s_audit +1 +1 +1")
                .containsPattern("container\\.id +used by Shell in container")
                .contains("active rules no configured source sends events to: Tool denied");
        assertThat(strict.exitCode()).isEqualTo(ExitCode.INPUT_PROBLEMS);
    }

    @Test
    void validateCountsTheShippedRulesBySourceAndTheirCepStatements() {
        final String shipped = Path.of("..", "rules", "src", "main", "resources", "peregrine", "rules").toString();

        final CommandLineRun run = CommandLineRun.of("rules", "validate", shipped);

        assertThat(run.exitCode()).as(run.stderr()).isZero();
        assertThat(run.stdout()).containsPattern("agent +\\d+ +\\d+ +0").containsPattern("syscall +\\d+ +\\d+ +0")
                .containsPattern("cep statements: \\d+ loaded, \\d+ enabled");
    }

    @Test
    void validateRefusesAnUnknownSource() {
        final CommandLineRun run = CommandLineRun.of("rules", "validate", "--source", "kafka", FALCO_RULES);

        assertThat(run.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(run.stderr()).contains("unknown source 'kafka'");
    }

    @Test
    void validateAcceptsAGoodFile() {
        final CommandLineRun run = CommandLineRun.of("rules", "validate", RULES.resolve("good.yaml").toString());

        assertThat(run.exitCode()).as(run.stderr()).isZero();
        assertThat(run.stdout()).contains("OK: 1 rules (1 active), 0 macros, 1 lists");
    }

    @Test
    void shippedRulesLoadAndAreListedWithTheirIds() {
        final CommandLineRun run = CommandLineRun.of("rules", "list");

        assertThat(run.exitCode()).as(run.stderr()).isZero();
        assertThat(run.stdout()).contains("agent_shell_spawned", "agent_tool_call_denied", "cloud_metadata_connect");
        assertThat(run.stdout().lines().count()).as("header + at least 15 rules").isGreaterThan(15);
    }

    @Test
    void aMissingRuleFileIsReportedNotThrown() {
        final CommandLineRun run = CommandLineRun.of("rules", "validate", "no/such/rules.yaml");

        assertThat(run.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(run.stderr()).contains("no/such/rules.yaml");
    }

    @Test
    void fieldsListsEveryRegisteredFieldWithTypeAndDescription() {
        final CommandLineRun run = CommandLineRun.of("rules", "fields");

        assertThat(run.exitCode()).isZero();
        assertThat(run.stdout()).containsPattern("evt\\.time +timestamp +when it happened")
                .containsPattern("fd\\.sport +int ")
                .containsPattern("tool\\.outcome +string ");
        assertThat(run.stdout().lines().count())
                .isEqualTo(dev.peregrine.collector.event.FieldRegistry.standard().size() + 1L);
    }

    @Test
    void testPassesWhenTheExpectedRulesFireAndNoForbiddenOneDoes(@org.junit.jupiter.api.io.TempDir final Path dir) {
        final String trace = Path.of("..", "rules", "src", "test", "resources", "traces", "read_shadow_file").toString();

        final CommandLineRun attack = CommandLineRun.of("rules", "test", "--dead-letter", dir.resolve("dl").toString(),
                "--expect", "read_shadow_file", trace + "/attack.ndjson");
        final CommandLineRun benign = CommandLineRun.of("rules", "test", "--dead-letter", dir.resolve("dl").toString(),
                "--expect-none", "read_shadow_file", trace + "/benign.ndjson");
        final CommandLineRun wrong = CommandLineRun.of("rules", "test", "--dead-letter", dir.resolve("dl").toString(),
                "--expect-none", "all", trace + "/attack.ndjson");

        assertThat(attack.exitCode()).as(attack.stdout() + attack.stderr()).isZero();
        assertThat(attack.stdout()).contains("read_shadow_file: ").contains("PASS: expected read_shadow_file to alert");
        assertThat(benign.exitCode()).as(benign.stdout()).isZero();
        assertThat(wrong.exitCode()).isEqualTo(ExitCode.INPUT_PROBLEMS);
        assertThat(wrong.stdout()).contains("FAIL: expected any rule not to alert (fired: [read_shadow_file");
    }
}
