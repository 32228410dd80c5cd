package dev.peregrine.engine.slopsquat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.peregrine.alerting.Alert;
import dev.peregrine.collector.event.FieldRegistry;
import dev.peregrine.engine.DetectionEngine;
import dev.peregrine.engine.Traces;
import dev.peregrine.engine.cep.CepCompiler;
import dev.peregrine.engine.cep.CepProgram;
import dev.peregrine.engine.rules.RuleLoader;
import dev.peregrine.engine.rules.RuleSet;
import dev.peregrine.engine.time.ReorderBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The engine sends each slopsquat finding to CEP as a {@code Signal} once the detectors have run on
 * its event, with the package (which the event does not carry) in {@code output_fields}, so a cep
 * item such as the shipped {@code slopsquat_escalation} can correlate it with what follows.
 */
class SlopsquatFindingsReachCepTest {

    @Test
    void everyFindingReachesEplWithItsPackageRightAfterItsAlert() throws Exception {
        final FieldRegistry registry = FieldRegistry.standard();
        final CepCompiler compiler = new CepCompiler(registry);
        final RuleSet rules = new RuleLoader(registry, compiler)
                .loadFiles(List.of(Traces.ruleFile("slopsquat/findings-as-signals.yaml")));
        final CepProgram program = compiler.compile(rules.activeCepRules());
        final DetectionEngine engine = new DetectionEngine(rules, program,
                List.of(new SlopsquatDetector(ShippedSnapshots.checker())), ReorderBuffer.DEFAULT_ALLOWED_LATENESS);
        final List<Alert> alerts = new ArrayList<>();
        try {
            Traces.events("slopsquat/agent-installs-hallucinated.ndjson").forEach(event -> engine.onEvent(event, alerts::add));
            engine.endOfInput(alerts::add);
        } finally {
            engine.close();
        }

        assertThat(engine.failures()).isEmpty();
        assertThat(alerts).extracting(Alert::ruleId).containsExactly(
                "slopsquat_not_in_registry", "slopsquat_finding_signal",
                "slopsquat_typosquat", "slopsquat_finding_signal",
                "slopsquat_typosquat", "slopsquat_finding_signal");
        assertThat(alerts).filteredOn(alert -> alert.ruleId().equals("slopsquat_finding_signal"))
                .extracting(Alert::output)
                .containsExactly(
                        "Finding slopsquat_not_in_registry (package=pypi:flask-gpt-helper session=s-8f2c pid=644)",
                        "Finding slopsquat_typosquat (package=pypi:reqeusts session=s-8f2c pid=671)",
                        "Finding slopsquat_typosquat (package=npm:crossenv session=s-8f2c pid=702)");
    }
}
