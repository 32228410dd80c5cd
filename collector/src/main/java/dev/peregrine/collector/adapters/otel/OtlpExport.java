package dev.peregrine.collector.adapters.otel;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import dev.peregrine.collector.adapters.Adapted;
import dev.peregrine.collector.adapters.JsonTree;
import dev.peregrine.collector.adapters.PayloadException;
import dev.peregrine.collector.deadletter.Rejection.Reason;
import dev.peregrine.collector.event.Event;
import java.util.List;
import java.util.Map;

/**
 * The walk every OTLP/HTTP export request shares, traces and logs alike, JSON and protobuf alike:
 * resources, their scopes, the scopes' items, each item mapped on its own with its resource's
 * attributes, so one bad item is one problem and the rest are still taken. A protobuf request is
 * first read into the JSON form, so both encodings meet the same mapper.
 */
final class OtlpExport {

    /**
     * How one kind of export request is laid out.
     *
     * @param request   the request's name in OTLP, for the refusal ({@code ExportTraceServiceRequest})
     * @param resources the top-level array ({@code resourceSpans})
     * @param scopes    each resource's array of scopes ({@code scopeSpans})
     * @param items     each scope's array of items ({@code spans})
     * @param item      one item's name in problems ({@code span})
     */
    record Layout(String request, String resources, String scopes, String items, String item) {
    }

    /** Maps one item; {@code null} for an item of no interest to Peregrine. */
    @FunctionalInterface
    interface ItemMapper {
        Event map(Map<String, Object> item, Map<String, Object> resource) throws PayloadException;
    }

    private OtlpExport() {
    }

    /** Reads {@code body} as an OTLP/HTTP JSON export request of {@code layout}, mapping items with {@code mapper}. */
    static Adapted adapt(final byte[] body, final int length, final Layout layout, final ItemMapper mapper) {
        final Map<String, Object> request;
        try {
            request = JsonTree.object(JsonTree.parse(body, length));
        } catch (final PayloadException e) {
            return Adapted.refused(e.reason(), e.getMessage());
        }
        if (request == null || !(request.get(layout.resources()) instanceof List<?>)) {
            return Adapted.refused(Reason.UNKNOWN_FORMAT, "not an OTLP " + layout.request() + ": expected a JSON "
                    + "object with a '" + layout.resources() + "' array (OTLP/HTTP JSON encoding; send protobuf with "
                    + "Content-Type: application/x-protobuf)");
        }
        return walk(request, layout, mapper);
    }

    /**
     * Reads {@code body} as an OTLP/HTTP protobuf export request of {@code layout}, decoded by
     * {@code parser}, and maps it as the JSON form of the same request ({@link OtlpProtobuf#tree}),
     * so that both encodings take the one mapping.
     */
    static Adapted adaptProtobuf(final byte[] body, final int length, final Layout layout,
                                 final Parser<? extends Message> parser, final ItemMapper mapper) {
        final Message request;
        try {
            request = parser.parseFrom(body, 0, length);
        } catch (final InvalidProtocolBufferException e) {
            final boolean utf8 = String.valueOf(e.getMessage()).contains("UTF-8");
            return Adapted.refused(utf8 ? Reason.INVALID_ENCODING : Reason.UNKNOWN_FORMAT, "not an OTLP "
                    + layout.request() + " in protobuf: " + e.getMessage() + " (send OTLP/HTTP JSON with "
                    + "Content-Type: application/json)");
        }
        return walk(OtlpProtobuf.tree(request), layout, mapper);
    }

    /** Maps each item of a request read into the OTLP JSON form, one problem per bad item. */
    private static Adapted walk(final Map<String, Object> request, final Layout layout, final ItemMapper mapper) {
        final Adapted.Builder out = new Adapted.Builder();
        long record = 0;
        for (final Object resourceItem : JsonTree.array(request.get(layout.resources()))) {
            final Map<String, Object> resourceEntry = JsonTree.object(resourceItem);
            final Map<String, Object> resource = Attributes.of(JsonTree.at(resourceEntry, "resource.attributes"));
            final Object scopes = resourceEntry == null ? null : resourceEntry.get(layout.scopes());
            for (final Object scopeItem : JsonTree.array(scopes)) {
                final Map<String, Object> scope = JsonTree.object(scopeItem);
                for (final Object item : JsonTree.array(scope == null ? null : scope.get(layout.items()))) {
                    record++;
                    try {
                        final Event event = mapper.map(JsonTree.object(item), resource);
                        if (event == null) {
                            out.skip();
                        } else {
                            out.event(Adapted.Origin.whole(record), event);
                        }
                    } catch (final PayloadException e) {
                        out.problem(Adapted.Origin.whole(record), e.reason(),
                                layout.item() + " " + record + ": " + e.getMessage());
                    }
                }
            }
        }
        return out.build();
    }
}
