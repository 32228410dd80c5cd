package dev.peregrine.engine.slopsquat;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * Registry knowledge from offline snapshots: the gzip'd TSV files that
 * {@code rules-engine/scripts/build-package-intel.py} writes (see
 * {@code peregrine/slopsquat/SOURCE.md}). Immutable once loaded, so thread-safe.
 *
 * <p>Popular: for PyPI, ranked among the 15,000 most downloaded; for npm, in the high-impact
 * list or at least {@value #NPM_POPULAR_DOWNLOADS} downloads a month. The typosquat targets are
 * the {@code targets} most popular names of each ecosystem.
 */
public final class SnapshotPackageIntel implements PackageIntel {

    /** Classpath folder of the shipped snapshots. */
    public static final String RESOURCE_DIR = "/peregrine/slopsquat/";
    /**
     * How many of the most popular PyPI names typosquats are matched against by default (rank
     * 5000 is still tens of millions of downloads a month).
     */
    public static final int DEFAULT_PYPI_TARGETS = 5000;
    /** The same for npm, whose top is larger (the 10,000th package has about 3M downloads a month). */
    public static final int DEFAULT_NPM_TARGETS = 10_000;

    static final long NPM_POPULAR_DOWNLOADS = 100_000;

    private final Map<Ecosystem, Snapshot> snapshots;

    private SnapshotPackageIntel(final Map<Ecosystem, Snapshot> snapshots) {
        this.snapshots = snapshots;
    }

    /** Loads the snapshots shipped on the classpath (PyPI and npm). */
    public static SnapshotPackageIntel loadShipped() {
        return loadShipped(DEFAULT_PYPI_TARGETS, DEFAULT_NPM_TARGETS);
    }

    /** Loads the shipped snapshots, keeping that many popular names per ecosystem as typosquat targets. */
    public static SnapshotPackageIntel loadShipped(final int pypiTargets, final int npmTargets) {
        final Map<Ecosystem, Snapshot> snapshots = new EnumMap<>(Ecosystem.class);
        for (final Ecosystem ecosystem : List.of(Ecosystem.PYPI, Ecosystem.NPM)) {
            final String resource = RESOURCE_DIR + ecosystem.id() + ".tsv.gz";
            try (InputStream in = SnapshotPackageIntel.class.getResourceAsStream(resource)) {
                if (in == null) {
                    throw new IllegalStateException("snapshot " + resource + " is not on the classpath");
                }
                snapshots.put(ecosystem, read(ecosystem, in, resource,
                        ecosystem == Ecosystem.PYPI ? pypiTargets : npmTargets));
            } catch (final IOException e) {
                throw new UncheckedIOException("cannot read snapshot " + resource, e);
            }
        }
        return new SnapshotPackageIntel(snapshots);
    }

    /** Loads snapshots from streams of the same format, e.g. newer ones a deployment built itself. */
    public static SnapshotPackageIntel load(final Map<Ecosystem, InputStream> gzipStreams, final int targets) throws IOException {
        final Map<Ecosystem, Snapshot> snapshots = new EnumMap<>(Ecosystem.class);
        for (final Map.Entry<Ecosystem, InputStream> entry : gzipStreams.entrySet()) {
            snapshots.put(entry.getKey(), read(entry.getKey(), entry.getValue(), entry.getKey().id(), targets));
        }
        return new SnapshotPackageIntel(snapshots);
    }

    @Override
    public PackageFacts lookup(final Ecosystem ecosystem, final String normalizedName) {
        final Snapshot snapshot = snapshots.get(ecosystem);
        return snapshot == null ? PackageFacts.unknown(ecosystem, normalizedName) : snapshot.lookup(normalizedName);
    }

    @Override
    public List<PopularPackage> popular(final Ecosystem ecosystem) {
        final Snapshot snapshot = snapshots.get(ecosystem);
        return snapshot == null ? List.of() : snapshot.targets;
    }

    /** The snapshot of {@code ecosystem}, or {@code null}. */
    public SnapshotInfo info(final Ecosystem ecosystem) {
        final Snapshot snapshot = snapshots.get(ecosystem);
        return snapshot == null ? null : snapshot.info;
    }

    /** Approximate bytes the loaded name data holds, for the heap budget. */
    public long sizeInBytes() {
        long total = 0;
        for (final Snapshot snapshot : snapshots.values()) {
            total += snapshot.names.sizeInBytes() + 8L * snapshot.popularityOrdinals.length
                    + (snapshot.young.size() + snapshot.highImpact.size()) / 8;
        }
        return total;
    }

    /** One ecosystem's data: names, sparse popularity, flags. */
    private static final class Snapshot {
        final SnapshotInfo info;
        final SortedNames names;
        final int[] popularityOrdinals;
        final int[] popularity; // unsigned: npm's top counts exceed 2^31
        final BitSet young;
        final BitSet highImpact;
        final List<PopularPackage> targets;
        final Map<String, Integer> targetRanks;

        Snapshot(final SnapshotInfo info, final SortedNames names, final int[] popularityOrdinals, final int[] popularity,
                 final BitSet young, final BitSet highImpact, final List<PopularPackage> targets) {
            this.info = info;
            this.names = names;
            this.popularityOrdinals = popularityOrdinals;
            this.popularity = popularity;
            this.young = young;
            this.highImpact = highImpact;
            this.targets = targets;
            final Map<String, Integer> ranks = new java.util.HashMap<>();
            for (final PopularPackage target : targets) {
                ranks.put(target.name(), target.rank());
            }
            this.targetRanks = ranks;
        }

        PackageFacts lookup(final String name) {
            final int ordinal = names.indexOf(name);
            if (ordinal < 0) {
                return new PackageFacts(info.ecosystem(), name, info.complete() ? Presence.ABSENT : Presence.NOT_LISTED,
                        0, -1, false, false, info);
            }
            final int slot = Arrays.binarySearch(popularityOrdinals, ordinal);
            final long value = slot < 0 ? -1 : Integer.toUnsignedLong(popularity[slot]);
            if (info.ecosystem() == Ecosystem.PYPI) {
                final long rank = Math.max(value, 0);
                return new PackageFacts(Ecosystem.PYPI, name, Presence.LISTED, rank, -1, rank > 0,
                        young.get(ordinal), info);
            }
            final boolean popular = highImpact.get(ordinal) || value >= NPM_POPULAR_DOWNLOADS;
            return new PackageFacts(info.ecosystem(), name, Presence.LISTED, targetRanks.getOrDefault(name, 0), value,
                    popular, young.get(ordinal), info);
        }
    }

    private static Snapshot read(final Ecosystem ecosystem, final InputStream gzip, final String origin,
                                 final int targetCount) throws IOException {
        // Lines are parsed as bytes: a million names never become a million Strings.
        final InputStream in = new GZIPInputStream(gzip, 1 << 16);
        final SortedNames.Builder names = new SortedNames.Builder();
        int[] ordinals = new int[1024];
        long[] values = new long[1024];
        int valued = 0;
        final BitSet young = new BitSet();
        final BitSet highImpact = new BitSet();
        String date = "";
        String source = "";
        boolean complete = false;
        int lineNumber = 0;
        int ordinal = 0;
        byte[] buf = new byte[1 << 16];
        int start = 0;
        int end = 0;
        boolean eof = false;
        while (true) {
            int newline = -1;
            for (int i = start; i < end; i++) {
                if (buf[i] == '\n') {
                    newline = i;
                    break;
                }
            }
            if (newline < 0) {
                if (eof) {
                    if (start == end) {
                        break;
                    }
                    newline = end; // a last line without its newline
                } else {
                    if (start > 0) {
                        System.arraycopy(buf, start, buf, 0, end - start);
                        end -= start;
                        start = 0;
                    }
                    if (end == buf.length) {
                        buf = Arrays.copyOf(buf, buf.length * 2);
                    }
                    final int read = in.read(buf, end, buf.length - end);
                    if (read < 0) {
                        eof = true;
                    } else {
                        end += read;
                    }
                    continue;
                }
            }
            lineNumber++;
            final int lineStart = start;
            start = Math.min(newline + 1, end);
            if (newline > lineStart && buf[lineStart] == '#') {
                final String header = new String(buf, lineStart, newline - lineStart, StandardCharsets.UTF_8);
                if (header.startsWith("# snapshot: ")) {
                    date = header.substring(12).trim();
                } else if (header.startsWith("# coverage: ")) {
                    complete = header.substring(12).startsWith("complete");
                } else if (header.startsWith("# source: ")) {
                    source = header.substring(10).trim();
                }
                continue;
            }
            final int tab1 = indexOf(buf, (byte) '\t', lineStart, newline);
            final int tab2 = tab1 < 0 ? -1 : indexOf(buf, (byte) '\t', tab1 + 1, newline);
            if (tab2 < 0 || indexOf(buf, (byte) '\t', tab2 + 1, newline) >= 0) {
                throw new IllegalStateException(origin + ":" + lineNumber + ": expected 3 tab-separated columns");
            }
            try {
                names.add(buf, lineStart, tab1 - lineStart);
            } catch (final IllegalArgumentException e) {
                throw new IllegalStateException(origin + ":" + lineNumber + ": " + e.getMessage(), e);
            }
            if (tab2 > tab1 + 1) {
                if (valued == ordinals.length) {
                    ordinals = Arrays.copyOf(ordinals, valued * 2);
                    values = Arrays.copyOf(values, valued * 2);
                }
                values[valued] = parseCount(buf, tab1 + 1, tab2, origin, lineNumber);
                ordinals[valued++] = ordinal;
            }
            for (int i = tab2 + 1; i < newline; i++) {
                if (buf[i] == 'y') {
                    young.set(ordinal);
                } else if (buf[i] == 'h') {
                    highImpact.set(ordinal);
                }
            }
            ordinal++;
        }
        final SortedNames built = names.build();
        final SnapshotInfo info = new SnapshotInfo(ecosystem, date, complete, source, built.size());
        final int[] keptOrdinals = Arrays.copyOf(ordinals, valued);
        final long[] keptValues = Arrays.copyOf(values, valued);
        final List<PopularPackage> targets = targets(ecosystem, built, keptOrdinals, keptValues, targetCount, origin);
        final int[] packed = new int[valued];
        for (int i = 0; i < valued; i++) {
            packed[i] = (int) Math.min(keptValues[i], 0xFFFF_FFFFL);
        }
        return new Snapshot(info, built, keptOrdinals, packed, young, highImpact, targets);
    }

    private static int indexOf(final byte[] buf, final byte b, final int from, final int to) {
        for (int i = from; i < to; i++) {
            if (buf[i] == b) {
                return i;
            }
        }
        return -1;
    }

    private static long parseCount(final byte[] buf, final int from, final int to, final String origin, final int line) {
        long value = 0;
        for (int i = from; i < to; i++) {
            final int digit = buf[i] - '0';
            if (digit < 0 || digit > 9 || value > Long.MAX_VALUE / 10) {
                throw new IllegalStateException(origin + ":" + line + ": popularity is not a number: "
                        + new String(buf, from, to - from, StandardCharsets.UTF_8));
            }
            value = value * 10 + digit;
        }
        return value;
    }

    /** The most popular names, re-read by ordinal: PyPI by rank, npm by downloads. */
    private static List<PopularPackage> targets(final Ecosystem ecosystem, final SortedNames names, final int[] ordinals,
                                                final long[] values, final int count, final String origin) {
        final Integer[] order = new Integer[ordinals.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        final Comparator<Integer> byPopularity = ecosystem == Ecosystem.PYPI
                ? Comparator.comparingLong(i -> values[i])
                : Comparator.comparingLong(i -> -values[i]);
        Arrays.sort(order, byPopularity);
        final int keep = Math.min(count, order.length);
        final BitSet wanted = new BitSet();
        for (int i = 0; i < keep; i++) {
            wanted.set(ordinals[order[i]]);
        }
        final Map<Integer, String> byOrdinal = names.namesAt(wanted);
        final List<PopularPackage> targets = new ArrayList<>(keep);
        for (int i = 0; i < keep; i++) {
            final String name = byOrdinal.get(ordinals[order[i]]);
            if (name == null) {
                throw new IllegalStateException(origin + ": popular ordinal " + ordinals[order[i]] + " has no name");
            }
            targets.add(new PopularPackage(name, i + 1, ecosystem == Ecosystem.PYPI ? -1 : values[order[i]]));
        }
        return List.copyOf(targets);
    }
}
