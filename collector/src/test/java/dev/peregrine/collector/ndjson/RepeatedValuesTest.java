package dev.peregrine.collector.ndjson;

import static dev.peregrine.collector.event.StandardFields.EVT_TYPE;
import static dev.peregrine.collector.event.StandardFields.FD_NAME;
import static org.assertj.core.api.Assertions.assertThat;

import dev.peregrine.collector.event.Event;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class RepeatedValuesTest {

    // The table is shared by the whole JVM: every test uses values no other test writes.
    private final String unique = UUID.randomUUID().toString().substring(0, 8);

    private static String text(final String value) {
        final byte[] bytes = ("x\"" + value + "\"y").getBytes(StandardCharsets.ISO_8859_1);
        return RepeatedValues.text(bytes, 2, bytes.length - 4);
    }

    @Test
    void aValueSeenTwiceIsOneSharedStringFromThenOn() {
        final String value = "openat-" + unique;

        final String first = text(value);
        final String second = text(value);
        final String third = text(value);
        final String fourth = text(value);

        assertThat(List.of(first, second, third, fourth)).containsOnly(value);
        assertThat(third).isSameAs(second);
        assertThat(fourth).isSameAs(second);
    }

    @Test
    void valuesAtTheSameSlotNeverStandInForEachOther() {
        final List<String> sameSlot = new ArrayList<>();
        final int wanted = slot("v-" + unique + "-0");
        for (int i = 0; sameSlot.size() < 3; i++) {
            final String candidate = "v-" + unique + "-" + i;
            if (slot(candidate) == wanted) {
                sameSlot.add(candidate);
            }
        }

        for (int round = 0; round < 5; round++) {
            for (final String value : sameSlot) {
                assertThat(text(value)).isEqualTo(value);
                assertThat(text(value)).isEqualTo(value);
            }
        }
    }

    @Test
    void longValuesAreNotKept() {
        final String value = "/var/lib/agent/" + unique + "/" + "a".repeat(RepeatedValues.MAX_BYTES);

        final String first = text(value);
        final String second = text(value);
        final String third = text(value);

        assertThat(List.of(first, second, third)).containsOnly(value);
        assertThat(third).isNotSameAs(second);
    }

    @Test
    void eventsParsedFromManyLinesShareTheirRepeatedValues() throws Exception {
        String tag = unique;
        while (!eachAtItsOwnSlot(values(tag))) {
            // a value at another's slot would replace it: a miss, not an error, but not this test
            tag = UUID.randomUUID().toString().substring(0, 8);
        }
        final NdjsonParser parser = new NdjsonParser(NdjsonParser.Format.NATIVE);
        final List<Event> events = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            final byte[] line = ("{\"evt.time\":" + (i + 1) + ",\"evt.type\":\"" + type(tag, i) + "\",\"fd.name\":\""
                    + path(tag, i) + "\"}").getBytes(StandardCharsets.UTF_8);
            events.add(parser.parse(line, 0, line.length));
        }

        assertThat(events.get(9).get(EVT_TYPE)).isEqualTo("openat-" + tag).isSameAs(events.get(6).get(EVT_TYPE));
        assertThat(events.get(10).get(EVT_TYPE)).isEqualTo("execve-" + tag).isSameAs(events.get(7).get(EVT_TYPE));
        // values seen once each are parsed as they are
        assertThat(events.get(11).get(FD_NAME)).isEqualTo(path(tag, 11));
    }

    /** Types alternate, so the parser's own last-value-per-key shortcut never applies. */
    private static String type(final String tag, final int i) {
        return (i % 3 == 0 ? "openat-" : i % 3 == 1 ? "execve-" : "connect-") + tag;
    }

    private static String path(final String tag, final int i) {
        return "/tmp/" + tag + "/" + i;
    }

    private static List<String> values(final String tag) {
        final List<String> values = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            values.add(path(tag, i));
        }
        for (int i = 0; i < 3; i++) {
            values.add(type(tag, i));
        }
        return values;
    }

    private static boolean eachAtItsOwnSlot(final List<String> values) {
        return values.stream().map(RepeatedValuesTest::slot).distinct().count() == values.size();
    }

    private static int slot(final String value) {
        final byte[] bytes = value.getBytes(StandardCharsets.ISO_8859_1);
        return ByteWords.hash(bytes, 0, bytes.length) & (RepeatedValues.SLOTS - 1);
    }
}
