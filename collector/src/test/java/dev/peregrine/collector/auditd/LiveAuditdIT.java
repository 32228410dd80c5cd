package dev.peregrine.collector.auditd;

import static dev.peregrine.collector.event.StandardFields.EVT_RES;
import static dev.peregrine.collector.event.StandardFields.EVT_TYPE;
import static dev.peregrine.collector.event.StandardFields.FD_NAME;
import static dev.peregrine.collector.event.StandardFields.PROC_ARGS;
import static dev.peregrine.collector.event.StandardFields.PROC_CMDLINE;
import static dev.peregrine.collector.event.StandardFields.PROC_EXE;
import static dev.peregrine.collector.event.StandardFields.PROC_NAME;
import static dev.peregrine.collector.event.StandardFields.PROC_PID;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.peregrine.collector.deadletter.Rejection;
import dev.peregrine.collector.event.Event;
import dev.peregrine.collector.ndjson.LineReader;
import dev.peregrine.collector.source.FollowedFileInputStream;
import dev.peregrine.collector.source.SourceListener;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The auditd path end to end on a real kernel: the live {@code /var/log/audit/audit.log},
 * followed by {@link FollowedFileInputStream} and parsed by {@link AuditdSource}, while this
 * test runs commands under an audit rule.
 *
 * <p>Needs root and a kernel that lets a process audit ({@code auditctl -s} works): it is run
 * by the {@code live-auditd} Maven profile, which {@code .ci/run} turns on (environment
 * {@code PEREGRINE_AUDITD_IT=1}) after installing auditd and checking exactly that. Run on a
 * machine without them it fails, saying why, rather than passing having checked nothing.
 *
 * <p>It starts auditd only when no daemon runs, and then stops it (by its pid) and restores the
 * kernel's audit-enabled flag afterwards; it removes the rule it added, and only that one.
 */
class LiveAuditdIT {

    private static final Path AUDIT_LOG = Path.of("/var/log/audit/audit.log");
    private static final String AUDITD = "/usr/sbin/auditd";
    private static final String[] RULE = {"always,exit", "-F", "arch=b64", "-S", "execve,openat,connect", "-k", "peregrine"};
    private static final Duration SEEN_WITHIN = Duration.ofSeconds(60);

    private static long startedDaemon;
    private static String enabledBefore;
    private static boolean addedRule;

    // Only the processes this test runs: the rule audits every open on the machine, and other builds run here too.
    private static final Set<String> OUR_COMMANDS = Set.of("cat", "sh");
    private static final Queue<Event> EVENTS = new ConcurrentLinkedQueue<>();
    private static final Queue<Rejection> REJECTIONS = new ConcurrentLinkedQueue<>();
    private static AuditdSource source;
    private static Thread reader;

    @BeforeAll
    static void startAuditingAndFollowTheLog() throws Exception {
        assertThat(run("id", "-u").strip()).as("LiveAuditdIT needs root to control kernel auditing").isEqualTo("0");
        assertThat(Files.isExecutable(Path.of(AUDITD))).as(AUDITD + " is installed (.ci/run installs it)").isTrue();
        final String status = run("auditctl", "-s");
        enabledBefore = statusValue(status, "enabled").orElse("0");
        if (daemonPid(status) == 0) {
            run(AUDITD);
            await("auditd to start").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                    .until(() -> daemonPid(run("auditctl", "-s")) != 0 && Files.exists(AUDIT_LOG));
            startedDaemon = daemonPid(run("auditctl", "-s"));
        }
        final String rules = run("auditctl", "-l");
        if (!rules.contains("-k peregrine") && !rules.contains("key=peregrine")) {
            run(concat("auditctl", "-a", RULE));
            addedRule = true;
        }

        // Start at the log's current end: what came before is other processes' history.
        final long end = Files.size(AUDIT_LOG);
        final InputStream log = new FollowedFileInputStream(AUDIT_LOG, Duration.ofMillis(50));
        log.skipNBytes(end);
        source = AuditdSource.of(AUDIT_LOG.toString(), log, new AuditdParser(), LineReader.DEFAULT_MAX_LINE_BYTES);
        reader = new Thread(() -> {
            try {
                source.read(new SourceListener() {
                    @Override
                    public void onEvent(final Event event) {
                        if (OUR_COMMANDS.contains(event.getString(PROC_NAME))) {
                            EVENTS.add(event);
                        }
                    }

                    @Override
                    public void onRejected(final Rejection rejection) {
                        REJECTIONS.add(rejection);
                    }
                });
            } catch (final IOException e) {
                throw new IllegalStateException("reading " + AUDIT_LOG, e);
            }
        }, "live-audit-log");
        reader.start();
    }

    @AfterAll
    static void stopAuditing() throws Exception {
        try {
            if (source != null) {
                source.close();
                reader.join(TimeUnit.SECONDS.toMillis(30));
            }
        } finally {
            try {
                if (addedRule) {
                    run(concat("auditctl", "-d", RULE));
                }
            } finally {
                if (startedDaemon != 0) {
                    run("kill", "-TERM", Long.toString(startedDaemon));
                    await("auditd to stop").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                            .until(() -> !Files.exists(Path.of("/proc/" + startedDaemon)));
                    // The daemon enabled auditing when it started; leave the kernel as it was.
                    run("auditctl", "-e", enabledBefore);
                }
            }
        }
    }

    @Test
    void execveAndOpenatOfCommandsRunNowAreReadFromTheLiveLog(@TempDir final Path dir) throws Exception {
        final String marker = "peregrine-it-" + UUID.randomUUID();
        final Path file = dir.resolve(marker + ".txt");
        Files.writeString(file, "hello from the live auditd test\n");

        final long catPid = runAndWait("/bin/cat", file.toString());
        final long shPid = runAndWait("/bin/sh", "-c", "echo " + marker + " > /dev/null");

        await("the cat execve, the open of the file and the sh execve in " + AUDIT_LOG)
                .atMost(SEEN_WITHIN).pollInterval(Duration.ofMillis(100))
                .until(() -> findExec(catPid, "cat").isPresent() && findOpen(catPid, file).isPresent()
                        && findExec(shPid, "sh").isPresent());

        final Event cat = findExec(catPid, "cat").orElseThrow();
        assertThat(cat.getString(PROC_EXE)).isEqualTo(Path.of("/bin/cat").toRealPath().toString());
        assertThat(cat.getString(PROC_NAME)).isEqualTo("cat");
        assertThat(cat.getString(PROC_ARGS)).isEqualTo(file.toString());
        assertThat(cat.getString(PROC_CMDLINE)).isEqualTo("cat " + file);
        assertThat(cat.getString(EVT_RES)).isEqualTo("SUCCESS");
        assertThat(cat.extra("audit.key")).isEqualTo("peregrine");

        final Event open = findOpen(catPid, file).orElseThrow();
        assertThat(open.getString(EVT_RES)).isEqualTo("SUCCESS");
        assertThat(open.getString(PROC_NAME)).isEqualTo("cat");

        // The argument holds spaces, so the kernel writes it hex-encoded; it must come back as text.
        final Event sh = findExec(shPid, "sh").orElseThrow();
        assertThat(sh.getString(PROC_EXE)).isEqualTo(Path.of("/bin/sh").toRealPath().toString());
        assertThat(sh.getString(PROC_ARGS)).isEqualTo("-c echo " + marker + " > /dev/null");
        assertThat(sh.getString(PROC_CMDLINE)).isEqualTo("sh -c echo " + marker + " > /dev/null");

        assertThat(REJECTIONS).as("no line of the live log made the parser fail")
                .noneMatch(r -> r.message().startsWith("could not be parsed"));
    }

    /** The execve of {@code name} by {@code pid}: Java's launcher helper execs first under the same pid. */
    private static Optional<Event> findExec(final long pid, final String name) {
        return EVENTS.stream().filter(e -> "execve".equals(e.getString(EVT_TYPE)) && Long.valueOf(pid).equals(e.get(PROC_PID))
                && name.equals(e.getString(PROC_NAME))).findFirst();
    }

    private static Optional<Event> findOpen(final long pid, final Path file) {
        return EVENTS.stream().filter(e -> "openat".equals(e.getString(EVT_TYPE))
                && Long.valueOf(pid).equals(e.get(PROC_PID)) && file.toString().equals(e.getString(FD_NAME))).findFirst();
    }

    /** Runs a command to its end; its pid, which is the pid its execve is audited under. */
    private static long runAndWait(final String... command) throws Exception {
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getInputStream().readAllBytes();
        assertThat(process.waitFor()).as(String.join(" ", command)).isZero();
        return process.pid();
    }

    /** Runs a command, returning its output; a non-zero exit fails with that output. */
    private static String run(final String... command) throws Exception {
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        final int exit = process.waitFor();
        if (exit != 0) {
            throw new IllegalStateException(String.join(" ", command) + " exited with " + exit + ": " + output.strip());
        }
        return output;
    }

    /** The pid of the audit daemon {@code auditctl -s} reports, 0 when none. */
    private static long daemonPid(final String status) {
        return statusValue(status, "pid").map(Long::parseLong).orElse(0L);
    }

    private static Optional<String> statusValue(final String status, final String key) {
        for (final String line : status.split("\n")) {
            final String[] words = line.strip().split("\\s+");
            if (words.length >= 2 && words[0].equals(key)) {
                return Optional.of(words[1]);
            }
        }
        return Optional.empty();
    }

    private static String[] concat(final String command, final String action, final String[] rule) {
        final List<String> all = new ArrayList<>(List.of(command, action));
        all.addAll(List.of(rule));
        return all.toArray(String[]::new);
    }
}
