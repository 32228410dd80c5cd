package dev.peregrine.engine.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.peregrine.engine.state.KeyValueStore;
import dev.peregrine.engine.state.StateCodec;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Detector stores as key ranges of one Kafka Streams store: isolated, written through, reread on open. */
class KafkaStreamsStateStoreTest {

    private static final StateCodec<Long> LONGS = new StateCodec<>() {
        @Override
        public String encode(final Long value) {
            return Long.toString(value);
        }

        @Override
        public Long decode(final String text) {
            return Long.parseLong(text);
        }
    };

    private org.apache.kafka.streams.state.KeyValueStore<String, String> backing;

    @BeforeEach
    void openBacking() {
        final MockProcessorContext<Object, Object> context = new MockProcessorContext<>();
        backing = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(KafkaStreamsStateStore.STORE_NAME),
                Serdes.String(), Serdes.String()).withLoggingDisabled().build();
        backing.init(context.getStateStoreContext(), backing);
    }

    private static Map<String, Long> contents(final KeyValueStore<Long> store) {
        final Map<String, Long> map = new HashMap<>();
        store.forEach(map::put);
        return map;
    }

    @Test
    void whatOneTaskWroteIsWhatTheNextOpenReadsStoreByStore() {
        final KafkaStreamsStateStore first = new KafkaStreamsStateStore(backing);
        final KeyValueStore<Long> counts = first.keyValueStore("a.counts", LONGS);
        final KeyValueStore<Long> other = first.keyValueStore("a.counts2", LONGS);
        counts.put("ci-runner", 3L);
        counts.put("gone", 1L);
        counts.delete("gone");
        other.put("ci-runner", 9L);
        first.close();

        final KafkaStreamsStateStore second = new KafkaStreamsStateStore(backing);
        assertThat(contents(second.keyValueStore("a.counts", LONGS))).containsExactly(Map.entry("ci-runner", 3L));
        assertThat(contents(second.keyValueStore("a.counts2", LONGS))).containsExactly(Map.entry("ci-runner", 9L));
        assertThat(backing.get("a.counts\u0000ci-runner")).isEqualTo("3");
    }

    @Test
    void aValueItsCodecRejectsIsCountedReportedAndKeptUntilWrittenAgain() {
        backing.put("a.counts\u0000broken", "not a number");
        backing.put("a.counts\u0000fine", "7");

        final KafkaStreamsStateStore state = new KafkaStreamsStateStore(backing);
        final KeyValueStore<Long> counts = state.keyValueStore("a.counts", LONGS);

        assertThat(contents(counts)).containsExactly(Map.entry("fine", 7L));
        assertThat(state.undecodableEntries()).isEqualTo(1);
        assertThat(state.problems()).singleElement().asString().contains("broken").contains("kept");
        assertThat(backing.get("a.counts\u0000broken")).isEqualTo("not a number");
        counts.put("broken", 1L);
        assertThat(backing.get("a.counts\u0000broken")).isEqualTo("1");
    }

    @Test
    void oneNameWithAnotherCodecIsRefused() {
        final KafkaStreamsStateStore state = new KafkaStreamsStateStore(backing);
        state.keyValueStore("a.counts", LONGS);

        assertThat(state.keyValueStore("a.counts", LONGS)).isSameAs(state.keyValueStore("a.counts", LONGS));
        assertThatThrownBy(() -> state.keyValueStore("a.counts", new StateCodec<Long>() {
            @Override
            public String encode(final Long value) {
                return "";
            }

            @Override
            public Long decode(final String text) {
                return 0L;
            }
        })).isInstanceOf(IllegalArgumentException.class);
    }
}
