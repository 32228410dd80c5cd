package dev.peregrine.alerting.suppress;

import dev.peregrine.alerting.Alert;
import dev.peregrine.alerting.AlertSink;
import java.io.IOException;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drops the alerts an analyst suppressed and passes on the rest. A dropped alert never vanishes
 * without trace: it is counted by rule ({@link SuppressionList#suppressedByRule()}) and on its
 * suppression ({@link SuppressionList#hits}) and logged at debug with the suppression that dropped it.
 */
public final class SuppressingSink implements AlertSink {

    private static final Logger LOG = LoggerFactory.getLogger(SuppressingSink.class);

    private final AlertSink next;
    private final SuppressionList suppressions;

    /** Passes to {@code next} every alert no suppression of {@code suppressions} matches. */
    public SuppressingSink(final AlertSink next, final SuppressionList suppressions) {
        this.next = next;
        this.suppressions = suppressions;
    }

    @Override
    public void deliver(final Alert alert) throws IOException {
        final Optional<Suppression> suppression = suppressions.match(alert);
        if (suppression.isPresent()) {
            LOG.debug("alert {} of rule {} suppressed by {} ({})", alert.id(), alert.ruleId(),
                    suppression.get().id(), suppression.get().reason());
            return;
        }
        next.deliver(alert);
    }

    @Override
    public void flush() throws IOException {
        next.flush();
    }

    @Override
    public void close() throws IOException {
        next.close();
    }
}
