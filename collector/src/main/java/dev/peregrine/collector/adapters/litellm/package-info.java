/** LiteLLM proxy {@code StandardLoggingPayload} records as LLM-call events with their cost. */
package dev.peregrine.collector.adapters.litellm;
