/** Process trees rebuilt from the events themselves, to give events their parents and ancestors. */
package dev.peregrine.collector.proctree;
