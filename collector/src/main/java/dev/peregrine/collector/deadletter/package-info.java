/** Records that could not become events, and where they are kept for an operator to replay. */
package dev.peregrine.collector.deadletter;
