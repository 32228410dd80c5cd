package dev.peregrine.collector.source;

import static org.assertj.core.api.Assertions.assertThat;

import dev.peregrine.collector.deadletter.Rejection;
import dev.peregrine.collector.event.Event;
import dev.peregrine.collector.source.FuzzInputs.Line;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterProperty;

/**
 * Whole damaged inputs, as a user hands them to {@code peregrine replay}: format detection, line
 * splitting, the length limit, the UTF-8 check and the parser together. Whatever the bytes, the
 * read ends normally, every rejected line is rejected once with its own line number, and no
 * rejection is the net {@link LineSource} keeps under a parser that failed (a bug).
 */
class InputFormatFuzzTest {

    private static final int TRIES = 2_000;
    private static final int LINES_PER_INPUT = 20;
    private static final String PARSER_FAILED = "could not be parsed";

    private long inputs;
    private long lines;
    private long events;
    private long rejections;

    @Property(tries = TRIES, shrinking = ShrinkingMode.BOUNDED)
    void anyInputIsReadToItsEndWithEveryBadLineRejectedOnce(@ForAll("inputs") final Input input) throws IOException {
        final List<Event> read = new ArrayList<>();
        final List<Rejection> rejected = new ArrayList<>();
        final EventSource source = InputFormat.AUTO.stream("fuzz", new ByteArrayInputStream(input.bytes()), input.maxLineBytes());
        source.read(new SourceListener() {
            @Override
            public void onEvent(final Event event) {
                read.add(event);
            }

            @Override
            public void onRejected(final Rejection rejection) {
                rejected.add(rejection);
            }
        });

        final Set<Long> rejectedLines = new HashSet<>();
        for (final Rejection rejection : rejected) {
            assertThat(rejection.message()).as("line %d", rejection.line()).doesNotStartWith(PARSER_FAILED);
            assertThat(rejection.line()).isBetween(1L, (long) input.lineCount());
            assertThat(rejectedLines.add(rejection.line())).as("line %d rejected once", rejection.line()).isTrue();
        }
        assertThat(read).allSatisfy(event -> assertThat(event.timeNanos()).isNotNull());
        inputs++;
        lines += input.lineCount();
        events += read.size();
        rejections += rejected.size();
    }

    @AfterProperty
    void everyTryReadAWholeInput() {
        System.out.println("sources: " + inputs + " inputs, " + lines + " lines, " + events + " events, "
                + rejections + " rejections");
        if (inputs == TRIES) {
            assertThat(events).isPositive();
            assertThat(rejections).isPositive();
        }
    }

    /** An input of lines from one format, possibly damaged, joined by LF or CRLF, under a generous or a tight limit. */
    record Input(byte[] bytes, int lineCount, int maxLineBytes) {
        @Override
        public String toString() {
            return "Input[maxLineBytes=" + maxLineBytes + ", " + new Line(bytes) + "]";
        }
    }

    @Provide
    Arbitrary<Input> inputs() {
        final String base = "/dev/peregrine/collector/";
        final List<byte[]> auditd = new ArrayList<>(FuzzInputs.resourceLines(base + "auditd/testdata_normal.log"));
        auditd.addAll(FuzzInputs.resourceLines(base + "auditd/auparse_testdata_audit-rhel7.log"));
        final List<byte[]> ndjson = new ArrayList<>(FuzzInputs.resourceLines(base + "ndjson/native-events.ndjson"));
        ndjson.addAll(FuzzInputs.resourceLines(base + "ndjson/agent-events.ndjson"));
        final List<byte[]> falco = FuzzInputs.resourceLines(base + "falco/single_rule_with_cat_write.json");
        final List<byte[]> tetragon = FuzzInputs.resourceLines(base + "tetragon/testdata_events.json");
        final Arbitrary<List<Line>> anyFormat = Arbitraries.oneOf(List.of(
                lines(auditd), lines(ndjson), lines(falco), lines(tetragon)));
        return Combinators.combine(anyFormat, Arbitraries.of("\n", "\r\n"), Arbitraries.of(1 << 20, 256))
                .as((parts, terminator, limit) -> {
                    final ByteArrayOutputStream out = new ByteArrayOutputStream();
                    int count = 0;
                    for (final Line part : parts) {
                        out.writeBytes(part.bytes());
                        out.writeBytes(terminator.getBytes(StandardCharsets.US_ASCII));
                    }
                    for (final byte b : out.toByteArray()) {
                        count += b == '\n' ? 1 : 0;
                    }
                    return new Input(out.toByteArray(), count, limit);
                });
    }

    private static Arbitrary<List<Line>> lines(final List<byte[]> seeds) {
        // Mostly real lines, so that detection sees the format, with damaged ones among them.
        final Arbitrary<Line> line = Arbitraries.frequencyOf(
                Tuple.of(2, Arbitraries.of(seeds).map(Line::new)),
                Tuple.of(1, FuzzInputs.forParser(seeds, random -> seeds.get(random.nextInt(seeds.size())))));
        return line.list().ofSize(LINES_PER_INPUT);
    }
}
