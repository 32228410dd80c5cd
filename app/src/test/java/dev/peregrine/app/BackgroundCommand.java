package dev.peregrine.app;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;

/**
 * A long-running subcommand (collector, engine, alerter) run on a thread of its own, as
 * {@code peregrine} would run it in its own process, with its command object at hand to stop it.
 */
record BackgroundCommand<T>(T command, CompletableFuture<Integer> exit, StringWriter out, StringWriter err) {

    static <T> BackgroundCommand<T> start(final String... args) {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final CommandLine commandLine = Peregrine.commandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        @SuppressWarnings("unchecked")
        final T command = (T) commandLine.getSubcommands().get(args[0]).getCommand();
        final CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> commandLine.execute(args),
                runnable -> {
                    final Thread thread = new Thread(runnable, "peregrine-" + args[0]);
                    thread.setDaemon(true);
                    thread.start();
                });
        return new BackgroundCommand<>(command, exit, out, err);
    }

    /** Asks the command to stop as SIGTERM would. */
    void stop() {
        if (command instanceof CollectorCommand collector) {
            collector.stop();
        } else if (command instanceof EngineCommand engine) {
            engine.stop();
        } else if (command instanceof AlerterCommand alerter) {
            alerter.stop();
        }
    }

    int exitCode() throws Exception {
        return exit.get(1, TimeUnit.MINUTES);
    }

    String stdout() {
        return out.toString();
    }

    String stderr() {
        return err.toString();
    }
}
