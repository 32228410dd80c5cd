/** Agent-ecosystem payloads (Claude Code hooks, OpenTelemetry GenAI spans, LiteLLM logs) mapped onto events. */
package dev.peregrine.collector.adapters;
