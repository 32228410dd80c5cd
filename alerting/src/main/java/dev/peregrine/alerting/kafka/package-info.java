/** Alerts published to a Kafka topic ({@code peregrine.alerts}) as Falco-compatible JSON, keyed by alert id. */
package dev.peregrine.alerting.kafka;
