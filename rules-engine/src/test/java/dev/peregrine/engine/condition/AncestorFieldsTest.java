package dev.peregrine.engine.condition;

import static dev.peregrine.collector.event.StandardFields.EVT_TYPE;
import static dev.peregrine.collector.event.StandardFields.PROC_EXE;
import static dev.peregrine.collector.event.StandardFields.PROC_NAME;
import static dev.peregrine.collector.event.StandardFields.PROC_PID;
import static dev.peregrine.collector.event.StandardFields.PROC_PNAME;
import static dev.peregrine.collector.event.StandardFields.PROC_PPID;
import static org.assertj.core.api.Assertions.assertThat;

import dev.peregrine.collector.event.Ancestry;
import dev.peregrine.collector.event.Event;
import dev.peregrine.collector.event.FieldRegistry;
import dev.peregrine.engine.rules.OutputTemplate;
import java.util.List;
import org.junit.jupiter.api.Test;

/** proc.aname[N] and kin, read from an event's ancestry: curl ← bash ← python3 agent runner ← tini. */
class AncestorFieldsTest {

    private static final ConditionCompiler COMPILER = new ConditionCompiler(FieldRegistry.standard());

    private static final Event CURL_IN_AGENT_SANDBOX = Event.builder().time(1_000L)
            .set(EVT_TYPE, "connect").set(PROC_PID, 43L).set(PROC_PPID, 42L).set(PROC_NAME, "curl")
            .set(PROC_EXE, "/usr/bin/curl")
            .ancestry(new Ancestry(List.of(
                    new Ancestry.Ancestor(42, "bash", "/usr/bin/bash", "bash -c curl -s http://169.254.169.254/"),
                    new Ancestry.Ancestor(7, "python3", "/usr/local/bin/python3", "python3 -m agent.runner"),
                    new Ancestry.Ancestor(1, "tini", "/sbin/tini", "tini -- python3 -m agent.runner"))))
            .build();

    private static final Event WITHOUT_ANCESTRY = Event.builder().time(1_000L)
            .set(EVT_TYPE, "connect").set(PROC_PID, 43L).set(PROC_NAME, "curl").build();

    private static boolean matches(final String condition, final Event event) {
        final ConditionCompiler.Result result = COMPILER.compile(condition, ConditionScope.empty());
        assertThat(result.errors()).as("errors compiling %s", condition).isEmpty();
        return result.predicate().test(event);
    }

    private static List<CompileError> errors(final String condition) {
        return COMPILER.compile(condition, ConditionScope.empty()).errors();
    }

    @Test
    void indexOneIsTheParentTwoTheGrandparentZeroTheProcessItself() {
        assertThat(matches("proc.aname[1] = bash", CURL_IN_AGENT_SANDBOX)).isTrue();
        assertThat(matches("proc.aname[2] = python3", CURL_IN_AGENT_SANDBOX)).isTrue();
        assertThat(matches("proc.aname[3] = tini and proc.apid[3] = 1", CURL_IN_AGENT_SANDBOX)).isTrue();
        assertThat(matches("proc.aname[0] = curl and proc.apid[0] = 43", CURL_IN_AGENT_SANDBOX)).isTrue();
        assertThat(matches("proc.aname[2] = bash", CURL_IN_AGENT_SANDBOX)).isFalse();
        assertThat(matches("proc.apid[2] > 5", CURL_IN_AGENT_SANDBOX)).isTrue();
        assertThat(matches("proc.aexepath[2] startswith /usr/local/", CURL_IN_AGENT_SANDBOX)).isTrue();
    }

    @Test
    void anAncestorBeyondTheKnownAncestryIsMissingSoComparisonsAreFalse() {
        assertThat(matches("proc.aname[4] = tini", CURL_IN_AGENT_SANDBOX)).isFalse();
        assertThat(matches("proc.aname[4] != tini", CURL_IN_AGENT_SANDBOX)).isFalse();
        assertThat(matches("proc.aname[1] = bash", WITHOUT_ANCESTRY)).isFalse();
        assertThat(matches("not proc.aname[1] = bash", WITHOUT_ANCESTRY)).isTrue();
    }

    @Test
    void withoutIndexAConditionHoldsWhenAnyAncestorMatches() {
        assertThat(matches("proc.aname = python3", CURL_IN_AGENT_SANDBOX)).isTrue();
        assertThat(matches("proc.aname in (sshd, tini)", CURL_IN_AGENT_SANDBOX)).isTrue();
        assertThat(matches("proc.aname contains pyth", CURL_IN_AGENT_SANDBOX)).isTrue();
        assertThat(matches("proc.aname in (sshd, tmux)", CURL_IN_AGENT_SANDBOX)).isFalse();
        assertThat(matches("not proc.aname in (sshd, tmux)", CURL_IN_AGENT_SANDBOX)).isTrue();
        assertThat(matches("proc.apid = 7", CURL_IN_AGENT_SANDBOX)).isTrue();
        assertThat(matches("proc.aname = curl", CURL_IN_AGENT_SANDBOX)).as("the process is not its own ancestor")
                .isFalse();
        assertThat(matches("proc.aname exists", WITHOUT_ANCESTRY)).isFalse();
    }

    @Test
    void withoutAncestryTheEventsOwnParentFieldsStandInForTheParent() {
        final Event tetragonExec = Event.builder().time(1_000L).set(EVT_TYPE, "execve").set(PROC_PID, 43L)
                .set(PROC_PPID, 42L).set(PROC_NAME, "curl").set(PROC_PNAME, "bash").build();

        assertThat(matches("proc.aname[1] = bash and proc.apid[1] = 42", tetragonExec)).isTrue();
        assertThat(matches("proc.aname = bash", tetragonExec)).isTrue();
        assertThat(matches("proc.aname[2] = bash", tetragonExec)).isFalse();
    }

    @Test
    void aFalcoAlertsOwnAncestorValuesAreReadWhenThereIsNoAncestry() {
        final Event falcoAlert = Event.builder().time(1_000L).set(PROC_NAME, "curl")
                .extra("proc.aname[2]", "python3").extra("proc.apid[2]", 7L).extra("proc.apid[3]", "not a pid").build();

        assertThat(matches("proc.aname[2] = python3 and proc.apid[2] = 7", falcoAlert)).isTrue();
        assertThat(matches("proc.apid[3] exists", falcoAlert)).isFalse();
    }

    @Test
    void ancestorFieldsAreTypedLikeTheProcessFields() {
        assertThat(errors("proc.apid[1] = bash")).singleElement().extracting(CompileError::message)
                .isEqualTo("value 'bash' is not a number, but 'proc.apid[1]' is an int");
        assertThat(errors("proc.aname[1] > 3")).singleElement().extracting(CompileError::message)
                .isEqualTo("operator '>' needs a numeric field, but 'proc.aname[1]' is a string");
    }

    @Test
    void aNonNumericIndexIsAnErrorAtTheIndex() {
        //                     0123456789012
        assertThat(errors("proc.aname[x] = bash")).containsExactly(new CompileError(11,
                "the index of 'proc.aname[x]' must be a whole number: proc.aname[1] is the parent, "
                        + "proc.aname[2] the grandparent, proc.aname[0] the process itself"));
        assertThat(errors("proc.name = a and proc.apid[] = 1")).singleElement()
                .extracting(CompileError::offset).isEqualTo(28);
    }

    @Test
    void aNegativeIndexIsAnErrorAtTheIndex() {
        assertThat(errors("proc.aname[-1] = bash")).containsExactly(new CompileError(11,
                "the index of 'proc.aname[-1]' cannot be negative: proc.aname[1] is the parent, "
                        + "proc.aname[2] the grandparent, proc.aname[0] the process itself"));
    }

    @Test
    void outputTemplatesRenderAncestorsAndNaBeyondThem() {
        final OutputTemplate template = OutputTemplate.parse(
                "gparent=%proc.aname[2] gpid=%proc.apid[2] ggggparent=%proc.aname[5] parent=%proc.aname", COMPILER)
                .template();
        assertThat(template.render(CURL_IN_AGENT_SANDBOX))
                .isEqualTo("gparent=python3 gpid=7 ggggparent=<NA> parent=bash");
        assertThat(template.fieldNames())
                .containsExactly("proc.aname[2]", "proc.apid[2]", "proc.aname[5]", "proc.aname");
        assertThat(template.render(WITHOUT_ANCESTRY)).isEqualTo("gparent=<NA> gpid=<NA> ggggparent=<NA> parent=<NA>");
    }

    @Test
    void aBadIndexInAnOutputTemplateIsReported() {
        assertThat(OutputTemplate.parse("gparent=%proc.aname[two]", COMPILER).errors()).singleElement()
                .extracting(CompileError::message).asString().startsWith("the index of 'proc.aname[two]' must be");
    }
}
