package dev.peregrine.collector.source;

import static org.assertj.core.api.Assertions.assertThat;

import dev.peregrine.collector.deadletter.Rejection;
import dev.peregrine.collector.event.Event;
import dev.peregrine.collector.event.StandardFields;
import dev.peregrine.collector.ndjson.LineReader;
import dev.peregrine.collector.ndjson.NdjsonParser;
import dev.peregrine.collector.ndjson.NdjsonSource;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FollowedFileInputStreamTest {

    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();

    private final SourceListener listener = new SourceListener() {
        @Override
        public void onEvent(final Event event) {
            events.add(event);
        }

        @Override
        public void onRejected(final Rejection rejection) {
            throw new AssertionError("unexpected rejection: " + rejection);
        }
    };

    private static void append(final Path file, final String text) throws IOException {
        Files.writeString(file, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    private static String line(final String name) {
        return "{\"evt.time\":1,\"evt.type\":\"execve\",\"proc.name\":\"" + name + "\"}\n";
    }

    private String nextName() throws InterruptedException {
        final Event event = events.poll(10, TimeUnit.SECONDS);
        assertThat(event).as("an event within 10 s").isNotNull();
        return event.getString(StandardFields.PROC_NAME);
    }

    @Test
    void followsAppendsTruncationAndReplacementUntilClosed(@TempDir final Path dir) throws Exception {
        final Path file = dir.resolve("events.ndjson");
        final NdjsonSource source = NdjsonSource.followed(file, new NdjsonParser(), LineReader.DEFAULT_MAX_LINE_BYTES);
        final Thread reader = new Thread(() -> {
            try {
                source.read(listener);
            } catch (final IOException e) {
                throw new AssertionError(e);
            }
        });
        reader.start();

        append(file, line("first"));        // the file did not exist when following began
        assertThat(nextName()).isEqualTo("first");
        append(file, line("second"));
        assertThat(nextName()).isEqualTo("second");

        Files.writeString(file, "");        // truncated in place
        append(file, line("after-truncate"));
        assertThat(nextName()).isEqualTo("after-truncate");

        Files.move(file, dir.resolve("events.ndjson.1"));   // rotated: renamed away, recreated
        append(file, line("after-rotate-with-a-longer-line-than-before"));
        assertThat(nextName()).isEqualTo("after-rotate-with-a-longer-line-than-before");

        source.close();
        reader.join(10_000);
        assertThat(reader.isAlive()).as("read ends after close").isFalse();
        assertThat(events).isEmpty();
    }
}
