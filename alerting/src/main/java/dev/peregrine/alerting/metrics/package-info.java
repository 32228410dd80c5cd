/**
 * Prometheus metrics of the alert pipeline (alerts raised, suppressed, summarized, end-to-end
 * latency), of each sink's deliveries and of the event archive; no-ops when no registry is given.
 */
package dev.peregrine.alerting.metrics;
