/**
 * LLM-memory monitoring, the {@code memory_anomaly} detection (spec §4): poisoned writes,
 * writes and reads outside the agent's namespaces, write bursts per agent and per session,
 * oversize writes, and reads of poisoned entries by other agents; the write-time verdict of
 * {@code POST /v1/memory/check}; and the memory audit counts.
 *
 * <p>{@link dev.peregrine.engine.memory.MemoryDetector} watches {@code memory_write} and
 * {@code memory_read} events. Namespace policy: an agent owns the namespace named after it (and
 * {@code <agent>/…} below it); namespaces listed in {@code shared_namespaces} are writable and
 * readable by every agent; {@code namespaces} (usually per agent) adds writable ones,
 * {@code read_namespaces} readable ones. {@link dev.peregrine.engine.memory.MemoryJudge} judges a
 * write from what it says (policy and content), purely, for the detector and for the HTTP check
 * alike; {@link dev.peregrine.engine.memory.MemoryAudit} is told of every read and write
 * ({@link dev.peregrine.engine.memory.MemoryAuditMetrics} counts them for Prometheus).
 * {@link dev.peregrine.engine.memory.ContentAnalyzer} reads {@code memory.content} for override instructions, habit imperatives in entries other agents
 * read, URLs off the allow-list, secrets, encoded blobs and invisible Unicode; each
 * {@link dev.peregrine.engine.memory.Finding} names its evidence span. An entry whose findings taint
 * it is remembered (namespace, key, content hash, writer, findings) in the state store, so a read
 * by another agent after a restart still alerts; a clean rewrite clears it. Write bursts use the
 * {@link dev.peregrine.engine.detect.RateBaseline} of {@code volume_spike}, per agent and per session.
 *
 * <p>Settings are the {@code memory_anomaly:} part of {@code detections:}
 * ({@link dev.peregrine.engine.detect.MemoryAnomalySettings}); {@code docs/detections.md} lists
 * the variants, knobs and an example alert.
 */
package dev.peregrine.engine.memory;
