package dev.peregrine.engine.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.peregrine.collector.event.FieldRegistry;
import org.junit.jupiter.api.Test;

/** Rules for event sources Peregrine does not ingest load inactive, with warnings instead of errors. */
class RuleSourcesTest {

    private final RuleLoader loader = new RuleLoader(FieldRegistry.standard());

    @Test
    void ruleForAnUningestedSourceLoadsInactiveWithAWarning() throws Exception {
        final RuleSet rules = loader.load("test.yaml", """
                - rule: K8s secret read
                  condition: ka.verb = get and ka.target.resource = secrets
                  output: secret read by %ka.user.name
                  priority: WARNING
                  source: k8s_audit
                - rule: Shell
                  condition: proc.name = sh
                  output: shell
                  priority: INFO
                - rule: Agent denied
                  condition: tool.outcome = denied
                  output: denied
                  priority: INFO
                  source: agent
                """);
        assertThat(rules.rules()).extracting(RuleDef::name).containsExactly("K8s secret read", "Shell", "Agent denied");
        assertThat(rules.activeRules()).extracting(RuleDef::name).containsExactly("Shell", "Agent denied");
        assertThat(rules.isActive(rules.rule("k8s_secret_read").orElseThrow())).isFalse();
        assertThat(rules.inactiveSources()).containsExactly("k8s_audit");
        assertThat(rules.warnings()).extracting(RuleLoadWarning::toString).containsExactly(
                "test.yaml:1:3: warning: rule 'K8s secret read' is for source 'k8s_audit', which Peregrine does not "
                        + "ingest; it is loaded inactive");
    }

    @Test
    void problemsInAnInactiveRuleAreWarningsAndTheRuleIsLeftOut() throws Exception {
        final RuleSet rules = loader.load("test.yaml", """
                - rule: Cloudtrail console login
                  condition: ct.name = ConsoleLogin and evt.nosuch = 1
                  output: login by %ct.user
                  priority: NOTICE
                  source: aws_cloudtrail
                """);
        assertThat(rules.rules()).isEmpty();
        assertThat(rules.warnings()).extracting(RuleLoadWarning::toString).containsExactly(
                "test.yaml:1:3: warning: rule 'Cloudtrail console login' is for source 'aws_cloudtrail', which "
                        + "Peregrine does not ingest; it is loaded inactive",
                "test.yaml:2:41: warning: inactive rule 'Cloudtrail console login': unknown field 'evt.nosuch'");
    }

    @Test
    void disabledRuleOfAnIngestedSourceIsNotActive() throws Exception {
        final RuleSet rules = loader.load("test.yaml", """
                - rule: Off
                  condition: proc.name = sh
                  output: x
                  priority: INFO
                  enabled: false
                """);
        assertThat(rules.activeRules()).isEmpty();
        assertThat(rules.warnings()).isEmpty();
    }

    @Test
    void syntaxErrorInARuleOfAnIngestedSourceIsStillAnError() {
        final RuleLoadException e = catchThrowableOfType(RuleLoadException.class, () -> loader.load("test.yaml", """
                - rule: Broken
                  condition: (proc.name = sh
                  output: x
                  priority: INFO
                  source: auditd
                """));
        assertThat(e.errors()).extracting(RuleLoadError::toString)
                .containsExactly("test.yaml:2:14: unbalanced parenthesis: '(' is never closed");
    }
}
