package dev.peregrine.app;

import dev.peregrine.app.config.ConfigException;
import dev.peregrine.app.config.ConfigReader;
import dev.peregrine.app.config.PeregrineConfig;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code peregrine config check FILE}: checks a configuration file without starting anything. */
@Command(name = "config", mixinStandardHelpOptions = true, description = "Tools for the configuration file.",
        subcommands = ConfigCommand.Check.class)
final class ConfigCommand {

    /** The file of a command's {@code --config} (run, collector): read, or a usage error listing every problem. */
    static PeregrineConfig readOrRefuse(final Path file) {
        try {
            return ConfigReader.withSystemEnvironment().read(file);
        } catch (final ConfigException e) {
            throw new UsageException("configuration not usable:" + System.lineSeparator() + e.getMessage());
        }
    }

    /** Reads the file as {@code run --config} would and prints every problem, one line each. */
    @Command(name = "check", mixinStandardHelpOptions = true,
            description = {"Checks a peregrine.yaml: prints every problem as file:line:column: key: message.",
                    "Exit 0 when the file can be used, 2 when it cannot."})
    static final class Check implements Callable<Integer> {

        @Parameters(paramLabel = "FILE", description = "The configuration file.")
        Path file;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            try {
                final PeregrineConfig config = ConfigReader.withSystemEnvironment().read(file);
                spec.commandLine().getOut().println(file + ": OK (" + summary(config) + ")");
                return ExitCode.OK;
            } catch (final ConfigException e) {
                e.problems().forEach(spec.commandLine().getErr()::println);
                return ExitCode.USAGE;
            }
        }

        private static String summary(final PeregrineConfig config) {
            final int sinks = config.alerts().webhooks().size() + config.alerts().syslog().size()
                    + (config.alerts().file().isPresent() ? 1 : 0);
            return config.inputs().follow().size() + " followed file(s), "
                    + (config.rules().isEmpty() ? "shipped rules" : config.rules().size() + " rule path(s)") + ", "
                    + sinks + " alert destination(s) besides stdout";
        }
    }
}
