package dev.peregrine.app;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.awaitility.Awaitility;

/**
 * {@code peregrine} run the way a user runs it: a JVM of its own, stdout to a file, stderr read
 * line by line, stopped with SIGTERM. For tests of behaviour that only a real process shows
 * (signals, restarts, ports).
 */
final class PeregrineProcess implements AutoCloseable {

    /**
     * The metrics token every process started here gets (PEREGRINE_METRICS_TOKEN) unless the test
     * gives its own, and {@link #metric} scrapes with: /metrics needs a token.
     */
    static final String METRICS_TOKEN = "test-metrics-token-0123456789";

    private final Process process;
    private final Path stdout;
    private final BlockingQueue<String> log = new LinkedBlockingQueue<>();
    private final StringBuilder seen = new StringBuilder();
    private final Thread logReader;

    private PeregrineProcess(final Process process, final Path stdout) {
        this.process = process;
        this.stdout = stdout;
        this.logReader = new Thread(() -> {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getErrorStream(),
                    StandardCharsets.UTF_8))) {
                reader.lines().forEach(log::add);
            } catch (final IOException e) {
                log.add("log reader: " + e);
            }
        });
        logReader.start();
    }

    /** Starts {@code peregrine args…} on this test's classpath, stdout into {@code stdout}. */
    static PeregrineProcess start(final Path stdout, final Map<String, String> environment, final List<String> args)
            throws IOException {
        final List<String> command = new java.util.ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Peregrine.class.getName()));
        command.addAll(args);
        final ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(stdout.toFile());
        builder.environment().put("PEREGRINE_METRICS_TOKEN", METRICS_TOKEN);
        builder.environment().putAll(environment);
        return new PeregrineProcess(builder.start(), stdout);
    }

    /** Waits (at most a minute) for a log line containing {@code text}. */
    void awaitLog(final String text) throws InterruptedException {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline && (process.isAlive() || !log.isEmpty())) {
            final String line = log.poll(200, TimeUnit.MILLISECONDS);
            if (line != null) {
                seen.append(line).append('\n');
                if (line.contains(text)) {
                    return;
                }
            }
        }
        throw new AssertionError("no log line containing '" + text + "'" + (process.isAlive() ? ""
                : " (the process exited with " + process.exitValue() + ")") + "; the log was:\n" + seen);
    }

    /** Waits (at most a minute) until {@code condition} holds, e.g. a metric reached a value. */
    void await(final String what, final BooleanSupplier condition) {
        Awaitility.await(what).atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    if (!process.isAlive()) {
                        throw new AssertionError("the process exited with " + process.exitValue() + " before " + what
                                + "; the log was:\n" + seen + String.join("\n", log));
                    }
                    return condition.getAsBoolean();
                });
    }

    /** Sends SIGHUP (what an operator's {@code kill -HUP} does). */
    void hangup() throws IOException, InterruptedException {
        final Process kill = new ProcessBuilder("kill", "-HUP", Long.toString(process.pid())).inheritIO().start();
        if (kill.waitFor() != 0) {
            throw new AssertionError("kill -HUP " + process.pid() + " failed");
        }
    }

    /** SIGTERM, then waits for the exit; returns the exit code. */
    int terminate() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new AssertionError("did not exit within 30 s of SIGTERM");
        }
        logReader.join(10_000);
        return process.exitValue();
    }

    /** What the process printed on stdout so far. */
    List<String> stdoutLines() throws IOException {
        return Files.readAllLines(stdout);
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** A port nothing listens on right now. */
    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** The value of a Prometheus sample whose line starts with {@code prefix}, or -1 when absent or unreachable. */
    static double metric(final int port, final String prefix) {
        try {
            final HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/metrics")).header("Authorization", "Bearer " + METRICS_TOKEN)
                    .build(), HttpResponse.BodyHandlers.ofString());
            return response.body().lines().filter(line -> line.startsWith(prefix))
                    .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                    .findFirst().orElse(-1);
        } catch (final IOException e) {
            return -1;
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }
}
