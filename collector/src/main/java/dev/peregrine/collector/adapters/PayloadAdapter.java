package dev.peregrine.collector.adapters;

/**
 * Maps one request body in an agent ecosystem's own format onto events. Implementations are
 * stateless and thread-safe: the ingest server calls one from many request threads.
 */
public interface PayloadAdapter {

    /** The format's name, in logs and responses: {@code claude-code}, {@code otlp}, {@code litellm}. */
    String format();

    /** The ingest path the format is posted to, e.g. {@code /v1/traces}. */
    String path();

    /** Where this adapter takes identities from; its {@link IdentityKeys#fallbackAgentId()} applies after the token's binding. */
    IdentityKeys identity();

    /**
     * The events {@code body[0, length)} holds and the parts of it that could not become one.
     *
     * @param receivedNanos arrival time (epoch nanoseconds), the event time of payloads that carry none
     */
    Adapted adapt(byte[] body, int length, long receivedNanos);
}
