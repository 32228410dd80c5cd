/** The embedded runner: sources, detectors and alert sinks in one JVM, no Kafka. */
package dev.peregrine.engine.embedded;
