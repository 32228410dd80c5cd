/**
 * The distributed runner: the one {@link dev.peregrine.engine.DetectionEngine} per Kafka Streams
 * task, events from {@code peregrine.events}, alerts to {@code peregrine.alerts}, unreadable
 * records to {@code peregrine.deadletter}, detector state in a changelogged store.
 */
package dev.peregrine.engine.streams;
