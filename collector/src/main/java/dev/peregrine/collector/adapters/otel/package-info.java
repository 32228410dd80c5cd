/** OpenTelemetry GenAI spans (OTLP/HTTP JSON) as LLM-call, tool-call and agent events. */
package dev.peregrine.collector.adapters.otel;
