package dev.peregrine.engine.condition;

import static org.assertj.core.api.Assertions.assertThat;

import dev.peregrine.collector.event.FieldRegistry;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RequiredValuesTest {

    private static final ConditionCompiler COMPILER = new ConditionCompiler(FieldRegistry.standard());

    private static RequiredValues of(final String condition, final String field) {
        final ConditionCompiler.Result result = COMPILER.compile(condition, new ConditionScope() {
            @Override
            public Optional<MacroLookup> macro(final String name) {
                return name.equals("shell_procs") ? Optional.of(MacroLookup.of(
                        COMPILER.compile("proc.name in (sh, bash)", ConditionScope.empty()).predicate())) : Optional.empty();
            }

            @Override
            public Optional<List<String>> list(final String name) {
                return Optional.empty();
            }
        });
        assertThat(result.errors()).isEmpty();
        return RequiredValues.of(result.predicate(), field);
    }

    @Test
    void equalityAndInThroughMacrosConstrain() {
        assertThat(of("shell_procs and proc.pname = node", "proc.name").sorted()).containsExactly("bash", "sh");
        assertThat(of("shell_procs and proc.pname = node", "proc.pname").sorted()).containsExactly("node");
        assertThat(of("proc.name = sh or proc.name in (zsh)", "proc.name").sorted()).containsExactly("sh", "zsh");
    }

    @Test
    void negationsOtherOperatorsAndOpenBranchesDoNot() {
        assertThat(of("not proc.name = sh", "proc.name").any()).isTrue();
        assertThat(of("proc.name startswith py", "proc.name").any()).isTrue();
        assertThat(of("proc.name = sh or proc.pname = node", "proc.name").any()).isTrue();
        // numbers are not indexed as text: 0x10 and 16 are the same pid
        assertThat(of("proc.pid = 16", "proc.pid").any()).isTrue();
    }
}
