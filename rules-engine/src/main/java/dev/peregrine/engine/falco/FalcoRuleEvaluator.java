package dev.peregrine.engine.falco;

import dev.peregrine.alerting.Alert;
import dev.peregrine.collector.event.Event;
import dev.peregrine.collector.event.Field;
import dev.peregrine.collector.event.FieldType;
import dev.peregrine.collector.event.StandardFields;
import dev.peregrine.engine.Detector;
import dev.peregrine.engine.condition.DirectTests;
import dev.peregrine.engine.condition.EventPredicate;
import dev.peregrine.engine.condition.FieldAccessor;
import dev.peregrine.engine.condition.RequiredValues;
import dev.peregrine.engine.condition.Specialization;
import dev.peregrine.engine.rules.EventSources;
import dev.peregrine.engine.rules.RuleDef;
import dev.peregrine.engine.rules.RuleSet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Evaluates a {@link RuleSet}'s enabled rules against each event and raises one {@link Alert}
 * per match.
 *
 * <p>Rules are indexed by source (see {@link EventSources}) and by {@code evt.type}, as Falco
 * indexes them, so an event only meets rules that can match it. Within one source and type, when
 * several rules require values of one text field ({@code proc.name in (…)}, see
 * {@link RequiredValues}), they are indexed by that field's value too, as Esper's filter index
 * does, so an event meets only the rules its value admits. Each index entry holds its rules
 * rewritten by {@link Specialization} for what the entry knows ({@code evt.source},
 * {@code evt.type}, the indexed field's value): comparisons on those are already decided, and a
 * macro several rules share is evaluated once per event. What runs is that rewrite lowered by
 * {@link DirectTests}: slot reads and comparisons the JIT can bind. Entries are built the first time an
 * event needs them, at most {@value #MAX_TYPES} types per source and {@value #MAX_VALUES} values
 * per type beyond those the rules name (further events meet only the rules that name no type or
 * value, less specialized, with the same results). Alerts come out in rule load order.
 *
 * <p>Alert ids: {@code Alert.deterministicId(ruleId, key, eventTime)} where key is the event's
 * session (else agent, else host, else empty), followed by the rendered output and
 * {@code proc.pid}. The extra part keeps two different events of one session in the same
 * nanosecond apart, while the same event always gets the same id.
 *
 * <p>Not thread-safe: called from one engine thread, like every {@link Detector}.
 */
public final class FalcoRuleEvaluator implements Detector {

    /** Types indexed per source; bounds the index whatever types an input sends. */
    static final int MAX_TYPES = 512;

    /** Values of the indexed field, beyond those rules name, given their own entry per type. */
    static final int MAX_VALUES = 256;

    /** One enabled rule with its counter index. */
    private record CompiledRule(int index, RuleDef def, EventPredicate predicate) {
    }

    /** The rules one event source applies, in rule order, with the entries per type built so far. */
    private static final class SourceRules {
        private final String source;
        private final List<CompiledRule> rules;
        private final Map<String, TypeRules> byType = new HashMap<>();
        /** The types rules require: always given an entry, cap or not. */
        private final Set<String> named = new HashSet<>();
        private final TypeRules untyped;
        private final TypeRules otherTypes;

        /** @param source the events' evt.source, or {@code null} for events without one */
        SourceRules(final String source, final List<CompiledRule> rules) {
            this.source = source;
            this.rules = List.copyOf(rules);
            this.untyped = new TypeRules(rules, List.of(new Specialization.Known(StandardFields.EVT_SOURCE, source),
                    new Specialization.Known(StandardFields.EVT_TYPE, null)));
            // Past the cap only types no rule names arrive here (named ones always get an entry),
            // so rules that name their types cannot match.
            this.otherTypes = new TypeRules(rules.stream().filter(rule -> rule.def().eventTypes().any()).toList(),
                    List.of(new Specialization.Known(StandardFields.EVT_SOURCE, source)));
            for (final CompiledRule rule : rules) {
                named.addAll(rule.def().eventTypes().names());
            }
        }

        TypeRules rulesFor(final String type) {
            if (type == null) {
                return untyped;
            }
            final TypeRules entry = byType.get(type);
            if (entry != null) {
                return entry;
            }
            if (byType.size() >= MAX_TYPES && !named.contains(type)) {
                return otherTypes;
            }
            final List<CompiledRule> candidates = new ArrayList<>();
            for (final CompiledRule rule : rules) {
                if (rule.def().eventTypes().any() || rule.def().eventTypes().names().contains(type)) {
                    candidates.add(rule);
                }
            }
            final TypeRules built = new TypeRules(candidates, List.of(
                    new Specialization.Known(StandardFields.EVT_SOURCE, source),
                    new Specialization.Known(StandardFields.EVT_TYPE, type)));
            byType.put(type, built);
            return built;
        }
    }

    /**
     * The rules events of one source and type meet: specialized for what is known of them, and
     * indexed by the text field most of them require values of, when at least two do.
     */
    private static final class TypeRules {
        private final List<CompiledRule> candidates;
        private final List<Specialization.Known> known;
        private final CompiledRule[] all;
        private final Field field;
        private final RequiredValues[] required;
        private final Set<String> named = new HashSet<>();
        private final Map<String, CompiledRule[]> byValue = new HashMap<>();
        private final CompiledRule[] unconstrained;
        private final CompiledRule[] missing;

        TypeRules(final List<CompiledRule> candidates, final List<Specialization.Known> known) {
            this.candidates = List.copyOf(candidates);
            this.known = List.copyOf(known);
            final CompiledRule[] specialized = specialize(candidates, known);
            this.all = runnable(specialized);
            this.field = indexField(specialized);
            this.required = new RequiredValues[candidates.size()];
            final List<CompiledRule> free = new ArrayList<>();
            for (int i = 0; i < candidates.size() && field != null; i++) {
                required[i] = RequiredValues.of(candidates.get(i).predicate(), field.name());
                if (required[i].any()) {
                    free.add(candidates.get(i));
                } else {
                    named.addAll(required[i].values());
                }
            }
            this.unconstrained = field == null ? all : runnable(specialize(free, known));
            this.missing = field == null ? all : runnable(specialize(free, with(known, field, null)));
        }

        CompiledRule[] rulesFor(final Event event) {
            if (field == null) {
                return all;
            }
            final String value = event.getString(field);
            if (value == null) {
                return missing;
            }
            CompiledRule[] rules = byValue.get(value);
            if (rules != null) {
                return rules;
            }
            if (byValue.size() >= MAX_VALUES && !named.contains(value)) {
                // No rule that requires a value of the field names this one.
                return unconstrained;
            }
            final List<CompiledRule> admitted = new ArrayList<>();
            for (int i = 0; i < candidates.size(); i++) {
                if (required[i].any() || required[i].values().contains(value)) {
                    admitted.add(candidates.get(i));
                }
            }
            rules = runnable(specialize(admitted, with(known, field, value)));
            byValue.put(value, rules);
            return rules;
        }

        /** The text field the most rules require values of (at least two), or {@code null}. */
        private static Field indexField(final CompiledRule[] rules) {
            final Map<Field, Integer> constrained = new LinkedHashMap<>();
            for (final CompiledRule rule : rules) {
                for (final Field field : equalityFields(rule.predicate(), new LinkedHashSet<>())) {
                    if (!RequiredValues.of(rule.predicate(), field.name()).any()) {
                        constrained.merge(field, 1, Integer::sum);
                    }
                }
            }
            Field best = null;
            int most = 1;
            for (final Map.Entry<Field, Integer> entry : constrained.entrySet()) {
                if (entry.getValue() > most) {
                    best = entry.getKey();
                    most = entry.getValue();
                }
            }
            return best;
        }

        /** The text fields {@code predicate} compares with {@code =} or {@code in}: the index candidates. */
        private static Set<Field> equalityFields(final EventPredicate predicate, final Set<Field> into) {
            if (predicate instanceof EventPredicate.FieldTest test) {
                if (test.accessor() instanceof FieldAccessor.Slot slot && slot.field().type() == FieldType.STRING
                        && !RequiredValues.of(test, slot.field().name()).any()) {
                    into.add(slot.field());
                }
            } else if (predicate instanceof EventPredicate.AllOf all) {
                all.parts().forEach(part -> equalityFields(part, into));
            } else if (predicate instanceof EventPredicate.AnyOf any) {
                any.parts().forEach(part -> equalityFields(part, into));
            } else if (predicate instanceof EventPredicate.Shared shared) {
                equalityFields(shared.body(), into);
            } else if (predicate instanceof EventPredicate.MacroCall call) {
                equalityFields(call.body(), into);
            }
            return into;
        }

        private static List<Specialization.Known> with(final List<Specialization.Known> known, final Field field,
                                                       final String value) {
            final List<Specialization.Known> more = new ArrayList<>(known);
            more.add(new Specialization.Known(field, value));
            return more;
        }

        /** {@code rules} with their predicates in the form that runs (see {@link DirectTests}). */
        private static CompiledRule[] runnable(final CompiledRule[] rules) {
            final List<EventPredicate> lowered = DirectTests.lower(
                    Arrays.stream(rules).map(CompiledRule::predicate).toList());
            final CompiledRule[] result = new CompiledRule[rules.length];
            for (int i = 0; i < rules.length; i++) {
                result[i] = new CompiledRule(rules[i].index(), rules[i].def(), lowered.get(i));
            }
            return result;
        }

        /** The rules rewritten for {@code known}, without those it rules out; rule order kept. */
        private static CompiledRule[] specialize(final List<CompiledRule> rules, final List<Specialization.Known> known) {
            final List<EventPredicate> specialized = Specialization.specialize(
                    rules.stream().map(CompiledRule::predicate).toList(), known);
            final List<CompiledRule> kept = new ArrayList<>(rules.size());
            for (int i = 0; i < rules.size(); i++) {
                final EventPredicate predicate = specialized.get(i);
                if (!EventPredicate.Constant.FALSE.equals(predicate)) {
                    kept.add(new CompiledRule(rules.get(i).index(), rules.get(i).def(), predicate));
                }
            }
            return kept.toArray(CompiledRule[]::new);
        }
    }

    /** Sources in a small array, not a map: an event's source is found by a few reference compares. */
    private final String[] sourceNames;
    private final SourceRules[] sourceRules;
    /** Events without evt.source count as syscall events, but their (missing) evt.source matches nothing. */
    private final SourceRules unsourced;
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
        final Map<String, List<CompiledRule>> rulesBySource = new LinkedHashMap<>();
        for (final CompiledRule rule : enabled) {
            for (final String source : EventSources.eventSourcesOf(rule.def().source())) {
                rulesBySource.computeIfAbsent(source, s -> new ArrayList<>()).add(rule);
            }
        }
        this.sourceNames = rulesBySource.keySet().toArray(String[]::new);
        this.sourceRules = rulesBySource.entrySet().stream()
                .map(entry -> new SourceRules(entry.getKey(), entry.getValue())).toArray(SourceRules[]::new);
        this.unsourced = new SourceRules(null, rulesBySource.getOrDefault(EventSources.SYSCALL, List.of()));
    }

    @Override
    public void onEvent(final Event event, final Consumer<Alert> alerts) {
        final SourceRules rules = rulesOf(event.getString(StandardFields.EVT_SOURCE));
        if (rules == null) {
            return;
        }
        for (final CompiledRule rule : rules.rulesFor(event.getString(StandardFields.EVT_TYPE)).rulesFor(event)) {
            stats.countEvaluated(rule.index());
            if (rule.predicate().test(event)) {
                stats.countMatched(rule.index());
                alerts.accept(alert(rule.def(), event));
            }
        }
    }

    private SourceRules rulesOf(final String source) {
        if (source == null) {
            return unsourced;
        }
        for (int i = 0; i < sourceNames.length; i++) {
            if (sourceNames[i].equals(source)) {
                return sourceRules[i];
            }
        }
        return null;
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

    /**
     * How many enabled rules an event of {@code source} and {@code type} is evaluated against: those
     * its source and type do not already rule out (for tests and tooling).
     */
    public int candidateCount(final String source, final String type) {
        final SourceRules rules = rulesOf(source);
        return rules == null ? 0 : rules.rulesFor(type).all.length;
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
