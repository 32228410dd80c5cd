package dev.peregrine.engine.rules;

import static org.assertj.core.api.Assertions.assertThat;

import dev.peregrine.collector.event.FieldRegistry;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Falco's upstream stable rules file (a copy with its Apache-2.0 notice under
 * {@code src/test/resources/falco/upstream}), loaded unmodified.
 */
class FalcoUpstreamRulesTest {

    private static final Path FALCO_RULES = Path.of("src", "test", "resources", "falco", "upstream",
            "falco_rules.yaml");

    @Test
    void falcoStableRulesLoadUnmodifiedWithoutErrors() throws RuleLoadException {
        final RuleSet rules = new RuleLoader(FieldRegistry.standard()).load(List.of(FALCO_RULES));

        assertThat(rules.rules()).hasSize(25);
        assertThat(rules.macros()).hasSize(87);
        assertThat(rules.lists()).hasSize(49);
        assertThat(rules.requiredEngineVersions()).containsValue("0.57.0");
        // every stable rule is a syscall rule, which Peregrine ingests from auditd, Falco and Tetragon
        assertThat(rules.activeRules()).hasSize(25);
    }
}
