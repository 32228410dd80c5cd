package dev.peregrine.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A rule file saved in place, saved the way editors do (rename over it), or added to a rule directory reloads. */
class RuleWatcherTest {

    private static final Duration QUIET = Duration.ofMillis(100);

    @TempDir
    Path dir;

    @Test
    void aFileWrittenInPlaceCallsBackOnce() throws Exception {
        final Path rules = dir.resolve("rules.yaml");
        Files.writeString(rules, "- list: a\n  items: [x]\n");
        final AtomicInteger changes = new AtomicInteger();
        try (RuleWatcher watcher = RuleWatcher.start(List.of(rules), QUIET, changes::incrementAndGet)) {
            Files.writeString(rules, "- list: a\n  items: [x, y]\n");
            await().atMost(Duration.ofSeconds(30)).until(() -> changes.get() == 1);
        }
    }

    @Test
    void aFileRenamedOverTheRuleFileCallsBackAtEachSave() throws Exception {
        final Path rules = dir.resolve("rules.yaml");
        Files.writeString(rules, "- list: a\n  items: [x]\n");
        final AtomicInteger changes = new AtomicInteger();
        try (RuleWatcher watcher = RuleWatcher.start(List.of(rules), QUIET, changes::incrementAndGet)) {
            for (int save = 1; save <= 3; save++) {
                final Path swap = dir.resolve(".rules.yaml.swp");
                Files.writeString(swap, "- list: a\n  items: [x" + save + "]\n");
                Files.move(swap, rules, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                final int expected = save;
                await().atMost(Duration.ofSeconds(30)).until(() -> changes.get() == expected);
            }
        }
    }

    @Test
    void aNeighbourOfANamedFileOrASaveOfTheSameBytesCallsNothing() throws Exception {
        final Path rules = dir.resolve("rules.yaml");
        Files.writeString(rules, "- list: a\n  items: [x]\n");
        final AtomicInteger changes = new AtomicInteger();
        try (RuleWatcher watcher = RuleWatcher.start(List.of(rules), QUIET, changes::incrementAndGet)) {
            Files.writeString(dir.resolve("notes.txt"), "not a rule file");
            await().atMost(Duration.ofSeconds(30)).until(() -> watcher.unchangedChecks() == 1);
            Files.writeString(rules, "- list: a\n  items: [x]\n");
            await().atMost(Duration.ofSeconds(30)).until(() -> watcher.unchangedChecks() == 2);
            assertThat(changes).hasValue(0);

            Files.writeString(rules, "- list: a\n  items: [z]\n");
            await().atMost(Duration.ofSeconds(30)).until(() -> changes.get() == 1);
            assertThat(watcher.unchangedChecks()).isEqualTo(2);
        }
    }

    @Test
    void aRuleFileAddedToAWatchedDirectoryCallsBack() throws Exception {
        final Path rulesDir = Files.createDirectory(dir.resolve("rules.d"));
        Files.writeString(rulesDir.resolve("a.yaml"), "- list: a\n  items: [x]\n");
        final AtomicInteger changes = new AtomicInteger();
        try (RuleWatcher watcher = RuleWatcher.start(List.of(rulesDir), QUIET, changes::incrementAndGet)) {
            Files.writeString(rulesDir.resolve("b.yml"), "- list: b\n  items: [y]\n");
            await().atMost(Duration.ofSeconds(30)).until(() -> changes.get() == 1);
            Files.delete(rulesDir.resolve("b.yml"));
            await().atMost(Duration.ofSeconds(30)).until(() -> changes.get() == 2);
        }
    }
}
