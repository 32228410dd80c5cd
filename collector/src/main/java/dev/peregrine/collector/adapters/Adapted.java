package dev.peregrine.collector.adapters;

import dev.peregrine.collector.deadletter.Rejection.Reason;
import dev.peregrine.collector.event.Event;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What an adapter made of one body: the events, with the 1-based record each came from
 * (a span, a list element, the payload itself), the records that could not become an event, and
 * how many records were of no interest (an HTTP span in a trace, say) and left out on purpose.
 *
 * @param events   the events, in body order
 * @param origins  for each event, the record it came from
 * @param problems the records refused, each with a reason
 * @param skipped  records that are well formed but carry nothing Peregrine maps (counted, not events)
 */
public record Adapted(List<Event> events, List<Origin> origins, List<Problem> problems, int skipped) {

    public Adapted {
        events = List.copyOf(events);
        origins = List.copyOf(origins);
        problems = List.copyOf(problems);
        if (events.size() != origins.size()) {
            throw new IllegalArgumentException(events.size() + " events but " + origins.size() + " origins");
        }
    }

    /** A body that as a whole could not be read: one problem, record 1, the whole body. */
    public static Adapted refused(final Reason reason, final String message) {
        return new Adapted(List.of(), List.of(), List.of(new Problem(Origin.whole(1), reason, message)), 0);
    }

    /**
     * Where a record is in the body, so that a refused one is kept as its own bytes.
     *
     * @param record 1-based number of the record within the body
     * @param from   first byte of the record, or -1 when it cannot be told apart (the whole body stands for it)
     * @param to     end of the record (exclusive), or -1
     */
    public record Origin(long record, int from, int to) {
        /** Record {@code record}, somewhere in the body. */
        public static Origin whole(final long record) {
            return new Origin(record, -1, -1);
        }
    }

    /**
     * A record that could not become an event.
     *
     * @param origin  the record
     * @param reason  why, as for any rejected input
     * @param message what was wrong, for a human
     */
    public record Problem(Origin origin, Reason reason, String message) {
        public Problem {
            Objects.requireNonNull(origin, "origin");
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(message, "message");
        }
    }

    /** Collects an {@link Adapted} record by record; not thread-safe. */
    public static final class Builder {
        private final List<Event> events = new ArrayList<>();
        private final List<Origin> origins = new ArrayList<>();
        private final List<Problem> problems = new ArrayList<>();
        private int skipped;

        /** Adds the event made of the record at {@code origin}. */
        public Builder event(final Origin origin, final Event event) {
            events.add(Objects.requireNonNull(event, "event"));
            origins.add(Objects.requireNonNull(origin, "origin"));
            return this;
        }

        /** Adds a refused record. */
        public Builder problem(final Origin origin, final Reason reason, final String message) {
            problems.add(new Problem(origin, reason, message));
            return this;
        }

        /** Counts a record left out on purpose. */
        public Builder skip() {
            skipped++;
            return this;
        }

        /** The result. */
        public Adapted build() {
            return new Adapted(events, origins, problems, skipped);
        }
    }
}
