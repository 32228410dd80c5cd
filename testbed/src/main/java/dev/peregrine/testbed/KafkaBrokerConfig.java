package dev.peregrine.testbed;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How {@link KafkaBroker} starts its broker.
 *
 * @param dataDir         where logs, metadata and the broker's own log file live; {@code null}
 *                        means a fresh temporary directory that {@link KafkaBroker#close()} deletes
 *                        (a given directory is kept, and reused when already formatted)
 * @param port            PLAINTEXT listener port on 127.0.0.1; 0 picks a free one
 * @param controllerPort  KRaft CONTROLLER listener port on 127.0.0.1; 0 picks a free one
 * @param serverOverrides server.properties entries that replace or add to the defaults
 * @param jvmOptions      options of the broker JVM (heap, GC)
 * @param startTimeout    how long a start may take before it is abandoned and the JVM killed
 */
public record KafkaBrokerConfig(Path dataDir, int port, int controllerPort, Map<String, String> serverOverrides,
                                List<String> jvmOptions, Duration startTimeout) {

    /**
     * Small heap and the serial collector: a test broker holds a few topics, and the machines
     * running the suites are shared by several JVMs.
     */
    public static final List<String> DEFAULT_JVM_OPTIONS =
            List.of("-Xms128m", "-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");

    /** Generous: a cold JVM on a loaded two-core machine; a warm start takes a few seconds. */
    public static final Duration DEFAULT_START_TIMEOUT = Duration.ofSeconds(90);

    public KafkaBrokerConfig {
        checkPort(port, "port");
        checkPort(controllerPort, "controllerPort");
        Objects.requireNonNull(serverOverrides, "serverOverrides");
        serverOverrides = Collections.unmodifiableMap(new LinkedHashMap<>(serverOverrides));
        jvmOptions = List.copyOf(jvmOptions);
        Objects.requireNonNull(startTimeout, "startTimeout");
        if (startTimeout.isNegative() || startTimeout.isZero()) {
            throw new IllegalArgumentException("startTimeout must be positive: " + startTimeout);
        }
    }

    /** A temporary data directory, free ports, default JVM options and start timeout. */
    public static KafkaBrokerConfig defaults() {
        return new KafkaBrokerConfig(null, 0, 0, Map.of(), DEFAULT_JVM_OPTIONS, DEFAULT_START_TIMEOUT);
    }

    /** A copy using (and keeping) {@code dir} for data. */
    public KafkaBrokerConfig withDataDir(final Path dir) {
        return new KafkaBrokerConfig(dir, port, controllerPort, serverOverrides, jvmOptions, startTimeout);
    }

    /** A copy listening for clients on {@code newPort}. */
    public KafkaBrokerConfig withPort(final int newPort) {
        return new KafkaBrokerConfig(dataDir, newPort, controllerPort, serverOverrides, jvmOptions, startTimeout);
    }

    /** A copy whose KRaft controller listens on {@code newPort}. */
    public KafkaBrokerConfig withControllerPort(final int newPort) {
        return new KafkaBrokerConfig(dataDir, port, newPort, serverOverrides, jvmOptions, startTimeout);
    }

    /** A copy with one more server.properties entry. */
    public KafkaBrokerConfig withServerProperty(final String key, final String value) {
        final Map<String, String> copy = new LinkedHashMap<>(serverOverrides);
        copy.put(key, value);
        return new KafkaBrokerConfig(dataDir, port, controllerPort, copy, jvmOptions, startTimeout);
    }

    /** A copy with other JVM options. */
    public KafkaBrokerConfig withJvmOptions(final List<String> options) {
        return new KafkaBrokerConfig(dataDir, port, controllerPort, serverOverrides, options, startTimeout);
    }

    /** A copy with another start timeout. */
    public KafkaBrokerConfig withStartTimeout(final Duration timeout) {
        return new KafkaBrokerConfig(dataDir, port, controllerPort, serverOverrides, jvmOptions, timeout);
    }

    private static void checkPort(final int value, final String name) {
        if (value < 0 || value > 65_535) {
            throw new IllegalArgumentException(name + " must be 0 (any free port) or 1-65535: " + value);
        }
    }
}
