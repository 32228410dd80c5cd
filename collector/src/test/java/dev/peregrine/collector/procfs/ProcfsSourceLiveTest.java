package dev.peregrine.collector.procfs;

import static dev.peregrine.collector.event.StandardFields.EVT_SOURCE;
import static dev.peregrine.collector.event.StandardFields.EVT_TYPE;
import static dev.peregrine.collector.event.StandardFields.PROC_CMDLINE;
import static dev.peregrine.collector.event.StandardFields.PROC_EXE;
import static dev.peregrine.collector.event.StandardFields.PROC_NAME;
import static dev.peregrine.collector.event.StandardFields.PROC_PID;
import static dev.peregrine.collector.event.StandardFields.PROC_PNAME;
import static dev.peregrine.collector.event.StandardFields.PROC_PPID;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.peregrine.collector.deadletter.Rejection;
import dev.peregrine.collector.event.Event;
import dev.peregrine.collector.source.SourceListener;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The source on this machine's own {@code /proc}, watching a real process start and end. */
class ProcfsSourceLiveTest {

    @Test
    void aRealProcessStartedByAShellIsSeenWithItsCommandLineAndParent() throws Exception {
        assumeTrue(Files.isReadable(Path.of("/proc/self/stat")), "needs Linux procfs");
        // GNU sleep adds its arguments up: the odd fraction makes the command line ours alone.
        final String marker = "0.00" + ThreadLocalRandom.current().nextInt(100_000, 999_999);
        final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
        final ProcfsSource source = new ProcfsSource(Duration.ofMillis(50));
        // Seeded before the shell starts, or the shell and its sleep would be pre-existing and silent.
        source.seed();
        final Thread poller = new Thread(() -> readQuietly(source, events), "procfs-test");
        poller.start();
        Process shell = null;
        try {
            // "; exit" keeps dash from exec'ing sleep in its own place: sleep must be the shell's child.
            shell = new ProcessBuilder("sh", "-c", "sleep 30 " + marker + "; exit 0").start();
            final long shellPid = shell.pid();

            final Event exec = next(events, event -> "execve".equals(event.getString(EVT_TYPE))
                    && ("sleep 30 " + marker).equals(event.getString(PROC_CMDLINE)));
            assertThat(exec.getString(EVT_SOURCE)).isEqualTo("procfs");
            assertThat(exec.getString(PROC_NAME)).isEqualTo("sleep");
            assertThat(exec.getString(PROC_EXE)).endsWith("/sleep");
            assertThat(exec.get(PROC_PPID)).isEqualTo(shellPid);
            assertThat(exec.getString(PROC_PNAME)).isEqualTo("sh");

            final long sleepPid = (Long) exec.get(PROC_PID);
            ProcessHandle.of(sleepPid).ifPresent(ProcessHandle::destroy);
            final Event exit = next(events, event -> "procexit".equals(event.getString(EVT_TYPE))
                    && Long.valueOf(sleepPid).equals(event.get(PROC_PID)));
            assertThat(exit.getString(PROC_CMDLINE)).isEqualTo("sleep 30 " + marker);
        } finally {
            if (shell != null) {
                shell.descendants().forEach(ProcessHandle::destroyForcibly);
                shell.destroyForcibly();
                shell.waitFor(10, TimeUnit.SECONDS);
            }
            source.close();
            poller.join(TimeUnit.SECONDS.toMillis(10));
        }
        assertThat(poller.isAlive()).as("read ends on close").isFalse();
    }

    private static Event next(final BlockingQueue<Event> events, final java.util.function.Predicate<Event> wanted)
            throws InterruptedException {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            final Event event = events.poll(100, TimeUnit.MILLISECONDS);
            if (event != null && wanted.test(event)) {
                return event;
            }
        }
        throw new AssertionError("no such event from procfs within 20 s");
    }

    private static void readQuietly(final ProcfsSource source, final BlockingQueue<Event> events) {
        try {
            source.read(new SourceListener() {
                @Override
                public void onEvent(final Event event) {
                    events.add(event);
                }

                @Override
                public void onRejected(final Rejection rejection) {
                    throw new AssertionError("procfs rejected " + rejection);
                }
            });
        } catch (final IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
