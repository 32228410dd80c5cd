package dev.peregrine.testbed;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Kafka broker (KRaft, broker and controller in one process) in its own JVM,
 * listening on 127.0.0.1. Started, stopped, killed and restarted by PID; a restart keeps the
 * data directory and the ports, so clients reconnect to the same {@link #bootstrapServers()}.
 *
 * <pre>{@code
 * try (KafkaBroker kafka = KafkaBroker.start()) {
 *     kafka.createTopic("peregrine.alerts", 1);
 *     producerProps.put("bootstrap.servers", kafka.bootstrapServers());
 *     ...
 *     kafka.kill();      // SIGKILL, as a crash
 *     kafka.restart();   // same data, same port
 * }
 * }</pre>
 *
 * <p>Not thread-safe: one owner starts and stops it. {@code main} runs one until interrupted.
 */
public final class KafkaBroker implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaBroker.class);
    private static final String HOST = "127.0.0.1";
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration KILL_TIMEOUT = Duration.ofSeconds(10);
    private static final int LOG_TAIL_LINES = 40;

    private final KafkaBrokerConfig config;
    private final Path dataDir;
    private final boolean ownsDataDir;
    private final int port;
    private final int controllerPort;
    private final String clusterId;
    private final Path propertiesFile;
    private final Path logFile;
    private final String classpath;
    private Process process;
    private Thread shutdownHook;
    private boolean closed;

    private KafkaBroker(final KafkaBrokerConfig config, final Path dataDir, final boolean ownsDataDir,
                        final int port, final int controllerPort) {
        this.config = config;
        this.dataDir = dataDir;
        this.ownsDataDir = ownsDataDir;
        this.port = port;
        this.controllerPort = controllerPort;
        this.clusterId = Uuid.randomUuid().toString();
        this.propertiesFile = dataDir.resolve("server.properties");
        this.logFile = dataDir.resolve("broker.log");
        this.classpath = KafkaClasspath.resolve();
    }

    /** Starts a broker on free ports with a temporary data directory, and waits until it serves requests. */
    public static KafkaBroker start() throws IOException {
        return start(KafkaBrokerConfig.defaults());
    }

    /** Starts a broker as {@code config} says, and waits until it serves metadata requests. */
    public static KafkaBroker start(final KafkaBrokerConfig config) throws IOException {
        final boolean owns = config.dataDir() == null;
        final Path dir = owns ? Files.createTempDirectory("peregrine-kafka-") : config.dataDir().toAbsolutePath();
        Files.createDirectories(dir);
        final KafkaBroker broker;
        try {
            final int[] free = freePorts(2);
            broker = new KafkaBroker(config, dir, owns,
                    config.port() == 0 ? free[0] : config.port(),
                    config.controllerPort() == 0 ? free[1] : config.controllerPort());
            broker.writeServerProperties();
        } catch (final IOException | RuntimeException e) {
            if (owns) {
                deleteRecursively(dir);
            }
            throw e;
        }
        try {
            broker.launch();
        } catch (final IOException | RuntimeException e) {
            broker.close();
            throw e;
        }
        return broker;
    }

    /** {@code 127.0.0.1:<port>}, for {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return HOST + ":" + port;
    }

    /** The PLAINTEXT port clients connect to. */
    public int port() {
        return port;
    }

    /** The KRaft controller port. */
    public int controllerPort() {
        return controllerPort;
    }

    /** The data directory: {@code data/} holds the logs, {@code broker.log} the broker's output. */
    public Path dataDir() {
        return dataDir;
    }

    /** The file the broker JVM writes its stdout and stderr to, across restarts. */
    public Path logFile() {
        return logFile;
    }

    /** The broker JVM's PID; throws when it is not running. */
    public long pid() {
        if (process == null) {
            throw new IllegalStateException("the broker is not running");
        }
        return process.pid();
    }

    /** Whether the broker JVM is alive. */
    public boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** A mutable map holding {@code bootstrap.servers}: the base of any client's config. */
    public Map<String, Object> clientConfig() {
        final Map<String, Object> props = new LinkedHashMap<>();
        props.put("bootstrap.servers", bootstrapServers());
        return props;
    }

    /** Creates {@code topic} with replication factor 1 and waits for it; an existing topic is kept. */
    public void createTopic(final String topic, final int partitions) {
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
        } catch (final ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("creating topic " + topic + ": " + e.getCause(), e.getCause());
            }
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted creating topic " + topic, e);
        } catch (final TimeoutException e) {
            throw new IllegalStateException("creating topic " + topic + " took over 30 s", e);
        }
    }

    /** An admin client on this broker; the caller closes it. */
    public Admin admin() {
        final Properties props = new Properties();
        props.putAll(clientConfig());
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000);
        return Admin.create(props);
    }

    /**
     * Stops the broker cleanly (SIGTERM, so it flushes and closes its logs), killing it if it
     * has not exited within 30 s. Does nothing when it is not running.
     */
    public void stop() {
        if (process == null) {
            return;
        }
        terminate(process, STOP_TIMEOUT);
        forgetProcess();
    }

    /** SIGTERM, then SIGKILL if the broker has not exited within {@code grace}. */
    private static void terminate(final Process broker, final Duration grace) {
        broker.destroy();
        if (!waitFor(broker, grace)) {
            LOG.warn("Kafka broker pid {} ignored SIGTERM for {}; killing it", broker.pid(), grace);
            broker.destroyForcibly();
            waitFor(broker, KILL_TIMEOUT);
        }
    }

    /** Kills the broker with SIGKILL, as a crash would, and waits until it is gone. */
    public void kill() {
        if (process == null) {
            return;
        }
        process.destroyForcibly();
        if (!waitFor(process, KILL_TIMEOUT)) {
            throw new IllegalStateException("Kafka broker pid " + process.pid() + " survived SIGKILL");
        }
        forgetProcess();
    }

    /**
     * Starts the broker again on the same data directory and ports (stopping it first if it
     * runs), and waits until it serves requests.
     */
    public void restart() throws IOException {
        if (closed) {
            throw new IllegalStateException("the broker is closed");
        }
        stop();
        launch();
    }

    /** Stops the broker and deletes its data directory when it was a temporary one. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            stop();
        } finally {
            if (ownsDataDir) {
                deleteRecursively(dataDir);
            }
        }
    }

    private void launch() throws IOException {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(config.jvmOptions());
        command.add("-Djava.awt.headless=true");
        command.add("-Dorg.slf4j.simpleLogger.showDateTime=true");
        command.add("-Dorg.slf4j.simpleLogger.dateTimeFormat=yyyy-MM-dd'T'HH:mm:ss.SSS");
        command.add("-Dlog4j2.StatusLogger.level=OFF");
        command.add("-cp");
        command.add(classpath);
        command.add(KafkaServerMain.class.getName());
        command.add(propertiesFile.toString());
        command.add(clusterId);
        command.add(dataDir.resolve("data").toString());
        command.add(Long.toString(ProcessHandle.current().pid()));
        final ProcessBuilder builder = new ProcessBuilder(command)
                .directory(dataDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                .redirectInput(ProcessBuilder.Redirect.PIPE);
        builder.environment().remove("CLASSPATH");
        final long started = System.nanoTime();
        process = builder.start();
        final Process child = process;
        // a JVM that exits without closing the broker still stops it, cleanly when it can
        shutdownHook = new Thread(() -> terminate(child, KILL_TIMEOUT), "kafka-broker-" + process.pid() + "-reaper");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        try {
            awaitReady(started);
        } catch (final IOException | RuntimeException e) {
            kill();
            throw e;
        }
        LOG.info("Kafka broker ready at {} (pid {}, data {}) in {} ms", bootstrapServers(), process.pid(),
                dataDir, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    }

    private void awaitReady(final long startedNanos) throws IOException {
        final long deadline = startedNanos + config.startTimeout().toNanos();
        // first the listener, cheaply; then a metadata round trip proves the broker serves requests
        while (!accepts(port)) {
            checkStillStarting(deadline);
            pause(Duration.ofMillis(50));
        }
        while (true) {
            checkStillStarting(deadline);
            final Properties props = new Properties();
            props.putAll(clientConfig());
            props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
            props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5_000);
            try (Admin admin = Admin.create(props)) {
                if (!admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty()) {
                    return;
                }
            } catch (final ExecutionException | TimeoutException e) {
                LOG.debug("Kafka broker at {} not ready yet: {}", bootstrapServers(), e.toString());
            } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted waiting for the Kafka broker", e);
            }
            pause(Duration.ofMillis(100));
        }
    }

    private void checkStillStarting(final long deadlineNanos) throws IOException {
        if (!process.isAlive()) {
            throw new IOException("Kafka broker exited with status " + process.exitValue()
                    + " while starting; last lines of " + logFile + ":\n" + logTail());
        }
        if (System.nanoTime() - deadlineNanos > 0) {
            throw new IOException("Kafka broker not ready within " + config.startTimeout()
                    + "; last lines of " + logFile + ":\n" + logTail());
        }
    }

    private static boolean accepts(final int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(HOST, port), 500);
            return true;
        } catch (final IOException e) {
            return false;
        }
    }

    private void pause(final Duration duration) throws IOException {
        try {
            Thread.sleep(duration.toMillis());
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted waiting for the Kafka broker", e);
        }
    }

    private void forgetProcess() {
        if (shutdownHook != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (final IllegalStateException e) {
                // the JVM is already shutting down and the hook is running or has run: nothing to undo
            }
            shutdownHook = null;
        }
        process = null;
    }

    private String logTail() {
        try {
            final List<String> lines = Files.readAllLines(logFile, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size()));
        } catch (final IOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    private void writeServerProperties() throws IOException {
        final Map<String, String> props = new LinkedHashMap<>();
        props.put("process.roles", "broker,controller");
        props.put("node.id", "1");
        props.put("controller.quorum.voters", "1@" + HOST + ":" + controllerPort);
        props.put("listeners", "PLAINTEXT://" + HOST + ":" + port + ",CONTROLLER://" + HOST + ":" + controllerPort);
        props.put("advertised.listeners", "PLAINTEXT://" + HOST + ":" + port);
        props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        props.put("controller.listener.names", "CONTROLLER");
        props.put("inter.broker.listener.name", "PLAINTEXT");
        props.put("log.dirs", dataDir.resolve("data").toString());
        props.put("num.partitions", "1");
        props.put("default.replication.factor", "1");
        props.put("min.insync.replicas", "1");
        // one broker: every internal topic has one replica, and few partitions so they appear fast
        props.put("offsets.topic.replication.factor", "1");
        props.put("offsets.topic.num.partitions", "1");
        props.put("transaction.state.log.replication.factor", "1");
        props.put("transaction.state.log.min.isr", "1");
        props.put("transaction.state.log.num.partitions", "1");
        props.put("share.coordinator.state.topic.replication.factor", "1");
        props.put("share.coordinator.state.topic.min.isr", "1");
        props.put("group.initial.rebalance.delay.ms", "0");
        // after a kill -9 the controller refuses the restarted broker's registration until the
        // dead incarnation's session expires: keep that short so a restart takes seconds, not 9+
        props.put("broker.session.timeout.ms", "3000");
        props.put("broker.heartbeat.interval.ms", "500");
        props.put("auto.create.topics.enable", "true");
        props.put("log.cleaner.dedupe.buffer.size", Integer.toString(2 * 1024 * 1024));
        props.putAll(config.serverOverrides());
        try (Writer out = Files.newBufferedWriter(propertiesFile, StandardCharsets.UTF_8)) {
            out.write("# written by dev.peregrine.testbed.KafkaBroker\n");
            for (final Map.Entry<String, String> entry : props.entrySet()) {
                out.write(entry.getKey() + "=" + entry.getValue().replace("\\", "\\\\") + "\n");
            }
        }
    }

    private static int[] freePorts(final int count) throws IOException {
        // hold all sockets open until every port is chosen, so the same port is not handed out twice
        final List<ServerSocket> sockets = new ArrayList<>();
        try {
            final int[] ports = new int[count];
            for (int i = 0; i < count; i++) {
                final ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST));
                sockets.add(socket);
                ports[i] = socket.getLocalPort();
            }
            return ports;
        } finally {
            for (final ServerSocket socket : sockets) {
                socket.close();
            }
        }
    }

    private static boolean waitFor(final Process process, final Duration timeout) {
        try {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            return !process.isAlive();
        }
    }

    static void deleteRecursively(final Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(final Path file, final BasicFileAttributes attrs) throws IOException {
                    Files.delete(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(final Path dir, final IOException e) throws IOException {
                    if (e != null) {
                        throw e;
                    }
                    Files.delete(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (final IOException e) {
            throw new UncheckedIOException("deleting " + root, e);
        }
    }

    /**
     * Runs a broker until interrupted (Ctrl-C): {@code [--port N] [--controller-port N] [--data-dir DIR]}.
     * Without {@code --data-dir} the data is temporary and deleted on exit.
     */
    public static void main(final String[] args) throws IOException, InterruptedException {
        KafkaBrokerConfig config = KafkaBrokerConfig.defaults();
        for (int i = 0; i < args.length; i++) {
            final String flag = args[i];
            if (Set.of("-h", "--help").contains(flag)) {
                System.out.println("usage: KafkaBroker [--port N] [--controller-port N] [--data-dir DIR]");
                return;
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(flag + " needs a value");
            }
            final String value = args[++i];
            config = switch (flag) {
                case "--port" -> config.withPort(Integer.parseInt(value));
                case "--controller-port" -> config.withControllerPort(Integer.parseInt(value));
                case "--data-dir" -> config.withDataDir(Path.of(value));
                default -> throw new IllegalArgumentException("unknown option " + flag
                        + " (expected --port, --controller-port, --data-dir)");
            };
        }
        final KafkaBroker broker = start(config);
        final Process process = broker.process;
        Runtime.getRuntime().addShutdownHook(new Thread(broker::close, "kafka-broker-stop"));
        System.out.println("Kafka broker ready: bootstrap.servers=" + broker.bootstrapServers()
                + " pid=" + broker.pid() + " data=" + broker.dataDir() + " log=" + broker.logFile());
        System.out.flush();
        final int status = process.waitFor();
        // reached only when the broker died on its own: Ctrl-C ends this JVM through the hook
        System.err.println("Kafka broker exited with status " + status + "; last lines of its log:\n"
                + broker.logTail());
        System.exit(1);
    }
}
