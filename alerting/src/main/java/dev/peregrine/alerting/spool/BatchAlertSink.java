package dev.peregrine.alerting.spool;

import dev.peregrine.alerting.Alert;
import dev.peregrine.alerting.AlertSink;
import dev.peregrine.alerting.PermanentDeliveryException;
import dev.peregrine.alerting.TemporaryDeliveryException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A sink that delivers several alerts in one request and reports each one's fate, such as a
 * bulk index request. {@link SpoolingSink} batches, retries and spools around it.
 */
public interface BatchAlertSink extends AlertSink {

    /**
     * Delivers {@code alerts} and returns one result per alert, in order. Throws
     * {@link TemporaryDeliveryException} when none was delivered for a reason that may pass (the
     * destination is unreachable), {@link PermanentDeliveryException} when all were refused for good.
     */
    List<DeliveryResult> deliverAll(List<Alert> alerts) throws IOException;

    /** One alert as a batch of one; its failure is thrown as the matching exception. */
    @Override
    default void deliver(final Alert alert) throws IOException {
        final DeliveryResult result = deliverAll(List.of(alert)).get(0);
        switch (result.outcome()) {
            case TEMPORARY:
                throw new TemporaryDeliveryException("alert " + alert.id() + ": " + result.reason());
            case PERMANENT:
                throw new PermanentDeliveryException("alert " + alert.id() + ": " + result.reason());
            default:
                break;
        }
    }

    /**
     * A plain sink seen as a batch sink: alerts go one by one, in order; after the first temporary
     * failure the rest are not tried (and reported temporary), so order survives a retry.
     */
    static BatchAlertSink oneByOne(final AlertSink sink) {
        if (sink instanceof BatchAlertSink batch) {
            return batch;
        }
        return new BatchAlertSink() {
            @Override
            public List<DeliveryResult> deliverAll(final List<Alert> alerts) {
                final List<DeliveryResult> results = new ArrayList<>(alerts.size());
                String down = null;
                for (final Alert alert : alerts) {
                    if (down != null) {
                        results.add(DeliveryResult.temporary(down));
                        continue;
                    }
                    try {
                        sink.deliver(alert);
                        results.add(DeliveryResult.delivered());
                    } catch (final PermanentDeliveryException e) {
                        results.add(DeliveryResult.permanent(e.getMessage()));
                    } catch (final IOException | RuntimeException e) {
                        down = String.valueOf(e.getMessage());
                        results.add(DeliveryResult.temporary(down));
                    }
                }
                return results;
            }

            @Override
            public void flush() throws IOException {
                sink.flush();
            }

            @Override
            public void close() throws IOException {
                sink.close();
            }
        };
    }
}
