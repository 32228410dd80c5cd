package dev.peregrine.collector.procfs;

import dev.peregrine.collector.deadletter.DeadLetterFile;
import dev.peregrine.collector.event.Event;
import dev.peregrine.collector.event.StandardFields;
import dev.peregrine.collector.source.EventSource;
import dev.peregrine.collector.source.SourceListener;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * This host's processes, found by polling {@code /proc}: an {@code execve} event for each
 * process that appeared since the last poll, a {@code procexit} event for each that went.
 * The zero-configuration OS source of {@code peregrine run}; needs no privilege, no kernel
 * module, no audit rules.
 *
 * <h2>Events</h2>
 * {@code evt.source=procfs}. {@code execve} ({@code evt.res=SUCCESS}) carries
 * {@code proc.pid}, {@code proc.ppid}, {@code proc.name} (the kernel's {@code comm}),
 * {@code proc.exe} (the {@code exe} link, else {@code argv[0]}), {@code proc.args},
 * {@code proc.cmdline}, {@code proc.cwd}, {@code user.uid} (effective), {@code user.name} (from
 * {@code /etc/passwd}), {@code host.name}, and the parent's {@code proc.pname},
 * {@code proc.pcmdline}, {@code proc.pexe}. Its {@code evt.time} is the process's start time
 * from {@code stat}, kept inside the poll interval it was found in, so that a clock stepped
 * since boot cannot date it before the previous poll. {@code procexit} carries the same process
 * fields and the time of the poll that missed it (the exit status is the parent's to collect,
 * not ours). {@code exe} and {@code cwd} of another user's process are unreadable without
 * privilege: {@code proc.exe} then falls back to {@code argv[0]} and {@code proc.cwd} is absent.
 *
 * <h2>Processes present at start</h2>
 * They seed the table silently: they are the state the monitor starts from, not activity it
 * saw, and announcing hundreds of old processes as fresh {@code execve}s would trip every
 * "shell spawned" rule at start-up. They still serve as parents ({@code proc.pname}) of what
 * starts later, and their exits are reported.
 *
 * <h2>Limits (what polling cannot see)</h2>
 * <ul>
 *   <li>A process that starts and exits between two polls is never seen. At the default
 *       {@value #DEFAULT_INTERVAL_MILLIS} ms that is most short commands ({@code cat}, {@code id},
 *       a {@code curl} that fails fast). Use the auditd, Falco or Tetragon sources where every
 *       exec matters; this source is the cheap always-on baseline.</li>
 *   <li>An exec is seen as a new pid. A process that execs again in place is caught only in
 *       the poll after it was first seen (a fork whose exec came late, e.g. {@code sh -c}
 *       {@code exec}); a long-lived process that execs later is not re-read.</li>
 *   <li>A pid reused within one interval by an unrelated process is taken for the same one.</li>
 *   <li>Kernel threads (children of {@code kthreadd}, pid 2) are skipped.</li>
 * </ul>
 *
 * <p>{@link #read} polls on the caller's thread until {@link #close()}.
 */
public final class ProcfsSource implements EventSource {

    /** The source name, in metrics and logs. */
    public static final String NAME = "procfs";

    /** Default time between polls, in milliseconds. */
    public static final long DEFAULT_INTERVAL_MILLIS = 250;

    /** Default time between polls. */
    public static final Duration DEFAULT_INTERVAL = Duration.ofMillis(DEFAULT_INTERVAL_MILLIS);

    // Linux reports /proc times in USER_HZ, which is 100 on every architecture it exports to user space.
    private static final long NANOS_PER_TICK = 10_000_000L;
    private static final int KTHREADD = 2;

    private final ProcReader proc;
    private final Duration interval;
    private final String hostname;
    private final Clock clock;
    private final UserNames users;
    private final long bootNanos;
    private final CountDownLatch closed = new CountDownLatch(1);

    /** Processes as last seen, by pid. */
    private final Map<Integer, ProcSnapshot> table = new HashMap<>();
    /** Pids of kernel threads and unreadable entries: skipped, and not read again while they last. */
    private final Set<Integer> ignored = new HashSet<>();
    /** Pids first seen in the last poll, read again in the next to catch a late exec. */
    private List<Integer> young = List.of();
    private long lastPollNanos;
    private boolean seeded;
    // Read by a metrics thread while the poller writes them.
    private volatile int knownCount;
    private volatile long pollCount;

    /** {@code /proc} of this host, every {@value #DEFAULT_INTERVAL_MILLIS} ms. */
    public ProcfsSource() {
        this(DEFAULT_INTERVAL);
    }

    /** {@code /proc} of this host, every {@code interval}. */
    public ProcfsSource(final Duration interval) {
        this(Path.of("/proc"), Path.of("/etc/passwd"), interval, DeadLetterFile.localHostname(), Clock.systemUTC());
    }

    /**
     * @param procRoot where procfs is mounted (another host's {@code /proc} bind-mounted, or a test tree)
     * @param passwd   the {@code passwd} file user names come from
     * @param interval time between polls, positive
     * @param hostname the {@code host.name} of every event
     * @param clock    the time of polls
     */
    public ProcfsSource(final Path procRoot, final Path passwd, final Duration interval, final String hostname,
                        final Clock clock) {
        if (interval.isZero() || interval.isNegative()) {
            throw new IllegalArgumentException("procfs poll interval must be positive, got " + interval);
        }
        this.proc = new ProcReader(Objects.requireNonNull(procRoot, "procRoot"));
        this.interval = interval;
        this.hostname = Objects.requireNonNull(hostname, "hostname");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.users = UserNames.read(passwd);
        final long bootSeconds = proc.bootTimeSeconds();
        this.bootNanos = bootSeconds < 0 ? -1 : bootSeconds * 1_000_000_000L;
    }

    @Override
    public String name() {
        return NAME;
    }

    /** The time between polls. */
    public Duration interval() {
        return interval;
    }

    @Override
    public void read(final SourceListener listener) throws IOException {
        if (closed.getCount() == 0) {
            return;
        }
        if (!seeded) {
            seed();
        }
        try {
            while (!closed.await(interval.toNanos(), TimeUnit.NANOSECONDS)) {
                poll(listener);
            }
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Ends a {@link #read} in progress within one poll. */
    @Override
    public void close() {
        closed.countDown();
    }

    /** Processes known after the last poll (a gauge; safe from any thread). */
    public int knownProcesses() {
        return knownCount;
    }

    /** Polls done since the read started (a counter; safe from any thread). */
    public long polls() {
        return pollCount;
    }

    /** Fills the table with the processes there are now, reporting none of them. */
    void seed() throws IOException {
        lastPollNanos = nowNanos();
        for (final int pid : proc.pids()) {
            final ProcSnapshot process = proc.read(pid);
            if (process == null || isKernelThread(process)) {
                ignored.add(pid);
            } else {
                table.put(pid, process);
            }
        }
        seeded = true;
        knownCount = table.size();
    }

    /** One poll: reports processes that appeared or exec'ed since the last one, and those that went. */
    void poll(final SourceListener listener) throws IOException {
        if (!seeded) {
            seed();
            return;
        }
        final long now = nowNanos();
        final long since = lastPollNanos;
        final int[] pids = proc.pids();
        final Set<Integer> present = new HashSet<>(pids.length * 2);
        final List<ProcSnapshot> started = new ArrayList<>();
        for (final int pid : pids) {
            present.add(pid);
        }

        // Exits first, so a pid that went and came back within the interval is not both.
        final List<ProcSnapshot> exited = new ArrayList<>();
        table.values().removeIf(process -> {
            if (present.contains(process.pid())) {
                return false;
            }
            exited.add(process);
            return true;
        });
        ignored.removeIf(pid -> !present.contains(pid));

        // A fork seen before its exec looks like its parent; one more read tells.
        for (final int pid : young) {
            final ProcSnapshot before = table.get(pid);
            if (before == null) {
                continue;
            }
            final ProcSnapshot after = proc.read(pid);
            if (after != null && after.startTicks() == before.startTicks() && after.execedSince(before)) {
                table.put(pid, after);
                started.add(after);
            }
        }
        final List<Integer> newYoung = new ArrayList<>();
        for (final int pid : pids) {
            if (table.containsKey(pid) || ignored.contains(pid)) {
                continue;
            }
            final ProcSnapshot process = proc.read(pid);
            if (process == null || isKernelThread(process)) {
                // Gone already (missed, see the limits), unreadable, or a kernel thread: not read again.
                ignored.add(pid);
                continue;
            }
            table.put(pid, process);
            started.add(process);
            newYoung.add(pid);
        }
        young = newYoung;
        lastPollNanos = now;
        knownCount = table.size();
        pollCount++;

        started.sort(Comparator.comparingLong(ProcSnapshot::startTicks).thenComparingInt(ProcSnapshot::pid));
        for (final ProcSnapshot process : started) {
            listener.onEvent(execve(process, startNanos(process, since, now)));
        }
        exited.sort(Comparator.comparingInt(ProcSnapshot::pid));
        for (final ProcSnapshot process : exited) {
            listener.onEvent(exit(process, now));
        }
    }

    private Event execve(final ProcSnapshot process, final long timeNanos) {
        final Event.Builder event = processEvent(process, timeNanos, "execve");
        event.set(StandardFields.EVT_RES, "SUCCESS");
        return event.build();
    }

    private Event exit(final ProcSnapshot process, final long timeNanos) {
        return processEvent(process, timeNanos, "procexit").build();
    }

    private Event.Builder processEvent(final ProcSnapshot process, final long timeNanos, final String type) {
        final Event.Builder event = Event.builder()
                .time(timeNanos)
                .set(StandardFields.EVT_SOURCE, NAME)
                .set(StandardFields.EVT_TYPE, type)
                .set(StandardFields.HOST_NAME, hostname)
                .set(StandardFields.PROC_PID, process.pid())
                .set(StandardFields.PROC_PPID, process.ppid())
                .set(StandardFields.PROC_NAME, process.comm())
                .set(StandardFields.PROC_ARGS, process.args())
                .set(StandardFields.PROC_EXE, process.executable())
                .set(StandardFields.PROC_CWD, process.cwd());
        if (process.uid() >= 0) {
            event.set(StandardFields.USER_UID, process.uid());
            event.set(StandardFields.USER_NAME, users.name(process.uid()));
        }
        final ProcSnapshot parent = table.get(process.ppid());
        if (parent != null) {
            event.set(StandardFields.PROC_PNAME, parent.comm());
            event.set(StandardFields.PROC_PCMDLINE, parent.cmdline());
            event.set(StandardFields.PROC_PEXE, parent.executable());
        }
        return event;
    }

    /** The start time from {@code stat}, within (since, now]: the poll interval the process was found in. */
    private long startNanos(final ProcSnapshot process, final long since, final long now) {
        if (bootNanos < 0) {
            return now;
        }
        final long start = bootNanos + process.startTicks() * NANOS_PER_TICK;
        return Math.max(since + 1, Math.min(now, start));
    }

    private long nowNanos() {
        final Instant now = clock.instant();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    private static boolean isKernelThread(final ProcSnapshot process) {
        return process.pid() == KTHREADD || process.ppid() == KTHREADD;
    }
}
