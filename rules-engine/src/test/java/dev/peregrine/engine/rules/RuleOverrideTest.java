package dev.peregrine.engine.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.peregrine.alerting.Priority;
import dev.peregrine.collector.event.Event;
import dev.peregrine.collector.event.FieldRegistry;
import dev.peregrine.collector.event.StandardFields;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Falco's {@code override:} section (append or replace per key) and legacy {@code append: true}. */
class RuleOverrideTest {

    private final RuleLoader loader = new RuleLoader(FieldRegistry.standard());

    private static final String BASE = """
            - list: programs
              items: [ls, cat]
            - macro: access_file
              condition: evt.type = open
            - rule: Program opens file
              desc: tracked program
              condition: access_file and proc.name in (programs)
              output: opened %fd.name
              priority: INFO
              tags: [file]
            """;

    private RuleSet load(final String local) throws RuleLoadException {
        return loader.loadFiles(List.of(new RuleFile("base.yaml", BASE), new RuleFile("local.yaml", local)));
    }

    private List<String> rendered(final String local) {
        return catchThrowableOfType(RuleLoadException.class, () -> load(local)).errors().stream()
                .map(RuleLoadError::toString).toList();
    }

    private static Event open(final String type, final String proc, final String user) {
        return Event.builder().time(1).set(StandardFields.EVT_TYPE, type).set(StandardFields.PROC_NAME, proc)
                .set(StandardFields.USER_NAME, user).set(StandardFields.FD_NAME, "/etc/x").build();
    }

    @Test
    void listItemsCanBeAppendedOrReplaced() throws Exception {
        final RuleSet appended = load("""
                - list: programs
                  items: [cp]
                  override:
                    items: append
                """);
        assertThat(appended.lists().get("programs").items()).containsExactly("ls", "cat", "cp");
        final RuleSet replaced = load("""
                - list: programs
                  items: [vi]
                  override:
                    items: replace
                """);
        assertThat(replaced.lists().get("programs").items()).containsExactly("vi");
        assertThat(replaced.rules().get(0).predicate().test(open("open", "ls", "bob"))).isFalse();
        assertThat(replaced.rules().get(0).predicate().test(open("open", "vi", "bob"))).isTrue();
    }

    @Test
    void macroConditionCanBeAppendedOrReplaced() throws Exception {
        final RuleSet appended = load("""
                - macro: access_file
                  condition: or evt.type = openat
                  override:
                    condition: append
                """);
        assertThat(appended.macros().get("access_file").condition()).isEqualTo("evt.type = open or evt.type = openat");
        assertThat(appended.rules().get(0).predicate().test(open("openat", "ls", "bob"))).isTrue();
        final RuleSet replaced = load("""
                - macro: access_file
                  condition: evt.type = openat2
                  override:
                    condition: replace
                """);
        assertThat(replaced.rules().get(0).predicate().test(open("open", "ls", "bob"))).isFalse();
        assertThat(replaced.rules().get(0).predicate().test(open("openat2", "ls", "bob"))).isTrue();
    }

    @Test
    void ruleKeysAreAppendedOrReplacedAsNamed() throws Exception {
        final RuleDef rule = load("""
                - rule: Program opens file
                  condition: and not user.name = root
                  output: by %user.name
                  desc: (tuned)
                  priority: CRITICAL
                  tags: [local, file]
                  enabled: false
                  override:
                    condition: append
                    output: append
                    desc: append
                    priority: replace
                    tags: append
                    enabled: replace
                """).rules().get(0);
        assertThat(rule.condition()).isEqualTo("access_file and proc.name in (programs) and not user.name = root");
        assertThat(rule.predicate().test(open("open", "ls", "root"))).isFalse();
        assertThat(rule.predicate().test(open("open", "ls", "bob"))).isTrue();
        assertThat(rule.output().render(open("open", "ls", "bob"))).isEqualTo("opened /etc/x by bob");
        assertThat(rule.description()).isEqualTo("tracked program (tuned)");
        assertThat(rule.priority()).isEqualTo(Priority.CRITICAL);
        assertThat(rule.tags()).containsExactly("file", "local");
        assertThat(rule.enabled()).isFalse();
    }

    @Test
    void replacedConditionAndTagsDropTheOriginal() throws Exception {
        final RuleDef rule = load("""
                - rule: Program opens file
                  condition: evt.type = execve
                  tags: [exec]
                  override:
                    condition: replace
                    tags: replace
                """).rules().get(0);
        assertThat(rule.condition()).isEqualTo("evt.type = execve");
        assertThat(rule.eventTypes().names()).containsExactly("execve");
        assertThat(rule.tags()).containsExactly("exec");
    }

    @Test
    void exceptionsCanBeAppendedOrReplacedByOverride() throws Exception {
        final String withException = """
                - rule: Program opens file
                  exceptions:
                    - name: users
                      fields: user.name
                      values: [root]
                  override:
                    exceptions: replace
                - rule: Program opens file
                  exceptions:
                    - name: users
                      values: [daemon]
                  override:
                    exceptions: append
                """;
        final RuleDef rule = load(withException).rules().get(0);
        assertThat(rule.predicate().test(open("open", "ls", "root"))).isFalse();
        assertThat(rule.predicate().test(open("open", "ls", "daemon"))).isFalse();
        assertThat(rule.predicate().test(open("open", "ls", "bob"))).isTrue();
    }

    @Test
    void errorInAnAppendedOutputPointsIntoTheOverridingFile() {
        assertThat(rendered("""
                - rule: Program opens file
                  output: by %user.nme
                  override:
                    output: append
                """)).containsExactly("local.yaml:2:15: unknown field 'user.nme' (did you mean 'user.name'?) in output");
    }

    @Test
    void overridingSomethingUndefinedIsAnError() {
        assertThat(rendered("""
                - list: nope
                  items: [x]
                  override:
                    items: append
                - macro: nope
                  condition: evt.type = open
                  override:
                    condition: replace
                - rule: Nope
                  condition: and evt.type = open
                  override:
                    condition: append
                """)).containsExactly(
                "local.yaml:1:3: cannot override list 'nope': no list of that name is defined before",
                "local.yaml:5:3: cannot override macro 'nope': no macro of that name is defined before",
                "local.yaml:9:3: cannot override rule 'Nope': no rule of that name is defined before");
    }

    @Test
    void keysThatCannotBeOverriddenThatWayAreErrorsAtTheKey() {
        assertThat(rendered("""
                - rule: Program opens file
                  priority: ERROR
                  enabled: true
                  override:
                    priority: append
                    enabled: sometimes
                - list: programs
                  items: [x]
                  override:
                    condition: append
                """)).containsExactly(
                "local.yaml:5:5: 'priority' of a rule cannot be overridden with 'append'; append applies to: "
                        + "condition, desc, exceptions, output, tags",
                "local.yaml:6:14: override of 'enabled' must be 'append' or 'replace', not 'sometimes'",
                "local.yaml:10:5: 'condition' of a list cannot be overridden with 'append'; append applies to: items",
                "local.yaml:8:3: 'items' is given but not named in 'override'; add 'items: append' or 'items: replace'");
    }

    @Test
    void overrideNamingAnAbsentKeyOrCombinedWithAppendIsAnError() {
        assertThat(rendered("""
                - rule: Program opens file
                  override:
                    output: replace
                - macro: access_file
                  condition: or evt.type = openat
                  append: true
                  override:
                    condition: append
                """)).containsExactly(
                "local.yaml:3:5: 'override' names 'output' but the rule gives no 'output'",
                "local.yaml:6:3: 'append' and 'override' cannot be used together; name the key in 'override' with "
                        + "'append' instead");
    }

    @Test
    void legacyAppendOnARuleCannotChangeOtherKeys() {
        assertThat(rendered("""
                - rule: Program opens file
                  append: true
                  output: other
                """)).containsExactly("local.yaml:3:3: 'append: true' can only add to a rule's condition and "
                + "exceptions, not 'output'; use 'override' to change it");
    }

    @Test
    void legacyAppendAddsConditionTextToARuleAndItsErrorsPointIntoTheAppendingFile() throws Exception {
        final RuleDef rule = load("""
                - rule: Program opens file
                  append: true
                  condition: and not user.name = root
                """).rules().get(0);
        assertThat(rule.condition()).isEqualTo("access_file and proc.name in (programs) and not user.name = root");
        assertThat(rule.predicate().test(open("open", "ls", "root"))).isFalse();
        assertThat(rule.predicate().test(open("open", "ls", "bob"))).isTrue();
        assertThat(rendered("""
                - rule: Program opens file
                  append: true
                  condition: and not user.nam = root
                - rule: Never defined
                  append: true
                  condition: and proc.name = sh
                """)).containsExactly(
                "local.yaml:4:3: cannot append to rule 'Never defined': no rule of that name is defined before",
                "local.yaml:3:22: unknown field 'user.nam' (did you mean 'user.name'?)");
    }

    @Test
    void idAndSourceOfARuleCannotBeOverridden() {
        assertThat(rendered("""
                - rule: Program opens file
                  source: agent
                  condition: and proc.name = sh
                  override:
                    condition: append
                """)).containsExactly(
                "local.yaml:2:3: 'source' of a rule cannot be overridden; define a new rule instead");
    }
}
