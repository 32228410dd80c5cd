package dev.peregrine.app;

import java.nio.file.Path;
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
}
