package dev.peregrine.app;

import dev.peregrine.app.config.PeregrineConfig;
import dev.peregrine.collector.ingest.IdentityPattern;
import dev.peregrine.collector.ingest.IngestServer;
import dev.peregrine.collector.ingest.TokenBinding;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.PrintWriter;
import java.util.List;

/** The HTTP ingest API as {@code run} and {@code collector} both set it up: its clients' tokens and its metrics. */
final class Ingest {

    private Ingest() {
    }

    /** The ingest clients of the config file, each bound to its identity (none without a file). */
    static List<TokenBinding> bindings(final List<PeregrineConfig.Token> tokens) {
        return tokens.stream().map(token -> new TokenBinding(token.name(), token.secret(), new IdentityPattern(
                token.agent().orElse(null), token.session().orElse(null), token.sandbox().orElse(null)))).toList();
    }

    /** The configured ingest clients, or one generated token bound to any identity, printed once on {@code err}. */
    static List<TokenBinding> bindingsOrGenerated(final List<PeregrineConfig.Token> tokens, final PrintWriter err,
                                                  final String command) {
        if (tokens.isEmpty()) {
            final String secret = TokenBinding.generateToken();
            // stderr, not the log: a log may be shipped elsewhere; the operator at the console needs it once
            err.println("peregrine: no ingest tokens configured; this " + command + " accepts "
                    + "Authorization: Bearer " + secret + " (bound to any identity; configure ingest.tokens to bind "
                    + "clients to their agents)");
            err.flush();
            return List.of(new TokenBinding("generated", secret, IdentityPattern.ANY));
        }
        return bindings(tokens);
    }

    /** The ingest API's own counters, read when /metrics is scraped. */
    static void registerMetrics(final PrometheusRegistry registry, final IngestServer ingest) {
        CounterWithCallback.builder().name("peregrine_ingest_requests_total")
                .help("Requests to the ingest API by HTTP status").labelNames("status")
                .callback(callback -> ingest.stats().requestsByStatus()
                        .forEach((status, count) -> callback.call(count, Integer.toString(status))))
                .register(registry);
        CounterWithCallback.builder().name("peregrine_ingest_bytes_total")
                .help("Request body bytes received by the ingest API")
                .callback(callback -> callback.call(ingest.stats().bytesReceived())).register(registry);
        CounterWithCallback.builder().name("peregrine_ingest_identity_violations_total")
                .help("Events refused because they claimed an identity outside their token's binding")
                .callback(callback -> callback.call(ingest.stats().identityViolations())).register(registry);
        GaugeWithCallback.builder().name("peregrine_ingest_queue_depth")
                .help("Events taken by the ingest API and not yet read by the pipeline (its lag)")
                .callback(callback -> callback.call(ingest.queued())).register(registry);
    }
}
