package dev.peregrine.bench.collector;

import dev.peregrine.collector.deadletter.Rejection;
import dev.peregrine.collector.event.Event;
import dev.peregrine.collector.ndjson.NdjsonSource;
import dev.peregrine.collector.source.SourceListener;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Stage 1 of {@code peregrine bench} (an NDJSON file through {@link NdjsonSource} into events,
 * nothing else) repeated, reporting events per second of wall time and of the reading thread's
 * CPU time. The CPU-time figure is the one to compare on a shared machine: other processes
 * stretch wall time, not the thread's own CPU time.
 *
 * <p>{@code java -cp bench/target/benchmarks.jar dev.peregrine.bench.collector.ParseOnlyThroughput
 * mix.ndjson [passes]}; the mix comes from {@code peregrine bench --out DIR}.
 */
public final class ParseOnlyThroughput {

    private ParseOnlyThroughput() {
    }

    /** Reads {@code args[0]} {@code args[1]} times (default 5) after one warm-up pass and prints each pass and the median. */
    public static void main(final String[] args) throws IOException {
        final Path file = Path.of(args[0]);
        final int passes = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        pass(file);
        final double[] cpuRates = new double[passes];
        for (int i = 0; i < passes; i++) {
            final long wall0 = System.nanoTime();
            final long cpu0 = threads.getCurrentThreadCpuTime();
            final long[] counts = pass(file);
            final long cpu = threads.getCurrentThreadCpuTime() - cpu0;
            final long wall = System.nanoTime() - wall0;
            cpuRates[i] = counts[0] * 1e9 / cpu;
            System.out.printf("pass %d: %,d events, %,d rejected, %,.0f events/s wall, %,.0f events/s of CPU%n",
                    i + 1, counts[0], counts[1], counts[0] * 1e9 / wall, cpuRates[i]);
        }
        Arrays.sort(cpuRates);
        System.out.printf("median: %,.0f events per CPU-second%n", cpuRates[passes / 2]);
    }

    private static long[] pass(final Path file) throws IOException {
        final long[] counts = new long[2];
        try (NdjsonSource source = NdjsonSource.file(file)) {
            source.read(new SourceListener() {
                @Override
                public void onEvent(final Event event) {
                    counts[0]++;
                }

                @Override
                public void onRejected(final Rejection rejection) {
                    counts[1]++;
                }
            });
        }
        return counts;
    }
}
