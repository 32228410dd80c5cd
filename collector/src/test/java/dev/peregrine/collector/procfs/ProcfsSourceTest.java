package dev.peregrine.collector.procfs;

import static dev.peregrine.collector.event.StandardFields.EVT_RES;
import static dev.peregrine.collector.event.StandardFields.EVT_SOURCE;
import static dev.peregrine.collector.event.StandardFields.EVT_TYPE;
import static dev.peregrine.collector.event.StandardFields.HOST_NAME;
import static dev.peregrine.collector.event.StandardFields.PROC_ARGS;
import static dev.peregrine.collector.event.StandardFields.PROC_CMDLINE;
import static dev.peregrine.collector.event.StandardFields.PROC_CWD;
import static dev.peregrine.collector.event.StandardFields.PROC_EXE;
import static dev.peregrine.collector.event.StandardFields.PROC_NAME;
import static dev.peregrine.collector.event.StandardFields.PROC_PCMDLINE;
import static dev.peregrine.collector.event.StandardFields.PROC_PEXE;
import static dev.peregrine.collector.event.StandardFields.PROC_PID;
import static dev.peregrine.collector.event.StandardFields.PROC_PNAME;
import static dev.peregrine.collector.event.StandardFields.PROC_PPID;
import static dev.peregrine.collector.event.StandardFields.USER_NAME;
import static dev.peregrine.collector.event.StandardFields.USER_UID;
import static org.assertj.core.api.Assertions.assertThat;

import dev.peregrine.collector.deadletter.Rejection;
import dev.peregrine.collector.event.Event;
import dev.peregrine.collector.source.SourceListener;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The poll logic over a directory laid out like {@code /proc}, driven one poll at a time. */
class ProcfsSourceTest {

    /** Boot at 10:00:00; a process started at tick 1234 started 12.34 s later. */
    private static final long BOOT = Instant.parse("2026-11-22T10:00:00Z").getEpochSecond();

    // Not @TempDir: its clean-up warns about every exe/cwd link pointing outside the tree.
    private Path root;

    private Path proc;
    private MutableClock clock;
    private ProcfsSource source;
    private final Recorder recorder = new Recorder();

    @BeforeEach
    void layOutHost() throws IOException {
        root = Files.createTempDirectory("procfs-test");
        proc = Files.createDirectories(root.resolve("proc"));
        Files.writeString(proc.resolve("stat"), "cpu  1 2 3\nbtime " + BOOT + "\nprocesses 99\n");
        Files.writeString(root.resolve("passwd"), "root:x:0:0:root:/root:/bin/bash\n");
        process(1, 0, 5, "init", "/sbin/init");
        process(2, 0, 6, "kthreadd");
        process(40, 1, 700, "python3", "/usr/bin/python3.12", "python3", "runner.py", "--session", "s-1");
        clock = new MutableClock(Instant.ofEpochSecond(BOOT + 20));
        source = new ProcfsSource(proc, root.resolve("passwd"), Duration.ofMillis(250), "sandbox-host-3", clock);
    }

    @AfterEach
    void removeHost() throws IOException {
        try (var paths = Files.walk(root)) {
            // Deepest first; a link is deleted itself, never followed.
            for (final Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }

    @Test
    void processesPresentAtStartSeedTheTableWithoutEvents() throws IOException {
        source.seed();
        source.poll(recorder);

        assertThat(recorder.events).isEmpty();
        assertThat(source.knownProcesses()).as("init and the runner; kthreadd is a kernel thread").isEqualTo(2);
        assertThat(source.polls()).isEqualTo(1);
    }

    @Test
    void aNewProcessIsAnExecveWithItsParent() throws IOException {
        source.seed();
        process(41, 40, 2_005, "bash", "/usr/bin/bash", "bash", "-c", "cat ~/.ssh/id_ed25519");
        clock.advance(Duration.ofMillis(250));
        source.poll(recorder);

        assertThat(recorder.events).singleElement().satisfies(event -> {
            assertThat(event.getString(EVT_SOURCE)).isEqualTo("procfs");
            assertThat(event.getString(EVT_TYPE)).isEqualTo("execve");
            assertThat(event.getString(EVT_RES)).isEqualTo("SUCCESS");
            assertThat(event.get(PROC_PID)).isEqualTo(41L);
            assertThat(event.get(PROC_PPID)).isEqualTo(40L);
            assertThat(event.getString(PROC_NAME)).isEqualTo("bash");
            assertThat(event.getString(PROC_EXE)).isEqualTo("/usr/bin/bash");
            assertThat(event.getString(PROC_ARGS)).isEqualTo("-c cat ~/.ssh/id_ed25519");
            assertThat(event.getString(PROC_CMDLINE)).isEqualTo("bash -c cat ~/.ssh/id_ed25519");
            assertThat(event.getString(PROC_CWD)).isEqualTo("/workspace");
            assertThat(event.getString(PROC_PNAME)).isEqualTo("python3");
            assertThat(event.getString(PROC_PCMDLINE)).isEqualTo("python3 runner.py --session s-1");
            assertThat(event.getString(PROC_PEXE)).isEqualTo("/usr/bin/python3.12");
            assertThat(event.getString(HOST_NAME)).isEqualTo("sandbox-host-3");
            assertThat(event.get(USER_UID)).isNotNull();
        });
    }

    @Test
    void theEventTimeIsTheStartTimeKeptInsideThePollInterval() throws IOException {
        source.seed();
        process(41, 40, 2_005, "bash", "/usr/bin/bash", "bash");
        clock.advance(Duration.ofMillis(250));
        source.poll(recorder);
        // Started at tick 2005 = boot + 20.05 s, inside (boot + 20 s, boot + 20.25 s].
        assertThat(recorder.events.get(0).timeNanos()).isEqualTo((BOOT + 20) * 1_000_000_000L + 50_000_000L);

        process(42, 40, 1, "sh", "/bin/sh", "sh");
        clock.advance(Duration.ofMillis(250));
        source.poll(recorder);
        // A start time before the previous poll (a clock stepped since boot) is kept just after it.
        assertThat(recorder.events.get(1).timeNanos()).isEqualTo((BOOT + 20) * 1_000_000_000L + 250_000_001L);
    }

    @Test
    void aProcessThatWentIsAProcexit() throws IOException {
        source.seed();
        remove(40);
        source.poll(recorder);

        assertThat(recorder.events).singleElement().satisfies(event -> {
            assertThat(event.getString(EVT_TYPE)).isEqualTo("procexit");
            assertThat(event.get(PROC_PID)).isEqualTo(40L);
            assertThat(event.getString(PROC_CMDLINE)).isEqualTo("python3 runner.py --session s-1");
            assertThat(event.getString(PROC_PNAME)).isEqualTo("init");
        });
        assertThat(source.knownProcesses()).isEqualTo(1);
    }

    @Test
    void aForkSeenBeforeItsExecIsReportedAgainOnceItExecs() throws IOException {
        source.seed();
        // Caught between fork and exec: a copy of its parent.
        process(41, 40, 2_005, "python3", "/usr/bin/python3.12", "python3", "runner.py", "--session", "s-1");
        source.poll(recorder);
        process(41, 40, 2_005, "curl", "/usr/bin/curl", "curl", "http://169.254.169.254/");
        source.poll(recorder);
        source.poll(recorder);

        assertThat(recorder.events).extracting(event -> event.getString(PROC_CMDLINE))
                .containsExactly("python3 runner.py --session s-1", "curl http://169.254.169.254/");
    }

    @Test
    void kernelThreadsAreSkipped() throws IOException {
        source.seed();
        process(90, 2, 2_005, "kworker/0:1");
        source.poll(recorder);

        assertThat(recorder.events).isEmpty();
    }

    @Test
    void aCommandNameWithSpacesAndParenthesesIsReadWhole() throws IOException {
        source.seed();
        process(43, 40, 2_005, "tmux: server (x)", "/usr/bin/tmux", "tmux");
        source.poll(recorder);

        assertThat(recorder.events.get(0).getString(PROC_NAME)).isEqualTo("tmux: server (x)");
    }

    @Test
    void aProcessWhoseFilesCannotBeReadIsSkippedNotFatal() throws IOException {
        source.seed();
        final Path broken = Files.createDirectories(proc.resolve("44"));
        Files.writeString(broken.resolve("stat"), "garbage");
        process(45, 40, 2_010, "id", "/usr/bin/id", "id");
        source.poll(recorder);

        assertThat(recorder.events).extracting(event -> event.get(PROC_PID)).containsExactly(45L);
    }

    @Test
    void userNamesComeFromPasswd() throws IOException {
        source.seed();
        process(46, 40, 2_010, "id", "/usr/bin/id", "id");
        source.poll(recorder);

        final Event event = recorder.events.get(0);
        final long uid = (Long) event.get(USER_UID);
        assertThat(event.getString(USER_NAME)).isEqualTo(uid == 0 ? "root" : null);
    }

    /** Lays out /proc/<pid> with stat, cmdline and, when there is an executable, exe and cwd links. */
    private void process(final int pid, final int ppid, final long startTicks, final String comm,
                         final String... exeAndArgv) throws IOException {
        final Path dir = Files.createDirectories(proc.resolve(Integer.toString(pid)));
        // Fields 3..22 of stat: state, ppid, then 17 we do not read, then starttime.
        final StringBuilder stat = new StringBuilder().append(pid).append(" (").append(comm).append(") S ").append(ppid);
        for (int field = 5; field <= 21; field++) {
            stat.append(" 0");
        }
        stat.append(' ').append(startTicks).append(" 1000 200\n");
        Files.writeString(dir.resolve("stat"), stat);
        final StringBuilder cmdline = new StringBuilder();
        for (int i = 1; i < exeAndArgv.length; i++) {
            cmdline.append(exeAndArgv[i]).append('\0');
        }
        Files.write(dir.resolve("cmdline"), cmdline.toString().getBytes(StandardCharsets.UTF_8));
        Files.deleteIfExists(dir.resolve("exe"));
        Files.deleteIfExists(dir.resolve("cwd"));
        if (exeAndArgv.length > 0) {
            Files.createSymbolicLink(dir.resolve("exe"), Path.of(exeAndArgv[0]));
            Files.createSymbolicLink(dir.resolve("cwd"), Path.of("/workspace"));
        }
    }

    private void remove(final int pid) throws IOException {
        final Path dir = proc.resolve(Integer.toString(pid));
        try (var files = Files.list(dir)) {
            for (final Path file : files.toList()) {
                Files.delete(file);
            }
        }
        Files.delete(dir);
    }

    private static final class Recorder implements SourceListener {
        final List<Event> events = new ArrayList<>();

        @Override
        public void onEvent(final Event event) {
            events.add(event);
        }

        @Override
        public void onRejected(final Rejection rejection) {
            throw new AssertionError("procfs rejected " + rejection);
        }
    }

    private static final class MutableClock extends Clock {
        private Instant now;

        MutableClock(final Instant now) {
            this.now = now;
        }

        void advance(final Duration duration) {
            now = now.plus(duration);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(final java.time.ZoneId zone) {
            return this;
        }
    }
}
