package dev.peregrine.engine.time;

import dev.peregrine.alerting.Alert;
import java.util.function.Consumer;

/**
 * A detector that holds events back (to sort them by event time) and must be told that no more
 * will come, so it can release and evaluate them. Runners call it once, after the last event.
 */
public interface EndOfInput {

    /** Processes everything still held and hands the alerts that raises to {@code alerts}. */
    void endOfInput(Consumer<Alert> alerts);
}
