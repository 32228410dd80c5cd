package dev.peregrine.engine.streams;

import dev.peregrine.alerting.Alert;
import dev.peregrine.alerting.AlertJson;
import dev.peregrine.collector.event.Event;
import dev.peregrine.collector.ndjson.LineRejectedException;
import dev.peregrine.collector.ndjson.NdjsonParser;
import dev.peregrine.collector.proctree.ProcessTrees;
import dev.peregrine.engine.DetectionEngine;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.Cancellable;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One stream task's engine: parses each record into an event (a rejected one goes to the
 * dead-letter sink with its reason and origin), feeds the event to the task's
 * {@link DetectionEngine} and forwards every alert to the alerts sink, keyed by alert id.
 *
 * <p>Detection runs on event time ({@code evt.time}); the record timestamp is not used. A
 * wall-clock punctuation moves the event clock of a partition that has been idle for
 * {@link EngineSettings#idleAfter()}: first to the latest event plus the allowed lateness (what
 * the embedded runner's end of input does), then on with the wall clock.
 */
final class EngineProcessor implements Processor<String, byte[], String, byte[]> {

    private static final Logger LOG = LoggerFactory.getLogger(EngineProcessor.class);
    private static final long NANOS_PER_MILLI = 1_000_000L;
    private static final int LOGGED_DEAD_LETTERS = 20;

    private final EngineFactory factory;
    private final EngineSettings settings;
    private final EngineCounters counters;
    private final NdjsonParser parser = new NdjsonParser();
    private final AlertJson alertJson = new AlertJson();
    // The records carry no ancestry (native NDJSON has no key for it): the task rebuilds it from the
    // process events of its partitions, as the embedded runner does from its sources.
    private final ProcessTrees trees = ProcessTrees.withDefaults();
    private ProcessorContext<String, byte[]> context;
    private KafkaStreamsStateStore state;
    private DetectionEngine engine;
    private Cancellable punctuation;
    private long latestEventNanos = Long.MIN_VALUE;
    private long lastEventWallMillis;
    private long held;
    private long deadLettered;

    EngineProcessor(final EngineFactory factory, final EngineSettings settings, final EngineCounters counters) {
        this.factory = factory;
        this.settings = settings;
        this.counters = counters;
    }

    @Override
    public void init(final ProcessorContext<String, byte[]> context) {
        this.context = context;
        final KeyValueStore<String, String> store = context.getStateStore(KafkaStreamsStateStore.STORE_NAME);
        state = new KafkaStreamsStateStore(store);
        engine = factory.create(state);
        lastEventWallMillis = context.currentSystemTimeMs();
        punctuation = context.schedule(settings.punctuationInterval(), PunctuationType.WALL_CLOCK_TIME, this::onWallClock);
        LOG.info("task {}: engine started", context.taskId());
    }

    @Override
    public void process(final Record<String, byte[]> record) {
        if (record.value() == null) {
            deadLetter(record, "malformed_json", "record has no value (tombstone)");
            return;
        }
        final Event event;
        try {
            event = trees.enrich(EventSerde.parse(parser, record.value()));
        } catch (final LineRejectedException e) {
            deadLetter(record, e.reason().label(), e.getMessage());
            return;
        }
        counters.event();
        lastEventWallMillis = context.currentSystemTimeMs();
        latestEventNanos = Math.max(latestEventNanos, event.timeNanos());
        try {
            engine.onEvent(event, this::emit);
        } catch (final RuntimeException e) {
            // The engine guards each detector; this is the reorder buffer or the engine itself failing.
            LOG.error("task {}: engine failed on a record: {}", context.taskId(), e.toString(), e);
            deadLetter(record, "processing_failed", e.toString());
        }
        countHeld(engine.heldEvents());
    }

    @Override
    public void close() {
        if (punctuation != null) {
            punctuation.cancel();
        }
        if (engine != null) {
            if (engine.heldEvents() > 0) {
                // Events in the reorder buffer are consumed but not yet detected on; a closing task cannot
                // forward any more, so say how many the next owner of the partition will not see.
                LOG.warn("task {}: closing with {} events still in the reorder buffer", context.taskId(),
                        engine.heldEvents());
            }
            engine.close();
            countHeld(0);
        }
        if (state != null) {
            state.close();
        }
    }

    private void onWallClock(final long wallMillis) {
        final long idleMillis = wallMillis - lastEventWallMillis;
        if (latestEventNanos == Long.MIN_VALUE || idleMillis < settings.idleAfter().toMillis()) {
            return;
        }
        final long runOnNanos = (idleMillis - settings.idleAfter().toMillis()) * NANOS_PER_MILLI;
        engine.onTimeAdvance(latestEventNanos + settings.allowedLateness().toNanos() + runOnNanos, this::emit);
        countHeld(engine.heldEvents());
    }

    private void countHeld(final long now) {
        counters.held(now - held);
        held = now;
    }

    private void emit(final Alert alert) {
        final byte[] json = alertJson.toJson(alert).getBytes(StandardCharsets.UTF_8);
        // Stamped with the time it was raised, not its event time: a replay of last month's logs would
        // otherwise write records that the topic's time-based retention deletes at once. The JSON has the event time.
        context.forward(new Record<>(alert.id(), json, context.currentSystemTimeMs()), EngineTopology.ALERTS_SINK);
        counters.alert();
    }

    private void deadLetter(final Record<String, byte[]> record, final String reason, final String message) {
        final RecordMetadata origin = context.recordMetadata().orElse(null);
        final String topic = origin == null ? "" : origin.topic();
        final int partition = origin == null ? -1 : origin.partition();
        final long offset = origin == null ? -1 : origin.offset();
        final RecordHeaders headers = new RecordHeaders(record.headers().toArray());
        DeadLetterHeaders.add(headers, reason, message, topic, partition, offset, settings.host(), record.value());
        context.forward(new Record<>(record.key(), record.value(), record.timestamp(), headers),
                EngineTopology.DEAD_LETTER_SINK);
        counters.deadLetter();
        // A flood of bad records must not flood the log too: the first ones say why, the topic keeps them all.
        if (++deadLettered <= LOGGED_DEAD_LETTERS) {
            LOG.warn("task {}: record {}-{}@{} dead-lettered: {}: {}{}", context.taskId(), topic, partition, offset,
                    reason, message, deadLettered == LOGGED_DEAD_LETTERS ? "; further ones are only counted" : "");
        }
    }
}
