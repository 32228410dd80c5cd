package dev.peregrine.app;

import dev.peregrine.engine.streams.Topics;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import picocli.CommandLine.Option;

/** Options of the distributed commands (collector, engine, alerter): the cluster and the topics. */
final class KafkaOptions {

    @Option(names = "--kafka", paramLabel = "HOST:PORT[,…]", required = true,
            description = "Bootstrap servers of the Kafka cluster.")
    String bootstrap;

    @Option(names = "--events-topic", paramLabel = "TOPIC", defaultValue = "peregrine.events",
            description = "Normalized events, keyed by session. Default: ${DEFAULT-VALUE}.")
    String eventsTopic;

    @Option(names = "--alerts-topic", paramLabel = "TOPIC", defaultValue = "peregrine.alerts",
            description = "Alerts as Falco-compatible JSON, keyed by alert id. Default: ${DEFAULT-VALUE}.")
    String alertsTopic;

    @Option(names = "--dead-letter-topic", paramLabel = "TOPIC", defaultValue = "peregrine.deadletter",
            description = "Records that could not be read, as they were, with the reason in headers. "
                    + "Default: ${DEFAULT-VALUE}.")
    String deadLetterTopic;

    @Option(names = "--kafka-property", paramLabel = "KEY=VALUE",
            description = "A further Kafka client setting (e.g. security.protocol=SSL); repeatable.")
    Map<String, String> properties = new LinkedHashMap<>();

    /** The topics, created with {@code partitions} and {@code replication} where absent. */
    Topics topics(final int partitions, final short replication) {
        try {
            return new Topics(eventsTopic, alertsTopic, deadLetterTopic, partitions, replication);
        } catch (final IllegalArgumentException e) {
            throw new UsageException("--partitions / --replication: " + e.getMessage());
        }
    }

    /** A client configuration: the bootstrap servers and every --kafka-property. */
    Properties clientConfig() {
        if (bootstrap == null || bootstrap.isBlank()) {
            throw new UsageException("--kafka needs bootstrap servers, e.g. --kafka 127.0.0.1:9092");
        }
        final Properties config = new Properties();
        config.putAll(properties);
        config.put("bootstrap.servers", bootstrap);
        return config;
    }
}
