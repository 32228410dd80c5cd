package dev.peregrine.collector.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The publisher's disk queue: order, acknowledgement, restarts and damaged lines. */
class EventSpoolTest {

    @TempDir
    Path dir;

    @Test
    void recordsComeOutInOrderAndLeaveOnlyWhenRemoved() throws IOException {
        try (EventSpool spool = EventSpool.open(dir)) {
            spool.append("s-1", bytes("{\"evt.time\":1}"));
            spool.append(null, bytes("{\"evt.time\":2}"));
            spool.append("with \"quotes\"\tand\nnewline", bytes("{\"evt.time\":3}"));

            final List<SpooledRecord> first = spool.peek(2);
            assertThat(first).extracting(SpooledRecord::key).containsExactly("s-1", null);
            assertThat(spool.peek(2)).as("peek does not remove").extracting(SpooledRecord::key)
                    .containsExactly("s-1", null);
            spool.remove(1);

            assertThat(spool.depth()).isEqualTo(2);
            final List<SpooledRecord> rest = spool.peek(10);
            assertThat(rest).extracting(SpooledRecord::key).containsExactly(null, "with \"quotes\"\tand\nnewline");
            assertThat(rest).extracting(r -> text(r.value())).containsExactly("{\"evt.time\":2}", "{\"evt.time\":3}");
            spool.remove(2);
            assertThat(spool.depth()).isZero();
            assertThat(Files.size(dir.resolve("events.spool"))).as("an empty spool is truncated").isZero();
        }
    }

    @Test
    void whatWasNotAcknowledgedIsSentAfterARestart() throws IOException {
        try (EventSpool spool = EventSpool.open(dir)) {
            for (int i = 1; i <= 5; i++) {
                spool.append("k" + i, bytes("{\"evt.time\":" + i + "}"));
            }
            spool.peek(2);
            spool.remove(2);
        }

        try (EventSpool reopened = EventSpool.open(dir)) {
            assertThat(reopened.depth()).isEqualTo(3);
            assertThat(reopened.peek(10)).extracting(SpooledRecord::key).containsExactly("k3", "k4", "k5");
        }
    }

    @Test
    void aTornLastLineAndAnUnreadableLineAreDeadLetteredNotLost() throws IOException {
        try (EventSpool spool = EventSpool.open(dir)) {
            spool.append("a", bytes("{\"evt.time\":1}"));
            spool.force();
        }
        Files.writeString(dir.resolve("events.spool"), "garbage line\n\"b\" {\"evt.time\":2}\n\"c\" {\"evt.ti",
                StandardOpenOption.APPEND);

        try (EventSpool reopened = EventSpool.open(dir)) {
            assertThat(reopened.depth()).isEqualTo(3);
            assertThat(reopened.peek(10)).extracting(SpooledRecord::key).containsExactly("a");
            reopened.remove(1);
            assertThat(reopened.peek(10)).extracting(SpooledRecord::key).containsExactly("b");
            assertThat(reopened.unreadable()).isEqualTo(2);
        }
        assertThat(Files.readAllLines(dir.resolve("dead-letter.ndjson"))).hasSize(2)
                .anySatisfy(line -> assertThat(line).contains("torn spool line").contains("{\\\"evt.ti"))
                .anySatisfy(line -> assertThat(line).contains("unreadable spool line").contains("garbage line"));
    }

    private static byte[] bytes(final String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(final byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
