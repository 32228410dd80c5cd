package dev.peregrine.app;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;

/**
 * How far a consumer group is behind the end of a topic, as the broker sees it: the offsets the
 * group committed against the partitions' end offsets. For the engine's group (its application
 * id) a commit is part of the exactly-once transaction, so lag 0 means every event was detected
 * on and its alerts are committed.
 */
final class GroupLag implements AutoCloseable {

    /** How long one look waits for the broker; a scrape must not hang on a broker that is down. */
    private static final long TIMEOUT_SECONDS = 5;

    private final Admin admin;
    private final String group;
    private final String topic;

    GroupLag(final Properties clientConfig, final String group, final String topic) {
        final Properties config = new Properties();
        config.putAll(clientConfig);
        config.put("request.timeout.ms", (int) TimeUnit.SECONDS.toMillis(TIMEOUT_SECONDS));
        config.put("default.api.timeout.ms", (int) TimeUnit.SECONDS.toMillis(TIMEOUT_SECONDS));
        this.admin = Admin.create(config);
        this.group = group;
        this.topic = topic;
    }

    /**
     * Records of the topic the group has not yet committed, over every partition (a partition it never
     * committed counts from its first offset); -1 when the broker did not answer.
     */
    long records() {
        try {
            final Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            final List<TopicPartitionInfo> partitions = admin.describeTopics(List.of(topic)).allTopicNames()
                    .get(TIMEOUT_SECONDS, TimeUnit.SECONDS).get(topic).partitions();
            final Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            final Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
            for (final TopicPartitionInfo info : partitions) {
                final TopicPartition partition = new TopicPartition(topic, info.partition());
                latest.put(partition, OffsetSpec.latest());
                if (committed.get(partition) == null) {
                    earliest.put(partition, OffsetSpec.earliest());
                }
            }
            final Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends = admin.listOffsets(latest).all()
                    .get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            final Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> starts = earliest.isEmpty() ? Map.of()
                    : admin.listOffsets(earliest).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            long lag = 0;
            for (final var end : ends.entrySet()) {
                final OffsetAndMetadata offset = committed.get(end.getKey());
                final long from = offset != null ? offset.offset() : starts.get(end.getKey()).offset();
                lag += Math.max(0, end.getValue().offset() - from);
            }
            return lag;
        } catch (final ExecutionException | TimeoutException e) {
            return -1;
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    @Override
    public void close() {
        admin.close(java.time.Duration.ofSeconds(TIMEOUT_SECONDS));
    }
}
