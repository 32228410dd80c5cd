package dev.peregrine.collector.proctree;

import dev.peregrine.collector.event.Event;
import dev.peregrine.collector.event.StandardFields;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One {@link ProcessTree} per host, or per sandbox/container on a host when the event names
 * one ({@code host.name} + {@code sandbox.id}, else {@code container.id}), in bounded memory:
 * at most {@code maxTrees} trees (the least recently used dropped whole), each of at most
 * {@code maxEntriesPerTree} processes, and at most {@code maxEntriesTotal} processes in all.
 *
 * <p>Memory: an entry is a few hundred bytes for a typical process, at most a few KB (text
 * fields are cut to {@value ProcessTree#MAX_TEXT} characters), so the defaults hold tens of MB
 * typically and stay under a few hundred MB at worst.
 *
 * <p>The one owner of process-tree state; thread-safe, so several sources may share it.
 */
public final class ProcessTrees {

    /** Default most processes per tree. */
    public static final int DEFAULT_MAX_ENTRIES_PER_TREE = 65_536;
    /** Default most trees (hosts × sandboxes). */
    public static final int DEFAULT_MAX_TREES = 1_024;
    /** Default most processes over all trees. */
    public static final int DEFAULT_MAX_ENTRIES_TOTAL = 131_072;
    /** Default time an exited process stays resolvable, for children reported after its exit. */
    public static final Duration DEFAULT_EXITED_GRACE = Duration.ofSeconds(30);
    /** Default most ancestors given to an event. */
    public static final int DEFAULT_MAX_DEPTH = 32;

    private final int maxTrees;
    private final int maxEntriesPerTree;
    private final int maxEntriesTotal;
    private final long exitedGraceNanos;
    private final int maxDepth;
    private final LinkedHashMap<String, ProcessTree> trees = new LinkedHashMap<>(16, 0.75f, true);
    private long total;

    /**
     * @param maxTrees          most trees, at least 1
     * @param maxEntriesPerTree most processes per tree, at least 1
     * @param maxEntriesTotal   most processes over all trees, at least {@code maxEntriesPerTree}
     * @param exitedGrace       how long (event time) an exited process stays resolvable
     * @param maxDepth          most ancestors given to an event, at least 1
     */
    public ProcessTrees(final int maxTrees, final int maxEntriesPerTree, final int maxEntriesTotal,
                        final Duration exitedGrace, final int maxDepth) {
        if (maxTrees < 1 || maxEntriesPerTree < 1 || maxEntriesTotal < maxEntriesPerTree || maxDepth < 1
                || exitedGrace.isNegative()) {
            throw new IllegalArgumentException("process tree bounds must be positive, with the total at least the"
                    + " per-tree maximum: maxTrees=" + maxTrees + ", maxEntriesPerTree=" + maxEntriesPerTree
                    + ", maxEntriesTotal=" + maxEntriesTotal + ", maxDepth=" + maxDepth + ", exitedGrace=" + exitedGrace);
        }
        this.maxTrees = maxTrees;
        this.maxEntriesPerTree = maxEntriesPerTree;
        this.maxEntriesTotal = maxEntriesTotal;
        this.exitedGraceNanos = exitedGrace.toNanos();
        this.maxDepth = maxDepth;
    }

    /** Trees with the default bounds. */
    public static ProcessTrees withDefaults() {
        return new ProcessTrees(DEFAULT_MAX_TREES, DEFAULT_MAX_ENTRIES_PER_TREE, DEFAULT_MAX_ENTRIES_TOTAL,
                DEFAULT_EXITED_GRACE, DEFAULT_MAX_DEPTH);
    }

    /** Learns from {@code event} and returns it enriched from its tree, see {@link ProcessTree#apply}. */
    public synchronized Event enrich(final Event event) {
        if (!event.has(StandardFields.PROC_PID)) {
            return event;
        }
        final String key = key(event);
        ProcessTree tree = trees.get(key);
        if (tree == null) {
            tree = new ProcessTree(maxEntriesPerTree, exitedGraceNanos, maxDepth);
            trees.put(key, tree);
        }
        final int before = tree.size();
        final Event enriched = tree.apply(event);
        total += tree.size() - before;
        evictTrees(tree);
        return enriched;
    }

    /** Number of trees held. */
    public synchronized int treeCount() {
        return trees.size();
    }

    /** Number of processes held over all trees. */
    public synchronized long size() {
        return total;
    }

    /**
     * The tree of host {@code host} and sandbox or container {@code scope} ({@code null}: the
     * host's own), or {@code null}; for inspection — events go through {@link #enrich}.
     */
    public synchronized ProcessTree tree(final String host, final String scope) {
        return trees.get(key(host, scope));
    }

    /** Drops least recently used trees, never {@code current}, until both bounds hold. */
    private void evictTrees(final ProcessTree current) {
        final Iterator<Map.Entry<String, ProcessTree>> eldest = trees.entrySet().iterator();
        while ((trees.size() > maxTrees || total > maxEntriesTotal) && eldest.hasNext()) {
            final ProcessTree tree = eldest.next().getValue();
            if (tree != current) {
                total -= tree.size();
                eldest.remove();
            }
        }
    }

    private static String key(final Event event) {
        final String scope = event.getString(StandardFields.SANDBOX_ID);
        return key(event.getString(StandardFields.HOST_NAME),
                scope != null ? scope : event.getString(StandardFields.CONTAINER_ID));
    }

    private static String key(final String host, final String scope) {
        return (host == null ? "" : host) + '\u0000' + (scope == null ? "" : scope);
    }
}
