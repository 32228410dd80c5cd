package dev.peregrine.engine.streams;

import dev.peregrine.collector.event.Event;
import dev.peregrine.collector.ndjson.EventJsonWriter;
import dev.peregrine.collector.ndjson.LineRejectedException;
import dev.peregrine.collector.ndjson.NdjsonParser;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Events on Kafka as their native NDJSON line: written by {@link EventJsonWriter}, read by the
 * collector's {@link NdjsonParser} (either input format, as the collector accepts them).
 *
 * <p>A record the parser rejects is a {@link SerializationException} naming the reason; the
 * engine topology does not use this deserializer on its source but {@link #parse}, so that a
 * rejected record is routed to the dead-letter topic inside the task's transaction.
 */
public final class EventSerde implements Serde<Event> {

    @Override
    public Serializer<Event> serializer() {
        final EventJsonWriter writer = new EventJsonWriter();
        return (topic, event) -> event == null ? null : writer.toBytes(event);
    }

    @Override
    public Deserializer<Event> deserializer() {
        final NdjsonParser parser = new NdjsonParser();
        return (topic, bytes) -> {
            if (bytes == null) {
                return null;
            }
            try {
                return parse(parser, bytes);
            } catch (final LineRejectedException e) {
                throw new SerializationException(e.reason().label() + ": " + e.getMessage(), e);
            }
        };
    }

    /** One record's value as an event; a blank or missing value is rejected as malformed, like a line that holds no object. */
    static Event parse(final NdjsonParser parser, final byte[] bytes) throws LineRejectedException {
        return parser.parse(bytes, 0, bytes.length);
    }
}
