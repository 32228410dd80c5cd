package dev.peregrine.alerting.metrics;

/**
 * What one sink reports about its deliveries. Every method is called with the sink's lock held,
 * so implementations need no ordering of their own, only thread-safe counters.
 */
public interface SinkMetrics {

    /** Reports nothing: alerting works without a metrics registry. */
    SinkMetrics NONE = new SinkMetrics() {
        @Override
        public void delivered(final long alerts) {
        }

        @Override
        public void retried(final long alerts) {
        }

        @Override
        public void spooled(final long alerts) {
        }

        @Override
        public void failed(final long alerts) {
        }

        @Override
        public void spoolDepth(final long alerts) {
        }
    };

    /** Alerts the destination accepted. */
    void delivered(long alerts);

    /** Delivery attempts repeated after a temporary failure, counted per alert. */
    void retried(long alerts);

    /** Alerts written to the on-disk spool because the destination was down. */
    void spooled(long alerts);

    /** Alerts given up on (refused for good, or the spool was full), each dead-lettered. */
    void failed(long alerts);

    /** Alerts waiting in the spool now. */
    void spoolDepth(long alerts);
}
