package dev.peregrine.collector.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import dev.peregrine.collector.deadletter.Rejection;
import dev.peregrine.collector.deadletter.Rejection.Reason;
import dev.peregrine.collector.event.Event;
import dev.peregrine.collector.event.StandardFields;
import dev.peregrine.collector.ndjson.LineRejectedException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class LineSourceTest {

    /** Holds every line as an event until the input ends; "bad" is rejected, "bug" throws. */
    private static class HoldingParser implements LineParser {
        final List<String> held = new ArrayList<>();

        @Override
        public void parse(final byte[] buf, final int off, final int len, final Consumer<Event> events)
                throws LineRejectedException {
            final String line = new String(buf, off, len, StandardCharsets.UTF_8);
            if (line.equals("bad")) {
                throw new LineRejectedException(Reason.INVALID_VALUE, "bad line");
            }
            if (line.equals("bug")) {
                throw new IllegalStateException("parser bug");
            }
            held.add(line);
        }

        @Override
        public void finish(final Consumer<Event> events) {
            for (final String line : held) {
                events.accept(Event.builder().time(1).set(StandardFields.PROC_NAME, line).build());
            }
            held.clear();
        }

        @Override
        public Reason failureReason() {
            return Reason.UNKNOWN_FORMAT;
        }
    }

    @Test
    void eventsHeldByTheParserAreHandedOverWhenTheInputEnds() throws IOException {
        final List<Event> events = new ArrayList<>();
        final List<Rejection> rejections = new ArrayList<>();
        final String input = "\uFEFFone\n\nbad\n" + "x".repeat(40) + "\nbug\r\ntwo";
        LineSource.of("t", new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)), new HoldingParser(), 16)
                .read(new SourceListener() {
                    @Override
                    public void onEvent(final Event event) {
                        events.add(event);
                    }

                    @Override
                    public void onRejected(final Rejection rejection) {
                        rejections.add(rejection);
                    }
                });

        assertThat(events).extracting(e -> e.getString(StandardFields.PROC_NAME)).containsExactly("one", "two");
        assertThat(rejections).extracting(Rejection::line, Rejection::reason).containsExactly(
                tuple(3L, Reason.INVALID_VALUE), tuple(4L, Reason.TOO_LONG), tuple(5L, Reason.UNKNOWN_FORMAT));
    }

    @Test
    void aParserFailingAtEndOfInputIsARejectionNotAnEscapedException() throws IOException {
        final List<Rejection> rejections = new ArrayList<>();
        final LineParser failsAtEnd = new HoldingParser() {
            @Override
            public void finish(final Consumer<Event> events) {
                throw new IllegalStateException("parser bug at end");
            }
        };
        LineSource.of("t", new ByteArrayInputStream("one\n".getBytes(StandardCharsets.UTF_8)), failsAtEnd, 16)
                .read(new SourceListener() {
                    @Override
                    public void onEvent(final Event event) {
                    }

                    @Override
                    public void onRejected(final Rejection rejection) {
                        rejections.add(rejection);
                    }
                });

        assertThat(rejections).singleElement().satisfies(rejection -> {
            assertThat(rejection.reason()).isEqualTo(Reason.UNKNOWN_FORMAT);
            assertThat(rejection.message()).contains("end of input", "parser bug at end");
        });
    }
}
