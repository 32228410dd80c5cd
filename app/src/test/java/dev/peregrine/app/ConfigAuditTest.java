package dev.peregrine.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.peregrine.app.config.ConfigReader;
import dev.peregrine.collector.event.Event;
import dev.peregrine.collector.event.StandardFields;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigAuditTest {

    private static final String CONFIG = """
            http:
              port: 8766
            ingest:
              enabled: true
              tokens:
                - name: ops
                  token: ${OPS_TOKEN}
            """;

    @TempDir
    Path dir;

    private final Clock clock = Clock.fixed(Instant.parse("2026-11-27T10:00:00Z"), ZoneOffset.UTC);
    private final ConfigReader reader = new ConfigReader(Map.of("OPS_TOKEN", "0123456789abcdef0123")::get);

    @Test
    void theLoadedFileIsAnAuditEventWithItsPathDigestAndUser() throws Exception {
        final Path file = Files.writeString(dir.resolve("peregrine.yaml"), CONFIG);
        final List<Event> platform = new CopyOnWriteArrayList<>();

        try (ConfigAudit audit = ConfigAudit.start(file, platform::add, clock, "svc-peregrine", reader, false)) {
            final List<Event> events = List.copyOf(platform);

            assertThat(events).singleElement().satisfies(event -> {
                assertThat(event.get(StandardFields.EVT_TYPE)).isEqualTo("platform_access");
                assertThat(event.get(StandardFields.PLATFORM_OP)).isEqualTo("config");
                assertThat(event.get(StandardFields.PLATFORM_OUTCOME)).isEqualTo("loaded");
                assertThat(event.get(StandardFields.USER_NAME)).isEqualTo("svc-peregrine");
                assertThat(event.extra("config.path")).isEqualTo(file.toAbsolutePath().toString());
                assertThat(event.extra("config.sha256")).isEqualTo(ConfigAudit.sha256(
                        CONFIG.getBytes(StandardCharsets.UTF_8)));
            });
        }
    }

    @Test
    void aChangeOnDiskNamesTheChangedTopLevelKeysAndBothDigestsButNoValues() throws Exception {
        final Path file = Files.writeString(dir.resolve("peregrine.yaml"), CONFIG);
        final List<Event> platform = new CopyOnWriteArrayList<>();
        try (ConfigAudit audit = ConfigAudit.start(file, platform::add, clock, "svc-peregrine", reader, false)) {
            platform.clear();
            final String edited = CONFIG.replace("enabled: true", "enabled: false")
                    + "alerts:\n  webhooks:\n    - url: https://attacker.example/hook\n";
            Files.writeString(file, edited);

            audit.check();
            audit.check(); // the same content again: nothing new

            assertThat(platform).singleElement().satisfies(event -> {
                assertThat(event.get(StandardFields.PLATFORM_OUTCOME)).isEqualTo("changed");
                assertThat(event.extra("config.keys_changed")).isEqualTo("alerts,ingest");
                assertThat(event.extra("config.previous_sha256"))
                        .isEqualTo(ConfigAudit.sha256(CONFIG.getBytes(StandardCharsets.UTF_8)));
                assertThat(event.extra("config.sha256"))
                        .isEqualTo(ConfigAudit.sha256(edited.getBytes(StandardCharsets.UTF_8)));
                assertThat(event.extra("config.problems")).isEqualTo(0L);
                assertThat(event.toString()).doesNotContain("attacker.example");
            });
        }
    }

    @Test
    void aCommentOnlyEditChangesNoKeyAndABrokenOrDeletedFileIsStillAChange() throws Exception {
        final Path file = Files.writeString(dir.resolve("peregrine.yaml"), CONFIG);
        final List<Event> platform = new CopyOnWriteArrayList<>();
        try (ConfigAudit audit = ConfigAudit.start(file, platform::add, clock, "svc-peregrine", reader, false)) {
            platform.clear();

            Files.writeString(file, "# reviewed\n" + CONFIG);
            audit.check();
            Files.writeString(file, CONFIG + "http: [\n");
            audit.check();
            Files.delete(file);
            audit.check();

            final List<Event> changes = List.copyOf(platform);
            assertThat(changes).extracting(event -> event.extra("config.keys_changed"))
                    .containsExactly("", "(not valid YAML),http,ingest", "(not valid YAML)");
            assertThat(changes).extracting(event -> event.extra("config.problems"))
                    .containsExactly(0L, 1L, 1L);
            assertThat(changes.get(2).extra("config.sha256")).isEqualTo(ConfigAudit.ABSENT);
        }
    }

    @Test
    void theWatcherRecordsAnEditMadeWhileRunning() throws Exception {
        final Path file = Files.writeString(dir.resolve("peregrine.yaml"), CONFIG);
        final List<Event> platform = new CopyOnWriteArrayList<>();
        try (ConfigAudit audit = ConfigAudit.start(file, platform::add, clock, "svc-peregrine", reader, true)) {
            assertThat(platform).hasSize(1);

            Files.writeString(file, CONFIG.replace("8766", "8767"));

            Awaitility.await("the change, after the quiet period").atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(100)).until(() -> platform.size() == 2);
            assertThat(platform.get(1).extra("config.keys_changed")).isEqualTo("http");
        }
    }
}
