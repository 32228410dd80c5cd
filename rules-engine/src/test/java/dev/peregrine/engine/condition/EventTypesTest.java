package dev.peregrine.engine.condition;

import static org.assertj.core.api.Assertions.assertThat;

import dev.peregrine.collector.event.FieldRegistry;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class EventTypesTest {

    private static final ConditionCompiler COMPILER = new ConditionCompiler(FieldRegistry.standard());

    private static final ConditionScope SCOPE = new ConditionScope() {
        @Override
        public Optional<MacroLookup> macro(final String name) {
            return name.equals("spawned_process")
                    ? Optional.of(MacroLookup.of(COMPILER.compile("evt.type in (execve, execveat)", ConditionScope.empty()).predicate()))
                    : Optional.empty();
        }

        @Override
        public Optional<List<String>> list(final String name) {
            return name.equals("open_types") ? Optional.of(List.of("open", "openat")) : Optional.empty();
        }
    };

    private static EventTypes typesOf(final String condition) {
        final ConditionCompiler.Result result = COMPILER.compile(condition, SCOPE);
        assertThat(result.errors()).isEmpty();
        return EventTypes.of(result.predicate());
    }

    @Test
    void equalityAndInConstrain() {
        assertThat(typesOf("evt.type = execve").sorted()).containsExactly("execve");
        assertThat(typesOf("evt.type in (open_types, creat)").sorted()).containsExactly("creat", "open", "openat");
    }

    @Test
    void andIntersectsConstrainedParts() {
        assertThat(typesOf("evt.type in (a, b) and proc.name = sh and evt.type in (b, c)").sorted()).containsExactly("b");
    }

    @Test
    void orUnitesOnlyWhenEveryBranchIsConstrained() {
        assertThat(typesOf("evt.type = a or evt.type = b").sorted()).containsExactly("a", "b");
        assertThat(typesOf("evt.type = a or proc.name = sh").any()).isTrue();
    }

    @Test
    void macrosAreLookedThrough() {
        assertThat(typesOf("spawned_process and proc.name = sh").sorted()).containsExactly("execve", "execveat");
    }

    @Test
    void negationAndInequalityDoNotConstrain() {
        assertThat(typesOf("not evt.type = execve").any()).isTrue();
        assertThat(typesOf("evt.type != execve").any()).isTrue();
        assertThat(typesOf("proc.name = sh").any()).isTrue();
    }

    @Test
    void contradictionMatchesNoType() {
        final EventTypes types = typesOf("evt.type = a and evt.type = b");
        assertThat(types.any()).isFalse();
        assertThat(types.names()).isEmpty();
    }
}
