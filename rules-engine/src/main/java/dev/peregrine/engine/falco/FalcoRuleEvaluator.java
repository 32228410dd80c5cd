package dev.peregrine.engine.falco;

import dev.peregrine.alerting.Alert;
import dev.peregrine.collector.event.Event;
import dev.peregrine.collector.event.StandardFields;
import dev.peregrine.engine.Detector;
import dev.peregrine.engine.condition.EventPredicate;
import dev.peregrine.engine.rules.EventSources;
import dev.peregrine.engine.rules.RuleDef;
import dev.peregrine.engine.rules.RuleSet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Evaluates a {@link RuleSet}'s enabled rules against each event and raises one {@link Alert}
 * per match.
 *
 * <p>Rules are indexed by source (see {@link EventSources}) and by the {@code evt.type} values
 * their condition requires, so an event only meets rules that can match it; rules without an
 * {@code evt.type} constraint are evaluated for every event of their source. Alerts come out in
 * rule load order.
 *
 * <p>Alert ids: {@code Alert.deterministicId(ruleId, key, eventTime)} where key is the event's
 * session (else agent, else host, else empty), followed by the rendered output and
 * {@code proc.pid}. The extra part keeps two different events of one session in the same
 * nanosecond apart, while the same event always gets the same id.
 *
 * <p>Not thread-safe: called from one engine thread, like every {@link Detector}.
 */
public final class FalcoRuleEvaluator implements Detector {

    private static final CompiledRule[] NONE = new CompiledRule[0];

    /** One enabled rule with its counter index. */
    private record CompiledRule(int index, RuleDef def, EventPredicate predicate) {
    }

    /** The rules of one event source, by evt.type; each array already includes the catch-all rules, in rule order. */
    private record Bucket(Map<String, CompiledRule[]> byType, CompiledRule[] anyType) {
        CompiledRule[] rulesFor(final String type) {
            if (type == null) {
                return anyType;
            }
            final CompiledRule[] rules = byType.get(type);
            return rules == null ? anyType : rules;
        }
    }

    private final Map<String, Bucket> buckets;
    private final RuleStats stats;

    /** @param rules the rules; disabled and inactive ones (a source Peregrine does not ingest) are kept out of the index */
    public FalcoRuleEvaluator(final RuleSet rules) {
        Objects.requireNonNull(rules);
        final List<CompiledRule> enabled = new ArrayList<>();
        for (final RuleDef def : rules.rules()) {
            if (rules.isActive(def)) {
                enabled.add(new CompiledRule(enabled.size(), def, def.predicate()));
            }
        }
        this.stats = new RuleStats(enabled.stream().map(r -> r.def().id()).toList());
        this.buckets = index(enabled);
    }

    private static Map<String, Bucket> index(final List<CompiledRule> rules) {
        final Map<String, List<CompiledRule>> bySource = new LinkedHashMap<>();
        for (final CompiledRule rule : rules) {
            for (final String source : EventSources.eventSourcesOf(rule.def().source())) {
                bySource.computeIfAbsent(source, s -> new ArrayList<>()).add(rule);
            }
        }
        final Map<String, Bucket> buckets = new HashMap<>();
        for (final Map.Entry<String, List<CompiledRule>> entry : bySource.entrySet()) {
            final List<CompiledRule> sourceRules = entry.getValue();
            final List<String> types = new ArrayList<>();
            for (final CompiledRule rule : sourceRules) {
                if (!rule.def().eventTypes().any()) {
                    for (final String type : rule.def().eventTypes().sorted()) {
                        if (!types.contains(type)) {
                            types.add(type);
                        }
                    }
                }
            }
            final Map<String, CompiledRule[]> byType = new HashMap<>();
            for (final String type : types) {
                // Rule order is kept so alerts come out in load order whatever the index.
                byType.put(type, sourceRules.stream()
                        .filter(r -> r.def().eventTypes().any() || r.def().eventTypes().names().contains(type))
                        .toArray(CompiledRule[]::new));
            }
            final CompiledRule[] anyType = sourceRules.stream()
                    .filter(r -> r.def().eventTypes().any()).toArray(CompiledRule[]::new);
            buckets.put(entry.getKey(), new Bucket(Map.copyOf(byType), anyType));
        }
        return Map.copyOf(buckets);
    }

    @Override
    public void onEvent(final Event event, final Consumer<Alert> alerts) {
        final String source = event.getString(StandardFields.EVT_SOURCE);
        final Bucket bucket = buckets.get(source == null ? EventSources.SYSCALL : source);
        if (bucket == null) {
            return;
        }
        for (final CompiledRule rule : bucket.rulesFor(event.getString(StandardFields.EVT_TYPE))) {
            stats.countEvaluated(rule.index());
            if (rule.predicate().test(event)) {
                stats.countMatched(rule.index());
                alerts.accept(alert(rule.def(), event));
            }
        }
    }

    /** The alerts {@code event} raises, in rule order. */
    public List<Alert> evaluate(final Event event) {
        final List<Alert> alerts = new ArrayList<>(1);
        onEvent(event, alerts::add);
        return alerts;
    }

    /** The per-rule counters. */
    public RuleStats stats() {
        return stats;
    }

    /** How many enabled rules an event of {@code source} and {@code type} is evaluated against (for tests and tooling). */
    public int candidateCount(final String source, final String type) {
        final Bucket bucket = buckets.get(source == null ? EventSources.SYSCALL : source);
        return bucket == null ? 0 : bucket.rulesFor(type).length;
    }

    private static Alert alert(final RuleDef rule, final Event event) {
        final long time = event.timeNanos();
        final String output = rule.output().render(event);
        final String session = event.getString(StandardFields.AGENT_SESSION);
        final String agent = event.getString(StandardFields.AGENT_ID);
        final String host = event.getString(StandardFields.HOST_NAME);
        final String source = event.getString(StandardFields.EVT_SOURCE);
        final Object pid = event.get(StandardFields.PROC_PID);
        final String key = firstPresent(session, agent, host);
        final String distinguishing = key + '\u0000' + output + '\u0000' + (pid == null ? "" : pid);
        return new Alert(Alert.deterministicId(rule.id(), distinguishing, time), time, rule.id(), rule.name(),
                rule.priority(), source == null ? rule.source() : source, host, rule.tags(), output,
                rule.output().values(event), agent, session, 1, time, time);
    }

    private static String firstPresent(final String... candidates) {
        for (final String candidate : candidates) {
            if (candidate != null && !candidate.isEmpty()) {
                return candidate;
            }
        }
        return "";
    }
}
