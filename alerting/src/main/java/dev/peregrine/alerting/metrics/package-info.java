/** Per-sink delivery counters, exported to Prometheus when a registry is given and a no-op otherwise. */
package dev.peregrine.alerting.metrics;
