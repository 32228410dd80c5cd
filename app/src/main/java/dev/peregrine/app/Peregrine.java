package dev.peregrine.app;

import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code peregrine} command: the embedded monitor, replays, and tools for rule authors. */
@Command(name = "peregrine",
        mixinStandardHelpOptions = true,
        versionProvider = Peregrine.Version.class,
        description = "Runtime security monitor and alerting engine for AI-agent sandboxes.",
        subcommands = {RunCommand.class, ReplayCommand.class, RulesCommand.class, ConfigCommand.class, HookCommand.class,
                CollectorCommand.class, EngineCommand.class, AlerterCommand.class,
                BenchCommand.class, CommandLine.HelpCommand.class})
public final class Peregrine {

    /** Runs the command line and exits with its code. */
    public static void main(final String[] args) {
        // The JDK's HTTP server leaves Nagle's algorithm on: with delayed ACKs that costs ~40 ms per ingest
        // request. Read once, when the server class loads, so it is set before anything else runs.
        System.setProperty("sun.net.httpserver.nodelay", "true");
        System.exit(commandLine().execute(args));
    }

    /** The configured command line, shared by {@link #main} and tests. */
    static CommandLine commandLine() {
        final CommandLine commandLine = new CommandLine(new Peregrine());
        // alerts are UTF-8 JSON whatever the platform charset; stdout carries nothing else
        commandLine.setOut(new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), true));
        commandLine.setErr(new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8), true));
        // picocli already answers bad options with 2 (spec §5 usage error)
        commandLine.setCaseInsensitiveEnumValuesAllowed(true);
        commandLine.setExecutionExceptionHandler((exception, cmd, parsed) -> {
            cmd.getErr().println("peregrine: " + exception.getMessage());
            return exception instanceof UsageException ? ExitCode.USAGE : ExitCode.INPUT_PROBLEMS;
        });
        return commandLine;
    }

    /** This build's version, from the jar manifest; {@code dev} when run from classes. */
    static String version() {
        final String version = Peregrine.class.getPackage().getImplementationVersion();
        return version == null ? "dev" : version;
    }

    /** Prints {@link #version()}. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"peregrine " + version()};
        }
    }
}
