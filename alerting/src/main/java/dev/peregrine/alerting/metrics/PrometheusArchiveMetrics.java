package dev.peregrine.alerting.metrics;

import dev.peregrine.alerting.archive.HourlyFileArchive;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * The event archive's counters in a Prometheus registry, read from the archive at scrape time:
 * <ul>
 *   <li>{@code peregrine_archive_events_total} — events written to archive files;</li>
 *   <li>{@code peregrine_archive_events_repaired_total} — of those, lines whose line breaks became spaces;</li>
 *   <li>{@code peregrine_archive_events_refused_total} — blank lines refused;</li>
 *   <li>{@code peregrine_archive_files_completed_total} — files completed and renamed for shipping;</li>
 *   <li>{@code peregrine_archive_incomplete_files} — {@code .partial} files an earlier crash left.</li>
 * </ul>
 */
public final class PrometheusArchiveMetrics {

    private PrometheusArchiveMetrics() {
    }

    /** Registers the metrics of {@code archive} in {@code registry}. */
    public static void register(final PrometheusRegistry registry, final HourlyFileArchive archive) {
        CounterWithCallback.builder().name("peregrine_archive_events")
                .help("Events written to the event archive")
                .callback(callback -> callback.call(archive.events())).register(registry);
        CounterWithCallback.builder().name("peregrine_archive_events_repaired")
                .help("Archived event lines whose line breaks were turned into spaces")
                .callback(callback -> callback.call(archive.repaired())).register(registry);
        CounterWithCallback.builder().name("peregrine_archive_events_refused")
                .help("Blank event lines the archive refused")
                .callback(callback -> callback.call(archive.refused())).register(registry);
        CounterWithCallback.builder().name("peregrine_archive_files_completed")
                .help("Archive files completed (gzip trailer written, renamed from .partial)")
                .callback(callback -> callback.call(archive.filesCompleted())).register(registry);
        GaugeWithCallback.builder().name("peregrine_archive_incomplete_files")
                .help("Archive files an earlier run left incomplete (.partial), found at start")
                .callback(callback -> callback.call(archive.leftoverPartials())).register(registry);
    }
}
