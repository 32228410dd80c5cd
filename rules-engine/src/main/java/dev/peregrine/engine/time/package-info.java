/** Event time: putting slightly out-of-order events back in order before detectors see them, and the end of input. */
package dev.peregrine.engine.time;
