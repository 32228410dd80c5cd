package dev.peregrine.engine.streams;

import dev.peregrine.engine.DetectionEngine;
import dev.peregrine.engine.state.StateStore;

/**
 * Builds the engine of one stream task. The app loads and compiles the rules once and gives a
 * factory that builds a fresh {@link DetectionEngine} (its own CEP runtime, its own built-in
 * detectors) over the task's {@code state}, e.g.
 * {@code state -> new DetectionEngine(rules, program, BuiltInDetectors.create(settings, state), lateness)}.
 *
 * <p>Called on a stream thread, once per task assignment; may be called from several stream
 * threads at once, so what it shares (rules, compiled program) must be immutable.
 */
@FunctionalInterface
public interface EngineFactory {

    /** A new engine whose long-memory detectors keep their state in {@code state}. */
    DetectionEngine create(StateStore state);
}
