package dev.peregrine.app;

import java.io.PrintWriter;
import java.io.StringWriter;

/** What one in-process run of the {@code peregrine} command line printed, and its exit code. */
record CommandLineRun(int exitCode, String stdout, String stderr) {

    static CommandLineRun of(final String... args) {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final var commandLine = Peregrine.commandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        final int exitCode = commandLine.execute(args);
        return new CommandLineRun(exitCode, out.toString(), err.toString());
    }
}
