/** OpenTelemetry GenAI spans and log events (OTLP/HTTP, JSON or protobuf) as LLM-call, tool-call and agent events. */
package dev.peregrine.collector.adapters.otel;
