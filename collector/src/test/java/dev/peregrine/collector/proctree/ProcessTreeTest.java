package dev.peregrine.collector.proctree;

import static dev.peregrine.collector.event.StandardFields.CONTAINER_ID;
import static dev.peregrine.collector.event.StandardFields.EVT_RES;
import static dev.peregrine.collector.event.StandardFields.EVT_TYPE;
import static dev.peregrine.collector.event.StandardFields.HOST_NAME;
import static dev.peregrine.collector.event.StandardFields.PROC_ARGS;
import static dev.peregrine.collector.event.StandardFields.PROC_EXE;
import static dev.peregrine.collector.event.StandardFields.PROC_NAME;
import static dev.peregrine.collector.event.StandardFields.PROC_PCMDLINE;
import static dev.peregrine.collector.event.StandardFields.PROC_PEXE;
import static dev.peregrine.collector.event.StandardFields.PROC_PEXEPATH;
import static dev.peregrine.collector.event.StandardFields.PROC_PID;
import static dev.peregrine.collector.event.StandardFields.PROC_PNAME;
import static dev.peregrine.collector.event.StandardFields.PROC_PPID;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.peregrine.collector.deadletter.Rejection;
import dev.peregrine.collector.event.Ancestry;
import dev.peregrine.collector.event.Event;
import dev.peregrine.collector.source.EventSource;
import dev.peregrine.collector.source.InputFormat;
import dev.peregrine.collector.source.SourceListener;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ProcessTreeTest {

    private static final long SECOND = 1_000_000_000L;

    /**
     * An agent sandbox as auditd sees it: tini starts the python3 agent runner, which runs a
     * shell tool call, whose bash runs curl against the metadata service.
     */
    private static final String AGENT_SANDBOX_AUDIT_LOG = String.join("\n",
            "type=SYSCALL msg=audit(1763800000.100:101): arch=c000003e syscall=59 success=yes exit=0 a0=5581 a1=5582"
                    + " a2=5583 a3=0 items=2 ppid=0 pid=1 auid=4294967295 uid=0 gid=0 euid=0 tty=(none) ses=4294967295"
                    + " comm=\"tini\" exe=\"/sbin/tini\" key=\"exec\"",
            "type=EXECVE msg=audit(1763800000.100:101): argc=4 a0=\"tini\" a1=\"--\" a2=\"python3\" a3=\"runner.py\"",
            "type=CWD msg=audit(1763800000.100:101): cwd=\"/\"",
            "type=SYSCALL msg=audit(1763800000.200:102): arch=c000003e syscall=59 success=yes exit=0 a0=5581 a1=5582"
                    + " a2=5583 a3=0 items=2 ppid=1 pid=7 auid=4294967295 uid=1000 gid=1000 euid=1000 tty=(none)"
                    + " ses=4294967295 comm=\"python3\" exe=\"/usr/local/bin/python3.12\" key=\"exec\"",
            "type=EXECVE msg=audit(1763800000.200:102): argc=2 a0=\"python3\" a1=\"runner.py\"",
            "type=CWD msg=audit(1763800000.200:102): cwd=\"/workspace\"",
            "type=SYSCALL msg=audit(1763800005.000:103): arch=c000003e syscall=59 success=yes exit=0 a0=5581 a1=5582"
                    + " a2=5583 a3=0 items=2 ppid=7 pid=42 auid=4294967295 uid=1000 gid=1000 euid=1000 tty=(none)"
                    + " ses=4294967295 comm=\"bash\" exe=\"/usr/bin/bash\" key=\"exec\"",
            "type=EXECVE msg=audit(1763800005.000:103): argc=3 a0=\"bash\" a1=\"-c\" a2=\"curl -s http://169.254.169.254/\"",
            "type=CWD msg=audit(1763800005.000:103): cwd=\"/workspace\"",
            "type=SYSCALL msg=audit(1763800005.010:104): arch=c000003e syscall=59 success=yes exit=0 a0=5581 a1=5582"
                    + " a2=5583 a3=0 items=2 ppid=42 pid=43 auid=4294967295 uid=1000 gid=1000 euid=1000 tty=(none)"
                    + " ses=4294967295 comm=\"curl\" exe=\"/usr/bin/curl\" key=\"exec\"",
            "type=EXECVE msg=audit(1763800005.010:104): argc=3 a0=\"curl\" a1=\"-s\" a2=\"http://169.254.169.254/\"",
            "type=CWD msg=audit(1763800005.010:104): cwd=\"/workspace\"",
            "type=SYSCALL msg=audit(1763800005.020:105): arch=c000003e syscall=42 success=yes exit=0 a0=5 a1=7ffd"
                    + " a2=10 a3=0 items=0 ppid=42 pid=43 auid=4294967295 uid=1000 gid=1000 euid=1000 tty=(none)"
                    + " ses=4294967295 comm=\"curl\" exe=\"/usr/bin/curl\" key=\"net\"",
            "type=SOCKADDR msg=audit(1763800005.020:105): saddr=02000050A9FEA9FE0000000000000000",
            "");

    /** Collects what a source hands over. */
    private static final class Recorder implements SourceListener {
        final List<Event> events = new ArrayList<>();
        final List<Rejection> rejections = new ArrayList<>();

        @Override
        public void onEvent(final Event event) {
            events.add(event);
        }

        @Override
        public void onRejected(final Rejection rejection) {
            rejections.add(rejection);
        }
    }

    private static ProcessTree tree(final int maxEntries) {
        return new ProcessTree(maxEntries, 30 * SECOND, 32);
    }

    private static Event.Builder process(final long seconds, final String type, final long pid, final Long ppid) {
        final Event.Builder event = Event.builder().time(seconds * SECOND).set(EVT_TYPE, type).set(PROC_PID, pid)
                .set(EVT_RES, "SUCCESS").set(HOST_NAME, "sbx-host-1");
        if (ppid != null) {
            event.set(PROC_PPID, ppid);
        }
        return event;
    }

    private static Event exec(final long seconds, final long pid, final long ppid, final String exe, final String args) {
        final String name = exe.substring(exe.lastIndexOf('/') + 1);
        return process(seconds, "execve", pid, ppid).set(PROC_NAME, name).set(PROC_EXE, exe).set(PROC_ARGS, args)
                .build();
    }

    @Test
    void curlInAnAgentSandboxGetsItsShellParentAndThreeLevelsOfAncestryFromAnAuditdTrace() throws IOException {
        final EventSource audit = InputFormat.AUDITD.stream("audit.log",
                new ByteArrayInputStream(AGENT_SANDBOX_AUDIT_LOG.getBytes(StandardCharsets.UTF_8)), 64 * 1024);
        final Recorder recorder = new Recorder();

        try (ProcessTreeEnricher enricher = ProcessTreeEnricher.wrap(audit)) {
            assertThat(enricher.name()).isEqualTo("audit.log");
            enricher.read(recorder);
        }

        assertThat(recorder.rejections).isEmpty();
        assertThat(recorder.events).extracting(e -> e.getString(EVT_TYPE))
                .containsExactly("execve", "execve", "execve", "execve", "connect");
        final Event connect = recorder.events.get(4);
        assertThat(connect.getString(PROC_NAME)).isEqualTo("curl");
        assertThat(connect.getString(PROC_PNAME)).isEqualTo("bash");
        assertThat(connect.getString(PROC_PCMDLINE)).isEqualTo("bash -c curl -s http://169.254.169.254/");
        assertThat(connect.getString(PROC_PEXE)).isEqualTo("/usr/bin/bash");
        assertThat(connect.getString(PROC_PEXEPATH)).isEqualTo("/usr/bin/bash");
        assertThat(connect.ancestry().names()).containsExactly("bash", "python3", "tini");
        assertThat(connect.ancestry().get(2)).isEqualTo(new Ancestry.Ancestor(7, "python3",
                "/usr/local/bin/python3.12", "python3 runner.py"));
        assertThat(connect.ancestry().get(3).pid()).isEqualTo(1);
        // tini's parent, pid 0, is known only by number.
        assertThat(connect.ancestry().get(4)).isEqualTo(new Ancestry.Ancestor(0, null, null, null));
        final Event bashExec = recorder.events.get(2);
        assertThat(bashExec.getString(PROC_PNAME)).isEqualTo("python3");
        assertThat(bashExec.ancestry().names()).containsExactly("python3", "tini");
    }

    @Test
    void theEnricherPassesRejectionsThroughAndSharesItsTreesAcrossSources() throws IOException {
        final ProcessTrees shared = ProcessTrees.withDefaults();
        final String first = "{\"evt.time\":1000,\"evt.type\":\"execve\",\"evt.res\":\"SUCCESS\","
                + "\"host.name\":\"h\",\"proc.pid\":7,\"proc.ppid\":1,\"proc.name\":\"python3\"}\n"
                + "{not json\n";
        final String second = "{\"evt.time\":2000,\"evt.type\":\"openat\",\"host.name\":\"h\","
                + "\"proc.pid\":42,\"proc.ppid\":7,\"proc.name\":\"bash\"}\n";
        final Recorder recorder = new Recorder();

        new ProcessTreeEnricher(InputFormat.NATIVE.stream("a.ndjson",
                new ByteArrayInputStream(first.getBytes(StandardCharsets.UTF_8)), 4096), shared).read(recorder);
        new ProcessTreeEnricher(InputFormat.NATIVE.stream("b.ndjson",
                new ByteArrayInputStream(second.getBytes(StandardCharsets.UTF_8)), 4096), shared).read(recorder);

        assertThat(recorder.rejections).singleElement().extracting(Rejection::source).isEqualTo("a.ndjson");
        assertThat(recorder.events).hasSize(2);
        assertThat(recorder.events.get(1).getString(PROC_PNAME)).isEqualTo("python3");
        assertThat(shared.treeCount()).isEqualTo(1);
    }

    @Test
    void memoryStaysBoundedByTheEntryCapEvictingTheLeastRecentlyUsed() {
        final ProcessTree tree = tree(100);
        final Random random = new Random(7);
        tree.apply(exec(0, 1, 0, "/sbin/tini", ""));
        for (int pid = 2; pid < 10_000; pid++) {
            // Keep tini in use, so that it is the one process the LRU never drops.
            tree.apply(exec(pid / 100, pid, random.nextBoolean() ? 1 : pid - 1 - random.nextInt(Math.min(pid - 1, 50)),
                    "/usr/bin/sh", "-c true"));
            assertThat(tree.size()).isLessThanOrEqualTo(100);
        }
        assertThat(tree.size()).isEqualTo(100);
        assertThat(tree.get(1, 100 * SECOND)).isNotNull();
        assertThat(tree.get(2, 100 * SECOND)).as("long evicted").isNull();
        assertThat(tree.get(9_999, 100 * SECOND).exe()).isEqualTo("/usr/bin/sh");
    }

    @Test
    void treesAndTheirTotalStayBoundedAcrossManySandboxes() {
        final ProcessTrees trees = new ProcessTrees(4, 50, 120, Duration.ofSeconds(30), 8);
        for (int sandbox = 0; sandbox < 40; sandbox++) {
            for (int pid = 1; pid <= 60; pid++) {
                trees.enrich(Event.builder().time(SECOND).set(HOST_NAME, "host").set(CONTAINER_ID, "c" + sandbox)
                        .set(EVT_TYPE, "execve").set(PROC_PID, (long) pid).set(PROC_PPID, (long) pid - 1)
                        .set(PROC_NAME, "sh").build());
                assertThat(trees.treeCount()).isLessThanOrEqualTo(4);
                assertThat(trees.size()).isLessThanOrEqualTo(120);
            }
        }
        assertThat(trees.tree("host", "c39").size()).isEqualTo(50);
        assertThat(trees.tree("host", "c0")).as("least recently used, dropped").isNull();
    }

    @Test
    void anExitedProcessResolvesForLateChildrenThenIsGone() {
        final ProcessTree tree = tree(1_000);
        tree.apply(exec(0, 7, 1, "/usr/local/bin/python3", "runner.py"));
        tree.apply(process(10, "procexit", 7, 1L).build());

        final Event late = tree.apply(process(20, "openat", 50, 7L).build());
        assertThat(late.getString(PROC_PNAME)).as("within the grace period").isEqualTo("python3");

        assertThat(tree.get(7, 41 * SECOND)).isNull();
        final Event orphan = tree.apply(process(41, "openat", 51, 7L).build());
        assertThat(orphan.has(PROC_PNAME)).isFalse();
        assertThat(orphan.ancestry().ancestors()).containsExactly(new Ancestry.Ancestor(7, null, null, null));
        assertThat(tree.size()).as("python3 removed; pids 50 and 51 seen").isEqualTo(2);
    }

    @Test
    void aTraceWithUnknownParentsDegradesToWhatTheEventsSay() {
        final ProcessTree tree = tree(1_000);

        final Event noParentKnown = tree.apply(process(1, "openat", 300, 299L).set(PROC_NAME, "cat").build());
        assertThat(noParentKnown.has(PROC_PNAME)).isFalse();
        assertThat(noParentKnown.ancestry().size()).isEqualTo(1);
        assertThat(noParentKnown.ancestry().names()).isEmpty();

        final Event noPpid = tree.apply(process(1, "openat", 301, null).set(PROC_NAME, "cat").build());
        assertThat(noPpid.ancestry()).isEqualTo(Ancestry.NONE);
        assertThat(noPpid.has(PROC_PPID)).isFalse();

        final Event noPid = Event.builder().time(SECOND).set(EVT_TYPE, "tool_call").build();
        assertThat(tree.apply(noPid)).isSameAs(noPid);
    }

    @Test
    void aForkWithoutExecInheritsItsParentsProgramForItsOwnChildren() {
        final ProcessTree tree = tree(1_000);
        tree.apply(exec(0, 42, 7, "/usr/bin/bash", "-c make"));
        // The subshell (pid 60) was forked by bash and never exec'd; its first event is a clone.
        tree.apply(process(1, "clone", 60, 42L).build());

        assertThat(tree.get(60, SECOND).name()).isEqualTo("bash");
        final Event grandchild = tree.apply(exec(2, 61, 60, "/usr/bin/make", ""));
        assertThat(grandchild.getString(PROC_PNAME)).isEqualTo("bash");
        assertThat(grandchild.ancestry().get(1).pid()).isEqualTo(60);
        assertThat(grandchild.ancestry().get(2).pid()).isEqualTo(42);
    }

    @Test
    void theEventsOwnFieldsWinAndAFailedExecChangesNothing() {
        final ProcessTree tree = tree(1_000);
        tree.apply(exec(0, 42, 7, "/usr/bin/bash", ""));
        tree.apply(process(1, "execve", 42, 7L).set(EVT_RES, "ENOENT").set(PROC_NAME, "nosuch").build());
        assertThat(tree.get(42, SECOND).name()).isEqualTo("bash");

        final Event tetragon = tree.apply(process(2, "openat", 43, 42L).set(PROC_PNAME, "sh").build());
        assertThat(tetragon.getString(PROC_PNAME)).isEqualTo("sh");
        assertThat(tetragon.getString(PROC_PEXE)).isEqualTo("/usr/bin/bash");
    }

    @Test
    void aParentNamedByTheEventIsLearnedWhenItsExecWasNotSeen() {
        final ProcessTree tree = tree(1_000);
        tree.apply(process(1, "execve", 43, 42L).set(PROC_NAME, "curl").set(PROC_PNAME, "bash")
                .set(PROC_PEXE, "/bin/bash").set(PROC_PCMDLINE, "bash -i").build());

        final Event child = tree.apply(process(2, "connect", 44, 43L).build());
        assertThat(child.ancestry().names()).containsExactly("curl", "bash");
    }

    @Test
    void aHugeCommandLineIsKeptCutSoThatAnEntryStaysSmall() {
        final ProcessTree tree = tree(10);
        tree.apply(exec(0, 42, 7, "/usr/bin/bash", "-c " + "x".repeat(1_000_000)));

        assertThat(tree.get(42, 0).cmdline()).hasSize(ProcessTree.MAX_TEXT);
        assertThat(tree.apply(process(1, "openat", 43, 42L).build()).getString(PROC_PCMDLINE))
                .startsWith("bash -c xxx").hasSize(ProcessTree.MAX_TEXT);
    }

    @Test
    void boundsMustBePositive() {
        assertThatThrownBy(() -> new ProcessTree(0, SECOND, 4)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ProcessTrees(1, 100, 10, Duration.ZERO, 4))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxEntriesTotal=10");
    }
}
