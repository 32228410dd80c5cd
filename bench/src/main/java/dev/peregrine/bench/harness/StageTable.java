package dev.peregrine.bench.harness;

import java.io.PrintWriter;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.OptionalDouble;

/** The table every bench stage is printed in, and the collector time its rows report. */
final class StageTable {

    private StageTable() {
    }

    /**
     * Prints {@code rows} to {@code out}; "vs (1)" is each rate over {@code ceiling} (stage 1's),
     * blank without it. {@code setting} ends the machine line (e.g. where the broker was), or is empty.
     */
    static void print(final PrintWriter out, final List<StageResult> rows, final OptionalDouble ceiling,
                      final String setting) {
        out.println();
        out.printf("%-3s %-55s %12s %14s %8s %9s %8s  %s%n", "#", "stage", "events", "events/s", "vs (1)", "heap MB",
                "GC ms", "notes");
        for (final StageResult row : rows) {
            out.printf("%-3s %-55s %,12d %,14.0f %8s %9.0f %8d  %s%n", row.id(), row.name(), row.events(),
                    row.eventsPerSecond(), ceiling.isPresent()
                            ? String.format("%.2f", row.eventsPerSecond() / ceiling.getAsDouble()) : "",
                    row.heapUsedBytes() / 1048576.0, row.gcMillis(), row.note());
        }
        out.printf("JVM %s, %d cores available, max heap %d MB%s%n", System.getProperty("java.version"),
                Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20, setting);
        out.flush();
    }

    /** Milliseconds the JVM's collectors have reported so far. */
    static long gcMillis() {
        long total = 0;
        for (final GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            total += Math.max(0, gc.getCollectionTime());
        }
        return total;
    }
}
