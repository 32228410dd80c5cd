package dev.peregrine.app;

import dev.peregrine.alerting.AlertSink;
import dev.peregrine.alerting.dedup.DedupConfig;
import dev.peregrine.alerting.syslog.SyslogCefSink;
import dev.peregrine.alerting.syslog.SyslogConfig;
import dev.peregrine.alerting.syslog.SyslogTransport;
import dev.peregrine.alerting.webhook.WebhookConfig;
import dev.peregrine.alerting.webhook.WebhookFormat;
import dev.peregrine.alerting.webhook.WebhookSink;
import dev.peregrine.alerting.console.ConsoleFormat;
import dev.peregrine.alerting.elasticsearch.ElasticsearchConfig;
import dev.peregrine.alerting.jsonl.Rotation;
import dev.peregrine.alerting.elasticsearch.ElasticsearchSink;
import dev.peregrine.alerting.kafka.KafkaAlertSink;
import dev.peregrine.alerting.kafka.KafkaSinkConfig;
import dev.peregrine.alerting.metrics.PrometheusSinkMetrics;
import dev.peregrine.alerting.metrics.SinkMetrics;
import dev.peregrine.alerting.redaction.RedactionPattern;
import dev.peregrine.alerting.redaction.Redactor;
import dev.peregrine.alerting.routing.Route;
import dev.peregrine.alerting.spool.SpoolConfig;
import dev.peregrine.alerting.spool.SpoolingSink;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import dev.peregrine.engine.slopsquat.Verdict;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Option;

/** Options shared by every command that raises alerts: rule files and alert destinations. */
final class OutputOptions {

    private static final Logger LOG = LoggerFactory.getLogger(OutputOptions.class);

    /** Alerts per bulk request to Elasticsearch or Kafka. */
    private static final int BULK_BATCH = 500;

    /** Longest an alert waits for its bulk batch to fill: a SOC sees it within this. */
    private static final Duration BATCH_DELAY = Duration.ofMillis(200);

    @Option(names = {"-r", "--rules"}, paramLabel = "FILE|DIR",
            description = "Rule file or directory of *.yaml files; repeatable. Replaces the shipped rules.")
    List<Path> rules = new ArrayList<>();

    @Option(names = "--alerts-file", paramLabel = "FILE",
            description = "Also append alerts as JSON lines to this file.")
    Path alertsFile;

    @Option(names = "--alerts-file-max-bytes", paramLabel = "BYTES", defaultValue = "" + Rotation.DEFAULT_MAX_BYTES,
            description = "Rotate --alerts-file before it grows past this size (FILE.1 is the newest old one). "
                    + "Default: ${DEFAULT-VALUE}.")
    long alertsFileMaxBytes;

    @Option(names = "--alerts-file-keep", paramLabel = "N", defaultValue = "" + Rotation.DEFAULT_KEEP,
            description = "Rotated alert files kept (FILE.1 … FILE.N); older ones are deleted. Default: ${DEFAULT-VALUE}.")
    int alertsFileKeep;

    @Option(names = "--no-stdout-alerts", description = "Do not print alerts on stdout.")
    boolean noStdoutAlerts;

    @Option(names = "--stdout-format", paramLabel = "auto|json|text", defaultValue = "auto",
            description = {"How alerts look on stdout: json (Falco-compatible JSON lines), text (one readable line "
                    + "each, coloured by priority on a terminal unless NO_COLOR is set), or auto: text on a "
                    + "terminal, json otherwise. Default: ${DEFAULT-VALUE}."})
    String stdoutFormat;

    @Option(names = "--webhook", paramLabel = "URL",
            description = "Also POST each alert as JSON to this URL; repeatable. Prefix with slack: "
                    + "(slack:https://hooks.slack.com/...) for Slack's incoming-webhook format.")
    List<String> webhooks = new ArrayList<>();

    @Option(names = "--syslog", paramLabel = "udp|tcp://HOST:PORT",
            description = "Also send each alert as CEF over syslog (RFC 5424) to this address; repeatable.")
    List<URI> syslogs = new ArrayList<>();

    @Option(names = "--elasticsearch", paramLabel = "URL",
            description = {"Also index each alert into Elasticsearch (8.x) at this URL as an ECS document, id = alert "
                    + "id, so a re-sent alert overwrites itself. API key from env PEREGRINE_ES_API_KEY."})
    URI elasticsearch;

    @Option(names = "--elasticsearch-index", paramLabel = "NAME", defaultValue = ElasticsearchConfig.DEFAULT_INDEX,
            description = "Index for --elasticsearch; its template with explicit mappings is installed at start. "
                    + "Default: ${DEFAULT-VALUE}.")
    String elasticsearchIndex;

    @Option(names = "--kafka-alerts", paramLabel = "HOST:PORT[,…]",
            description = {"Also publish each alert (Falco-compatible JSON, key = alert id, idempotent, acks=all) "
                    + "to Kafka at these bootstrap servers."})
    String kafkaAlerts;

    @Option(names = "--kafka-alerts-topic", paramLabel = "TOPIC", defaultValue = KafkaSinkConfig.DEFAULT_TOPIC,
            description = "Topic for --kafka-alerts. Default: ${DEFAULT-VALUE}.")
    String kafkaAlertsTopic;

    @Option(names = "--spool-dir", paramLabel = "DIR", defaultValue = "peregrine-spool",
            description = {"Where alerts for a destination that is down wait (one directory per destination; kept "
                    + "across restarts and sent in order when it returns). Default: ${DEFAULT-VALUE}."})
    Path spoolDir;

    @Option(names = "--dedup-window", paramLabel = "DURATION", defaultValue = "60s",
            converter = DurationConverter.class,
            description = {"Identical alerts (same rule, agent, session and output fields) within this much event "
                    + "time go out once; repeats raise the alert's count and are summarised (same id) every "
                    + "100 repeats and when the window ends. 0 turns this off. Default: ${DEFAULT-VALUE}."})
    Duration dedupWindow;

    @Option(names = "--archive-dir", paramLabel = "DIR",
            description = {"Also archive every normalized event (not only those that alert) into hourly gzip NDJSON "
                    + "files in this folder (events-YYYY-MM-DDTHH.ndjson.gz, filed by event time), so "
                    + "what an agent did can be reconstructed later."})
    Path archiveDir;

    /** Uncompressed bytes per archive file before the hour continues in a new part. */
    long archiveMaxFileBytes = dev.peregrine.alerting.archive.ArchiveConfig.DEFAULT_MAX_BYTES_PER_FILE;

    /** API key for --elasticsearch from the config file; env PEREGRINE_ES_API_KEY wins over it. */
    String elasticsearchApiKey;

    /** Which alerts each sink (by name: stdout, file, webhook-N, syslog-N, elasticsearch, kafka) takes; from the config file. */
    Map<String, Route> routes = Map.of();

    /** Redaction patterns from the config file; the built-in ones when it says nothing. */
    List<RedactionPattern> redactionPatterns = RedactionPattern.defaults();

    /** Masks secrets in every alert before any sink sees it. */
    Redactor redactor() {
        return new Redactor(redactionPatterns);
    }

    /** The stdout format asked for; auto is text on a terminal and JSON into a pipe or file. */
    ConsoleFormat stdoutFormat() {
        if (stdoutFormat.equalsIgnoreCase("auto")) {
            return System.console() != null ? ConsoleFormat.TEXT : ConsoleFormat.JSON;
        }
        return ConsoleFormat.parse(stdoutFormat).orElseThrow(() -> new UsageException(
                "--stdout-format " + stdoutFormat + ": expected auto, json or text"));
    }

    /** Colour only for a person at a terminal who has not asked for none (no-color.org). */
    boolean stdoutColour() {
        return System.console() != null && System.getenv("NO_COLOR") == null;
    }

    /** How --alerts-file rotates. */
    Rotation alertsFileRotation() {
        try {
            return new Rotation(alertsFileMaxBytes, alertsFileKeep);
        } catch (final IllegalArgumentException e) {
            throw new UsageException("--alerts-file-max-bytes / --alerts-file-keep: " + e.getMessage());
        }
    }

    /**
     * The network sinks asked for (--webhook, --syslog, --elasticsearch, --kafka-alerts) by name
     * (webhook-N, syslog-N, elasticsearch, kafka: the names routes use), each behind its own
     * spool so that a destination that is down loses nothing and holds up nothing; a malformed
     * address is a usage error.
     *
     * @param metrics per-sink delivery counters, or null for none
     */
    Map<String, AlertSink> networkSinks(final String version, final PrometheusSinkMetrics metrics) {
        final Map<String, AlertSink> sinks = new LinkedHashMap<>();
        int index = 0;
        for (final String webhook : webhooks) {
            final boolean slack = webhook.startsWith("slack:");
            final URI url;
            try {
                url = new URI(slack ? webhook.substring("slack:".length()) : webhook);
            } catch (final URISyntaxException e) {
                throw new UsageException("--webhook " + webhook + " is not a URL: " + e.getMessage());
            }
            if (!"http".equals(url.getScheme()) && !"https".equals(url.getScheme())) {
                throw new UsageException("--webhook " + webhook + " must be an http:// or https:// URL");
            }
            // one attempt here: the spool around it retries with backoff, and a second retry loop would multiply waits
            final WebhookConfig config = WebhookConfig.of(url, slack ? WebhookFormat.SLACK : WebhookFormat.GENERIC)
                    .withRetries(1, Duration.ofMillis(100), Duration.ofMillis(100));
            final String name = "webhook-" + ++index;
            sinks.put(name, spooled(name, new WebhookSink(config), 1, metrics));
        }
        index = 0;
        for (final URI syslog : syslogs) {
            final String scheme = syslog.getScheme() == null ? "" : syslog.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("udp") && !scheme.equals("tcp") || syslog.getHost() == null || syslog.getPort() < 1) {
                throw new UsageException("--syslog " + syslog + " must look like udp://HOST:PORT or tcp://HOST:PORT");
            }
            final String name = "syslog-" + ++index;
            sinks.put(name, spooled(name, new SyslogCefSink(SyslogConfig.of(syslog.getHost(), syslog.getPort(),
                    scheme.equals("udp") ? SyslogTransport.UDP : SyslogTransport.TCP, version)), 1, metrics));
        }
        if (elasticsearch != null) {
            final String scheme = elasticsearch.getScheme() == null ? "" : elasticsearch.getScheme();
            if (!scheme.equals("http") && !scheme.equals("https") || elasticsearch.getHost() == null) {
                throw new UsageException("--elasticsearch " + elasticsearch + " must be an http:// or https:// URL");
            }
            ElasticsearchConfig config = ElasticsearchConfig.of(elasticsearch).withIndex(elasticsearchIndex);
            final String fromEnvironment = System.getenv("PEREGRINE_ES_API_KEY");
            final String apiKey = fromEnvironment != null && !fromEnvironment.isBlank() ? fromEnvironment
                    : elasticsearchApiKey;
            if (apiKey != null && !apiKey.isBlank()) {
                config = config.withApiKey(apiKey);
            }
            final ElasticsearchSink sink = new ElasticsearchSink(config);
            try {
                sink.installTemplate();
            } catch (final IOException e) {
                // not fatal: the sink installs it again before its first bulk request; alerts spool meanwhile
                LOG.warn("Elasticsearch at {} is not reachable yet ({}); alerts will spool until it is",
                        elasticsearch, e.getMessage());
            }
            sinks.put("elasticsearch", spooled("elasticsearch", sink, BULK_BATCH, metrics));
        }
        if (kafkaAlerts != null) {
            final KafkaSinkConfig config;
            try {
                config = KafkaSinkConfig.of(kafkaAlerts).withTopic(kafkaAlertsTopic);
            } catch (final IllegalArgumentException e) {
                throw new UsageException("--kafka-alerts " + kafkaAlerts + ": " + e.getMessage());
            }
            sinks.put("kafka", spooled("kafka", new KafkaAlertSink(config), BULK_BATCH, metrics));
        }
        return sinks;
    }

    /**
     * @param batchSize alerts per request: bulk APIs gain from batches (each waits at most
     *                  {@link #BATCH_DELAY}); one-alert-per-request sinks send at once
     */
    private SpoolingSink spooled(final String name, final AlertSink sink, final int batchSize,
                                 final PrometheusSinkMetrics metrics) {
        try {
            final SpoolConfig config = SpoolConfig.of(spoolDir.resolve(name))
                    .withBatching(batchSize, batchSize == 1 ? Duration.ZERO : BATCH_DELAY);
            return new SpoolingSink(name, sink, config,
                    metrics == null ? SinkMetrics.NONE : metrics.forSink(name));
        } catch (final IOException | UncheckedIOException e) {
            throw new UsageException("cannot use spool directory " + spoolDir.resolve(name) + ": " + e.getMessage());
        }
    }

    /**
     * How alerts are deduplicated, or empty when turned off. A rule's alerts group by agent,
     * session and every field their output shows (the dedup stage's own default), so only alerts
     * that read the same merge; a slopsquat finding groups by its package alone, so one install
     * retried with other flags stays one alert.
     */
    Optional<DedupConfig> dedup() {
        if (dedupWindow.isZero() || dedupWindow.isNegative()) {
            return Optional.empty();
        }
        DedupConfig config = DedupConfig.defaults().withWindow(dedupWindow);
        for (final Verdict verdict : Verdict.values()) {
            config = config.withExtraKeyFields(verdict.ruleId(), List.of("package.ecosystem", "package.name"));
        }
        return Optional.of(config);
    }
}
