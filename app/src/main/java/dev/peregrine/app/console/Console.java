package dev.peregrine.app.console;

import com.sun.net.httpserver.HttpServer;
import dev.peregrine.alerting.suppress.SuppressionList;
import dev.peregrine.collector.ingest.PlatformAccessEvents;
import dev.peregrine.collector.ingest.TokenBinding;
import dev.peregrine.engine.Detector;
import dev.peregrine.engine.state.FileSnapshotStateStore;
import dev.peregrine.engine.state.StateStore;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Clock;
import java.util.List;

/**
 * The analyst console as {@code run} wires it: what it records (recent alerts after dedup,
 * recent events), the suppressions the alert pipeline applies (kept in the state store, each
 * change an audit event), and the API and page it serves on Peregrine's HTTP server.
 */
public final class Console {

    private final AlertLog alerts;
    private final EventWindow events;
    private final SuppressionList suppressions;
    private final SuppressionJournal journal;
    private final ConsoleAuditEvents audit;
    private final PlatformAccessEvents platform;
    private final ConsoleApi api;
    private final ConsoleAssets assets = new ConsoleAssets();

    /**
     * @param tokens   the bearer tokens that open the API (the ingest API's)
     * @param state    where suppressions are kept; read now (before the engine runs), written by the engine thread
     * @param clock    for suppression expiry, acknowledgements and audit events
     * @param platform where its audit events go: the monitor's one source of accesses to itself
     * @param rules    the running rules that {@code GET /v1/rules/{id}} shows (null: only the built-in
     *                 detections are described)
     * @param kibana   when alerts go to Elasticsearch, the Kibana an alert's detail links to (null: no link)
     */
    public Console(final List<TokenBinding> tokens, final StateStore state, final Clock clock,
                   final PlatformAccessEvents platform, final RunningRules rules, final KibanaLink kibana) {
        this.alerts = new AlertLog(AlertLog.DEFAULT_CAPACITY);
        this.events = new EventWindow(EventWindow.DEFAULT_CAPACITY);
        this.suppressions = new SuppressionList(clock);
        this.journal = new SuppressionJournal(state, suppressions);
        this.platform = platform;
        this.audit = new ConsoleAuditEvents(clock, platform);
        suppressions.listen(audit);
        // learned baselines are shown from the state's snapshot file, never read from the engine's live stores
        final LearnedState learned = new LearnedState(state instanceof FileSnapshotStateStore file
                ? file.snapshotFile() : null);
        final RuleCatalog catalog = new RuleCatalog(rules == null ? () -> null : rules::snapshot);
        this.api = new ConsoleApi(tokens, alerts, events, suppressions, audit, learned, catalog, kibana, clock);
    }

    /** The sink to put among the outputs, after deduplication. */
    public AlertLog alertLog() {
        return alerts;
    }

    /** The suppressions to apply before deduplication. */
    public SuppressionList suppressions() {
        return suppressions;
    }

    /** Detectors to run with the built-in detections: the event window and the suppressions' journal. */
    public List<Detector> recorders() {
        return List.of(events, journal);
    }

    /** Where the console's audit events go: the platform source it was given. */
    public PlatformAccessEvents auditEvents() {
        return platform;
    }

    /** Adds the API ({@code /v1/alerts}, {@code /v1/agents}, {@code /v1/suppressions}, {@code /v1/rules/{id}}) and the page ({@code /}). */
    public void mount(final HttpServer server) {
        api.mount(server);
        assets.mount(server);
    }

    /** Suppressed alerts by rule, the console API's requests, and what the console's bounded memory forgot. */
    public void registerMetrics(final PrometheusRegistry registry) {
        CounterWithCallback.builder().name("peregrine_alerts_suppressed_by_analyst_total")
                .help("Alerts dropped by an analyst's suppression, by rule").labelNames("rule")
                .callback(callback -> suppressions.suppressedByRule()
                        .forEach((rule, count) -> callback.call(count, rule)))
                .register(registry);
        CounterWithCallback.builder().name("peregrine_console_requests_total")
                .help("Requests to the console API by HTTP status").labelNames("status")
                .callback(callback -> api.requestsByStatus()
                        .forEach((status, count) -> callback.call(count, Integer.toString(status))))
                .register(registry);
        CounterWithCallback.builder().name("peregrine_console_forgotten_total")
                .help("Alerts and events the console no longer holds because its memory is bounded")
                .labelNames("kind")
                .callback(callback -> {
                    callback.call(alerts.evicted(), "alert");
                    callback.call(events.evicted(), "event");
                })
                .register(registry);
    }
}
