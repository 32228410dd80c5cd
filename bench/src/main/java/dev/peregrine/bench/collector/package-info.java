/** JMH benchmarks of the collector stage: parsing input lines into events. */
package dev.peregrine.bench.collector;
