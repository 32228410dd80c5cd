package dev.peregrine.engine.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.peregrine.alerting.Priority;
import dev.peregrine.collector.event.Event;
import dev.peregrine.collector.event.FieldRegistry;
import dev.peregrine.collector.event.StandardFields;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RuleLoaderTest {

    private static final String RESOURCES = "dev/peregrine/engine/rules/";

    private final RuleLoader loader = new RuleLoader(FieldRegistry.standard());

    private RuleSet load(final String yaml) throws RuleLoadException {
        return loader.load("test.yaml", yaml);
    }

    private List<RuleLoadError> errors(final String yaml) {
        return catchThrowableOfType(RuleLoadException.class, () -> load(yaml)).errors();
    }

    private List<String> rendered(final String yaml) {
        return errors(yaml).stream().map(RuleLoadError::toString).toList();
    }

    private static RuleFile resource(final String name) {
        return RuleFile.ofResource(RuleLoaderTest.class.getClassLoader(), RESOURCES + name);
    }

    @Test
    void undefinedMacroUnknownFieldAndUnbalancedParenthesisAreAllReportedWithFileLineColumn() {
        final RuleLoadException e = catchThrowableOfType(RuleLoadException.class,
                () -> loader.loadFiles(List.of(resource("three_errors.yaml"))));
        final String file = RESOURCES + "three_errors.yaml";
        assertThat(e.errors()).containsExactly(
                new RuleLoadError(file, 7, 34, "Shell in sandbox", "undefined macro 'shell_procs'"),
                new RuleLoadError(file, 15, 9, "Misspelt field", "unknown field 'proc.nme' (did you mean 'proc.name'?)"),
                new RuleLoadError(file, 21, 14, "Unbalanced", "unbalanced parenthesis: '(' is never closed"));
        assertThat(e.errors().get(0)).hasToString(file + ":7:34: undefined macro 'shell_procs'");
        assertThat(e.getMessage()).startsWith("3 errors in rule files");
    }

    @Test
    void yamlSyntaxErrorReportsItsPosition() {
        final List<RuleLoadError> errors = errors("""
                - rule: x
                  condition: [unclosed
                """);
        assertThat(errors).singleElement().satisfies(error -> {
            assertThat(error.line()).isEqualTo(3);
            assertThat(error.message()).startsWith("YAML syntax error");
        });
    }

    @Test
    void missingConditionOutputAndPriorityAreEachReportedAtTheRule() {
        assertThat(rendered("""
                - rule: Incomplete
                  desc: nothing else
                """)).containsExactly(
                "test.yaml:1:3: rule 'Incomplete' has no 'condition'",
                "test.yaml:1:3: rule 'Incomplete' has no 'output'",
                "test.yaml:1:3: rule 'Incomplete' has no 'priority'");
    }

    @Test
    void unknownPriorityIsReportedAtItsValue() {
        assertThat(rendered("""
                - rule: Bad priority
                  condition: proc.name = sh
                  output: x
                  priority: SEVERE
                """)).containsExactly("test.yaml:4:13: unknown priority 'SEVERE'; expected one of "
                + "Emergency, Alert, Critical, Error, Warning, Notice, Informational, Debug");
    }

    @Test
    void duplicateRuleNameIsAnErrorNamingTheFirstDefinition() {
        assertThat(rendered("""
                - rule: Twice
                  condition: proc.name = sh
                  output: x
                  priority: INFO
                - rule: Twice
                  condition: proc.name = bash
                  output: y
                  priority: INFO
                """)).containsExactly(
                "test.yaml:5:3: rule 'Twice' is already defined at test.yaml:1:3; rule names must be unique");
    }

    @Test
    void duplicateRuleIdIsAnError() {
        assertThat(rendered("""
                - rule: One
                  id: same
                  condition: proc.name = sh
                  output: x
                  priority: INFO
                - rule: Two
                  id: same
                  condition: proc.name = bash
                  output: y
                  priority: INFO
                """)).containsExactly("test.yaml:7:7: rule id 'same' is already used by rule 'One' at test.yaml:1:3");
    }

    @Test
    void idDefaultsToTheSlugOfTheName() throws Exception {
        final RuleSet rules = load("""
                - rule: Read of /etc/shadow (by a non-root user)!
                  condition: fd.name = /etc/shadow
                  output: x
                  priority: warn
                """);
        assertThat(rules.rules()).singleElement().satisfies(rule -> {
            assertThat(rule.id()).isEqualTo("read_of_etc_shadow_by_a_non_root_user");
            assertThat(rule.priority()).isEqualTo(Priority.WARNING);
            assertThat(rule.source()).isEqualTo("syscall");
            assertThat(rule.enabled()).isTrue();
        });
        assertThat(RuleLoader.slug("Agent HTTP egress")).isEqualTo("agent_http_egress");
    }

    @Test
    void exampleFileLoadsListsMacrosRulesAndEngineVersion() throws Exception {
        final RuleSet rules = loader.loadFiles(List.of(resource("sandbox_example.yaml")));
        assertThat(rules.lists().get("all_shells").items()).containsExactly("sh", "bash", "dash", "zsh", "fish");
        assertThat(rules.macros()).containsOnlyKeys("spawned_process", "shell_procs");
        assertThat(rules.rules()).extracting(RuleDef::id).containsExactly("shell_spawned_by_agent", "read_shadow",
                "any_failed_syscall", "agent_tool_call_denied", "disabled_rule");
        assertThat(rules.rule("disabled_rule")).get().extracting(RuleDef::enabled).isEqualTo(false);
        assertThat(rules.rule("agent_tool_call_denied")).get().extracting(RuleDef::source).isEqualTo("agent");
        assertThat(rules.rule("shell_spawned_by_agent").get().tags()).containsExactly("process", "mitre_execution");
        assertThat(rules.requiredEngineVersions()).containsValue("0.57.0");
        assertThat(rules.warnings()).isEmpty();
    }

    @Test
    void nestedListsAreFlattenedAndQuotedItemsUnquoted() throws Exception {
        final RuleSet rules = load("""
                - list: a
                  items: [x, '"(systemd)"']
                - list: b
                  items: [a, y]
                - list: c
                  items: [b, z]
                """);
        assertThat(rules.lists().get("c").items()).containsExactly("x", "(systemd)", "y", "z");
    }

    @Test
    void listItemNamingALaterListIsALiteral() throws Exception {
        final RuleSet rules = load("""
                - list: early
                  items: [late]
                - list: late
                  items: [x]
                """);
        assertThat(rules.lists().get("early").items()).containsExactly("late");
    }

    @Test
    void macroUsingALaterMacroIsAnError() {
        assertThat(rendered("""
                - macro: first
                  condition: second and proc.name = sh
                - macro: second
                  condition: evt.type = execve
                """)).containsExactly("test.yaml:2:14: macro 'second' is used before it is defined (at test.yaml:3:3);"
                + " define macros before the items that use them");
    }

    @Test
    void ruleMayUseMacrosAndListsDefinedLaterAsInFalco() throws Exception {
        final RuleSet rules = load("""
                - rule: Early
                  condition: later_macro and proc.name in (later_list)
                  output: x
                  priority: INFO
                - macro: later_macro
                  condition: evt.type = execve
                - list: later_list
                  items: [sh]
                """);
        final RuleDef rule = rules.rules().get(0);
        final Event shell = Event.builder().time(1).set(StandardFields.EVT_TYPE, "execve")
                .set(StandardFields.PROC_NAME, "sh").build();
        assertThat(rule.predicate().test(shell)).isTrue();
        assertThat(rule.eventTypes().names()).containsExactly("execve");
    }

    @Test
    void redefiningAMacroInALaterFileTunesAnEarlierRule() throws Exception {
        final RuleSet rules = loader.loadFiles(List.of(
                new RuleFile("base.yaml", """
                        - macro: user_known_shells
                          condition: (evt.type = never_happens)
                        - rule: Shell
                          condition: proc.name = sh and not user_known_shells
                          output: x
                          priority: INFO
                        """),
                new RuleFile("local.yaml", """
                        - macro: user_known_shells
                          condition: proc.pname = make
                        """)));
        final RuleDef rule = rules.rules().get(0);
        final Event fromMake = Event.builder().time(1).set(StandardFields.PROC_NAME, "sh")
                .set(StandardFields.PROC_PNAME, "make").build();
        assertThat(rule.predicate().test(fromMake)).isFalse();
        assertThat(rule.predicate().test(fromMake.with(StandardFields.PROC_PNAME, "node"))).isTrue();
        assertThat(rules.macros().get("user_known_shells").file()).isEqualTo("base.yaml");
    }

    @Test
    void appendAddsItemsToAListAndTextToAMacro() throws Exception {
        final RuleSet rules = load("""
                - list: shells
                  items: [sh]
                - list: shells
                  items: [bash]
                  append: true
                - macro: shell
                  condition: proc.name in (shells)
                - macro: shell
                  condition: or proc.name = fish
                  append: true
                """);
        assertThat(rules.lists().get("shells").items()).containsExactly("sh", "bash");
        assertThat(rules.macros().get("shell").condition()).isEqualTo("proc.name in (shells) or proc.name = fish");
        final Event fish = Event.builder().time(1).set(StandardFields.PROC_NAME, "fish").build();
        assertThat(rules.macros().get("shell").predicate().test(fish)).isTrue();
    }

    @Test
    void errorInAppendedConditionPointsIntoTheAppendedText() {
        assertThat(rendered("""
                - macro: shell
                  condition: proc.name = sh
                - macro: shell
                  condition: or proc.nam = fish
                  append: true
                """)).containsExactly("test.yaml:4:17: unknown field 'proc.nam' (did you mean 'proc.name'?)");
    }

    @Test
    void appendToAnUndefinedListIsAnError() {
        assertThat(rendered("""
                - list: nothing_before
                  items: [x]
                  append: true
                """)).containsExactly(
                "test.yaml:1:3: cannot append to list 'nothing_before': no list of that name is defined before");
    }

    @Test
    void enabledOnlyItemSwitchesAnExistingRuleOff() throws Exception {
        final RuleSet rules = load("""
                - rule: Noisy
                  condition: proc.name = sh
                  output: x
                  priority: INFO
                - rule: Noisy
                  enabled: false
                """);
        assertThat(rules.rules()).singleElement().extracting(RuleDef::enabled).isEqualTo(false);
    }

    @Test
    void unknownKeysAndItemsAreWarningsNotErrors() throws Exception {
        final RuleSet rules = load("""
                - required_plugin_versions:
                    - name: container
                      version: 0.4.0
                - something_new: 1
                - rule: R
                  condition: proc.name = sh
                  output: x
                  priority: INFO
                  colour: blue
                """);
        assertThat(rules.warnings()).extracting(RuleLoadWarning::toString).containsExactly(
                "test.yaml:4:3: warning: unknown item with keys [something_new] ignored; expected rule, macro, list or cep",
                "test.yaml:9:3: warning: unknown key 'colour' in rule 'R' ignored");
    }

    @Test
    void cepItemsAreReadWithTheirPartsAndIncompleteOnesAreErrors() throws Exception {
        final RuleSet rules = load("""
                - cep: Burst
                  desc: Many denials.
                  epl: |
                    select agent_session as agent_session
                      from Event#time(1 min) having count(*) > 5
                  output: "burst (session=%agent.session)"
                  priority: WARNING
                  tags: [cep]
                """);
        assertThat(rules.rules()).isEmpty();
        assertThat(rules.warnings()).isEmpty();
        assertThat(rules.cepRules()).singleElement().satisfies(cep -> {
            assertThat(cep.id()).isEqualTo("burst");
            assertThat(cep.description()).isEqualTo("Many denials.");
            assertThat(cep.priority()).isEqualTo(dev.peregrine.alerting.Priority.WARNING);
            assertThat(cep.tags()).containsExactly("cep");
            assertThat(cep.locate(2)).isEqualTo(new CepRuleDef.Location(5, 7));
            assertThat(cep.file()).isEqualTo("test.yaml");
            assertThat(cep.line()).isEqualTo(1);
        });

        assertThat(errors("""
                - cep: Burst
                  epl: select * from Event
                """)).extracting(RuleLoadError::toString).containsExactly(
                "test.yaml:1:3: cep 'Burst' has no 'output'",
                "test.yaml:1:3: cep 'Burst' has no 'priority'");
    }

    @Test
    void positionsInLiteralBlockScalarsFollowTheLines() {
        assertThat(rendered("""
                - rule: Block
                  condition: |
                    evt.type = execve and
                      (proc.name = sh or
                       proc.pid > abc)
                  output: x
                  priority: INFO
                """)).containsExactly("test.yaml:5:19: value 'abc' is not a number, but 'proc.pid' is an int");
    }

    @Test
    void positionsInDoubleQuotedScalarsAccountForEscapes() {
        assertThat(rendered("""
                - rule: Quoted
                  condition: "proc.cmdline contains \\"x\\" and
                     \\tbogus"
                  output: x
                  priority: INFO
                """)).containsExactly("test.yaml:3:8: undefined macro 'bogus'");
    }

    @Test
    void positionsInMultiLinePlainScalars() {
        assertThat(rendered("""
                - rule: Plain
                  condition: evt.type = execve
                    and proc.name = sh and
                    proc.nmae = x
                  output: x
                  priority: INFO
                """)).containsExactly("test.yaml:4:5: unknown field 'proc.nmae' (did you mean 'proc.name'?)");
    }

    @Test
    void unknownFieldInOutputIsReportedInsideTheOutput() {
        assertThat(rendered("""
                - rule: Output
                  condition: proc.name = sh
                  output: "shell %proc.name by %user.nme"
                  priority: INFO
                """)).containsExactly(
                "test.yaml:3:33: unknown field 'user.nme' (did you mean 'user.name'?) in output");
    }

    @Test
    void macroThatEndsUpReferringToItselfIsAnError() {
        assertThat(rendered("""
                - macro: a
                  condition: evt.type = execve
                - macro: b
                  condition: a
                - macro: a
                  condition: b
                """)).contains("test.yaml:4:14: macro 'a' refers to itself");
    }

    @Test
    void errorsOfEveryFileAreCollectedBeforeFailing() {
        final RuleLoadException e = catchThrowableOfType(RuleLoadException.class, () -> loader.loadFiles(List.of(
                new RuleFile("one.yaml", "- macro: m\n  condition: nope\n"),
                new RuleFile("two.yaml", "- rule: r\n  condition: m and proc.x = 1\n  output: x\n  priority: INFO\n"))));
        assertThat(e.errors()).extracting(RuleLoadError::toString).containsExactly(
                "one.yaml:2:14: undefined macro 'nope'",
                "two.yaml:2:20: unknown field 'proc.x' (did you mean 'proc.exe'?)");
    }

    @Test
    void directoriesContributeTheirYamlFilesSortedByName(@TempDir final Path dir) throws Exception {
        Files.writeString(dir.resolve("b.yml"), "- rule: B\n  condition: m\n  output: x\n  priority: INFO\n");
        Files.writeString(dir.resolve("a.yaml"), "- macro: m\n  condition: proc.name = sh\n");
        Files.writeString(dir.resolve("notes.txt"), "not rules");
        final RuleSet rules = loader.load(List.of(dir));
        assertThat(rules.rules()).extracting(RuleDef::name).containsExactly("B");
        assertThat(rules.macros().get("m").file()).endsWith("a.yaml");
    }

    @Test
    void missingFileIsAnErrorNotACrash(@TempDir final Path dir) {
        final RuleLoadException e = catchThrowableOfType(RuleLoadException.class,
                () -> loader.load(List.of(dir.resolve("absent.yaml"))));
        assertThat(e.errors()).singleElement().extracting(RuleLoadError::message).asString().startsWith("cannot read");
    }
}
