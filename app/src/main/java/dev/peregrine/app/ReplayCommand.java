package dev.peregrine.app;

import dev.peregrine.collector.source.EventSource;
import dev.peregrine.engine.state.StateStore;
import dev.peregrine.engine.embedded.EmbeddedPipeline;
import dev.peregrine.engine.embedded.PipelineMetrics;
import dev.peregrine.engine.embedded.PipelineSummary;
import dev.peregrine.engine.rules.RuleSet;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code peregrine replay FILE…}: event-time replay of recorded events, as fast as possible. */
@Command(name = "replay", mixinStandardHelpOptions = true,
        description = {"Feeds files through the monitor in event time, as fast as it can.",
                "Alerts are printed as JSON lines on stdout, a summary on stderr.",
                "Files are merged by evt.time, so the same files always give the same alerts."})
final class ReplayCommand implements Callable<Integer> {

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "NDJSON event files; - reads stdin.")
    List<String> files;

    @Mixin
    InputOptions input;

    @Mixin
    OutputOptions output;

    @Mixin
    EngineOptions engine;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        input.validate();
        final List<EventSource> sources = new ArrayList<>();
        for (final String file : files) {
            sources.add(input.replaySource(file));
        }
        final RuleSet rules = RuleFiles.load(output.rules);
        final PipelineSummary summary;
        final java.util.Optional<Path> deadLetter;
        final long suppressed;
        final long summaries;
        // a replay learns in memory unless told where to keep it: replaying old logs must not teach the live monitor
        final StateStore state = EngineOptions.stateStore(engine.stateDir);
        final Monitor.Detections detections = new Monitor.Detections(
                engine.builtInDetectors(engine.settings(null), state), state, engine.allowedLateness);
        try (Monitor monitor = Monitor.assemble(sources, rules, input, output, spec.commandLine().getOut(),
                PipelineMetrics.unregistered(), null, detections, EmbeddedPipeline.Ordering.EVENT_TIME_MERGE,
                List.of())) {
            summary = monitor.run();
            deadLetter = monitor.deadLetterWritten();
            suppressed = monitor.alertsSuppressed();
            summaries = monitor.summariesDelivered();
        }
        printSummary(summary, deadLetter);
        if (suppressed > 0) {
            spec.commandLine().getErr().printf("dedup: %d repeats folded into the count of an earlier alert, "
                    + "%d summary updates sent (--dedup-window %s)%n", suppressed, summaries,
                    output.dedupWindow);
            spec.commandLine().getErr().flush();
        }
        return summary.hadProblems() ? ExitCode.INPUT_PROBLEMS : ExitCode.OK;
    }

    private void printSummary(final PipelineSummary summary, final java.util.Optional<Path> deadLetter) {
        final var err = spec.commandLine().getErr();
        err.printf("replay: %d events read, %d rejected, %d alerts in %.3f s (%.0f events/s)%n",
                summary.eventsAccepted() + summary.eventsRejected(), summary.eventsRejected(), summary.alerts(),
                summary.elapsed().toNanos() / 1e9, summary.eventsPerSecond());
        for (final Map.Entry<String, Long> rule : summary.alertsByRule().entrySet()) {
            err.printf("  %-40s %d%n", rule.getKey(), rule.getValue());
        }
        if (summary.eventsRejected() > 0) {
            err.printf("rejected by reason: %s%n", summary.rejectedByReason());
        }
        deadLetter.ifPresent(path -> err.printf("rejected lines were kept in %s%n", path));
        if (summary.detectorErrors() > 0 || summary.deliveryFailures() > 0 || summary.sourceErrors() > 0) {
            err.printf("problems: %d detector errors, %d alerts not delivered, %d sources failed (see log above)%n",
                    summary.detectorErrors(), summary.deliveryFailures(), summary.sourceErrors());
        }
        err.flush();
    }
}
