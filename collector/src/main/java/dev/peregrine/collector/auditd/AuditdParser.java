package dev.peregrine.collector.auditd;

import dev.peregrine.collector.deadletter.Rejection.Reason;
import dev.peregrine.collector.event.Event;
import dev.peregrine.collector.ndjson.LineRejectedException;
import dev.peregrine.collector.source.LineParser;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Parses raw {@code audit.log} lines (spec §2.3) and assembles the records of one audit event
 * — those sharing {@code node} and {@code msg=audit(SECONDS.MILLIS:SERIAL)} — into one
 * {@link Event}; {@link AuditEventMapper} says how records map onto fields.
 *
 * <h2>Assembly</h2>
 * Records of different events may interleave. An event is complete when its {@code EOE}
 * record arrives; at once when its record is a user-space one ({@code USER_*}, {@code CRED_*},
 * {@code DAEMON_*}, …: one record per event, never an {@code EOE}); otherwise — old kernels
 * write no {@code EOE} — when records of {@value #DEFAULT_FLUSH_AFTER} newer events have
 * arrived since its last record ({@code flushAfter}), or when the input ends
 * ({@link #finish}). The rule counts events, not seconds, so that the same input always gives
 * the same events in the same order; it also bounds what is held to {@code flushAfter + 1}
 * events of at most {@value #MAX_RECORDS_PER_EVENT} records each (an event reaching that is
 * completed as it stands; the kernel writes a few records per event, a long EXECVE some
 * hundreds). A record arriving for an event already completed starts a new one (for example a
 * late {@code PROCTITLE}); it usually maps to nothing and is counted as skipped.
 *
 * <h2>Rejections</h2>
 * A line is rejected on its own, the rest of its event is still used:
 * {@link Reason#UNKNOWN_FORMAT} when it does not start with {@code type=} (after an optional
 * {@code node=}), {@link Reason#MISSING_FIELD} without a {@code msg=audit(…)} header,
 * {@link Reason#INVALID_VALUE} for an unparseable event id or an unclosed quote.
 *
 * <h2>Skipped events</h2>
 * Events that map onto nothing (see {@link AuditEventMapper}: no SYSCALL, AVC or SECCOMP
 * record) are neither events nor rejections — they are well-formed, just not of interest — and
 * are counted by record type in {@link #skippedByType()}.
 *
 * <p>Not thread-safe: one parser per source.
 */
public final class AuditdParser implements LineParser {

    /** Default number of newer events after which an event without {@code EOE} is complete. */
    public static final int DEFAULT_FLUSH_AFTER = 32;

    /** Most records one event may collect before it is completed regardless. */
    public static final int MAX_RECORDS_PER_EVENT = 1024;

    private static final String[] STANDALONE_PREFIXES = {
        "USER_", "CRED_", "DAEMON_", "SERVICE_", "SYSTEM_", "CRYPTO_", "ADD_", "DEL_", "GRP_", "USYS_", "ANOM_",
    };

    private final int flushAfter;
    private final AuditEventMapper mapper = new AuditEventMapper();
    // Access order: the eldest entry is the event that has waited longest since its last record.
    private final LinkedHashMap<String, Pending> pending = new LinkedHashMap<>(16, 0.75f, true);
    private final Map<String, Long> skippedByType = new TreeMap<>();
    private long eventsStarted;
    private long skipped;

    /** A parser completing events without {@code EOE} after {@value #DEFAULT_FLUSH_AFTER} newer ones. */
    public AuditdParser() {
        this(DEFAULT_FLUSH_AFTER);
    }

    /** A parser completing events without {@code EOE} once records of {@code flushAfter} newer events have arrived. */
    public AuditdParser(final int flushAfter) {
        if (flushAfter < 1) {
            throw new IllegalArgumentException("flushAfter must be positive, got " + flushAfter);
        }
        this.flushAfter = flushAfter;
    }

    @Override
    public void parse(final byte[] buf, final int off, final int len, final Consumer<Event> events)
            throws LineRejectedException {
        parse(new String(buf, off, len, StandardCharsets.UTF_8), events);
    }

    /** Parses one line of text; see {@link #parse(byte[], int, int, Consumer)}. */
    public void parse(final String line, final Consumer<Event> events) throws LineRejectedException {
        final AuditRecord record = AuditRecord.parse(line);
        final String key = record.node() == null ? record.id() : record.node() + ' ' + record.id();
        Pending event = pending.get(key);
        if (event == null) {
            event = new Pending(++eventsStarted);
            pending.put(key, event);
        }
        event.lastSeen = eventsStarted;
        if (record.type().equals("EOE")) {
            complete(pending.remove(key), events);
        } else {
            event.records.add(record);
            if (isStandalone(record.type()) || event.records.size() >= MAX_RECORDS_PER_EVENT) {
                complete(pending.remove(key), events);
            }
        }
        completeStale(events);
    }

    @Override
    public void finish(final Consumer<Event> events) {
        final Iterator<Pending> held = pending.values().iterator();
        while (held.hasNext()) {
            final Pending event = held.next();
            held.remove();
            complete(event, events);
        }
    }

    @Override
    public Reason failureReason() {
        return Reason.INVALID_VALUE;
    }

    /** How many events held from earlier lines wait for more records. */
    public int pendingEvents() {
        return pending.size();
    }

    /** How many well-formed events mapped onto nothing. */
    public long skipped() {
        return skipped;
    }

    /** Skipped events by the type of their first record, sorted by type. */
    public Map<String, Long> skippedByType() {
        return Collections.unmodifiableMap(skippedByType);
    }

    private void completeStale(final Consumer<Event> events) {
        final Iterator<Pending> eldest = pending.values().iterator();
        while (eldest.hasNext()) {
            final Pending event = eldest.next();
            // Age alone does not bound what is held: records touching many old events keep them all
            // young. The size check keeps the bound whatever order records come in.
            if (eventsStarted - event.lastSeen < flushAfter && pending.size() <= flushAfter + 1) {
                return;
            }
            eldest.remove();
            complete(event, events);
        }
    }

    private void complete(final Pending event, final Consumer<Event> events) {
        if (event.records.isEmpty()) {
            return; // an EOE alone: its event was already completed, or never had records
        }
        final Event mapped = mapper.map(event.records);
        if (mapped == null) {
            skipped++;
            skippedByType.merge(event.records.get(0).type(), 1L, Long::sum);
            return;
        }
        events.accept(mapped);
    }

    private static boolean isStandalone(final String type) {
        for (final String prefix : STANDALONE_PREFIXES) {
            if (type.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    /** The records of one event seen so far, and when (in events started) its last one came. */
    private static final class Pending {
        final List<AuditRecord> records = new ArrayList<>(4);
        long lastSeen;

        Pending(final long started) {
            this.lastSeen = started;
        }
    }
}
