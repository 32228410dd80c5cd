/** Claude Code hook payloads as events: tool calls, permission requests, prompts and session boundaries. */
package dev.peregrine.collector.adapters.claudecode;
