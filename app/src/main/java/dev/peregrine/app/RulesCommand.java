package dev.peregrine.app;

import dev.peregrine.alerting.Alert;
import dev.peregrine.alerting.AlertJson;
import dev.peregrine.collector.event.Field;
import dev.peregrine.collector.event.FieldRegistry;
import dev.peregrine.collector.event.SourceFields;
import dev.peregrine.collector.source.EventSource;
import dev.peregrine.engine.embedded.EmbeddedPipeline;
import dev.peregrine.engine.embedded.PipelineMetrics;
import dev.peregrine.engine.embedded.PipelineSummary;
import dev.peregrine.engine.rules.RuleDef;
import dev.peregrine.engine.rules.RuleFile;
import dev.peregrine.engine.rules.RuleLoadWarning;
import dev.peregrine.engine.rules.RuleSet;
import dev.peregrine.engine.rules.RuleSetLint;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
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
            description = {"Loads rule files and reports every problem as file:line:column: message, then",
                    "rules by source, fields no configured source fills, and Falco's load warnings",
                    "(unused macro or list, no evt.type restriction, <NA> comparison) plus shadowed",
                    "macros and lists.",
                    "Exit code 0 when they load (1 with --strict and any warning), 2 when any has an error."})
    static final class Validate implements Callable<Integer> {

        /** The sources assumed when none is named: every one with a fixed set of fields (not native NDJSON, which has all). */
        static final List<String> DEFAULT_SOURCES = List.of(SourceFields.AGENT, SourceFields.AUDITD, SourceFields.FALCO,
                SourceFields.PROCFS, SourceFields.TETRAGON);

        @Parameters(arity = "1..*", paramLabel = "FILE|DIR", description = "Rule files or directories of *.yaml files.")
        List<Path> paths = new ArrayList<>();

        @Option(names = "--source", paramLabel = "SOURCE", split = ",",
                description = "An input source the deployment reads, for the fields check: native, agent, auditd, "
                        + "falco, tetragon, procfs; repeatable. Default: agent, auditd, falco, procfs, tetragon.")
        List<String> sources = new ArrayList<>();

        @Option(names = "--strict", description = "Exit 1 when there is any warning.")
        boolean strict;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            final PrintWriter out = spec.commandLine().getOut();
            final PrintWriter err = spec.commandLine().getErr();
            final List<String> configured = sources.isEmpty() ? DEFAULT_SOURCES : List.copyOf(sources);
            for (final String source : configured) {
                if (!SourceFields.isKnown(source)) {
                    err.println("unknown source '" + source + "'; known: " + String.join(", ", SourceFields.sources()));
                    err.flush();
                    return ExitCode.USAGE;
                }
            }
            final RuleSet rules;
            final List<RuleFile> files;
            try {
                rules = RuleFiles.load(paths);
                files = read(paths);
            } catch (final UsageException e) {
                err.println(e.getMessage().replaceFirst("^rules did not load:\n", ""));
                err.flush();
                return ExitCode.USAGE;
            }
            final RuleSetLint.Report report = RuleSetLint.lint(rules, files, configured);
            for (final RuleLoadWarning warning : rules.warnings()) {
                err.println(warning);
            }
            for (final RuleSetLint.Finding finding : report.findings()) {
                err.println(finding);
            }
            final long active = rules.activeRules().size();
            out.printf("OK: %d rules (%d active), %d macros, %d lists%n", rules.rules().size(),
                    active, rules.macros().size(), rules.lists().size());
            print(out, report);
            if (!rules.cepRules().isEmpty()) {
                out.printf("cep statements: %d loaded, %d enabled%n", rules.cepRules().size(),
                        rules.activeCepRules().size());
            }
            final int warnings = rules.warnings().size() + report.findings().size();
            out.printf("warnings: %d%n", warnings);
            out.flush();
            err.flush();
            return strict && warnings > 0 ? ExitCode.INPUT_PROBLEMS : ExitCode.OK;
        }

        private static void print(final PrintWriter out, final RuleSetLint.Report report) {
            out.println("rules by source:");
            out.printf("  %-16s %7s %8s %9s%n", "SOURCE", "LOADED", "ENABLED", "INACTIVE");
            for (final RuleSetLint.SourceCount count : report.bySource()) {
                out.printf("  %-16s %7d %8d %9d%n", count.source(), count.loaded(), count.enabled(), count.inactive());
            }
            final String sources = String.join(", ", report.sources());
            if (report.missingFields().isEmpty()) {
                out.printf("fields no configured source fills (%s): none%n", sources);
            } else {
                out.printf("fields no configured source fills (%s); comparisons on them are always false:%n", sources);
                for (final RuleSetLint.MissingField missing : report.missingFields()) {
                    out.printf("  %-28s used by %s%n", missing.field(), String.join(", ", missing.rules()));
                }
            }
            if (!report.unfed().isEmpty()) {
                out.printf("active rules no configured source sends events to: %s%n", String.join(", ", report.unfed()));
            }
        }

        /** The files {@code paths} name, as the loader reads them: a directory's *.yaml/*.yml files sorted by name. */
        private static List<RuleFile> read(final List<Path> paths) {
            final List<RuleFile> files = new ArrayList<>();
            for (final Path path : paths) {
                try {
                    final List<Path> expanded;
                    if (Files.isDirectory(path)) {
                        try (Stream<Path> entries = Files.list(path)) {
                            expanded = entries.filter(p -> Files.isRegularFile(p) && (p.toString().endsWith(".yaml")
                                    || p.toString().endsWith(".yml"))).sorted().toList();
                        }
                    } else {
                        expanded = List.of(path);
                    }
                    for (final Path file : expanded) {
                        files.add(new RuleFile(file.toString(), Files.readString(file, StandardCharsets.UTF_8)));
                    }
                } catch (final IOException e) {
                    throw new UsageException("cannot read " + path + ": " + e.getMessage());
                }
            }
            return files;
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
