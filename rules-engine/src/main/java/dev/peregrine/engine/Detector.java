package dev.peregrine.engine;

import dev.peregrine.alerting.Alert;
import dev.peregrine.collector.event.Event;
import java.util.function.Consumer;

/**
 * One stage of detection: looks at events in event-time order and emits alerts.
 *
 * <p>Per-event rules, CEP statements and built-in detectors all implement this, so the
 * embedded runner and the Kafka Streams runner drive them the same way. Called from one
 * thread at a time.
 */
public interface Detector {

    /** Examines one event, handing any alerts it raises to {@code alerts}. */
    void onEvent(Event event, Consumer<Alert> alerts);

    /**
     * Tells the detector that event time has reached {@code eventTimeNanos} (windows may close);
     * the default does nothing.
     */
    default void onTimeAdvance(final long eventTimeNanos, final Consumer<Alert> alerts) {
    }

    /** Releases resources when the runner stops; the default does nothing. */
    default void close() {
    }
}
