package dev.peregrine.app;

import dev.peregrine.alerting.dedup.DedupConfig;
import dev.peregrine.engine.rules.RuleDef;
import dev.peregrine.engine.rules.RuleSet;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import picocli.CommandLine.Option;

/** Options shared by every command that raises alerts: rule files and alert destinations. */
final class OutputOptions {

    @Option(names = {"-r", "--rules"}, paramLabel = "FILE|DIR",
            description = "Rule file or directory of *.yaml files; repeatable. Replaces the shipped rules.")
    java.util.List<Path> rules = new java.util.ArrayList<>();

    @Option(names = "--alerts-file", paramLabel = "FILE",
            description = "Also append alerts as JSON lines to this file.")
    Path alertsFile;

    @Option(names = "--no-stdout-alerts", description = "Do not print alerts on stdout.")
    boolean noStdoutAlerts;

    @Option(names = "--dedup-window", paramLabel = "DURATION", defaultValue = "60s",
            converter = DurationConverter.class,
            description = {"Identical alerts (same rule, agent, session and output fields) within this much event "
                    + "time go out once; repeats raise the alert's count and are summarised (same id) every "
                    + "100 repeats and when the window ends. 0 turns this off. Default: ${DEFAULT-VALUE}."})
    Duration dedupWindow;

    /**
     * How alerts of {@code rules} are deduplicated, or empty when turned off: each rule groups
     * by agent, session and the fields its output shows, so only alerts that read the same merge.
     */
    Optional<DedupConfig> dedup(final RuleSet rules) {
        if (dedupWindow.isZero() || dedupWindow.isNegative()) {
            return Optional.empty();
        }
        DedupConfig config = DedupConfig.defaults().withWindow(dedupWindow);
        for (final RuleDef rule : rules.rules()) {
            config = config.withExtraKeyFields(rule.id(), rule.output().fieldNames());
        }
        return Optional.of(config);
    }
}
