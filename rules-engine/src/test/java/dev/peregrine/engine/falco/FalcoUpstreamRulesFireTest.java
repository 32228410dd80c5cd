package dev.peregrine.engine.falco;

import static org.assertj.core.api.Assertions.assertThat;

import dev.peregrine.alerting.Alert;
import dev.peregrine.collector.event.Event;
import dev.peregrine.collector.event.FieldRegistry;
import dev.peregrine.collector.ndjson.NdjsonParser;
import dev.peregrine.collector.proctree.ProcessTrees;
import dev.peregrine.engine.rules.RuleDef;
import dev.peregrine.engine.rules.RuleLoader;
import dev.peregrine.engine.rules.RuleSet;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Falco's upstream stable rules, loaded unmodified, replayed against hand-written native events
 * that trigger them ({@code triggers.ndjson}) and benign look-alikes that must not
 * ({@code lookalikes.ndjson}). Each trace line names, in its {@code test.expect} key, the rules
 * it must raise ({@code |}-separated; empty: none); any other rule firing is a failure too.
 */
class FalcoUpstreamRulesFireTest {

    private static final Path FALCO_RULES = Path.of("src", "test", "resources", "falco", "upstream",
            "falco_rules.yaml");
    private static final Path TRACES = Path.of("src", "test", "resources", "falco", "upstream-triggers");
    private static final String EXPECT = "test.expect";

    private static RuleSet rules;

    /** What one trace line was expected to raise and what it raised. */
    private record Outcome(int line, Set<String> expected, Set<String> fired) {
        boolean ok() {
            return expected.equals(fired);
        }

        @Override
        public String toString() {
            return "line " + line + ": expected " + expected + " but fired " + fired;
        }
    }

    @BeforeAll
    static void loadFalcoRules() throws Exception {
        rules = new RuleLoader(FieldRegistry.standard()).load(List.of(FALCO_RULES));
    }

    private static List<Outcome> replay(final String trace) throws IOException {
        final FalcoRuleEvaluator evaluator = new FalcoRuleEvaluator(rules);
        final ProcessTrees trees = ProcessTrees.withDefaults();
        final NdjsonParser parser = new NdjsonParser(NdjsonParser.Format.NATIVE);
        final List<Outcome> outcomes = new ArrayList<>();
        final List<String> lines = Files.readAllLines(TRACES.resolve(trace), StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            final byte[] bytes = lines.get(i).getBytes(StandardCharsets.UTF_8);
            final Event event;
            try {
                event = trees.enrich(parser.parse(bytes, 0, bytes.length));
            } catch (final Exception e) {
                throw new AssertionError(trace + " line " + (i + 1) + " was rejected: " + e.getMessage(), e);
            }
            final Set<String> fired = evaluator.evaluate(event).stream().map(Alert::rule)
                    .collect(Collectors.toCollection(TreeSet::new));
            outcomes.add(new Outcome(i + 1, expectation(event), fired));
        }
        return outcomes;
    }

    private static Set<String> expectation(final Event event) {
        final Object expect = event.extra(EXPECT);
        assertThat(expect).as("every trace line says what it expects in '%s'", EXPECT).isInstanceOf(String.class);
        return Arrays.stream(((String) expect).split("\\|")).map(String::strip).filter(s -> !s.isEmpty())
                .collect(Collectors.toCollection(TreeSet::new));
    }

    @Test
    void eachTriggerEventRaisesExactlyTheUpstreamRulesItWasWrittenFor() throws IOException {
        final List<Outcome> outcomes = replay("triggers.ndjson");

        assertThat(outcomes).filteredOn(o -> !o.ok()).as("trace lines whose alerts differ from test.expect")
                .isEmpty();
        final Set<String> triggered = outcomes.stream().flatMap(o -> o.fired().stream())
                .collect(Collectors.toCollection(TreeSet::new));
        assertThat(triggered).as("distinct upstream rules triggered").hasSizeGreaterThanOrEqualTo(10);
    }

    @Test
    void everyStableUpstreamRuleIsTriggeredByTheTrace() throws IOException {
        final Set<String> triggered = replay("triggers.ndjson").stream().flatMap(o -> o.fired().stream())
                .collect(Collectors.toCollection(TreeSet::new));

        assertThat(triggered).containsExactlyInAnyOrderElementsOf(
                rules.activeRules().stream().map(RuleDef::name).toList());
    }

    @Test
    void benignLookAlikesRaiseNothingTheyWereNotWrittenFor() throws IOException {
        final List<Outcome> outcomes = replay("lookalikes.ndjson");

        assertThat(outcomes).filteredOn(o -> !o.ok()).as("look-alike lines whose alerts differ from test.expect")
                .isEmpty();
    }

    @Test
    void expectationsNameOnlyRulesThatExistUpstream() throws IOException {
        final Set<String> names = rules.rules().stream().map(RuleDef::name).collect(Collectors.toSet());
        final List<String> named = new ArrayList<>();
        for (final String trace : List.of("triggers.ndjson", "lookalikes.ndjson")) {
            replay(trace).forEach(o -> named.addAll(o.expected()));
        }

        assertThat(names).containsAll(named);
    }
}
