package dev.peregrine.collector.adapters.otel;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.opentelemetry.proto.common.v1.KeyValueList;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Protobuf messages read into the OTLP JSON form, as the JSON encoding writes them. */
class OtlpProtobufTest {

    @Test
    void attributeValuesWrittenDirectlyReadAsTheGenericWalkReadsThem() {
        final List<AnyValue> values = List.of(
                AnyValue.newBuilder().setStringValue("").build(),
                AnyValue.newBuilder().setBoolValue(false).build(),
                AnyValue.newBuilder().setIntValue(-5).build(),
                AnyValue.newBuilder().setDoubleValue(0.0).build(),
                AnyValue.newBuilder().setBytesValue(ByteString.copyFrom(new byte[] {(byte) 0xff, 0})).build(),
                AnyValue.newBuilder().setArrayValue(ArrayValue.getDefaultInstance()).build(),
                AnyValue.newBuilder().setKvlistValue(KeyValueList.getDefaultInstance()).build(),
                AnyValue.newBuilder().setArrayValue(ArrayValue.newBuilder()
                        .addValues(AnyValue.newBuilder().setIntValue(1))).build(),
                AnyValue.newBuilder().setKvlistValue(KeyValueList.newBuilder()
                        .addValues(OtlpExamples.text("k", "v"))).build(),
                AnyValue.getDefaultInstance());

        for (final AnyValue value : values) {
            assertThat(OtlpProtobuf.anyValue(value)).as(value.toString()).isEqualTo(OtlpProtobuf.tree(value));
        }
        assertThat(OtlpProtobuf.anyValue(values.get(2))).isEqualTo(Map.of("intValue", "-5"));
        assertThat(OtlpProtobuf.anyValue(values.get(4))).isEqualTo(Map.of("bytesValue", "/wA="));
    }

    @Test
    void idsAreHexIntegersAreStringsEnumsAreNumbersAndDefaultsAreLeftOut() {
        final Span span = Span.newBuilder().setTraceId(OtlpExamples.id(OtlpExamples.TRACE_ID))
                .setSpanId(OtlpExamples.id("00000000000000ff")).setStartTimeUnixNano(-1L)
                .setKind(Span.SpanKind.SPAN_KIND_CLIENT).setDroppedAttributesCount(-1)
                .setStatus(Status.newBuilder().setCode(Status.StatusCode.STATUS_CODE_ERROR))
                .build();

        assertThat(OtlpProtobuf.tree(span)).containsExactlyInAnyOrderEntriesOf(Map.of(
                "traceId", OtlpExamples.TRACE_ID,
                "spanId", "00000000000000ff",
                "startTimeUnixNano", "18446744073709551615",
                "kind", 3L,
                "droppedAttributesCount", 4294967295L,
                "status", Map.of("code", 2L)));
    }
}
