package dev.peregrine.collector.proctree;

/**
 * What a {@link ProcessTree} knows about one process, from its exec (or, for a process seen
 * without one, from its own events and its parent's).
 *
 * @param pid        process id
 * @param ppid       parent process id, or {@code null} when unknown
 * @param name       process name, or {@code null}
 * @param exe        executable path, or {@code null}
 * @param cmdline    name and arguments, or {@code null}
 * @param args       arguments, or {@code null}
 * @param cwd        working directory, or {@code null}
 * @param user       user name, or {@code null}
 * @param startNanos event time the tree first saw it (its exec, or its first event)
 * @param exitNanos  event time of its exit, or {@code null} while it runs
 */
public record ProcessInfo(long pid, Long ppid, String name, String exe, String cmdline, String args, String cwd,
                          String user, long startNanos, Long exitNanos) {

    /** Whether the process has exited. */
    public boolean exited() {
        return exitNanos != null;
    }

    ProcessInfo withPpid(final Long parent) {
        return new ProcessInfo(pid, parent, name, exe, cmdline, args, cwd, user, startNanos, exitNanos);
    }

    ProcessInfo exitedAt(final long nanos) {
        return new ProcessInfo(pid, ppid, name, exe, cmdline, args, cwd, user, startNanos, nanos);
    }
}
