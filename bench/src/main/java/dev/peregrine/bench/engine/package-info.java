/** JMH benchmarks of the engine stage: evaluating rules against events. */
package dev.peregrine.bench.engine;
