package dev.peregrine.bench.harness;

import static org.assertj.core.api.Assertions.assertThat;

import dev.peregrine.collector.event.Event;
import dev.peregrine.collector.event.StandardFields;
import dev.peregrine.collector.ndjson.NdjsonParser;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EventMixGeneratorTest {

    @TempDir
    Path dir;

    @Test
    void theSameSeedWritesTheSameBytesAndAnotherSeedOthers() throws Exception {
        NativeLines.writeMix(MixSpec.of(11, 5000), dir.resolve("a.ndjson"));
        NativeLines.writeMix(MixSpec.of(11, 5000), dir.resolve("b.ndjson"));
        NativeLines.writeMix(MixSpec.of(12, 5000), dir.resolve("c.ndjson"));

        assertThat(Files.readAllBytes(dir.resolve("a.ndjson"))).isEqualTo(Files.readAllBytes(dir.resolve("b.ndjson")))
                .isNotEqualTo(Files.readAllBytes(dir.resolve("c.ndjson")));
    }

    @Test
    void everyLineParsesAndTheMixSpansOsAndAgentEventsAgentsAndSessions() throws Exception {
        final Path file = dir.resolve("mix.ndjson");
        NativeLines.writeMix(new MixSpec(3, 20_000, 20, 5, 0.05, MixSpec.DEFAULT_SPACING_NANOS), file);

        final NdjsonParser parser = new NdjsonParser();
        final Set<String> types = new HashSet<>();
        final Set<String> sessions = new HashSet<>();
        final Set<String> agents = new HashSet<>();
        long previousTime = Long.MIN_VALUE;
        final List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (final String line : lines) {
            final byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
            final Event event = parser.parse(bytes, 0, bytes.length);
            types.add(event.getString(StandardFields.EVT_TYPE));
            sessions.add(event.getString(StandardFields.AGENT_SESSION));
            agents.add(event.getString(StandardFields.AGENT_ID));
            assertThat(event.timeNanos()).isGreaterThan(previousTime);
            previousTime = event.timeNanos();
        }

        assertThat(lines).hasSize(20_000);
        assertThat(types).contains("execve", "openat", "connect", "ptrace", "tool_call", "llm_call", "memory_write",
                "memory_read", "http_request");
        assertThat(agents).hasSize(20);
        assertThat(sessions).hasSize(100);
    }

    @Test
    void noMaliciousShareMeansNoAttackPatterns() throws Exception {
        final EventMixGenerator mix = new EventMixGenerator(new MixSpec(5, 20_000, 10, 2, 0,
                MixSpec.DEFAULT_SPACING_NANOS));
        while (mix.hasNext()) {
            final Event event = mix.next();
            assertThat(event.getString(StandardFields.EVT_TYPE)).isNotEqualTo("ptrace");
            assertThat(event.getString(StandardFields.TOOL_OUTCOME)).isNotEqualTo("denied");
            assertThat(event.getString(StandardFields.FD_NAME)).isNotEqualTo("/etc/shadow");
        }
    }
}
