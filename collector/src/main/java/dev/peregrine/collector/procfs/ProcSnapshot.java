package dev.peregrine.collector.procfs;

import java.util.List;

/**
 * One process as {@code /proc/<pid>} showed it at one poll; fields the kernel would not let us
 * read (another user's {@code exe} or {@code cwd}) are {@code null}.
 *
 * @param pid        process id
 * @param ppid       parent process id
 * @param startTicks start time in clock ticks since boot ({@code stat} field 22); with the pid,
 *                   what tells a process from a later one that reuses its pid
 * @param comm       kernel command name, at most 15 characters ({@code proc.name})
 * @param argv       the arguments from {@code cmdline}, program name first; empty for a zombie
 * @param exe        target of the {@code exe} link, or {@code null}
 * @param cwd        target of the {@code cwd} link, or {@code null}
 * @param uid        effective user id (owner of {@code /proc/<pid>}), or -1
 */
record ProcSnapshot(int pid, int ppid, long startTicks, String comm, List<String> argv, String exe, String cwd,
                    int uid) {

    /** The arguments after the program name, space-separated, as Falco's {@code proc.args}. */
    String args() {
        return argv.size() <= 1 ? "" : String.join(" ", argv.subList(1, argv.size()));
    }

    /** {@code proc.cmdline} as the event builder derives it: name, then arguments. */
    String cmdline() {
        final String args = args();
        return args.isEmpty() ? comm : comm + " " + args;
    }

    /** The executable: the {@code exe} link, else the program name as given to execve. */
    String executable() {
        if (exe != null) {
            return exe;
        }
        return argv.isEmpty() ? null : argv.get(0);
    }

    /** Whether an exec replaced the program since {@code earlier} was taken (same pid, same start). */
    boolean execedSince(final ProcSnapshot earlier) {
        return !comm.equals(earlier.comm) || !argv.equals(earlier.argv)
                || exe != null && earlier.exe != null && !exe.equals(earlier.exe);
    }
}
