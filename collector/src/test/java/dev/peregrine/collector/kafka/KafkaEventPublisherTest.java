package dev.peregrine.collector.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.peregrine.collector.event.Event;
import dev.peregrine.collector.event.StandardFields;
import dev.peregrine.collector.ndjson.NdjsonParser;
import dev.peregrine.testbed.KafkaBroker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The publisher on a real broker: events arrive keyed by session, in order, and a broker that
 * goes away while the collector sends costs no event — they wait in the spool and follow.
 */
class KafkaEventPublisherTest {

    private static final String TOPIC = "peregrine.events";
    private static final int SESSIONS = 4;

    @TempDir
    Path dir;

    @Test
    void eventsSentWhileTheBrokerIsDownArriveWhenItReturnsInOrderAndNoneLost() throws Exception {
        try (KafkaBroker kafka = KafkaBroker.start()) {
            kafka.createTopic(TOPIC, 3);
            final PublisherConfig config = PublisherConfig.of(kafka.bootstrapServers(), dir.resolve("spool"));
            final List<Event> before = events(0, 300);
            final List<Event> during = events(300, 300);
            final List<Event> after = events(600, 300);
            try (KafkaEventPublisher publisher = new KafkaEventPublisher(config)) {
                for (final Event event : before) {
                    publisher.publish(event);
                }
                assertThat(publisher.awaitDrained(Duration.ofSeconds(60))).isTrue();

                kafka.stop();
                for (final Event event : during) {
                    publisher.publish(event);
                }
                assertThat(publisher.spooled()).as("waiting on disk while the broker is down").isPositive();
                kafka.restart();
                for (final Event event : after) {
                    publisher.publish(event);
                }
                assertThat(publisher.awaitDrained(Duration.ofSeconds(90))).isTrue();
                assertThat(publisher.published()).isEqualTo(900);
                assertThat(publisher.accepted()).isEqualTo(900);
            }

            final List<ConsumerRecord<String, byte[]>> records = consumeAll(kafka, 900);
            final NdjsonParser parser = new NdjsonParser();
            final Map<String, List<Long>> timesBySession = records.stream().collect(Collectors.groupingBy(
                    ConsumerRecord::key, Collectors.mapping(r -> time(parser, r.value()), Collectors.toList())));
            assertThat(timesBySession).hasSize(SESSIONS);
            final List<Event> all = new ArrayList<>(before);
            all.addAll(during);
            all.addAll(after);
            for (final Map.Entry<String, List<Long>> session : timesBySession.entrySet()) {
                assertThat(session.getValue()).as("session %s in publish order, each once", session.getKey())
                        .isEqualTo(all.stream().filter(e -> e.getString(StandardFields.AGENT_SESSION)
                                .equals(session.getKey())).map(Event::timeNanos).toList());
            }
            assertThat(records).allSatisfy(r -> assertThat(
                    parser.parse(r.value(), 0, r.value().length).getString(StandardFields.AGENT_SESSION))
                    .isEqualTo(r.key()));
        }
    }

    private static List<Event> events(final int from, final int count) {
        final List<Event> events = new ArrayList<>();
        for (int i = from; i < from + count; i++) {
            events.add(Event.builder().time(1_700_000_000_000_000_000L + i * 1_000_000L)
                    .set(StandardFields.EVT_SOURCE, "agent").set(StandardFields.EVT_TYPE, "tool_call")
                    .set(StandardFields.AGENT_ID, "agent-" + (i % 2))
                    .set(StandardFields.AGENT_SESSION, "session-" + (i % SESSIONS)).build());
        }
        return events;
    }

    private static long time(final NdjsonParser parser, final byte[] value) {
        try {
            return parser.parse(value, 0, value.length).timeNanos();
        } catch (final Exception e) {
            throw new AssertionError(e);
        }
    }

    private static List<ConsumerRecord<String, byte[]>> consumeAll(final KafkaBroker kafka, final int expected) {
        final Map<String, Object> props = kafka.clientConfig();
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        final List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            final List<TopicPartition> partitions = consumer.partitionsFor(TOPIC).stream()
                    .map(p -> new TopicPartition(TOPIC, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
                return records.size() >= expected;
            });
            // anything beyond the expected count would be a duplicate: give it a moment to show up
            consumer.poll(Duration.ofMillis(500)).forEach(records::add);
        }
        assertThat(records).hasSize(expected);
        return records;
    }
}
