/** Alerts as Falco-compatible JSON lines, to a stream or to a size-rotated file. */
package dev.peregrine.alerting.jsonl;
