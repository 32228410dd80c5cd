/** JMH micro-benchmarks and the end-to-end benchmark harness (populated by the benchmarks issue). */
package dev.peregrine.bench;
