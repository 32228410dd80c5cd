package dev.peregrine.collector.kafka;

import dev.peregrine.collector.event.Field;
import dev.peregrine.collector.event.FieldRegistry;
import dev.peregrine.collector.event.StandardFields;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Where and how a collector publishes its events.
 *
 * @param bootstrapServers Kafka bootstrap servers, {@code host:port[,…]}
 * @param topic            the events topic
 * @param keyField         the field whose value keys each record (all of a key's events go to one partition)
 * @param compression      producer compression: none, gzip, snappy, lz4 or zstd
 * @param spoolDirectory   where events wait until the broker acknowledges them
 * @param batchSize        events taken from the spool per round trip to the broker
 * @param producerOverrides further producer settings, applied last (not the idempotence or acks ones)
 */
public record PublisherConfig(String bootstrapServers, String topic, Field keyField, String compression,
                              Path spoolDirectory, int batchSize, Map<String, Object> producerOverrides) {

    /** The topic the engine reads. */
    public static final String DEFAULT_TOPIC = "peregrine.events";
    /** lz4: fast on the collector's CPU; zstd packs tighter for more CPU. */
    public static final String DEFAULT_COMPRESSION = "lz4";
    private static final Set<String> COMPRESSIONS = Set.of("none", "gzip", "snappy", "lz4", "zstd");

    /** Validates the settings. */
    public PublisherConfig {
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(keyField, "keyField");
        Objects.requireNonNull(spoolDirectory, "spoolDirectory");
        if (bootstrapServers.isBlank()) {
            throw new IllegalArgumentException("no bootstrap servers");
        }
        if (!COMPRESSIONS.contains(compression)) {
            throw new IllegalArgumentException("compression " + compression + ": expected one of none, gzip, "
                    + "snappy, lz4, zstd");
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
        }
        producerOverrides = Map.copyOf(producerOverrides);
    }

    /** The defaults: {@value #DEFAULT_TOPIC}, keyed by {@code agent.session}, lz4, batches of 2000. */
    public static PublisherConfig of(final String bootstrapServers, final Path spoolDirectory) {
        return new PublisherConfig(bootstrapServers, DEFAULT_TOPIC, StandardFields.AGENT_SESSION, DEFAULT_COMPRESSION,
                spoolDirectory, 2000, Map.of());
    }

    /** This config publishing to {@code name}. */
    public PublisherConfig withTopic(final String name) {
        return new PublisherConfig(bootstrapServers, name, keyField, compression, spoolDirectory, batchSize,
                producerOverrides);
    }

    /** This config keying records by the field called {@code name}; an unknown field is refused. */
    public PublisherConfig withKeyField(final String name) {
        final Field field = FieldRegistry.standard().find(name).orElseThrow(
                () -> new IllegalArgumentException("unknown key field " + name));
        return new PublisherConfig(bootstrapServers, topic, field, compression, spoolDirectory, batchSize,
                producerOverrides);
    }

    /** This config with {@code codec} compression. */
    public PublisherConfig withCompression(final String codec) {
        return new PublisherConfig(bootstrapServers, topic, keyField, codec, spoolDirectory, batchSize,
                producerOverrides);
    }

    /** This config with further producer settings. */
    public PublisherConfig withProducerOverrides(final Map<String, Object> overrides) {
        return new PublisherConfig(bootstrapServers, topic, keyField, compression, spoolDirectory, batchSize,
                overrides);
    }
}
