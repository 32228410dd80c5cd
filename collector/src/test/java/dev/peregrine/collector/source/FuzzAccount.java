package dev.peregrine.collector.source;

import static org.assertj.core.api.Assertions.assertThat;

import dev.peregrine.collector.deadletter.Rejection.Reason;
import dev.peregrine.collector.event.Event;
import dev.peregrine.collector.event.StandardFields;
import dev.peregrine.collector.ndjson.LineRejectedException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The books of one fuzz property: every input fed to a parser is accepted (it gave events, or
 * was held as part of one), skipped (well-formed but of no interest, counted by the parser) or
 * rejected with a reason and a message. A runtime exception is none of these: it escapes
 * {@link #feed} and fails the try with the input that caused it.
 */
public final class FuzzAccount {

    private final String name;
    private final String source;
    private long inputs;
    private long accepted;
    private long skipped;
    private long rejected;
    private long events;
    private long failedTries;
    private final Map<Reason, Long> rejectedByReason = new EnumMap<>(Reason.class);

    /** Books for a parser whose events carry {@code evt.source=source}. */
    public FuzzAccount(final String source) {
        this(source, source);
    }

    /** Books named {@code name} for a parser whose events carry {@code evt.source=source}, or any source when {@code null}. */
    public FuzzAccount(final String name, final String source) {
        this.name = name;
        this.source = source;
    }

    /** What one line gave: the events handed over while parsing it, or the rejection. */
    public record Outcome(List<Event> events, LineRejectedException rejection) {
    }

    /** A parse of one line; the LineParser contract. */
    @FunctionalInterface
    public interface Parse {
        void parse(byte[] buf, int off, int len, Consumer<Event> events) throws LineRejectedException;
    }

    /**
     * Runs {@code check} on each input of a try; a try that fails is remembered, so that
     * {@link #assertBalanced} leaves the report to that failure and its input.
     */
    public void forEach(final List<FuzzInputs.Line> lines, final Consumer<FuzzInputs.Line> check) {
        try {
            lines.forEach(check);
        } catch (final RuntimeException | AssertionError e) {
            failedTries++;
            throw e;
        }
    }

    /** Feeds {@code line} to {@code parser} and books the outcome as accepted or rejected. */
    public Outcome feed(final Parse parser, final FuzzInputs.Line line) {
        inputs++;
        final List<Event> handed = new ArrayList<>(1);
        final byte[] bytes = line.bytes();
        // Parsers get a slice of a bigger buffer in production; an offset catches index slips.
        final byte[] framed = new byte[bytes.length + 6];
        System.arraycopy(bytes, 0, framed, 3, bytes.length);
        framed[0] = framed[1] = framed[2] = '{';
        framed[framed.length - 3] = framed[framed.length - 2] = framed[framed.length - 1] = '}';
        try {
            parser.parse(framed, 3, bytes.length, handed::add);
        } catch (final LineRejectedException e) {
            rejected++;
            rejectedByReason.merge(e.reason(), 1L, Long::sum);
            // Plain checks on the per-input path: AssertJ would cost more than the parse.
            if (e.getMessage() == null || e.getMessage().isBlank()) {
                throw new AssertionError("a rejection without a message: " + e.reason() + " for " + line);
            }
            return new Outcome(List.of(), e);
        }
        accepted++;
        events(handed);
        return new Outcome(handed, null);
    }

    /** Fails unless {@code outcome} is a rejection or exactly one event, as for parsers of one event per line. */
    public static void expectOneEventUnlessRejected(final Outcome outcome) {
        if (outcome.rejection() == null && outcome.events().size() != 1) {
            throw new AssertionError("an accepted line gave " + outcome.events().size() + " events: " + outcome.events());
        }
    }

    /** Books a line that was parsed without a rejection but is counted by the parser as skipped, not accepted. */
    public void reclassifyAsSkipped() {
        accepted--;
        skipped++;
    }

    /** Checks and counts events handed over outside {@link #feed} (held events at the end of input). */
    public void events(final List<Event> handed) {
        for (final Event event : handed) {
            final String eventSource = event.getString(StandardFields.EVT_SOURCE);
            if (eventSource == null || source != null && !source.equals(eventSource)) {
                throw new AssertionError("evt.source is " + eventSource + ", expected " + (source == null ? "one" : source)
                        + ": " + event);
            }
            // Every event must survive being rendered, as sinks and dead-letter files do.
            if (!(event.get(StandardFields.EVT_TIME) instanceof Long) || !event.toMap().containsKey("evt.time")) {
                throw new AssertionError("an event without evt.time: " + event);
            }
        }
        events += handed.size();
    }

    /** Inputs fed. */
    public long inputs() {
        return inputs;
    }

    /** Inputs that gave (or joined) an event. */
    public long accepted() {
        return accepted;
    }

    /** Inputs counted as skipped. */
    public long skipped() {
        return skipped;
    }

    /** Inputs rejected. */
    public long rejected() {
        return rejected;
    }

    /** Events handed over. */
    public long events() {
        return events;
    }

    /** Asserts that at least {@code floor} inputs ran and that every one is booked exactly once. */
    public void assertBalanced(final long floor) {
        if (failedTries > 0) {
            return; // jqwik reports the failed try with its input; the books of a cut-short run say nothing more
        }
        assertThat(inputs).as("inputs fed").isGreaterThanOrEqualTo(floor);
        assertThat(accepted + skipped + rejected).as("accepted + skipped + rejected").isEqualTo(inputs);
        // Seeds are real lines and many mutations keep a line usable: both outcomes must be exercised.
        assertThat(accepted).as("accepted").isPositive();
        assertThat(rejected).as("rejected").isPositive();
    }

    @Override
    public String toString() {
        return name + ": " + inputs + " inputs, " + accepted + " accepted, " + skipped + " skipped, " + rejected
                + " rejected " + rejectedByReason + ", " + events + " events";
    }
}
