package dev.peregrine.engine.memory;

/**
 * Told of every memory read and write {@link MemoryDetector} sees, flagged or not: the memory audit
 * trail's counts ({@link MemoryAuditMetrics} exports them). Called on the engine thread, once per
 * event, before the event is judged; an implementation must be quick and must not throw.
 */
@FunctionalInterface
public interface MemoryAudit {

    /** Counts nothing. */
    MemoryAudit NONE = (operation, agent, namespace) -> {
    };

    /** What an agent did to its memory. */
    enum Operation {
        READ("read"),
        WRITE("write");

        private final String label;

        Operation(final String label) {
            this.label = label;
        }

        /** {@code read} or {@code write}, as metrics label it. */
        public String label() {
            return label;
        }
    }

    /**
     * One memory operation.
     *
     * @param agent      {@code agent.id}, else {@code sandbox.id}; never null
     * @param namespace  {@code memory.namespace}, or {@code null} when the event names none
     */
    void onOperation(Operation operation, String agent, String namespace);
}
