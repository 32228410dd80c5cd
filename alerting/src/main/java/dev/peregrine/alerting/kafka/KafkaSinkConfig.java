package dev.peregrine.alerting.kafka;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Where and how {@link KafkaAlertSink} publishes.
 *
 * @param bootstrapServers  {@code host:port[,host:port…]} of the cluster
 * @param topic             the alert topic, {@value #DEFAULT_TOPIC} by default
 * @param compression       codec of produced batches
 * @param deliveryTimeout   how long one alert may take to be acknowledged, retries included
 *                          ({@code delivery.timeout.ms}); waiting for metadata is bounded by the
 *                          shorter of it and {@link KafkaAlertSink#METADATA_WAIT}
 * @param producerOverrides further producer settings (security, {@code client.id}, {@code linger.ms}…);
 *                          the delivery guarantees ({@code acks}, idempotence) cannot be overridden
 */
public record KafkaSinkConfig(String bootstrapServers, String topic, Compression compression,
                              Duration deliveryTimeout, Map<String, String> producerOverrides) {

    /** The topic alerts go to unless configured otherwise. */
    public static final String DEFAULT_TOPIC = "peregrine.alerts";
    /** Long enough to ride out a leader election, short enough that a spool takes over soon. */
    public static final Duration DEFAULT_DELIVERY_TIMEOUT = Duration.ofSeconds(30);

    // weakening these would let an acknowledged alert be lost or duplicated
    private static final Set<String> GUARANTEES = Set.of("acks", "enable.idempotence", "key.serializer",
            "value.serializer", "bootstrap.servers", "compression.type", "delivery.timeout.ms");

    /** Batch compression codecs, named as Kafka's {@code compression.type}. */
    public enum Compression {
        /** No compression. */
        NONE,
        /** gzip: smallest, slowest. */
        GZIP,
        /** snappy. */
        SNAPPY,
        /** lz4: fast, the usual choice for latency. */
        LZ4,
        /** zstd: near gzip's ratio at lz4-like speed. */
        ZSTD;

        /** The {@code compression.type} value. */
        public String kafkaName() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** Parses {@code none|gzip|snappy|lz4|zstd}, case-insensitively; the error lists the choices. */
        public static Compression parse(final String text) {
            for (final Compression value : values()) {
                if (value.kafkaName().equalsIgnoreCase(text.trim())) {
                    return value;
                }
            }
            throw new IllegalArgumentException("unknown compression '" + text + "' (expected none, gzip, snappy, lz4 or zstd)");
        }
    }

    public KafkaSinkConfig {
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        if (bootstrapServers.isBlank()) {
            throw new IllegalArgumentException("bootstrapServers must name at least one host:port");
        }
        Objects.requireNonNull(topic, "topic");
        if (!topic.matches("[a-zA-Z0-9._-]{1,249}")) {
            throw new IllegalArgumentException("invalid topic name '" + topic
                    + "' (1-249 characters of a-z, A-Z, 0-9, '.', '_', '-')");
        }
        Objects.requireNonNull(compression, "compression");
        Objects.requireNonNull(deliveryTimeout, "deliveryTimeout");
        if (deliveryTimeout.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new IllegalArgumentException("deliveryTimeout must be at least 1 s: " + deliveryTimeout);
        }
        Objects.requireNonNull(producerOverrides, "producerOverrides");
        for (final String key : producerOverrides.keySet()) {
            if (GUARANTEES.contains(key)) {
                throw new IllegalArgumentException("producer setting '" + key
                        + "' is set by the Kafka sink and cannot be overridden");
            }
        }
        producerOverrides = Collections.unmodifiableMap(new LinkedHashMap<>(producerOverrides));
    }

    /** Topic {@value #DEFAULT_TOPIC}, lz4, 30 s delivery timeout, no overrides. */
    public static KafkaSinkConfig of(final String bootstrapServers) {
        return new KafkaSinkConfig(bootstrapServers, DEFAULT_TOPIC, Compression.LZ4, DEFAULT_DELIVERY_TIMEOUT, Map.of());
    }

    /** A copy publishing to {@code newTopic}. */
    public KafkaSinkConfig withTopic(final String newTopic) {
        return new KafkaSinkConfig(bootstrapServers, newTopic, compression, deliveryTimeout, producerOverrides);
    }

    /** A copy with another codec. */
    public KafkaSinkConfig withCompression(final Compression newCompression) {
        return new KafkaSinkConfig(bootstrapServers, topic, newCompression, deliveryTimeout, producerOverrides);
    }

    /** A copy with another delivery timeout. */
    public KafkaSinkConfig withDeliveryTimeout(final Duration newTimeout) {
        return new KafkaSinkConfig(bootstrapServers, topic, compression, newTimeout, producerOverrides);
    }

    /** A copy with one more producer setting. */
    public KafkaSinkConfig withProducerSetting(final String key, final String value) {
        final Map<String, String> copy = new LinkedHashMap<>(producerOverrides);
        copy.put(key, value);
        return new KafkaSinkConfig(bootstrapServers, topic, compression, deliveryTimeout, copy);
    }
}
