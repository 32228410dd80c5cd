package dev.peregrine.engine.streams;

import dev.peregrine.alerting.Alert;
import dev.peregrine.alerting.AlertJson;
import dev.peregrine.collector.event.Event;
import dev.peregrine.collector.ndjson.LineRejectedException;
import dev.peregrine.collector.ndjson.NdjsonParser;
import dev.peregrine.collector.proctree.ProcessTrees;
import dev.peregrine.engine.DetectionEngine;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.NavigableSet;
import java.util.TreeSet;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.Cancellable;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One stream task's engine: parses each record into an event (a rejected one goes to the
 * dead-letter sink with its reason and origin), feeds the event to the task's
 * {@link DetectionEngine} and forwards every alert to the alerts sink, keyed by its session (see {@link #alertKey}).
 *
 * <p>Detection runs on event time ({@code evt.time}); the record timestamp is not used. A
 * wall-clock punctuation moves the event clock of a partition that has been idle for
 * {@link EngineSettings#idleAfter()}: first to the latest event plus the allowed lateness (what
 * the embedded runner's end of input does), then on with the wall clock.
 *
 * <p>Events waiting in the reorder buffer are kept in the task's changelogged store too (under
 * a reserved key prefix, ordered by event time then arrival, as the buffer releases them) until
 * the engine has released them: their offsets are committed once consumed, so after a crash or a
 * move the partition's next owner offers them to its engine again instead of never seeing them.
 */
final class EngineProcessor implements Processor<String, byte[], String, byte[]> {

    private static final Logger LOG = LoggerFactory.getLogger(EngineProcessor.class);
    private static final long NANOS_PER_MILLI = 1_000_000L;
    private static final int LOGGED_DEAD_LETTERS = 20;
    /** Key prefix of the held events in the task's store; NUL keeps it apart from the detector stores' names. */
    static final String HELD_PREFIX = "\u0000held\u0000";

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
    private KeyValueStore<String, String> store;
    // the keys of the held events in the store, in release order; mirrors the store so no scan per event
    private final NavigableSet<String> heldKeys = new TreeSet<>();
    private long heldSequence;
    private boolean heldToReoffer;
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
        store = context.getStateStore(KafkaStreamsStateStore.STORE_NAME);
        state = new KafkaStreamsStateStore(store);
        engine = factory.create(state);
        try (KeyValueIterator<String, String> held = store.prefixScan(HELD_PREFIX, new StringSerializer())) {
            while (held.hasNext()) {
                final String key = held.next().key;
                heldKeys.add(key);
                heldSequence = Math.max(heldSequence, sequenceOf(key) + 1);
            }
        }
        // offered on the first record or punctuation: a processor cannot forward alerts from init
        heldToReoffer = !heldKeys.isEmpty();
        lastEventWallMillis = context.currentSystemTimeMs();
        punctuation = context.schedule(settings.punctuationInterval(), PunctuationType.WALL_CLOCK_TIME, this::onWallClock);
        LOG.info("task {}: engine started", context.taskId());
    }

    @Override
    public void process(final Record<String, byte[]> record) {
        reofferHeld();
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
        final String heldKey = heldKey(event.timeNanos(), heldSequence++);
        store.put(heldKey, new String(record.value(), StandardCharsets.UTF_8));
        heldKeys.add(heldKey);
        try {
            engine.onEvent(event, this::emit);
        } catch (final RuntimeException e) {
            // The engine guards each detector; this is the reorder buffer or the engine itself failing.
            LOG.error("task {}: engine failed on a record: {}", context.taskId(), e.toString(), e);
            deadLetter(record, "processing_failed", e.toString());
        }
        forgetReleased();
    }

    /** Offers the events a previous owner of the partition still held to this task's engine, once. */
    private void reofferHeld() {
        if (!heldToReoffer) {
            return;
        }
        heldToReoffer = false;
        final List<KeyValue<String, String>> held = new ArrayList<>();
        try (KeyValueIterator<String, String> entries = store.prefixScan(HELD_PREFIX, new StringSerializer())) {
            entries.forEachRemaining(held::add);
        }
        LOG.info("task {}: offering {} events the partition's previous engine still held", context.taskId(),
                held.size());
        for (final KeyValue<String, String> entry : held) {
            final Event event;
            try {
                event = trees.enrich(EventSerde.parse(parser, entry.value.getBytes(StandardCharsets.UTF_8)));
            } catch (final LineRejectedException e) {
                // it was readable when it was kept; one a changed reader rejects goes where unreadable records go
                heldKeys.remove(entry.key);
                store.delete(entry.key);
                deadLetter(new Record<>(null, entry.value.getBytes(StandardCharsets.UTF_8),
                        context.currentSystemTimeMs()), e.reason().label(), "held event: " + e.getMessage());
                continue;
            }
            latestEventNanos = Math.max(latestEventNanos, event.timeNanos());
            try {
                engine.onEvent(event, this::emit);
            } catch (final RuntimeException e) {
                LOG.error("task {}: engine failed on a held event: {}", context.taskId(), e.toString(), e);
            }
        }
        forgetReleased();
    }

    /** Deletes from the store the held events the engine has released (the oldest, in release order). */
    private void forgetReleased() {
        final int held = engine.heldEvents();
        while (heldKeys.size() > held) {
            store.delete(heldKeys.pollFirst());
        }
        countHeld(held);
    }

    /** Sorts by event time, then arrival: zero-padded, sign-flipped so negative times sort first too. */
    static String heldKey(final long timeNanos, final long sequence) {
        // built by hand: String.format twice per event took about 9% of EngineProcessor.process in a profile
        final StringBuilder key = new StringBuilder(HELD_PREFIX.length() + 40).append(HELD_PREFIX);
        zeroPadded(key, Long.toUnsignedString(timeNanos ^ Long.MIN_VALUE), 20);
        key.append(':');
        zeroPadded(key, Long.toString(sequence), 19);
        return key.toString();
    }

    private static void zeroPadded(final StringBuilder key, final String digits, final int width) {
        for (int i = digits.length(); i < width; i++) {
            key.append('0');
        }
        key.append(digits);
    }

    private static long sequenceOf(final String heldKey) {
        return Long.parseLong(heldKey.substring(heldKey.lastIndexOf(':') + 1));
    }

    @Override
    public void close() {
        if (punctuation != null) {
            punctuation.cancel();
        }
        if (engine != null) {
            if (engine.heldEvents() > 0) {
                // consumed but not yet detected on: they stay in the store, and the partition's next owner offers them
                LOG.info("task {}: closing with {} events in the reorder buffer, kept for the next owner",
                        context.taskId(), engine.heldEvents());
            }
            engine.close();
            countHeld(0);
        }
        if (state != null) {
            state.close();
        }
    }

    private void onWallClock(final long wallMillis) {
        reofferHeld();
        final long idleMillis = wallMillis - lastEventWallMillis;
        if (latestEventNanos == Long.MIN_VALUE || idleMillis < settings.idleAfter().toMillis()) {
            return;
        }
        final long runOnNanos = (idleMillis - settings.idleAfter().toMillis()) * NANOS_PER_MILLI;
        engine.onTimeAdvance(latestEventNanos + settings.allowedLateness().toNanos() + runOnNanos, this::emit);
        forgetReleased();
    }

    private void countHeld(final long now) {
        counters.held(now - held);
        held = now;
    }

    private void emit(final Alert alert) {
        final byte[] json = alertJson.toJson(alert).getBytes(StandardCharsets.UTF_8);
        // Stamped with the time it was raised, not its event time: a replay of last month's logs would
        // otherwise write records that the topic's time-based retention deletes at once. The JSON has the event time.
        context.forward(new Record<>(alertKey(alert), json, context.currentSystemTimeMs()),
                EngineTopology.ALERTS_SINK);
        counters.alert();
    }

    /**
     * The session, as the events topic is keyed: one session's alerts stay in one partition in the
     * order this task raised them, so the alerter's dedup windows see them in event-time order.
     */
    static String alertKey(final Alert alert) {
        return alert.session() != null ? alert.session() : alert.agent();
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
