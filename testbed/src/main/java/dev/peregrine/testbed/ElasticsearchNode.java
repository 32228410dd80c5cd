package dev.peregrine.testbed;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Elasticsearch on 127.0.0.1, started from {@link ElasticsearchDistribution}
 * and stopped by PID. Security is off, the heap is 512 MB, the disk watermarks are off (CI disks
 * are often nearly full, which would make indices read-only).
 *
 * <p>Elasticsearch refuses to run as root: as root the node runs as the system user
 * {@value #SERVICE_USER}, created with {@code useradd -r} when missing, through {@code runuser};
 * its work directory (config, data, logs, pid file) belongs to that user. Otherwise it runs as
 * the current user.
 *
 * <p>The node keeps its work directory, ports and data across {@link #stop()}/{@link #kill()} and
 * {@link #start()}, so a test can take it down and bring the same node back.
 */
public final class ElasticsearchNode implements AutoCloseable {

    /** The unprivileged user the node runs as when started by root. */
    public static final String SERVICE_USER = "peregrine-es";

    private static final Logger LOG = LoggerFactory.getLogger(ElasticsearchNode.class);
    private static final Duration START_TIMEOUT = Duration.ofMinutes(3);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);

    private final ElasticsearchDistribution distribution;
    private final Path workDir;
    private final boolean ownsWorkDir;
    private final int httpPort;
    private final int transportPort;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private Process launcher;
    private Thread killOnExit;

    private ElasticsearchNode(final ElasticsearchDistribution distribution, final Path workDir,
                              final boolean ownsWorkDir, final int httpPort, final int transportPort) {
        this.distribution = distribution;
        this.workDir = workDir;
        this.ownsWorkDir = ownsWorkDir;
        this.httpPort = httpPort;
        this.transportPort = transportPort;
        if (ownsWorkDir) {
            // a test JVM that dies without close() must not leave a server running as another user
            killOnExit = new Thread(() -> {
                try {
                    pid().flatMap(ProcessHandle::of).ifPresent(ProcessHandle::destroyForcibly);
                } catch (final IOException ignored) {
                    // exiting anyway; nothing left to report to
                }
            }, "elasticsearch-kill-on-exit");
            Runtime.getRuntime().addShutdownHook(killOnExit);
        }
    }

    /** A node in a fresh temporary directory on free ports, not started yet; {@link #close()} deletes it. */
    public static ElasticsearchNode create() throws IOException {
        final Path dir = Files.createTempDirectory("peregrine-es-");
        return new ElasticsearchNode(ElasticsearchDistribution.installed(), dir, true, freePort(), freePort());
    }

    /**
     * A node kept in {@code workDir} (reused if it exists) on {@code httpPort} (0 = a free one), not
     * started yet; {@link #close()} stops it and leaves the directory.
     */
    public static ElasticsearchNode in(final Path workDir, final int httpPort) throws IOException {
        Files.createDirectories(workDir);
        return new ElasticsearchNode(ElasticsearchDistribution.installed(), workDir.toAbsolutePath(), false,
                httpPort == 0 ? freePort() : httpPort, freePort());
    }

    /** Starts the node and waits until {@code /_cluster/health} answers green or yellow. */
    public ElasticsearchNode start() throws IOException {
        if (isRunning()) {
            return this;
        }
        writeConfig();
        Files.deleteIfExists(pidFile());
        final List<String> command = new ArrayList<>();
        final boolean root = isRoot();
        if (root) {
            ensureServiceUser();
            run(List.of("chown", "-R", SERVICE_USER + ":", workDir.toString()));
            command.addAll(List.of("runuser", "-u", SERVICE_USER, "--"));
        }
        command.addAll(List.of("env",
                "ES_JAVA_HOME=" + System.getProperty("java.home"),
                "ES_PATH_CONF=" + configDir(),
                "ES_TMPDIR=" + workDir.resolve("tmp"),
                "ES_JAVA_OPTS=-Xms512m -Xmx512m",
                distribution.startScript().toString(), "-p", pidFile().toString()));
        final ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(workDir.resolve("console.log").toFile()));
        builder.environment().remove("JAVA_TOOL_OPTIONS");
        LOG.info("starting Elasticsearch {} on 127.0.0.1:{} in {}{}", ElasticsearchDistribution.VERSION, httpPort,
                workDir, root ? " as " + SERVICE_USER : "");
        launcher = builder.start();
        awaitHealthy();
        LOG.info("Elasticsearch up at {} (pid {})", httpUri(), pid().orElse(-1L));
        return this;
    }

    /** Stops the node with SIGTERM and waits for it to exit (SIGKILL if it does not in 60 s). */
    public void stop() throws IOException {
        terminate(false);
    }

    /** Kills the node with SIGKILL, as a crash would, and waits for it to exit. */
    public void kill() throws IOException {
        terminate(true);
    }

    /** Stops the node; a node made by {@link #create()} also deletes its directory. */
    @Override
    public void close() throws IOException {
        stop();
        if (killOnExit != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(killOnExit);
            } catch (final IllegalStateException shuttingDown) {
                // the hook runs anyway and finds nothing to kill
            }
            killOnExit = null;
        }
        if (ownsWorkDir) {
            ElasticsearchDistribution.deleteTree(workDir);
        }
    }

    /** The HTTP endpoint, e.g. {@code http://127.0.0.1:41234}. */
    public URI httpUri() {
        return URI.create("http://127.0.0.1:" + httpPort);
    }

    /** The HTTP port; kept across restarts. */
    public int httpPort() {
        return httpPort;
    }

    /** The node's directory: config/, data/, logs/, the pid file and console.log. */
    public Path workDir() {
        return workDir;
    }

    /** The server process id, while it runs. */
    public Optional<Long> pid() throws IOException {
        return readPid(pidFile()).filter(pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
    }

    /** Whether the server process is alive. */
    public boolean isRunning() throws IOException {
        return pid().isPresent() || launcher != null && launcher.isAlive();
    }

    /** Stops the server whose pid file is in {@code workDir}, for scripts that started it earlier. */
    public static boolean stopIn(final Path workDir) throws IOException {
        final Optional<ProcessHandle> server = readPid(workDir.resolve("elasticsearch.pid")).flatMap(ProcessHandle::of);
        if (server.isEmpty() || !server.get().isAlive()) {
            return false;
        }
        server.get().destroy();
        awaitExit(server.get());
        return true;
    }

    /**
     * {@code run DIR [PORT]}: starts a node in DIR and stops it on Ctrl-C or SIGTERM;
     * {@code start DIR [PORT]}: starts a node in DIR, prints its URL and leaves it running;
     * {@code stop DIR}: stops the node started in DIR. PORT defaults to 9200, 0 picks a free one.
     */
    public static void main(final String[] args) throws Exception {
        final String mode = args.length >= 2 ? args[0] : "";
        switch (mode) {
            case "run", "start" -> {
                final ElasticsearchNode node = in(Path.of(args[1]), args.length > 2 ? Integer.parseInt(args[2]) : 9200);
                node.start();
                System.out.println(node.httpUri() + " pid=" + node.pid().orElse(-1L) + " dir=" + node.workDir());
                if ("run".equals(mode)) {
                    final Thread stopper = new Thread(() -> {
                        try {
                            node.stop();
                        } catch (final IOException e) {
                            LOG.error("stopping Elasticsearch: {}", e.toString());
                        }
                    }, "elasticsearch-stop");
                    Runtime.getRuntime().addShutdownHook(stopper);
                    final Optional<ProcessHandle> server = node.pid().flatMap(ProcessHandle::of);
                    if (server.isPresent()) {
                        server.get().onExit().join();
                    }
                }
            }
            case "stop" -> System.out.println(stopIn(Path.of(args[1])) ? "stopped" : "not running");
            default -> {
                System.err.println("usage: ElasticsearchNode run|start DIR [PORT] | stop DIR");
                System.exit(2);
            }
        }
    }

    private void terminate(final boolean force) throws IOException {
        final Optional<ProcessHandle> server = pid().flatMap(ProcessHandle::of);
        server.ifPresent(handle -> {
            LOG.info("{} Elasticsearch pid {}", force ? "killing" : "stopping", handle.pid());
            if (force) {
                handle.destroyForcibly();
            } else {
                handle.destroy();
            }
            awaitExit(handle);
        });
        if (launcher != null) {
            if (launcher.isAlive()) {
                launcher.destroy();
            }
            awaitExit(launcher.toHandle());
            launcher = null;
        }
    }

    private static void awaitExit(final ProcessHandle handle) {
        try {
            handle.onExit().get(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (final java.util.concurrent.TimeoutException e) {
            handle.destroyForcibly();
            handle.onExit().join();
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            handle.destroyForcibly();
        } catch (final java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("waiting for pid " + handle.pid(), e);
        }
    }

    private void awaitHealthy() throws IOException {
        final Instant deadline = Instant.now().plus(START_TIMEOUT);
        final HttpRequest health = HttpRequest.newBuilder(httpUri().resolve("/_cluster/health"))
                .timeout(Duration.ofSeconds(5)).GET().build();
        while (Instant.now().isBefore(deadline)) {
            if (!launcher.isAlive() && pid().isEmpty()) {
                throw new IOException("Elasticsearch exited with " + launcher.exitValue() + " while starting; see "
                        + workDir.resolve("console.log") + " and " + workDir.resolve("logs"));
            }
            try {
                final HttpResponse<String> response = http.send(health, HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200 && response.body().matches("(?s).*\"status\":\"(green|yellow)\".*")) {
                    return;
                }
            } catch (final IOException notYet) {
                // not listening yet
            } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for Elasticsearch", e);
            }
            try {
                Thread.sleep(250);
            } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for Elasticsearch", e);
            }
        }
        terminate(true);
        throw new IOException("Elasticsearch did not become healthy within " + START_TIMEOUT + "; see "
                + workDir.resolve("console.log"));
    }

    private void writeConfig() throws IOException {
        final Path config = configDir();
        Files.createDirectories(config);
        Files.createDirectories(workDir.resolve("data"));
        Files.createDirectories(workDir.resolve("logs"));
        Files.createDirectories(workDir.resolve("tmp"));
        for (final String file : List.of("jvm.options", "log4j2.properties")) {
            if (!Files.exists(config.resolve(file))) {
                Files.copy(distribution.defaultConfig().resolve(file), config.resolve(file));
            }
        }
        final String yaml = String.join("\n",
                "cluster.name: peregrine-testbed",
                "node.name: peregrine-es",
                "path.data: " + workDir.resolve("data"),
                "path.logs: " + workDir.resolve("logs"),
                "network.host: 127.0.0.1",
                "http.port: " + httpPort,
                "transport.port: " + transportPort,
                "discovery.type: single-node",
                "xpack.security.enabled: false",
                // a nearly full CI disk must not flip indices to read-only mid-test
                "cluster.routing.allocation.disk.threshold_enabled: false",
                "action.destructive_requires_name: false",
                "");
        Files.writeString(config.resolve("elasticsearch.yml"), yaml, StandardCharsets.UTF_8);
    }

    private Path configDir() {
        return workDir.resolve("config");
    }

    private Path pidFile() {
        return workDir.resolve("elasticsearch.pid");
    }

    private static Optional<Long> readPid(final Path pidFile) throws IOException {
        if (!Files.exists(pidFile)) {
            return Optional.empty();
        }
        final String text = Files.readString(pidFile).trim();
        return text.matches("\\d+") ? Optional.of(Long.parseLong(text)) : Optional.empty();
    }

    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    private static void ensureServiceUser() throws IOException {
        if (run(List.of("id", "-u", SERVICE_USER)) != 0) {
            if (run(List.of("useradd", "-r", "-M", "-s", "/usr/sbin/nologin", SERVICE_USER)) != 0
                    && run(List.of("id", "-u", SERVICE_USER)) != 0) {
                throw new IOException("could not create system user " + SERVICE_USER + " to run Elasticsearch as");
            }
        }
    }

    private static int run(final List<String> command) throws IOException {
        final Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            return process.waitFor();
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted running " + command, e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
