/**
 * Reliable delivery around any sink: batching, retries with exponential backoff and jitter, and
 * a bounded on-disk spool that survives restarts and drains in order when the destination returns.
 */
package dev.peregrine.alerting.spool;
