package dev.peregrine.app;

import dev.peregrine.alerting.Alert;
import dev.peregrine.alerting.AlertJson;
import dev.peregrine.collector.source.EventSource;
import dev.peregrine.engine.embedded.EmbeddedPipeline;
import dev.peregrine.engine.embedded.PipelineMetrics;
import dev.peregrine.engine.embedded.PipelineSummary;
import dev.peregrine.collector.event.Field;
import dev.peregrine.collector.event.FieldRegistry;
import dev.peregrine.engine.rules.RuleDef;
import dev.peregrine.engine.rules.RuleLoadWarning;
import dev.peregrine.engine.rules.RuleSet;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code peregrine rules …}: tools for rule authors. */
@Command(name = "rules", mixinStandardHelpOptions = true, description = "Tools for rule authors.",
        subcommands = {RulesCommand.Validate.class, RulesCommand.TestRules.class, RulesCommand.ListRules.class,
                RulesCommand.Fields.class})
final class RulesCommand {


    /** {@code rules validate FILE|DIR…}: load rule files and report every problem. */
    @Command(name = "validate", mixinStandardHelpOptions = true,
            description = {"Loads rule files and reports every problem as file:line:column: message.",
                    "Exit code 0 when they load, 2 when any has an error."})
    static final class Validate implements Callable<Integer> {

        @Parameters(arity = "1..*", paramLabel = "FILE|DIR", description = "Rule files or directories of *.yaml files.")
        List<Path> paths = new ArrayList<>();

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            final PrintWriter out = spec.commandLine().getOut();
            final PrintWriter err = spec.commandLine().getErr();
            final RuleSet rules;
            try {
                rules = RuleFiles.load(paths);
            } catch (final UsageException e) {
                err.println(e.getMessage().replaceFirst("^rules did not load:\n", ""));
                err.flush();
                return ExitCode.USAGE;
            }
            for (final RuleLoadWarning warning : rules.warnings()) {
                err.println(warning);
            }
            final long active = rules.activeRules().size();
            out.printf("OK: %d rules (%d active), %d macros, %d lists%n", rules.rules().size(),
                    active, rules.macros().size(), rules.lists().size());
            out.flush();
            err.flush();
            return ExitCode.OK;
        }
    }

    /** {@code rules list [FILE|DIR…]}: the rules that would be loaded. */
    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "Lists rules (the shipped ones unless files are given): id, priority, source, state, name.")
    static final class ListRules implements Callable<Integer> {

        @Parameters(arity = "0..*", paramLabel = "FILE|DIR", description = "Rule files or directories; default: shipped rules.")
        List<Path> paths = new ArrayList<>();

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            final PrintWriter out = spec.commandLine().getOut();
            final RuleSet rules = RuleFiles.load(paths);
            out.printf("%-36s %-13s %-8s %-8s %s%n", "ID", "PRIORITY", "SOURCE", "STATE", "NAME");
            for (final RuleDef rule : rules.rules()) {
                out.printf("%-36s %-13s %-8s %-8s %s%n", rule.id(), rule.priority().displayName(), rule.source(),
                        rules.isActive(rule) ? "active" : rule.enabled() ? "inactive" : "disabled", rule.name());
            }
            out.flush();
            return ExitCode.OK;
        }
    }

    /** {@code rules fields}: every field a condition or output may use. */
    @Command(name = "fields", mixinStandardHelpOptions = true,
            description = "Lists every event field rules can use, with its type and meaning.")
    static final class Fields implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            final PrintWriter out = spec.commandLine().getOut();
            out.printf("%-28s %-10s %s%n", "FIELD", "TYPE", "DESCRIPTION");
            for (final Field field : FieldRegistry.standard().fields()) {
                out.printf("%-28s %-10s %s%n", field.name(), field.type().displayName(), field.description());
            }
            out.flush();
            return ExitCode.OK;
        }
    }

    /** {@code rules test TRACE…}: run rules over event traces and check which ones fired. */
    @Command(name = "test", mixinStandardHelpOptions = true,
            description = {"Replays event traces through rules and prints one line per alert.",
                    "With --expect/--expect-none, checks which rules fired: exit 0 when every",
                    "expectation holds, 1 when one does not, 2 for broken rules or missing files."})
    static final class TestRules implements Callable<Integer> {

        @Parameters(arity = "1..*", paramLabel = "TRACE", description = "NDJSON event traces; - reads stdin.")
        List<String> traces = new ArrayList<>();

        @Option(names = "--expect", paramLabel = "RULE_ID", description = "This rule must alert at least once; repeatable.")
        List<String> expected = new ArrayList<>();

        @Option(names = "--expect-none", paramLabel = "RULE_ID",
                description = "This rule must not alert; repeatable. 'all' means no rule may alert.")
        List<String> forbidden = new ArrayList<>();

        @Mixin
        InputOptions input;

        @Mixin
        OutputOptions output;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            input.validate();
            final List<EventSource> sources = new ArrayList<>();
            for (final String trace : traces) {
                sources.add(input.replaySource(trace));
            }
            final RuleSet rules = RuleFiles.load(output.rules);
            final List<Alert> alerts = new ArrayList<>();
            output.noStdoutAlerts = true; // alerts are printed below as one readable line each
            final PipelineSummary summary;
            try (Monitor monitor = Monitor.assemble(sources, rules, input, output, spec.commandLine().getOut(),
                    PipelineMetrics.unregistered(), EmbeddedPipeline.Ordering.EVENT_TIME_MERGE,
                    List.of(alerts::add))) {
                summary = monitor.run();
            }
            final PrintWriter out = spec.commandLine().getOut();
            for (final Alert alert : alerts) {
                out.printf("%s %-13s %s: %s%n", AlertJson.formatTime(alert.timeNanos()),
                        alert.priority().displayName(), alert.ruleId(), alert.output());
            }
            final Set<String> fired = new TreeSet<>();
            alerts.forEach(alert -> fired.add(alert.ruleId()));
            boolean passed = true;
            for (final String ruleId : expected) {
                final boolean ok = fired.contains(ruleId);
                passed &= ok;
                out.printf("%s: expected %s to alert%n", ok ? "PASS" : "FAIL", ruleId);
            }
            for (final String ruleId : forbidden) {
                final boolean ok = "all".equals(ruleId) ? fired.isEmpty() : !fired.contains(ruleId);
                passed &= ok;
                out.printf("%s: expected %s not to alert%s%n", ok ? "PASS" : "FAIL",
                        "all".equals(ruleId) ? "any rule" : ruleId, ok ? "" : " (fired: " + fired + ")");
            }
            if (summary.eventsRejected() > 0) {
                out.printf("FAIL: %d trace lines were rejected (see the dead-letter file)%n", summary.eventsRejected());
                passed = false;
            }
            out.flush();
            return passed ? ExitCode.OK : ExitCode.INPUT_PROBLEMS;
        }
    }
}
