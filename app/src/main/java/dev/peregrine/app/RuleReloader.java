package dev.peregrine.app;

import dev.peregrine.collector.ingest.PlatformAccessEvents;
import dev.peregrine.engine.reload.LoadedRules;
import dev.peregrine.engine.reload.Reload;
import dev.peregrine.engine.reload.ReloadResult;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one way {@code run} reloads its rules, whatever asked (SIGHUP, a rule file saved, {@code POST
 * /v1/rules/reload}): the rule files are loaded and compiled off the engine thread and swapped in
 * between two events; a set that does not load is refused with every error and the running rules
 * stay. Every reload, and every refused attempt at one, is logged, counted in
 * {@code peregrine_rules_reloads_total{trigger,result}} and becomes a {@code platform_access} event
 * ({@code platform.op=rules_reload}) that the shipped rules alert on: whoever can reload the rules
 * can blind the monitor, so a reload never goes unrecorded.
 */
final class RuleReloader {

    private static final Logger LOG = LoggerFactory.getLogger(RuleReloader.class);

    /** What asked for a reload; its label in metrics and in the audit event's {@code reload.trigger}. */
    enum Trigger {
        /** {@code kill -HUP}. */
        SIGHUP("sighup"),
        /** A watched rule file or directory changed. */
        FILE("file"),
        /** {@code POST /v1/rules/reload}. */
        HTTP("http");

        private final String label;

        Trigger(final String label) {
            this.label = label;
        }

        /** The label in metrics, logs and events. */
        String label() {
            return label;
        }
    }

    private final Function<Supplier<LoadedRules>, Reload> engine;
    private final Supplier<LoadedRules> rules;
    private final PlatformAccessEvents audit;
    private final Counter reloads;
    private final Clock clock;

    /**
     * @param engine   starts a reload of the running engine ({@code Monitor::reloadRules})
     * @param rules    loads the rule files afresh each time it is called ({@link RuleFiles#reloading})
     * @param audit    where each reload becomes a {@code platform_access} event
     * @param registry where {@code peregrine_rules_reloads_total} is registered
     */
    RuleReloader(final Function<Supplier<LoadedRules>, Reload> engine, final Supplier<LoadedRules> rules,
                 final PlatformAccessEvents audit, final PrometheusRegistry registry) {
        this(engine, rules, audit, registry, Clock.systemUTC());
    }

    RuleReloader(final Function<Supplier<LoadedRules>, Reload> engine, final Supplier<LoadedRules> rules,
                 final PlatformAccessEvents audit, final PrometheusRegistry registry, final Clock clock) {
        this.engine = Objects.requireNonNull(engine, "engine");
        this.rules = Objects.requireNonNull(rules, "rules");
        this.audit = Objects.requireNonNull(audit, "audit");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.reloads = Counter.builder().name("peregrine_rules_reloads_total")
                .help("Rule reloads by what asked for them (sighup, file, http) and how they ended (success: the "
                        + "new rules compiled and are swapped in at the next event; invalid: they did not load and "
                        + "the running rules stay; unauthorized, forbidden: an HTTP request refused before loading)")
                .labelNames("trigger", "result").register(registry);
    }

    /**
     * Reloads the rule files; completes once they compiled or were refused (not waiting for the
     * swap, which happens at the next event). {@code client} names who asked (a token's name),
     * {@code remoteAddress} where from (null when local).
     */
    CompletableFuture<ReloadResult> reload(final Trigger trigger, final String client, final String remoteAddress) {
        LOG.info("reloading rules ({} by {})", trigger.label(), client);
        return engine.apply(rules).compiled().whenComplete((result, failure) -> {
            if (failure != null) {
                // ReloadableEngine completes every reload with a result; this is a bug, still recorded
                LOG.error("rules reload ({}) failed: {}", trigger.label(), failure.toString(), failure);
                record(trigger, "invalid", client, remoteAddress, -1, 0, 0, List.of(failure.toString()));
            } else if (result.rejected()) {
                LOG.error("rules reload rejected ({} by {}), the running rules stay:{}{}", trigger.label(), client,
                        System.lineSeparator(), String.join(System.lineSeparator(), result.problems()));
                record(trigger, "invalid", client, remoteAddress, result.generation(), 0, 0, result.problems());
            } else {
                LOG.info("rules reloaded ({} by {}): {} rules, {} cep items, generation {}", trigger.label(), client,
                        result.rules(), result.cepRules().size(), result.generation());
                record(trigger, "success", client, remoteAddress, result.generation(), result.rules(),
                        result.cepRules().size(), List.of());
            }
        });
    }

    /**
     * Records an attempt refused before any rule was loaded: {@code outcome} is {@code unauthorized}
     * (no valid credentials) or {@code forbidden} (credentials that may not reload).
     */
    void refused(final Trigger trigger, final String outcome, final String client, final String remoteAddress,
                 final String why) {
        LOG.warn("rules reload refused ({} from {}): {}", trigger.label(), remoteAddress, why);
        record(trigger, outcome, client, remoteAddress, -1, 0, 0, List.of());
    }

    private void record(final Trigger trigger, final String outcome, final String client, final String remoteAddress,
                        final long generation, final int ruleCount, final int cepItems, final List<String> problems) {
        reloads.labelValues(trigger.label(), outcome).inc();
        audit.onRulesReload(new PlatformAccessEvents.RulesReload(clock.instant(), trigger.label(), outcome, client,
                remoteAddress, generation, ruleCount, cepItems, problems));
    }
}
