package dev.peregrine.collector.adapters.otel;

import dev.peregrine.collector.adapters.Adapted;
import dev.peregrine.collector.adapters.PayloadAdapter;

/**
 * An OTLP/HTTP signal's adapter: {@link #adapt} reads the JSON encoding, {@link #adaptProtobuf}
 * the protobuf one into the same events, and the answers to a protobuf request are protobuf too,
 * as OTLP/HTTP asks (the ingest server picks by {@code Content-Type}).
 */
public interface OtlpAdapter extends PayloadAdapter {

    /** {@code Content-Type} of the JSON encoding. */
    String JSON = "application/json";

    /** {@code Content-Type} of the protobuf encoding, of requests and of their answers. */
    String PROTOBUF = "application/x-protobuf";

    /** As {@link #adapt}, for a body in the protobuf encoding: the same records, the same events. */
    Adapted adaptProtobuf(byte[] body, int length, long receivedNanos);

    /**
     * The signal's export response for a request that was taken: empty when every record was,
     * else a {@code partial_success} with the number of records rejected and {@code message}.
     */
    byte[] protobufResponse(long rejected, String message);

    /** The {@code google.rpc.Status} answering a request refused with HTTP {@code status}. */
    default byte[] protobufStatus(final int status, final String message) {
        return OtlpProtobuf.status(status, message);
    }
}
