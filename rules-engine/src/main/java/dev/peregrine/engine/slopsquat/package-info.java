/** Slopsquat and typosquat detection: package installs parsed from process events, checked against offline registry snapshots. */
package dev.peregrine.engine.slopsquat;
