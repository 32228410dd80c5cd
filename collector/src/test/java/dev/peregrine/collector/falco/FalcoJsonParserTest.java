package dev.peregrine.collector.falco;

import static dev.peregrine.collector.deadletter.Rejection.Reason.INVALID_VALUE;
import static dev.peregrine.collector.deadletter.Rejection.Reason.MALFORMED_JSON;
import static dev.peregrine.collector.deadletter.Rejection.Reason.MISSING_FIELD;
import static dev.peregrine.collector.deadletter.Rejection.Reason.UNKNOWN_FORMAT;
import static dev.peregrine.collector.event.StandardFields.EVT_FAILED;
import static dev.peregrine.collector.event.StandardFields.EVT_RES;
import static dev.peregrine.collector.event.StandardFields.EVT_SOURCE;
import static dev.peregrine.collector.event.StandardFields.EVT_TYPE;
import static dev.peregrine.collector.event.StandardFields.FD_NAME;
import static dev.peregrine.collector.event.StandardFields.FD_SPORT;
import static dev.peregrine.collector.event.StandardFields.HOST_NAME;
import static dev.peregrine.collector.event.StandardFields.PROC_CMDLINE;
import static dev.peregrine.collector.event.StandardFields.PROC_PID;
import static dev.peregrine.collector.event.StandardFields.USER_UID;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.peregrine.collector.deadletter.Rejection;
import dev.peregrine.collector.event.Event;
import dev.peregrine.collector.event.Timestamps;
import dev.peregrine.collector.ndjson.LineReader;
import dev.peregrine.collector.ndjson.LineRejectedException;
import dev.peregrine.collector.source.LineSource;
import dev.peregrine.collector.source.SourceListener;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FalcoJsonParserTest {

    private final FalcoJsonParser parser = new FalcoJsonParser();

    private Event parse(final String line) throws LineRejectedException {
        final byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
        return parser.parse(bytes, 0, bytes.length);
    }

    @Test
    void realFalcoOutputLinesBecomeFalcoEvents() throws Exception {
        final List<Event> events = new ArrayList<>();
        final List<Rejection> rejections = new ArrayList<>();
        final LineSource source = LineSource.of("falco", getClass().getResourceAsStream(
                "/dev/peregrine/collector/falco/single_rule_with_cat_write.json"), new FalcoJsonParser(),
                LineReader.DEFAULT_MAX_LINE_BYTES);
        source.read(new SourceListener() {
            @Override
            public void onEvent(final Event event) {
                events.add(event);
            }

            @Override
            public void onRejected(final Rejection rejection) {
                rejections.add(rejection);
            }
        });

        assertThat(rejections).isEmpty();
        assertThat(events).hasSize(8);
        final Event first = events.get(0);
        assertThat(first.timeNanos()).isEqualTo(Timestamps.parseRfc3339("2016-08-04T16:17:57.881781397Z"));
        assertThat(first.getString(EVT_SOURCE)).isEqualTo("falco");
        assertThat(first.getString(HOST_NAME)).isEqualTo("test-falco-hostname");
        assertThat(first.getString(PROC_CMDLINE)).isEqualTo("cat /dev/null");
        assertThat(first.extra("falco.rule")).isEqualTo("open_from_cat");
        assertThat(first.extra("falco.priority")).isEqualTo("Warning");
        assertThat(first.extra("falco.source")).isEqualTo("syscall");
        assertThat(first.extra("falco.tags")).isEqualTo("[\"filesystem\",\"process\",\"testing\"]");
        assertThat(first.extra("evt.time.iso8601")).isEqualTo(1470327477881781397L);
        assertThat(events.get(7).timeNanos()).isEqualTo(1_470_327_477_882_054_739L);
    }

    @Test
    void outputFieldsAreCoercedToTheirFieldTypes() throws Exception {
        final Event event = parse("{\"output_fields\":{\"evt.type\":\"connect\",\"proc.pid\":\"4242\",\"user.uid\":0,"
                + "\"fd.sport\":443,\"fd.name\":\"10.0.0.2:51000->1.2.3.4:443\",\"evt.res\":\"ECONNREFUSED\","
                + "\"container.id\":\"<NA>\",\"k8s.ns.name\":\"prod\",\"evt.time\":\"16:17:57.881781397\"},"
                + "\"time\":\"2026-11-22T10:15:30.123Z\",\"rule\":\"Outbound\",\"priority\":\"Notice\",\"hostname\":\"h1\"}");

        assertThat(event.getString(EVT_TYPE)).isEqualTo("connect");
        assertThat(event.get(PROC_PID)).isEqualTo(4242L);
        assertThat(event.get(USER_UID)).isEqualTo(0L);
        assertThat(event.get(FD_SPORT)).isEqualTo(443L);
        assertThat(event.getString(FD_NAME)).isEqualTo("10.0.0.2:51000->1.2.3.4:443");
        assertThat(event.get(EVT_FAILED)).isEqualTo(true);
        assertThat(event.getString(EVT_RES)).isEqualTo("ECONNREFUSED");
        assertThat(event.toMap()).doesNotContainKey("container.id");
        assertThat(event.extra("k8s.ns.name")).isEqualTo("prod");
        assertThat(event.timeNanos()).as("top-level time wins over a time-of-day evt.time")
                .isEqualTo(Timestamps.parseRfc3339("2026-11-22T10:15:30.123Z"));
    }

    @Test
    void badLinesAreRejectedWithTheirReason() {
        assertThatThrownBy(() -> parse("{\"output_fields\":"))
                .isInstanceOfSatisfying(LineRejectedException.class, e -> assertThat(e.reason()).isEqualTo(MALFORMED_JSON));
        assertThatThrownBy(() -> parse("{\"time\":\"2026-11-22T10:15:30Z\",\"rule\":\"x\"}"))
                .isInstanceOfSatisfying(LineRejectedException.class, e -> assertThat(e.reason()).isEqualTo(UNKNOWN_FORMAT));
        assertThatThrownBy(() -> parse("{\"time\":\"2026-11-22T10:15:30Z\",\"output_fields\":{\"proc.pid\":\"abc\"}}"))
                .isInstanceOfSatisfying(LineRejectedException.class, e -> {
                    assertThat(e.reason()).isEqualTo(INVALID_VALUE);
                    assertThat(e.getMessage()).contains("proc.pid");
                });
        assertThatThrownBy(() -> parse("{\"output_fields\":{\"proc.name\":\"sh\"}}"))
                .isInstanceOfSatisfying(LineRejectedException.class, e -> assertThat(e.reason()).isEqualTo(MISSING_FIELD));
    }
}
