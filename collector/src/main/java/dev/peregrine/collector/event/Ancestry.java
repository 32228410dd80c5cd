package dev.peregrine.collector.event;

import java.util.ArrayList;
import java.util.List;

/**
 * The ancestors of an event's process, nearest first: {@link #get(int) get(1)} is the parent,
 * {@code get(2)} the grandparent, as Falco's {@code proc.aname[N]}/{@code proc.apid[N]} count.
 * Known only as far as a process tree could resolve it; a shorter list means the rest is unknown.
 *
 * @param ancestors nearest first
 */
public record Ancestry(List<Ancestor> ancestors) {

    /** No known ancestor. */
    public static final Ancestry NONE = new Ancestry(List.of());

    public Ancestry {
        ancestors = List.copyOf(ancestors);
    }

    /**
     * One ancestor process, as the tree last knew it.
     *
     * @param pid     process id
     * @param name    process name, or {@code null}
     * @param exe     executable path, or {@code null}
     * @param cmdline name and arguments, or {@code null}
     */
    public record Ancestor(long pid, String name, String exe, String cmdline) {
    }

    /** Number of known ancestors. */
    public int size() {
        return ancestors.size();
    }

    /** The {@code n}-th ancestor (1 = parent), or {@code null} when unknown or {@code n < 1}. */
    public Ancestor get(final int n) {
        return n >= 1 && n <= ancestors.size() ? ancestors.get(n - 1) : null;
    }

    /** The known ancestors' names, nearest first, unknown names left out. */
    public List<String> names() {
        final List<String> names = new ArrayList<>(ancestors.size());
        for (final Ancestor ancestor : ancestors) {
            if (ancestor.name() != null) {
                names.add(ancestor.name());
            }
        }
        return names;
    }

    /** Whether no ancestor is known. */
    public boolean isEmpty() {
        return ancestors.isEmpty();
    }
}
