package dev.peregrine.engine.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.peregrine.collector.event.Event;
import dev.peregrine.collector.ndjson.EventJsonWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

/** Events go to Kafka as native NDJSON and come back equal. */
class EventJsonWriterTest {

    private final EventSerde serde = new EventSerde();

    @Test
    void everyEventOfTheTraceComesBackEqualThroughTheSerde() {
        final List<Event> events = EngineFixture.multiSessionTrace();

        for (final Event event : events) {
            final byte[] bytes = serde.serializer().serialize("peregrine.events", event);
            assertThat(serde.deserializer().deserialize("peregrine.events", bytes)).isEqualTo(event);
        }
    }

    @Test
    void theLineIsNativeJsonWithTheTimeInEpochNanos() {
        final Event event = EngineFixture.multiSessionTrace().get(0);

        final String line = new String(new EventJsonWriter().toBytes(event), StandardCharsets.UTF_8);

        assertThat(line).startsWith("{\"evt.time\":" + event.timeNanos() + ",").doesNotContain("\n");
    }

    @Test
    void aRecordTheParserRejectsIsASerializationExceptionNamingTheReason() {
        assertThatThrownBy(() -> serde.deserializer().deserialize("t", "{\"evt.time\":".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(SerializationException.class).hasMessageStartingWith("malformed_json");
    }
}
