package dev.peregrine.collector.proctree;

import dev.peregrine.collector.event.Ancestry;
import dev.peregrine.collector.event.Event;
import dev.peregrine.collector.event.Field;
import dev.peregrine.collector.event.StandardFields;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The processes of one host (or one sandbox/container on it), rebuilt from its events, in
 * bounded memory. Not thread-safe: its owner ({@link ProcessTrees}) serializes access.
 *
 * <h2>What updates it</h2>
 * A successful {@code execve}/{@code execveat} records pid → ppid, name, exe, cmdline, args,
 * cwd, user and time, replacing what was known of that pid. An event of a pid the tree does
 * not know adds it — a fork without exec, approximated: the process's own fields where the
 * event has them, else its parent's. An event naming a parent the tree does not know, with the
 * parent's name ({@code proc.pname}, as Tetragon gives it), adds the parent. {@code procexit}
 * (Tetragon's {@code process_exit}) or an audited {@code exit_group} marks the process
 * exited; it stays resolvable for the exit grace period (event time), so children reported
 * late still find it, then it is gone.
 *
 * <h2>Not derived</h2>
 * {@code proc.sid}/{@code proc.sname} (no source here reports the POSIX session id; audit's
 * {@code ses} is the login session) and {@code proc.vpid} (sources report host pids) stay as
 * the source gave them, usually absent.
 *
 * <h2>Bounds</h2>
 * At most {@code maxEntries} processes, the least recently used evicted first, each text field
 * cut to {@value #MAX_TEXT} characters (so a parent's {@code proc.pcmdline} filled from the tree
 * may be cut); ancestry walks at most {@code maxDepth} levels and stops at a loop.
 */
public final class ProcessTree {

    /** Longest text kept per process field; a command line can be megabytes, an entry must stay small. */
    public static final int MAX_TEXT = 1_024;

    private final int maxEntries;
    private final long exitedGraceNanos;
    private final int maxDepth;
    private final LinkedHashMap<Long, ProcessInfo> processes;

    /**
     * @param maxEntries       most processes kept, at least 1
     * @param exitedGraceNanos how long (event time) an exited process stays resolvable, at least 0
     * @param maxDepth         most ancestors given to an event, at least 1
     */
    public ProcessTree(final int maxEntries, final long exitedGraceNanos, final int maxDepth) {
        if (maxEntries < 1 || exitedGraceNanos < 0 || maxDepth < 1) {
            throw new IllegalArgumentException("maxEntries and maxDepth must be positive and exitedGraceNanos not"
                    + " negative, got " + maxEntries + ", " + maxDepth + ", " + exitedGraceNanos);
        }
        this.maxEntries = maxEntries;
        this.exitedGraceNanos = exitedGraceNanos;
        this.maxDepth = maxDepth;
        this.processes = new LinkedHashMap<>(Math.min(maxEntries, 1024), 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(final Map.Entry<Long, ProcessInfo> eldest) {
                return size() > ProcessTree.this.maxEntries;
            }
        };
    }

    /** Number of processes held, exited ones in their grace period included; never above the maximum. */
    public int size() {
        return processes.size();
    }

    /** The most processes this tree holds. */
    public int maxEntries() {
        return maxEntries;
    }

    /** What the tree knows of {@code pid} at event time {@code nowNanos}, or {@code null}; changes nothing. */
    public ProcessInfo get(final long pid, final long nowNanos) {
        final ProcessInfo info = processes.get(pid);
        return info != null && info.exited() && nowNanos - info.exitNanos() > exitedGraceNanos ? null : info;
    }

    /** {@link #get}, dropping an exited process whose grace period is over. */
    private ProcessInfo find(final long pid, final long nowNanos) {
        final ProcessInfo info = processes.get(pid);
        if (info != null && info.exited() && nowNanos - info.exitNanos() > exitedGraceNanos) {
            processes.remove(pid);
            return null;
        }
        return info;
    }

    /**
     * Learns from {@code event} and returns it with the process fields it lacks filled from the
     * tree: {@code proc.ppid}, {@code proc.pname}, {@code proc.pcmdline}, {@code proc.pexe},
     * {@code proc.pexepath} and its {@link Event#ancestry()}. An event without {@code proc.pid}
     * is returned as it is.
     */
    public Event apply(final Event event) {
        final Object pidValue = event.get(StandardFields.PROC_PID);
        if (!(pidValue instanceof Long pid)) {
            return event;
        }
        final long now = event.timeNanos();
        learn(pid, event, now);
        final ProcessInfo self = find(pid, now);
        final Long ppid = event.get(StandardFields.PROC_PPID) instanceof Long p ? p : self == null ? null : self.ppid();
        final Event enriched = ppid == null ? event : enrich(event, ppid, now);
        final String type = event.getString(StandardFields.EVT_TYPE);
        if (("procexit".equals(type) || "exit_group".equals(type)) && self != null && !self.exited()) {
            processes.put(pid, self.exitedAt(now));
        }
        return enriched;
    }

    private void learn(final long pid, final Event event, final long now) {
        final Long ppid = event.get(StandardFields.PROC_PPID) instanceof Long p ? p : null;
        if (ppid != null && find(ppid, now) == null && event.has(StandardFields.PROC_PNAME)) {
            // The parent's exec happened before we looked; the event says enough to place it.
            processes.put(ppid, new ProcessInfo(ppid, null, text(event, StandardFields.PROC_PNAME),
                    text(event, StandardFields.PROC_PEXE), text(event, StandardFields.PROC_PCMDLINE),
                    null, null, null, now, null));
        }
        final String type = event.getString(StandardFields.EVT_TYPE);
        final boolean exec = ("execve".equals(type) || "execveat".equals(type))
                && !Boolean.TRUE.equals(event.get(StandardFields.EVT_FAILED));
        final ProcessInfo known = find(pid, now);
        if (exec) {
            processes.put(pid, new ProcessInfo(pid, ppid != null ? ppid : known == null ? null : known.ppid(),
                    text(event, StandardFields.PROC_NAME), text(event, StandardFields.PROC_EXE),
                    text(event, StandardFields.PROC_CMDLINE), text(event, StandardFields.PROC_ARGS),
                    text(event, StandardFields.PROC_CWD), text(event, StandardFields.USER_NAME), now, null));
        } else if (known == null) {
            // A fork without exec: the child runs its parent's program until it execs.
            final ProcessInfo parent = ppid == null ? null : find(ppid, now);
            processes.put(pid, new ProcessInfo(pid, ppid,
                    first(text(event, StandardFields.PROC_NAME), parent == null ? null : parent.name()),
                    first(text(event, StandardFields.PROC_EXE), parent == null ? null : parent.exe()),
                    first(text(event, StandardFields.PROC_CMDLINE), parent == null ? null : parent.cmdline()),
                    first(text(event, StandardFields.PROC_ARGS), parent == null ? null : parent.args()),
                    first(text(event, StandardFields.PROC_CWD), parent == null ? null : parent.cwd()),
                    first(text(event, StandardFields.USER_NAME), parent == null ? null : parent.user()),
                    now, null));
        } else if (known.ppid() == null && ppid != null) {
            processes.put(pid, known.withPpid(ppid));
        }
    }

    private Event enrich(final Event event, final long ppid, final long now) {
        final List<Ancestry.Ancestor> ancestors = new ArrayList<>();
        Long next = ppid;
        while (next != null && ancestors.size() < maxDepth) {
            final long pid = next;
            if (contains(ancestors, pid)) {
                break; // a loop in stale data; what came before it is still right
            }
            final ProcessInfo info = find(pid, now);
            if (info == null) {
                // The pid is known from the child even when the process itself is not.
                ancestors.add(new Ancestry.Ancestor(pid, null, null, null));
                break;
            }
            ancestors.add(new Ancestry.Ancestor(pid, info.name(), info.exe(), info.cmdline()));
            next = info.ppid();
        }
        final Ancestry.Ancestor parent = ancestors.get(0);
        final Event.Builder builder = event.toBuilder().ancestry(new Ancestry(ancestors));
        fill(builder, StandardFields.PROC_PPID, ppid);
        fill(builder, StandardFields.PROC_PNAME, parent.name());
        fill(builder, StandardFields.PROC_PCMDLINE, parent.cmdline());
        fill(builder, StandardFields.PROC_PEXE, parent.exe());
        if (parent.exe() != null && parent.exe().startsWith("/")) {
            fill(builder, StandardFields.PROC_PEXEPATH, parent.exe());
        }
        return builder.build();
    }

    private static boolean contains(final List<Ancestry.Ancestor> ancestors, final long pid) {
        // a plain loop: this runs for every ancestor of every event, where a stream's setup shows
        for (int i = 0; i < ancestors.size(); i++) {
            if (ancestors.get(i).pid() == pid) {
                return true;
            }
        }
        return false;
    }

    private static void fill(final Event.Builder builder, final Field field, final Object value) {
        if (value != null && !builder.has(field)) {
            builder.set(field, value);
        }
    }

    private static String text(final Event event, final Field field) {
        final String value = event.getString(field);
        return value == null || value.length() <= MAX_TEXT ? value : value.substring(0, MAX_TEXT);
    }

    private static String first(final String own, final String inherited) {
        return own != null ? own : inherited;
    }

    @Override
    public String toString() {
        return "ProcessTree[" + processes.size() + "/" + maxEntries + "]";
    }
}
