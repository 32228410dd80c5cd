package dev.peregrine.engine.falco;

import static dev.peregrine.collector.event.StandardFields.EVT_SOURCE;
import static dev.peregrine.collector.event.StandardFields.EVT_TYPE;
import static dev.peregrine.collector.event.StandardFields.PROC_NAME;
import static dev.peregrine.collector.event.StandardFields.PROC_PNAME;
import static dev.peregrine.collector.event.StandardFields.USER_NAME;
import static org.assertj.core.api.Assertions.assertThat;

import dev.peregrine.alerting.Alert;
import dev.peregrine.collector.event.Event;
import dev.peregrine.collector.event.FieldRegistry;
import dev.peregrine.collector.ndjson.NdjsonParser;
import dev.peregrine.collector.proctree.ProcessTrees;
import dev.peregrine.engine.rules.EventSources;
import dev.peregrine.engine.rules.RuleDef;
import dev.peregrine.engine.rules.RuleFile;
import dev.peregrine.engine.rules.RuleLoader;
import dev.peregrine.engine.rules.RuleSet;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The evaluator's index (source, type, an indexed field's value) and the rewriting of each entry's
 * rules change which rules run, never what matches: every event raises exactly the rules, in rule
 * order, that testing each active rule's own condition raises.
 */
class IndexedEvaluationTest {

    private static final Path FALCO_RULES = Path.of("src", "test", "resources", "falco", "upstream",
            "falco_rules.yaml");
    private static final Path TRACES = Path.of("src", "test", "resources", "falco", "upstream-triggers");
    private static final long T0 = 1_795_000_000_000_000_000L;

    /** The rules {@code event} matches by plain evaluation of every active rule its source reaches. */
    private static List<String> plain(final RuleSet rules, final Event event) {
        final String source = event.getString(EVT_SOURCE);
        final List<String> matched = new ArrayList<>();
        for (final RuleDef rule : rules.rules()) {
            if (rules.isActive(rule)
                    && EventSources.eventSourcesOf(rule.source()).contains(source == null ? EventSources.SYSCALL : source)
                    && rule.predicate().test(event)) {
                matched.add(rule.id());
            }
        }
        return matched;
    }

    private static List<String> indexed(final FalcoRuleEvaluator evaluator, final Event event) {
        return evaluator.evaluate(event).stream().map(Alert::ruleId).toList();
    }

    /** The trace events, and variants with their type, source and process names moved around. */
    private static List<Event> traceEventsAndVariants() throws Exception {
        final NdjsonParser parser = new NdjsonParser(NdjsonParser.Format.NATIVE);
        final ProcessTrees trees = ProcessTrees.withDefaults();
        final List<Event> events = new ArrayList<>();
        for (final String trace : List.of("triggers.ndjson", "lookalikes.ndjson")) {
            for (final String line : Files.readAllLines(TRACES.resolve(trace), StandardCharsets.UTF_8)) {
                if (!line.isBlank()) {
                    final byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
                    events.add(trees.enrich(parser.parse(bytes, 0, bytes.length)));
                }
            }
        }
        final List<String> types = new ArrayList<>();
        final List<String> names = new ArrayList<>();
        for (final Event event : events) {
            addIfNew(types, event.getString(EVT_TYPE));
            addIfNew(names, event.getString(PROC_NAME));
        }
        final List<Event> variants = new ArrayList<>(events);
        for (final Event event : events) {
            for (final String type : types) {
                variants.add(event.with(EVT_TYPE, type));
            }
            for (final String name : names) {
                variants.add(event.with(PROC_NAME, name));
                variants.add(event.with(PROC_PNAME, name));
            }
            variants.add(event.with(EVT_TYPE, null));
            variants.add(event.with(EVT_SOURCE, null));
            variants.add(event.with(PROC_NAME, null));
            variants.add(event.with(EVT_SOURCE, "agent"));
        }
        return variants;
    }

    private static void addIfNew(final List<String> values, final String value) {
        if (value != null && !values.contains(value)) {
            values.add(value);
        }
    }

    @Test
    void falcoStableRulesMatchAsPlainEvaluationOnTracesAndVariants() throws Exception {
        final RuleSet rules = new RuleLoader(FieldRegistry.standard()).load(List.of(FALCO_RULES));
        final FalcoRuleEvaluator evaluator = new FalcoRuleEvaluator(rules);
        final List<Event> events = traceEventsAndVariants();
        int matching = 0;
        for (final Event event : events) {
            final List<String> expected = plain(rules, event);
            assertThat(indexed(evaluator, event)).as("%s", event).isEqualTo(expected);
            matching += expected.isEmpty() ? 0 : 1;
        }
        // the variants exercise both sides: many events match, many do not
        assertThat(matching).isGreaterThan(50).isLessThan(events.size() - 50);
    }

    @Test
    void sameEventTwiceGivesTheSameAlerts() throws Exception {
        final RuleSet rules = new RuleLoader(FieldRegistry.standard()).load(List.of(FALCO_RULES));
        final FalcoRuleEvaluator evaluator = new FalcoRuleEvaluator(rules);
        for (final Event event : traceEventsAndVariants().subList(0, 200)) {
            assertThat(indexed(evaluator, event)).isEqualTo(indexed(evaluator, event)).isEqualTo(plain(rules, event));
        }
    }

    @Test
    void moreProcessNamesThanTheIndexKeepsStillMatchExactly() throws Exception {
        final RuleSet rules = new RuleLoader(FieldRegistry.standard()).loadFiles(List.of(new RuleFile("names.yaml", """
                - rule: Shell from node
                  condition: evt.type = execve and proc.name in (sh, bash) and proc.pname = node
                  output: shell %proc.name
                  priority: WARNING
                - rule: Shell from make
                  condition: evt.type = execve and proc.name in (sh, zsh) and proc.pname = make
                  output: shell %proc.name
                  priority: WARNING
                - rule: Any exec of tool
                  condition: evt.type = execve and proc.name startswith tool
                  output: tool %proc.name
                  priority: NOTICE
                """)));
        final FalcoRuleEvaluator evaluator = new FalcoRuleEvaluator(rules);
        final List<Event> events = new ArrayList<>();
        for (int i = 0; i < FalcoRuleEvaluator.MAX_VALUES + 50; i++) {
            events.add(exec("tool" + i, "node"));
        }
        for (final String name : List.of("sh", "bash", "zsh", "tool-late", "ls")) {
            for (final String parent : List.of("node", "make", "bash")) {
                events.add(exec(name, parent));
            }
        }
        events.add(Event.builder().time(T0).set(EVT_SOURCE, "syscall").set(EVT_TYPE, "execve").set(PROC_PNAME, "node")
                .build());
        for (final Event event : events) {
            assertThat(indexed(evaluator, event)).as("%s", event).isEqualTo(plain(rules, event));
        }
        assertThat(evaluator.stats().matched("shell_from_node")).isEqualTo(2);
        assertThat(evaluator.stats().matched("shell_from_make")).isEqualTo(2);
        assertThat(evaluator.stats().matched("any_exec_of_tool")).isEqualTo(FalcoRuleEvaluator.MAX_VALUES + 50 + 3);
        // the name index: a shell rule only meets the names it lists
        assertThat(evaluator.stats().evaluated("shell_from_node")).isEqualTo(6);
    }

    @Test
    void ruleThatDoesNotConstrainTheTypeMeetsEveryEvent() throws Exception {
        final RuleSet rules = new RuleLoader(FieldRegistry.standard()).loadFiles(List.of(new RuleFile("any.yaml", """
                - rule: Root anything
                  condition: user.name = root
                  output: root %evt.type
                  priority: NOTICE
                - rule: Root exec
                  condition: evt.type = execve and user.name = root
                  output: root exec
                  priority: NOTICE
                """)));
        final FalcoRuleEvaluator evaluator = new FalcoRuleEvaluator(rules);
        final List<String> types = new ArrayList<>(List.of("execve", "openat", "connect", "never_seen_before"));
        for (int i = 0; i < FalcoRuleEvaluator.MAX_TYPES + 10; i++) {
            types.add("type" + i);
        }
        for (final String type : types) {
            final Event event = Event.builder().time(T0).set(EVT_SOURCE, "syscall").set(EVT_TYPE, type)
                    .set(USER_NAME, "root").build();
            assertThat(indexed(evaluator, event)).as(type)
                    .isEqualTo(type.equals("execve") ? List.of("root_anything", "root_exec") : List.of("root_anything"));
        }
        final Event untyped = Event.builder().time(T0).set(USER_NAME, "root")
                .build();
        assertThat(indexed(evaluator, untyped)).containsExactly("root_anything");
        assertThat(evaluator.stats().evaluated("root_anything")).isEqualTo(types.size() + 1);
        assertThat(evaluator.stats().evaluated("root_exec")).isEqualTo(1);
    }

    private static Event exec(final String name, final String parent) {
        return Event.builder().time(T0).set(EVT_SOURCE, "syscall").set(EVT_TYPE, "execve").set(PROC_NAME, name)
                .set(PROC_PNAME, parent).build();
    }
}
