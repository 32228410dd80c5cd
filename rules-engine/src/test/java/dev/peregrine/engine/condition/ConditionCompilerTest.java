package dev.peregrine.engine.condition;

import static dev.peregrine.collector.event.StandardFields.AGENT_ID;
import static dev.peregrine.collector.event.StandardFields.EVT_FAILED;
import static dev.peregrine.collector.event.StandardFields.EVT_TIME;
import static dev.peregrine.collector.event.StandardFields.EVT_TYPE;
import static dev.peregrine.collector.event.StandardFields.FD_NAME;
import static dev.peregrine.collector.event.StandardFields.PROC_NAME;
import static dev.peregrine.collector.event.StandardFields.PROC_PID;
import static org.assertj.core.api.Assertions.assertThat;

import dev.peregrine.collector.event.Event;
import dev.peregrine.collector.event.FieldRegistry;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConditionCompilerTest {

    private static final ConditionCompiler COMPILER = new ConditionCompiler(FieldRegistry.standard());

    /** Lists and macros for the tests: shells (nested), and a compiled macro "is_shell". */
    private static final ConditionScope SCOPE = new ConditionScope() {
        private final Map<String, List<String>> lists = Map.of(
                "shells", List.of("sh", "bash", "zsh"),
                "ports", List.of("22", "2222"),
                "system_dirs", List.of("/etc", "/usr/bin/"));

        @Override
        public Optional<MacroLookup> macro(final String name) {
            if (name.equals("is_shell")) {
                return Optional.of(MacroLookup.of(compile("proc.name in (shells)")));
            }
            if (name.equals("broken")) {
                return Optional.of(MacroLookup.broken());
            }
            return Optional.empty();
        }

        @Override
        public Optional<List<String>> list(final String name) {
            return Optional.ofNullable(lists.get(name));
        }
    };

    private static EventPredicate compile(final String condition) {
        final ConditionCompiler.Result result = COMPILER.compile(condition, SCOPE);
        assertThat(result.errors()).as("errors compiling %s", condition).isEmpty();
        return result.predicate();
    }

    private static List<CompileError> errors(final String condition) {
        return COMPILER.compile(condition, SCOPE).errors();
    }

    private static Event event() {
        return Event.builder().time(1_000L)
                .set(EVT_TYPE, "openat")
                .set(PROC_NAME, "bash")
                .set(PROC_PID, 4242L)
                .set(FD_NAME, "/etc/ssh/sshd_config")
                .set(EVT_FAILED, false)
                .extra("k8s.ns.name", "prod")
                .extra("custom.count", 7L)
                .build();
    }

    private static boolean matches(final String condition) {
        return compile(condition).test(event());
    }

    @ParameterizedTest(name = "{0} is {1}")
    @CsvSource(delimiter = '|', textBlock = """
            proc.name = bash                         | true
            proc.name = sh                           | false
            proc.name == bash                        | true
            proc.name != sh                          | true
            proc.name != bash                        | false
            proc.pid = 4242                          | true
            proc.pid != 4242                         | false
            proc.pid < 5000                          | true
            proc.pid < 4242                          | false
            proc.pid <= 4242                         | true
            proc.pid > 4241                          | true
            proc.pid > 4242                          | false
            proc.pid >= 4242                         | true
            proc.pid >= 4243                         | false
            proc.pid = 0x1092                        | true
            evt.time > 999                           | true
            evt.time < 1000                          | false
            proc.name in (sh, bash)                  | true
            proc.name in (sh, zsh)                   | false
            proc.name intersects (bash)              | true
            proc.pid in (1, 4242, 7)                 | true
            proc.pid in (1, 2)                       | false
            proc.name in ()                          | false
            fd.name contains ssh                     | true
            fd.name contains SSH                     | false
            fd.name icontains SSH                    | true
            fd.name icontains nope                   | false
            fd.name startswith /etc/                 | true
            fd.name startswith /usr/                 | false
            fd.name endswith _config                 | true
            fd.name endswith .conf                   | false
            fd.name glob /etc/*/sshd_*               | true
            fd.name glob '/etc/ss?/*'                | true
            fd.name glob /etc/[st]sh/*               | true
            fd.name glob /etc/[!s]sh/*               | false
            fd.name glob /etc/*.conf                 | false
            fd.name pmatch (/etc/ssh)                | true
            fd.name pmatch (/etc/ss)                 | false
            fd.name pmatch (/usr, /etc/)             | true
            fd.name pmatch (/etc/*/sshd_config)      | true
            fd.name pmatch (/var/*)                  | false
            proc.name exists                         | true
            user.name exists                         | false
            evt.failed = false                       | true
            evt.failed = true                        | false
            evt.failed != true                       | true
            """)
    void operatorsCompareAsFalcoDoes(final String condition, final boolean expected) {
        assertThat(matches(condition)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0} is false when the field is missing")
    @CsvSource(delimiter = '|', textBlock = """
            user.name = root
            user.name != root
            user.uid < 1
            user.uid >= 0
            user.name in (root)
            user.name contains o
            user.name icontains o
            user.name startswith r
            user.name endswith t
            user.name glob *
            user.name pmatch (/)
            host.name exists
            foreign.key = x
            foreign.key != x
            """)
    void comparisonOnMissingFieldIsFalse(final String condition) {
        assertThat(matches(condition)).isFalse();
    }

    @Test
    void negatedComparisonOnMissingFieldIsTrue() {
        assertThat(matches("not user.name = root")).isTrue();
        assertThat(matches("not user.name != root")).isTrue();
    }

    @Test
    void pmatchMatchesWholePathComponentsOnly() {
        final EventPredicate predicate = compile("fd.name pmatch (/etc)");
        assertThat(predicate.test(event().with(FD_NAME, "/etc"))).isTrue();
        assertThat(predicate.test(event().with(FD_NAME, "/etc/passwd"))).isTrue();
        assertThat(predicate.test(event().with(FD_NAME, "/etcd/x"))).isFalse();
        assertThat(compile("fd.name pmatch (/)").test(event().with(FD_NAME, "/anything"))).isTrue();
    }

    @Test
    void globStarCrossesSlashesLikeFnmatch() {
        assertThat(matches("fd.name glob /etc/*")).isTrue();
    }

    @Test
    void listNamesExpandInsideLists() {
        assertThat(matches("proc.name in (shells)")).isTrue();
        assertThat(matches("proc.name in (fish, shells)")).isTrue();
        assertThat(matches("fd.name pmatch (system_dirs)")).isTrue();
        assertThat(matches("proc.pid in (ports)")).isFalse();
    }

    @Test
    void quotedListNameIsALiteral() {
        assertThat(matches("proc.name in (\"shells\")")).isFalse();
        assertThat(compile("proc.name in ('shells')").test(event().with(PROC_NAME, "shells"))).isTrue();
    }

    @Test
    void listNameOutsideAListIsALiteral() {
        assertThat(compile("proc.name = shells").test(event().with(PROC_NAME, "shells"))).isTrue();
    }

    @Test
    void macroIsReplacedByItsCondition() {
        final EventPredicate predicate = compile("is_shell and not proc.pid = 1");
        assertThat(predicate.test(event())).isTrue();
        assertThat(predicate.test(event().with(PROC_NAME, "python"))).isFalse();
    }

    @Test
    void foreignNamespaceFieldsAreReadFromExtrasAsText() {
        assertThat(matches("k8s.ns.name = prod")).isTrue();
        assertThat(matches("k8s.ns.name startswith pr")).isTrue();
        assertThat(matches("custom.count = 7")).isTrue();
        assertThat(matches("custom.count > 6")).isTrue();
        assertThat(matches("custom.count > 7")).isFalse();
    }

    @Test
    void unknownFieldInOwnedNamespaceSuggestsTheClosest() {
        assertThat(errors("evt.type = execve and proc.nme = bash"))
                .containsExactly(new CompileError(22, "unknown field 'proc.nme' (did you mean 'proc.name'?)"));
    }

    @Test
    void undefinedMacroIsReportedAtItsName() {
        assertThat(errors("proc.name = bash and no_such_macro"))
                .containsExactly(new CompileError(21, "undefined macro 'no_such_macro'"));
    }

    @Test
    void brokenMacroAddsNoSecondError() {
        assertThat(errors("broken or proc.name = x")).isEmpty();
        assertThat(COMPILER.compile("broken or proc.name = x", SCOPE).predicate()).isNull();
    }

    @Test
    void bareFieldNameAsksForAnOperator() {
        assertThat(errors("evt.failed")).singleElement()
                .extracting(CompileError::message).asString().startsWith("field 'evt.failed' needs an operator");
    }

    @Test
    void everyErrorOfAConditionIsReported() {
        assertThat(errors("proc.nme = a or nope or proc.pid contains 1")).extracting(CompileError::offset)
                .containsExactly(0, 16, 33);
    }

    @Test
    void orderingOperatorNeedsANumericField() {
        assertThat(errors("proc.name > 3")).containsExactly(
                new CompileError(10, "operator '>' needs a numeric field, but 'proc.name' is a string"));
    }

    @Test
    void stringOperatorNeedsAStringField() {
        assertThat(errors("proc.pid startswith 4")).containsExactly(
                new CompileError(9, "operator 'startswith' needs a string field, but 'proc.pid' is an int"));
        assertThat(errors("evt.failed glob t*")).singleElement().extracting(CompileError::message)
                .isEqualTo("operator 'glob' needs a string field, but 'evt.failed' is a bool");
    }

    @Test
    void intLiteralMustBeANumber() {
        assertThat(errors("proc.pid = abc")).containsExactly(
                new CompileError(11, "value 'abc' is not a number, but 'proc.pid' is an int"));
        assertThat(errors("proc.pid in (1, shells)")).singleElement().extracting(CompileError::message)
                .isEqualTo("item 'sh' of list 'shells' is not a number, but 'proc.pid' is an int");
    }

    @Test
    void boolFieldComparesToTrueOrFalse() {
        assertThat(errors("evt.failed = yes")).singleElement().extracting(CompileError::message)
                .isEqualTo("value 'yes' is not true or false, but 'evt.failed' is a bool");
        assertThat(matches("evt.failed = FALSE")).isTrue();
    }

    @Test
    void indexedFieldsOtherThanAncestorsAreNotSupportedYet() {
        assertThat(errors("proc.env[HOME] = /root")).singleElement().extracting(CompileError::message)
                .isEqualTo("indexed fields such as 'proc.env[HOME]' are not supported yet");
    }

    @Test
    void syntaxErrorBecomesACompileError() {
        assertThat(errors("(proc.name = a")).containsExactly(
                new CompileError(0, "unbalanced parenthesis: '(' is never closed"));
    }

    @Test
    void nestedAndsAreFlattened() {
        final EventPredicate predicate = compile("(proc.name = bash and proc.pid = 4242) and (evt.type = openat)");
        assertThat(predicate).isInstanceOf(EventPredicate.AllOf.class);
        assertThat(((EventPredicate.AllOf) predicate).parts()).hasSize(3);
    }

    @Test
    void eventTimeIsATimestampComparedAsNumber() {
        assertThat(compile("evt.time >= 1000").test(event())).isTrue();
        assertThat(errors("evt.time contains 1")).hasSize(1);
        assertThat(EVT_TIME.type().isNumeric()).isTrue();
    }

    @Test
    void agentFieldsAreRegisteredFields() {
        assertThat(compile("agent.id = ci").test(event().with(AGENT_ID, "ci"))).isTrue();
    }
}
