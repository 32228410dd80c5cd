package dev.peregrine.engine.condition;

import static dev.peregrine.collector.event.StandardFields.EVT_SOURCE;
import static dev.peregrine.collector.event.StandardFields.EVT_TYPE;
import static dev.peregrine.collector.event.StandardFields.PROC_NAME;
import static dev.peregrine.collector.event.StandardFields.PROC_PNAME;
import static org.assertj.core.api.Assertions.assertThat;

import dev.peregrine.collector.event.Event;
import dev.peregrine.collector.event.FieldRegistry;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SpecializationTest {

    private static final ConditionCompiler COMPILER = new ConditionCompiler(FieldRegistry.standard());

    private static final Map<String, String> MACROS = Map.of(
            "spawned_process", "evt.type in (execve, execveat)",
            "shell_procs", "proc.name in (sh, bash, zsh)",
            "open_read", "evt.type in (open, openat) and proc.pname != init");

    /** Each macro compiled once, as the rule loader does, so every use refers to the same body. */
    private static final Map<String, EventPredicate> COMPILED = new HashMap<>();

    private static final ConditionScope SCOPE = new ConditionScope() {
        @Override
        public Optional<MacroLookup> macro(final String name) {
            final String body = MACROS.get(name);
            return body == null ? Optional.empty() : Optional.of(MacroLookup.of(COMPILED.computeIfAbsent(name,
                    n -> COMPILER.compile(body, ConditionScope.empty()).predicate())));
        }

        @Override
        public Optional<List<String>> list(final String name) {
            return Optional.empty();
        }
    };

    private static EventPredicate compile(final String condition) {
        final ConditionCompiler.Result result = COMPILER.compile(condition, SCOPE);
        assertThat(result.errors()).isEmpty();
        return result.predicate();
    }

    private static List<Specialization.Known> execve() {
        return List.of(new Specialization.Known(EVT_SOURCE, "syscall"), new Specialization.Known(EVT_TYPE, "execve"));
    }

    private static Event event(final String type, final String name) {
        return Event.builder().time(1L).set(EVT_SOURCE, "syscall").set(EVT_TYPE, type).set(PROC_NAME, name)
                .set(PROC_PNAME, "node").build();
    }

    @Test
    void comparisonOnAKnownTypeIsDecidedBeforeAnyEvent() {
        final EventPredicate rule = compile("evt.type = execve and proc.name = sh");
        final EventPredicate forExecve = Specialization.specialize(List.of(rule), execve()).get(0);
        assertThat(forExecve).isInstanceOf(EventPredicate.FieldTest.class);
        assertThat(((EventPredicate.FieldTest) forExecve).accessor().name()).isEqualTo("proc.name");
        final EventPredicate forOpenat = Specialization.specialize(List.of(rule),
                List.of(new Specialization.Known(EVT_TYPE, "openat"))).get(0);
        assertThat(forOpenat).isEqualTo(EventPredicate.Constant.FALSE);
    }

    @Test
    void aFieldKnownToBeMissingFailsEveryComparisonNotEqualIncluded() {
        final List<Specialization.Known> untyped = List.of(new Specialization.Known(EVT_TYPE, null));
        final List<EventPredicate> rules = Specialization.specialize(List.of(compile("evt.type != execve"),
                compile("not evt.type = execve"), compile("evt.type exists")), untyped);
        assertThat(rules).containsExactly(EventPredicate.Constant.FALSE, EventPredicate.Constant.TRUE,
                EventPredicate.Constant.FALSE);
    }

    @Test
    void conditionWithoutTypeConstraintIsKeptWhole() {
        final EventPredicate rule = compile("proc.name = sh or proc.pname = node");
        final EventPredicate specialized = Specialization.specialize(List.of(rule), execve()).get(0);
        final Event event = event("anything", "ls");
        assertThat(specialized.test(event)).isEqualTo(rule.test(event)).isTrue();
        assertThat(specialized).isInstanceOf(EventPredicate.AnyOf.class);
    }

    @Test
    void macroSharedByTwoRulesIsOneNodeGivingBothTheSameAnswer() {
        final List<EventPredicate> rules = Specialization.specialize(List.of(
                compile("spawned_process and shell_procs and proc.pname = node"),
                compile("spawned_process and shell_procs and proc.pname = make"),
                compile("spawned_process and proc.name = ls")), execve());
        final EventPredicate.Shared first = sharedPart(rules.get(0));
        final EventPredicate.Shared second = sharedPart(rules.get(1));
        assertThat(first).isSameAs(second);
        assertThat(first.name()).isEqualTo("shell_procs");
        // used once in the batch: not wrapped; decided by the type: gone
        assertThat(rules.get(2)).isInstanceOf(EventPredicate.FieldTest.class);
        for (final Event event : List.of(event("execve", "sh"), event("execve", "ls"), event("execve", "bash"))) {
            assertThat(rules.get(0).test(event)).isEqualTo(compile("spawned_process and shell_procs and proc.pname = node")
                    .test(event));
            assertThat(rules.get(1).test(event)).isFalse();
            assertThat(first.test(event)).isEqualTo(!event.getString(PROC_NAME).equals("ls"));
        }
    }

    @Test
    void exceptionsFoldedWithTheirRuleStillSilenceIt() {
        final EventPredicate rule = compile("open_read and proc.name = cat and not (proc.pname in (make, node))");
        final EventPredicate specialized = Specialization.specialize(List.of(rule),
                List.of(new Specialization.Known(EVT_TYPE, "openat"), new Specialization.Known(PROC_NAME, "cat"))).get(0);
        final Event fromNode = Event.builder().time(1L).set(EVT_TYPE, "openat").set(PROC_NAME, "cat")
                .set(PROC_PNAME, "node").build();
        final Event fromBash = fromNode.with(PROC_PNAME, "bash");
        assertThat(specialized.test(fromNode)).isFalse();
        assertThat(specialized.test(fromBash)).isTrue();
        assertThat(specialized.test(fromBash.with(PROC_PNAME, "init"))).isFalse();
    }

    private static EventPredicate.Shared sharedPart(final EventPredicate predicate) {
        assertThat(predicate).isInstanceOf(EventPredicate.AllOf.class);
        return ((EventPredicate.AllOf) predicate).parts().stream().filter(EventPredicate.Shared.class::isInstance)
                .map(EventPredicate.Shared.class::cast).findFirst().orElseThrow();
    }
}
