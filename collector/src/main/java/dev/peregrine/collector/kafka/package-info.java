/** Publishing normalized events to Kafka for the distributed runner, through an ordered disk spool. */
package dev.peregrine.collector.kafka;
