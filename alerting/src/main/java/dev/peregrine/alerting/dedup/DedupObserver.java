package dev.peregrine.alerting.dedup;

import dev.peregrine.alerting.Alert;

/** What {@link DeduplicatingSink} reports as it works, e.g. to metrics. Called on the sink's thread. */
public interface DedupObserver {

    /** Observes nothing. */
    DedupObserver NONE = new DedupObserver() {
    };

    /** A repeat was absorbed into its key's open window instead of going out on its own. */
    default void suppressed(final Alert repeat) {
    }

    /** A summary of a window's repeats was handed downstream. */
    default void summarized(final Alert summary) {
    }
}
