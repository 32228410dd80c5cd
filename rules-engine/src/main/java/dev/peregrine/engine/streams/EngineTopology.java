package dev.peregrine.engine.streams;

import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.Stores;

/**
 * The engine's Processor API topology: events source → engine processor (with the changelogged
 * detector-state store) → alerts sink and dead-letter sink. Used by {@link StreamsEngine} and by
 * the tests alike.
 *
 * <p>The source reads raw bytes and the processor parses them, rather than a value deserializer
 * with a {@code DeserializationExceptionHandler}: Kafka Streams 4.1 gives that handler no way to
 * send a record on, while a sink of the topology writes the dead letter in the task's
 * exactly-once transaction, with the reason the collector's parser gave.
 */
public final class EngineTopology {

    /** The source node, reading {@link Topics#events()}. */
    public static final String SOURCE = "events";
    /** The processor node holding the task's engine. */
    public static final String ENGINE = "engine";
    /** The sink node writing {@link Topics#alerts()}. */
    public static final String ALERTS_SINK = "alerts";
    /** The sink node writing {@link Topics#deadLetter()}. */
    public static final String DEAD_LETTER_SINK = "deadletter";

    private EngineTopology() {
    }

    /** The topology over {@code topics}, one engine from {@code factory} per task, detector state in RocksDB. */
    public static Topology build(final EngineFactory factory, final Topics topics, final EngineSettings settings,
                                 final EngineCounters counters) {
        return build(factory, topics, settings, counters,
                Stores.persistentKeyValueStore(KafkaStreamsStateStore.STORE_NAME));
    }

    /**
     * The topology with the detector state in {@code stateStore}'s stores (changelogged whatever they are):
     * the topology tests use in-memory ones, since the test driver commits, and so flushes RocksDB, after every record.
     */
    static Topology build(final EngineFactory factory, final Topics topics, final EngineSettings settings,
                          final EngineCounters counters, final KeyValueBytesStoreSupplier stateStore) {
        final Topology topology = new Topology();
        topology.addSource(SOURCE, new StringDeserializer(), new ByteArrayDeserializer(), topics.events());
        topology.addProcessor(ENGINE, () -> new EngineProcessor(factory, settings, counters), SOURCE);
        topology.addStateStore(Stores.keyValueStoreBuilder(stateStore, Serdes.String(), Serdes.String())
                // the cache folds a baseline's many updates between commits into one changelog record
                .withCachingEnabled(), ENGINE);
        topology.addSink(ALERTS_SINK, topics.alerts(), new StringSerializer(), new ByteArraySerializer(), ENGINE);
        topology.addSink(DEAD_LETTER_SINK, topics.deadLetter(), new StringSerializer(), new ByteArraySerializer(), ENGINE);
        return topology;
    }
}
