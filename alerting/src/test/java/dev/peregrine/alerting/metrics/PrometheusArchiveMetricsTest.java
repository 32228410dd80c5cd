package dev.peregrine.alerting.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.peregrine.alerting.archive.ArchiveConfig;
import dev.peregrine.alerting.archive.HourlyFileArchive;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PrometheusArchiveMetricsTest {

    /** 2026-11-27T12:00:00Z. */
    private static final long NOON = 1_795_780_800_000_000_000L;
    private static final long HOUR = 3_600_000_000_000L;

    @Test
    void theScrapePageShowsArchivedRepairedRefusedEventsAndCompletedFiles(@TempDir final Path dir)
            throws IOException {
        final PrometheusRegistry registry = new PrometheusRegistry();
        try (HourlyFileArchive archive = HourlyFileArchive.open(ArchiveConfig.in(dir))) {
            PrometheusArchiveMetrics.register(registry, archive);
            archive.append(NOON, "{\"evt.num\":1}");
            archive.append(NOON, "{\"evt.num\":\n2}");
            archive.append(NOON, "");
            archive.advanceTo(NOON + 2 * HOUR);

            final ByteArrayOutputStream out = new ByteArrayOutputStream();
            PrometheusTextFormatWriter.create().write(out, registry.scrape());
            assertThat(out.toString(StandardCharsets.UTF_8)).contains(
                    "peregrine_archive_events_total 2.0",
                    "peregrine_archive_events_repaired_total 1.0",
                    "peregrine_archive_events_refused_total 1.0",
                    "peregrine_archive_files_completed_total 1.0",
                    "peregrine_archive_incomplete_files 0.0");
        }
    }
}
