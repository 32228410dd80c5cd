package dev.peregrine.engine.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.peregrine.collector.event.Event;
import dev.peregrine.collector.event.FieldRegistry;
import dev.peregrine.collector.event.StandardFields;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Falco's rule {@code exceptions}: each compiles to {@code and not (...)} after the rule's condition. */
class RuleExceptionsTest {

    private final RuleLoader loader = new RuleLoader(FieldRegistry.standard());

    private static final String WRITE_RULE = """
            - rule: Write below bin
              condition: evt.type = openat and fd.name startswith /usr/bin/
              output: write %fd.name by %proc.name
              priority: ERROR
            """;

    private RuleDef only(final String yaml) throws RuleLoadException {
        return loader.load("test.yaml", yaml).rules().get(0);
    }

    private List<String> rendered(final String yaml) {
        return catchThrowableOfType(RuleLoadException.class, () -> loader.load("test.yaml", yaml)).errors().stream()
                .map(RuleLoadError::toString).toList();
    }

    private static Event write(final String proc, final String path) {
        return Event.builder().time(1).set(StandardFields.EVT_TYPE, "openat").set(StandardFields.PROC_NAME, proc)
                .set(StandardFields.FD_NAME, path).build();
    }

    @Test
    void tupleOfFieldsWithDefaultEqualsExcludesOnlyTheExactCombination() throws Exception {
        final RuleDef rule = only(WRITE_RULE + """
                  exceptions:
                    - name: proc_file
                      fields: [proc.name, fd.name]
                      values:
                        - [yum, /usr/bin/yum]
                        - [apt, /usr/bin/apt]
                """);
        assertThat(rule.predicate().test(write("yum", "/usr/bin/yum"))).isFalse();
        assertThat(rule.predicate().test(write("apt", "/usr/bin/apt"))).isFalse();
        assertThat(rule.predicate().test(write("yum", "/usr/bin/apt"))).isTrue();
        assertThat(rule.predicate().test(write("vim", "/usr/bin/yum"))).isTrue();
        // The exception does not widen the rule: evt.type still indexes it.
        assertThat(rule.eventTypes().names()).containsExactly("openat");
    }

    @Test
    void perFieldOperatorsIncludingInWithAListAndPmatch() throws Exception {
        final RuleDef rule = only("""
                - list: package_tools
                  items: [dpkg, rpm]
                """ + WRITE_RULE + """
                  exceptions:
                    - name: tools
                      fields: [proc.name, fd.name]
                      comps: [in, pmatch]
                      values:
                        - [[package_tools, pip], [/usr/bin/python3]]
                    - name: prefix
                      fields: [proc.name, fd.name]
                      comps: [startswith, endswith]
                      values:
                        - [my-, .tmp]
                """);
        assertThat(rule.predicate().test(write("rpm", "/usr/bin/python3/x"))).isFalse();
        assertThat(rule.predicate().test(write("pip", "/usr/bin/python3"))).isFalse();
        assertThat(rule.predicate().test(write("rpm", "/usr/bin/python3x"))).isTrue();
        assertThat(rule.predicate().test(write("my-tool", "/usr/bin/a.tmp"))).isFalse();
        assertThat(rule.predicate().test(write("your-tool", "/usr/bin/a.tmp"))).isTrue();
    }

    @Test
    void singleFieldDefaultsToInAndTakesAFlatListOfValues() throws Exception {
        final RuleDef rule = only(WRITE_RULE + """
                  exceptions:
                    - name: names
                      fields: proc.name
                      values: [yum, apt]
                """);
        assertThat(rule.predicate().test(write("apt", "/usr/bin/x"))).isFalse();
        assertThat(rule.predicate().test(write("vim", "/usr/bin/x"))).isTrue();
    }

    @Test
    void exceptionWithoutValuesChangesNothingUntilAnAppendFillsIt() throws Exception {
        final RuleSet rules = loader.loadFiles(List.of(
                new RuleFile("base.yaml", WRITE_RULE + """
                          exceptions:
                            - name: proc_file
                              fields: [proc.name, fd.name]
                              comps: [=, startswith]
                        """),
                new RuleFile("local.yaml", """
                        - rule: Write below bin
                          append: true
                          exceptions:
                            - name: proc_file
                              values:
                                - [pip, /usr/bin/pip]
                        """)));
        final RuleDef rule = rules.rules().get(0);
        assertThat(rule.predicate().test(write("pip", "/usr/bin/pip3"))).isFalse();
        assertThat(rule.predicate().test(write("npm", "/usr/bin/pip3"))).isTrue();
        final RuleDef unfilled = only(WRITE_RULE + """
                  exceptions:
                    - name: proc_file
                      fields: [proc.name, fd.name]
                """);
        assertThat(unfilled.predicate().test(write("pip", "/usr/bin/pip"))).isTrue();
    }

    @Test
    void appendAddsValuesToAnExistingExceptionAndMayDefineANewOne() throws Exception {
        final RuleDef rule = only(WRITE_RULE + """
                  exceptions:
                    - name: names
                      fields: proc.name
                      values: [yum]
                - rule: Write below bin
                  append: true
                  exceptions:
                    - name: names
                      values: [apt]
                    - name: paths
                      fields: fd.name
                      comps: pmatch
                      values: [/usr/bin/tmp]
                """);
        assertThat(rule.predicate().test(write("yum", "/usr/bin/x"))).isFalse();
        assertThat(rule.predicate().test(write("apt", "/usr/bin/x"))).isFalse();
        assertThat(rule.predicate().test(write("vim", "/usr/bin/tmp/x"))).isFalse();
        assertThat(rule.predicate().test(write("vim", "/usr/bin/x"))).isTrue();
    }

    @Test
    void unknownFieldAndUnknownOperatorAreReportedWhereWritten() {
        assertThat(rendered(WRITE_RULE + """
                  exceptions:
                    - name: bad
                      fields: [proc.nme, fd.name]
                      comps: [=, like]
                      values:
                        - [a, b]
                """)).containsExactly(
                "test.yaml:7:16: unknown field 'proc.nme' (did you mean 'proc.name'?) in exception 'bad'",
                "test.yaml:8:18: unknown comparison operator 'like' in exception 'bad'");
    }

    @Test
    void tupleOfTheWrongLengthIsReportedAtTheTuple() {
        assertThat(rendered(WRITE_RULE + """
                  exceptions:
                    - name: pair
                      fields: [proc.name, fd.name]
                      values:
                        - [yum]
                """)).containsExactly(
                "test.yaml:9:11: value of exception 'pair' has 1 item but the exception has 2 fields (proc.name, fd.name)");
    }

    @Test
    void valueOfTheWrongTypeIsReportedAtTheValue() {
        assertThat(rendered(WRITE_RULE + """
                  exceptions:
                    - name: pid
                      fields: [proc.pid]
                      values:
                        - [abc]
                """)).containsExactly(
                "test.yaml:9:12: value 'abc' is not a number, but 'proc.pid' is an int in exception 'pid'");
    }

    @Test
    void listValueForAOneValueOperatorAndMismatchedCompsAreErrors() {
        assertThat(rendered(WRITE_RULE + """
                  exceptions:
                    - name: list_for_equals
                      fields: [proc.name]
                      values:
                        - [[a, b]]
                    - name: too_few_comps
                      fields: [proc.name, fd.name]
                      comps: [=]
                    - name: single_with_equals
                      fields: proc.name
                      comps: =
                """)).containsExactly(
                "test.yaml:12:14: exception 'too_few_comps' has 2 fields but 1 comps; give one operator per field",
                "test.yaml:15:14: exception 'single_with_equals' has one field, so its operator must be one of in, "
                        + "pmatch or intersects, not '='",
                "test.yaml:9:12: exception 'list_for_equals' compares 'proc.name' with '=', which takes one value, "
                        + "not a list; use 'in' in 'comps'");
    }

    @Test
    void exceptionWithoutNameOrFieldsIsAnError() {
        assertThat(rendered(WRITE_RULE + """
                  exceptions:
                    - fields: [proc.name]
                    - name: no_fields
                      values: [[a]]
                """)).containsExactly(
                "test.yaml:6:7: exception has no 'name'",
                "test.yaml:7:7: exception 'no_fields' has no 'fields'");
    }

    @Test
    void appendCannotRedefineTheFieldsOfAnExistingException() {
        assertThat(rendered(WRITE_RULE + """
                  exceptions:
                    - name: names
                      fields: proc.name
                - rule: Write below bin
                  append: true
                  exceptions:
                    - name: names
                      fields: fd.name
                      values: [x]
                """)).containsExactly("test.yaml:12:7: exception 'names' is already defined at test.yaml:6:7; "
                + "an append can add values only, not 'fields'");
    }
}
