package dev.peregrine.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.peregrine.alerting.Alert;
import dev.peregrine.collector.event.Event;
import dev.peregrine.collector.event.FieldRegistry;
import dev.peregrine.collector.ndjson.LineRejectedException;
import dev.peregrine.collector.ndjson.NdjsonParser;
import dev.peregrine.engine.falco.FalcoRuleEvaluator;
import dev.peregrine.engine.rules.RuleDef;
import dev.peregrine.engine.rules.RuleFile;
import dev.peregrine.engine.rules.RuleLoadException;
import dev.peregrine.engine.rules.RuleLoader;
import dev.peregrine.engine.rules.RuleSet;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The shipped rule set, loaded from the classpath through index.txt as the application loads it,
 * against recorded traces: for every enabled rule, {@code traces/<rule id>/attack.ndjson} must
 * raise that rule and {@code traces/<rule id>/benign.ndjson} - a close look-alike - must not.
 */
class ShippedRulesTest {

    private static final String TRACES = "traces/";

    private static RuleSet rules;
    private static FalcoRuleEvaluator evaluator;

    @BeforeAll
    static void loadShippedRules() throws RuleLoadException {
        rules = load();
        evaluator = new FalcoRuleEvaluator(rules);
    }

    @Test
    void shippedRulesLoadWithoutErrorsOrWarnings() {
        final RuleSet loaded;
        try {
            loaded = load();
        } catch (final RuleLoadException e) {
            fail("shipped rules do not load:%n%s", e.getMessage());
            return;
        }
        assertThat(loaded.warnings()).isEmpty();
        assertThat(loaded.rules()).hasSizeGreaterThanOrEqualTo(15);
        assertThat(loaded.rules()).allSatisfy(rule -> assertThat(rule.enabled()).as(rule.id()).isTrue());
    }

    @Test
    void everyEnabledRuleHasAnAttackAndABenignTrace() {
        final List<String> missing = new ArrayList<>();
        for (final String id : enabledRuleIds().toList()) {
            for (final String kind : List.of("attack", "benign")) {
                final String trace = TRACES + id + "/" + kind + ".ndjson";
                if (ShippedRulesTest.class.getClassLoader().getResource(trace) == null) {
                    missing.add(trace);
                }
            }
        }
        assertThat(missing).as("rules without traces").isEmpty();
    }

    @ParameterizedTest(name = "{0}: attack trace raises it")
    @MethodSource("enabledRuleIds")
    void attackTraceRaisesTheRule(final String ruleId) {
        final List<Alert> alerts = replay(TRACES + ruleId + "/attack.ndjson");

        assertThat(alerts).extracting(Alert::ruleId).contains(ruleId);
    }

    @ParameterizedTest(name = "{0}: benign look-alike does not raise it")
    @MethodSource("enabledRuleIds")
    void benignTraceDoesNotRaiseTheRule(final String ruleId) {
        final List<Alert> alerts = replay(TRACES + ruleId + "/benign.ndjson");

        assertThat(alerts).filteredOn(alert -> alert.ruleId().equals(ruleId))
                .as("alerts of %s on its benign trace", ruleId)
                .isEmpty();
    }

    @Test
    void reverseShellAlertNamesTheAgentSessionAndCommand() {
        final Alert alert = first("reverse_shell", replay(TRACES + "reverse_shell/attack.ndjson"));

        assertThat(alert.output())
                .startsWith("Reverse shell command executed")
                .contains("agent=triage-bot")
                .contains("session=s-5c0d77")
                .contains("sandbox=sbx-a0c431")
                .contains("/dev/tcp/203.0.113.45/4444");
        assertThat(alert.priority().toString()).isEqualToIgnoringCase("critical");
        assertThat(alert.tags()).contains("maturity_stable", "T1059");
        assertThat(alert.agent()).isEqualTo("triage-bot");
        assertThat(alert.session()).isEqualTo("s-5c0d77");
    }

    @Test
    void deniedToolCallAlertNamesToolActionResourceAndReason() {
        final Alert alert = first("agent_tool_call_denied", replay(TRACES + "agent_tool_call_denied/attack.ndjson"));

        assertThat(alert.source()).isEqualTo("agent");
        assertThat(alert.output())
                .contains("agent=ci-runner session=s-8f2c01")
                .contains("tool=github action=git:push resource=repos/acme/api/branches/main")
                .contains("reason=policy: protected branch");
        assertThat(alert.outputFields()).containsEntry("agent.id", "ci-runner");
    }

    @Test
    void secretFileAlertNamesTheFileAndTheProcess() {
        final Alert alert = first("read_ssh_private_key", replay(TRACES + "read_ssh_private_key/attack.ndjson"));

        assertThat(alert.output())
                .contains("file=/home/agent/.ssh/id_ed25519")
                .contains("process=cat")
                .contains("agent=dev-assistant session=s-4f0e2a");
    }

    @Test
    void egressAllowListAdmitsAllowedHostsOnlyOnAWholeHostName() {
        // https://api.github.com is allowed; https://api.github.com.attacker.example is not.
        final List<Alert> alerts = replay(TRACES + "agent_http_egress_not_allowlisted/attack.ndjson");

        assertThat(alerts).filteredOn(a -> a.ruleId().equals("agent_http_egress_not_allowlisted"))
                .extracting(Alert::output)
                .anySatisfy(output -> assertThat(output).contains("url=https://api.github.com.attacker.example/"));
    }

    static Stream<String> enabledRuleIds() {
        if (rules == null) {
            try {
                rules = load();
            } catch (final RuleLoadException e) {
                throw new IllegalStateException(e.getMessage(), e);
            }
        }
        return rules.rules().stream().filter(RuleDef::enabled).map(RuleDef::id);
    }

    private static RuleSet load() throws RuleLoadException {
        final List<RuleFile> files = ShippedRules.files().stream()
                .map(file -> new RuleFile(ShippedRules.DIRECTORY + file, ShippedRules.text(file)))
                .toList();
        return new RuleLoader(FieldRegistry.standard()).loadFiles(files);
    }

    private static Alert first(final String ruleId, final List<Alert> alerts) {
        return alerts.stream().filter(a -> a.ruleId().equals(ruleId)).findFirst()
                .orElseThrow(() -> new AssertionError("no alert of " + ruleId + " in " + alerts));
    }

    /** Every alert the shipped rules raise on the trace; a trace line that does not parse fails the test. */
    private static List<Alert> replay(final String resource) {
        final NdjsonParser parser = new NdjsonParser();
        final List<Alert> alerts = new ArrayList<>();
        final String text;
        try (InputStream in = ShippedRules.resource(resource)) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (final IOException e) {
            throw new AssertionError("cannot read " + resource, e);
        }
        int lineNumber = 0;
        for (final String line : text.split("\n")) {
            lineNumber++;
            if (line.isBlank()) {
                continue;
            }
            final byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
            final Event event;
            try {
                event = parser.parse(bytes, 0, bytes.length);
            } catch (final LineRejectedException e) {
                throw new AssertionError(resource + ":" + lineNumber + ": trace line rejected: " + e.getMessage(), e);
            }
            alerts.addAll(evaluator == null ? new FalcoRuleEvaluator(rules).evaluate(event) : evaluator.evaluate(event));
        }
        return alerts;
    }
}
