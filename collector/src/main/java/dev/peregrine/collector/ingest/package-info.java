/** The authenticated HTTP ingest API: clients POST events with a bearer token bound to an identity. */
package dev.peregrine.collector.ingest;
