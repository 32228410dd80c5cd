package dev.peregrine.app;

import dev.peregrine.alerting.AlertSink;
import dev.peregrine.alerting.dedup.DedupConfig;
import dev.peregrine.alerting.syslog.SyslogCefSink;
import dev.peregrine.alerting.syslog.SyslogConfig;
import dev.peregrine.alerting.syslog.SyslogTransport;
import dev.peregrine.alerting.webhook.WebhookConfig;
import dev.peregrine.alerting.webhook.WebhookFormat;
import dev.peregrine.alerting.webhook.WebhookSink;
import java.net.URI;
import java.net.URISyntaxException;
import dev.peregrine.engine.rules.RuleDef;
import dev.peregrine.engine.rules.RuleSet;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import picocli.CommandLine.Option;

/** Options shared by every command that raises alerts: rule files and alert destinations. */
final class OutputOptions {

    @Option(names = {"-r", "--rules"}, paramLabel = "FILE|DIR",
            description = "Rule file or directory of *.yaml files; repeatable. Replaces the shipped rules.")
    List<Path> rules = new ArrayList<>();

    @Option(names = "--alerts-file", paramLabel = "FILE",
            description = "Also append alerts as JSON lines to this file.")
    Path alertsFile;

    @Option(names = "--no-stdout-alerts", description = "Do not print alerts on stdout.")
    boolean noStdoutAlerts;

    @Option(names = "--webhook", paramLabel = "URL",
            description = "Also POST each alert as JSON to this URL; repeatable. Prefix with slack: "
                    + "(slack:https://hooks.slack.com/...) for Slack's incoming-webhook format.")
    List<String> webhooks = new ArrayList<>();

    @Option(names = "--syslog", paramLabel = "udp|tcp://HOST:PORT",
            description = "Also send each alert as CEF over syslog (RFC 5424) to this address; repeatable.")
    List<URI> syslogs = new ArrayList<>();

    @Option(names = "--dedup-window", paramLabel = "DURATION", defaultValue = "60s",
            converter = DurationConverter.class,
            description = {"Identical alerts (same rule, agent, session and output fields) within this much event "
                    + "time go out once; repeats raise the alert's count and are summarised (same id) every "
                    + "100 repeats and when the window ends. 0 turns this off. Default: ${DEFAULT-VALUE}."})
    Duration dedupWindow;

    /** The network sinks asked for with --webhook and --syslog; a malformed address is a usage error. */
    List<AlertSink> networkSinks(final String version) {
        final List<AlertSink> sinks = new ArrayList<>();
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
            sinks.add(new WebhookSink(WebhookConfig.of(url, slack ? WebhookFormat.SLACK : WebhookFormat.GENERIC)));
        }
        for (final URI syslog : syslogs) {
            final String scheme = syslog.getScheme() == null ? "" : syslog.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("udp") && !scheme.equals("tcp") || syslog.getHost() == null || syslog.getPort() < 1) {
                throw new UsageException("--syslog " + syslog + " must look like udp://HOST:PORT or tcp://HOST:PORT");
            }
            sinks.add(new SyslogCefSink(SyslogConfig.of(syslog.getHost(), syslog.getPort(),
                    scheme.equals("udp") ? SyslogTransport.UDP : SyslogTransport.TCP, version)));
        }
        return sinks;
    }

    /**
     * How alerts of {@code rules} are deduplicated, or empty when turned off: each rule groups
     * by agent, session and the fields its output shows, so only alerts that read the same merge.
     */
    Optional<DedupConfig> dedup(final RuleSet rules) {
        if (dedupWindow.isZero() || dedupWindow.isNegative()) {
            return Optional.empty();
        }
        DedupConfig config = DedupConfig.defaults().withWindow(dedupWindow);
        for (final RuleDef rule : rules.rules()) {
            config = config.withExtraKeyFields(rule.id(), rule.output().fieldNames());
        }
        return Optional.of(config);
    }
}
