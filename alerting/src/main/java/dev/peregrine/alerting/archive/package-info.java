/** The event archive: every normalized event, in hourly gzip NDJSON files named by event time. */
package dev.peregrine.alerting.archive;
