package dev.peregrine.engine.slopsquat;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Finds the popular package a name is closest to, among thousands of targets, in a few
 * microseconds.
 *
 * <p>Edit distance uses symmetric deletion (as SymSpell does): every string reachable from a
 * target's first {@value #WINDOW} characters (its head) by up to
 * {@link NameSimilarity#maxDistance} deletions is stored as a 32-bit hash, and a query looks up
 * the hashes of its own head's deletions. Two names within edit distance d share a string
 * reachable by at most d deletions from each head (an edit that shifts a character across the
 * window's end costs one deletion on each side: SymSpell's prefix argument), so every true match
 * is a candidate. Long targets must also match on their last {@value #WINDOW} characters (the
 * same argument, mirrored), which keeps a family sharing one head out of the way; candidates
 * are then confirmed with the real distance (hash collisions cost a check, never a false
 * match). Separator, affix, homoglyph and word-order look-alikes are exact lookups of each
 * target's canonical keys. Immutable apart from per-thread scratch memory, so thread-safe.
 */
final class TyposquatIndex {

    private static final int WINDOW = 10;

    private final List<PopularPackage> targets;
    private final LookalikeKeys lookalikes;
    private final DeletionTable heads;
    private final DeletionTable tails;
    private final ThreadLocal<Scratch> scratch;

    TyposquatIndex(final List<PopularPackage> targets) {
        this.targets = List.copyOf(targets);
        this.lookalikes = new LookalikeKeys(this.targets);
        this.scratch = ThreadLocal.withInitial(() -> new Scratch(this.targets.size()));
        // two passes (count, then fill) so that building never holds the hashes twice
        final int[] headCounts = new int[this.targets.size()];
        final int[] tailCounts = new int[this.targets.size()];
        for (int index = 0; index < this.targets.size(); index++) {
            final String name = this.targets.get(index).name();
            final int limit = NameSimilarity.maxDistance(name.length());
            headCounts[index] = deletionHashes(head(name), limit).length;
            tailCounts[index] = name.length() > WINDOW ? deletionHashes(tail(name), limit).length : 0;
        }
        this.heads = new DeletionTable(headCounts, index -> deletionHashes(head(this.targets.get(index).name()),
                NameSimilarity.maxDistance(this.targets.get(index).name().length())));
        this.tails = new DeletionTable(tailCounts, index -> deletionHashes(tail(this.targets.get(index).name()),
                NameSimilarity.maxDistance(this.targets.get(index).name().length())));
    }

    /** How many deletion hashes the index holds (memory is 8 bytes each). */
    int deletionCount() {
        return heads.entries.length + tails.entries.length;
    }

    /** The popular name {@code name} imitates, if any; a target never imitates itself. */
    Optional<SimilarName> closest(final String name) {
        final Optional<SimilarName> lookalike = lookalike(name);
        if (lookalike.isPresent()) {
            return lookalike;
        }
        return nearestByEdits(name);
    }

    private Optional<SimilarName> lookalike(final String name) {
        final String plain = NameSimilarity.withoutSeparators(name);
        for (final String key : keys(name)) {
            final int index = lookalikes.find(key);
            if (index < 0) {
                continue;
            }
            final PopularPackage target = targets.get(index);
            if (!keys(target.name()).contains(key)) {
                continue; // a 64-bit hash collision
            }
            if (target.name().equals(name)) {
                return Optional.empty();
            }
            final String technique;
            if (key.startsWith("w:")) {
                technique = "word order";
            } else if (plain.equals(NameSimilarity.withoutSeparators(target.name()))) {
                technique = "separator";
            } else if (isHomoglyph(plain, target.name())) {
                technique = "homoglyph";
            } else {
                technique = "affix";
            }
            final int distance = NameSimilarity.distance(name, target.name(), 64);
            return Optional.of(new SimilarName(target, distance, technique));
        }
        return Optional.empty();
    }

    private static boolean isHomoglyph(final String plain, final String target) {
        final String targetPlain = NameSimilarity.withoutSeparators(target);
        return !plain.equals(targetPlain) && NameSimilarity.skeleton(plain).equals(NameSimilarity.skeleton(targetPlain));
    }

    private Optional<SimilarName> nearestByEdits(final String name) {
        final int queryDeletions = name.length() >= 7 ? 2 : name.length() >= 4 ? 1 : 0;
        if (queryDeletions == 0 || targets.isEmpty()) {
            return Optional.empty();
        }
        // Short targets are confirmed by their head alone; long ones must also share a tail
        // deletion, which keeps the many targets with one common head (google-cloud-…) out.
        final Best best = new Best();
        final Scratch marks = scratch.get();
        final int stamp = marks.next();
        final boolean[] anyLong = {false};
        final String head = head(name);
        final java.util.function.IntConsumer headVisitor = index -> {
            if (marks.head[index] == stamp) {
                return; // a family of targets with one head shares every deletion of it
            }
            marks.head[index] = stamp;
            final String target = targets.get(index).name();
            if (target.length() <= WINDOW) {
                best.consider(name, index, target);
            } else {
                anyLong[0] = true;
            }
        };
        heads.forEachTarget(allDeletionHashes(head, Math.min(queryDeletions, 1)), headVisitor);
        if (queryDeletions == 2) {
            // two deletions from the query only ever pair with targets allowed two edits
            heads.forEachTarget(twoDeletionHashes(head), index -> {
                if (NameSimilarity.maxDistance(targets.get(index).name().length()) == 2) {
                    headVisitor.accept(index);
                }
            });
        }
        if (anyLong[0] && name.length() > WINDOW - queryDeletions) {
            tails.forEachTarget(allDeletionHashes(tail(name), queryDeletions), index -> {
                if (marks.head[index] == stamp && marks.tail[index] != stamp) {
                    marks.tail[index] = stamp;
                    best.consider(name, index, targets.get(index).name());
                }
            });
        }
        return best.index < 0 ? Optional.empty()
                : Optional.of(new SimilarName(targets.get(best.index), best.distance, "edit distance"));
    }

    /** The closest target so far: least distance, then most popular. */
    private static final class Best {
        int index = -1;
        int distance = Integer.MAX_VALUE;

        void consider(final String name, final int candidate, final String target) {
            if (index >= 0 && (distance < 1 || distance == 1 && candidate > index) || target.equals(name)) {
                return;
            }
            final int limit = NameSimilarity.maxDistance(target.length());
            final int found = NameSimilarity.distance(name, target, limit);
            if (found <= limit && (found < distance || found == distance && candidate < index)) {
                index = candidate;
                distance = found;
            }
        }
    }

    /**
     * Deletion hashes of a window of every target, sorted, as {@code hash << 32 | target}, with
     * a directory on the top bits so a lookup is one jump and a short binary search.
     */
    private static final class DeletionTable {
        private final long[] entries;
        private final int bits;
        private final int[] directory;

        DeletionTable(final int[] counts, final java.util.function.IntFunction<int[]> hashesOf) {
            int count = 0;
            for (final int n : counts) {
                count += n;
            }
            entries = new long[count];
            int next = 0;
            for (int index = 0; index < counts.length; index++) {
                if (counts[index] == 0) {
                    continue;
                }
                for (final int hash : hashesOf.apply(index)) {
                    entries[next++] = ((long) hash << 32) | index;
                }
            }
            Arrays.sort(entries);
            // about eight entries a bucket: a lookup is one jump and a scan of one or two cache lines
            bits = Math.max(8, Math.min(20, 32 - Integer.numberOfLeadingZeros(Math.max(1, count / 8))));
            directory = new int[(1 << bits) + 1];
            int bucket = 0;
            for (int i = 0; i < count; i++) {
                final int top = bucketOf(entries[i], bits);
                while (bucket <= top) {
                    directory[bucket++] = i;
                }
            }
            while (bucket < directory.length) {
                directory[bucket++] = count;
            }
        }

        /** Calls {@code visitor} with every target that shares one of {@code hashes}, repeats included. */
        void forEachTarget(final int[] hashes, final java.util.function.IntConsumer visitor) {
            for (final int hash : hashes) {
                final int top = bucketOf((long) hash << 32, bits);
                final int end = directory[top + 1];
                for (int i = directory[top]; i < end; i++) {
                    if ((int) (entries[i] >> 32) == hash) {
                        visitor.accept((int) entries[i]);
                    }
                }
            }
        }
    }

    /** Per-thread working memory of a lookup: the targets it met by head and by tail, stamped. */
    private static final class Scratch {
        final int[] head;
        final int[] tail;
        private int stamp;

        Scratch(final int targets) {
            head = new int[targets];
            tail = new int[targets];
        }

        int next() {
            if (++stamp == 0) { // wrapped: forget every mark
                Arrays.fill(head, 0);
                Arrays.fill(tail, 0);
                stamp = 1;
            }
            return stamp;
        }
    }

    /** Directory bucket of an entry: its top bits, shifted so that signed order is bucket order. */
    private static int bucketOf(final long entry, final int bits) {
        return (int) (entry >> (64 - bits)) + (1 << (bits - 1));
    }

    private static String head(final String name) {
        return name.length() > WINDOW ? name.substring(0, WINDOW) : name;
    }

    private static String tail(final String name) {
        return name.length() > WINDOW ? name.substring(name.length() - WINDOW) : name;
    }

    /**
     * Look-alike keys of every target as sorted 64-bit hashes with the target they name (the
     * most popular one when several share a key): a twentieth of the heap of a string map.
     * A hit is confirmed against the target's real keys, so a hash collision never matches.
     */
    private static final class LookalikeKeys {
        private final long[] hashes;
        private final int[] indexes;

        LookalikeKeys(final List<PopularPackage> targets) {
            long[] pairsHash = new long[targets.size() * 3];
            int[] pairsIndex = new int[targets.size() * 3];
            int count = 0;
            for (int index = 0; index < targets.size(); index++) {
                for (final String key : keys(targets.get(index).name())) {
                    if (count == pairsHash.length) {
                        pairsHash = Arrays.copyOf(pairsHash, count * 2);
                        pairsIndex = Arrays.copyOf(pairsIndex, count * 2);
                    }
                    pairsHash[count] = hash64(key);
                    pairsIndex[count++] = index;
                }
            }
            final Integer[] order = new Integer[count];
            for (int i = 0; i < count; i++) {
                order[i] = i;
            }
            final long[] h = pairsHash;
            final int[] x = pairsIndex;
            Arrays.sort(order, (a, b) -> h[a] != h[b] ? Long.compare(h[a], h[b]) : Integer.compare(x[a], x[b]));
            final long[] sortedHashes = new long[count];
            final int[] sortedIndexes = new int[count];
            int distinct = 0;
            for (int i = 0; i < count; i++) {
                if (distinct == 0 || sortedHashes[distinct - 1] != h[order[i]]) {
                    sortedHashes[distinct] = h[order[i]];
                    sortedIndexes[distinct++] = x[order[i]]; // lowest index: the most popular
                }
            }
            this.hashes = Arrays.copyOf(sortedHashes, distinct);
            this.indexes = Arrays.copyOf(sortedIndexes, distinct);
        }

        int find(final String key) {
            final int slot = Arrays.binarySearch(hashes, hash64(key));
            return slot < 0 ? -1 : indexes[slot];
        }

        private static long hash64(final String key) {
            long h = 0xcbf29ce484222325L;
            for (int i = 0; i < key.length(); i++) {
                h = (h ^ key.charAt(i)) * 0x100000001b3L;
            }
            return h ^ (h >>> 29);
        }
    }

    /** Canonical look-alike keys: skeleton without separators, sorted words, skeleton of the affix-free core. */
    private static List<String> keys(final String name) {
        final String whole = "s:" + NameSimilarity.skeleton(NameSimilarity.withoutSeparators(name));
        final String core = "s:" + NameSimilarity.skeleton(NameSimilarity.withoutSeparators(NameSimilarity.core(name)));
        final String words = NameSimilarity.sortedWords(name);
        if (words == null) {
            return whole.equals(core) ? List.of(whole) : List.of(whole, core);
        }
        // word order before affixes: the same words reordered is the more specific explanation
        return whole.equals(core) ? List.of(whole, "w:" + words) : List.of(whole, "w:" + words, core);
    }

    /** Hashes of {@code name} with exactly two characters deleted. */
    private static int[] twoDeletionHashes(final String name) {
        final int n = name.length();
        final int[] hashes = new int[n * (n - 1) / 2];
        int count = 0;
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                hashes[count++] = hash(name, i, j);
            }
        }
        return hashes;
    }

    /** Distinct hashes of {@code name} with every choice of up to {@code maxDeletions} (≤ 2) characters deleted. */
    static int[] deletionHashes(final String name, final int maxDeletions) {
        final int[] hashes = allDeletionHashes(name, maxDeletions);
        Arrays.sort(hashes);
        int distinct = 0;
        for (int i = 0; i < hashes.length; i++) {
            if (i == 0 || hashes[i] != hashes[i - 1]) {
                hashes[distinct++] = hashes[i];
            }
        }
        return Arrays.copyOf(hashes, distinct);
    }

    /** The same with repeats (a query needs no dedupe: the target set dedupes). */
    private static int[] allDeletionHashes(final String name, final int maxDeletions) {
        final int n = name.length();
        final int[] hashes = new int[1 + (maxDeletions >= 1 ? n : 0) + (maxDeletions >= 2 ? n * (n - 1) / 2 : 0)];
        int count = 0;
        hashes[count++] = hash(name, -1, -1);
        if (maxDeletions >= 1) {
            for (int i = 0; i < n; i++) {
                hashes[count++] = hash(name, i, -1);
                if (maxDeletions >= 2) {
                    for (int j = i + 1; j < n; j++) {
                        hashes[count++] = hash(name, i, j);
                    }
                }
            }
        }
        return count == hashes.length ? hashes : Arrays.copyOf(hashes, count);
    }

    /** FNV-1a of the name without the characters at {@code skip1} and {@code skip2}, then a final mix. */
    private static int hash(final String name, final int skip1, final int skip2) {
        int h = 0x811C9DC5;
        int length = 0;
        for (int i = 0; i < name.length(); i++) {
            if (i == skip1 || i == skip2) {
                continue;
            }
            h = (h ^ name.charAt(i)) * 0x01000193;
            length++;
        }
        h ^= length;
        h ^= h >>> 16;
        h *= 0x85EBCA6B;
        h ^= h >>> 13;
        h *= 0xC2B2AE35;
        h ^= h >>> 16;
        return h;
    }
}
