/** Per-event evaluation of a compiled rule set, indexed by event source and {@code evt.type}, with per-rule counters. */
package dev.peregrine.engine.falco;
