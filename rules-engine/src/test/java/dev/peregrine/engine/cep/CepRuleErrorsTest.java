package dev.peregrine.engine.cep;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.peregrine.collector.event.FieldRegistry;
import dev.peregrine.engine.Traces;
import dev.peregrine.engine.rules.RuleLoadException;
import dev.peregrine.engine.rules.RuleLoader;
import dev.peregrine.engine.rules.RuleSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Rule authors learn where their cep items are broken: file:line:column, and Esper's own message. */
class CepRuleErrorsTest {

    private static final String BROKEN = "dev/peregrine/engine/cep/broken_epl.yaml";

    private final FieldRegistry registry = FieldRegistry.standard();

    @Test
    void everyBrokenItemIsReportedAtTheFileLineOfItsEplWithEspersMessage() {
        final RuleLoadException thrown = catchThrowableOfType(RuleLoadException.class,
                () -> new RuleLoader(registry, new CepCompiler(registry)).loadFiles(List.of(Traces.ruleFile(BROKEN))));

        assertThat(thrown.errors()).extracting(Object::toString).containsExactly(
                BROKEN + ":28:3: cep 'No priority' has no 'priority'",
                BROKEN + ":8:47: EPL error in cep 'Unknown property' (EPL line 3): Failed to validate filter expression "
                        + "'evt_type=\"execve\" and proc_nme=\"bash\"': Property named 'proc_nme' is not valid in any "
                        + "stream (did you mean 'proc_name'?)",
                BROKEN + ":18:7: EPL error in cep 'Syntax error' (EPL line 4): Incorrect syntax near 'frm' at line 2 "
                        + "column 2",
                BROKEN + ":25:34: output of cep 'Output names a column the statement does not select' refers to "
                        + "%agent.id but the last statement selects no column 'agent_id' (it selects [agent_session]; "
                        + "name columns with 'as')");
    }

    @Test
    void withoutACompilerTheLoaderReadsCepItemsAndLeavesTheEplUnchecked() throws RuleLoadException {
        final String yaml = """
                - cep: Unchecked
                  id: unchecked
                  desc: Reads fine, would not compile.
                  epl: |
                    select nonsense from Nowhere
                  output: "x (session=%agent.session)"
                  priority: NOTICE
                  tags: [cep, T1078]
                """;

        final RuleSet rules = new RuleLoader(registry).load("unchecked.yaml", yaml);

        assertThat(rules.cepRules()).singleElement().satisfies(cep -> {
            assertThat(cep.id()).isEqualTo("unchecked");
            assertThat(cep.epl()).isEqualTo("select nonsense from Nowhere\n");
            assertThat(cep.tags()).containsExactly("cep", "T1078");
            assertThat(cep.locate(1)).isEqualTo(new dev.peregrine.engine.rules.CepRuleDef.Location(5, 5));
        });
        assertThat(rules.warnings()).isEmpty();
    }

    @Test
    void aCepIdMayNotRepeatARuleIdAndACepMayBeSwitchedOffLater() throws RuleLoadException {
        final String clash = """
                - rule: Shell
                  id: shell
                  condition: evt.type = execve
                  output: "shell"
                  priority: NOTICE
                - cep: Shell again
                  id: shell
                  epl: select * from Event
                  output: "x"
                  priority: NOTICE
                """;
        final RuleLoadException thrown = catchThrowableOfType(RuleLoadException.class,
                () -> new RuleLoader(registry).load("clash.yaml", clash));
        assertThat(thrown.errors()).extracting(Object::toString)
                .containsExactly("clash.yaml:6:3: cep id 'shell' is already used by rule 'Shell' at clash.yaml:1:3");

        final String switchedOff = """
                - cep: Noisy
                  id: noisy
                  epl: select * from Event
                  output: "x"
                  priority: NOTICE
                - cep: Noisy
                  enabled: false
                """;
        final RuleSet rules = new RuleLoader(registry).load("local.yaml", switchedOff);
        assertThat(rules.cepRules()).singleElement().satisfies(cep -> assertThat(cep.enabled()).isFalse());
        assertThat(rules.activeCepRules()).isEmpty();
    }
}
