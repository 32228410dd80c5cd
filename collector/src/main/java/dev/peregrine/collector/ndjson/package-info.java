/** Newline-delimited JSON input: line splitting, UTF-8 checks, native and agent-audit parsing. */
package dev.peregrine.collector.ndjson;
