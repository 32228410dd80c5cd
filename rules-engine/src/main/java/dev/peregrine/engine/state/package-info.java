/**
 * State that outlives a restart: typed key-value stores for the built-in detectors' baselines,
 * learned hours, first-seen sets and budgets, kept in memory and snapshotted to a file.
 */
package dev.peregrine.engine.state;
