/** Deduplication and throttling of alerts in event-time suppression windows. */
package dev.peregrine.alerting.dedup;
