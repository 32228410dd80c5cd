package dev.peregrine.engine.rules;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/** An immutable, compiled set of rules with the lists and macros they were built from. */
public final class RuleSet {

    private final List<RuleDef> rules;
    private final Map<String, RuleDef> byId;
    private final Map<String, ListDef> lists;
    private final Map<String, MacroDef> macros;
    private final List<RuleLoadWarning> warnings;
    private final Map<String, String> requiredEngineVersions;
    private final Set<String> inactiveSources;
    private final List<CepRuleDef> cepRules;

    RuleSet(final List<RuleDef> rules, final Map<String, ListDef> lists, final Map<String, MacroDef> macros,
            final List<RuleLoadWarning> warnings, final Map<String, String> requiredEngineVersions,
            final Set<String> inactiveIds, final List<CepRuleDef> cepRules) {
        this.rules = List.copyOf(rules);
        this.cepRules = List.copyOf(cepRules);
        final Map<String, RuleDef> ids = new LinkedHashMap<>();
        for (final RuleDef rule : rules) {
            ids.put(rule.id(), rule);
        }
        this.byId = Collections.unmodifiableMap(ids);
        this.lists = Collections.unmodifiableMap(new LinkedHashMap<>(lists));
        this.macros = Collections.unmodifiableMap(new LinkedHashMap<>(macros));
        this.warnings = List.copyOf(warnings);
        this.requiredEngineVersions = Collections.unmodifiableMap(new LinkedHashMap<>(requiredEngineVersions));
        this.inactiveSources = rules.stream().filter(r -> inactiveIds.contains(r.id())).map(RuleDef::source)
                .collect(Collectors.toCollection(TreeSet::new));
    }

    /**
     * Whether {@code rule} will be evaluated: it is enabled and its {@code source} is one Peregrine
     * ingests (see {@link EventSources#isIngested}). Rules for other sources ({@code k8s_audit},
     * {@code aws_cloudtrail}, plugin sources) load, with a warning, but never see an event.
     */
    public boolean isActive(final RuleDef rule) {
        return rule.enabled() && EventSources.isIngested(rule.source());
    }

    /** The rules that will be evaluated, in load order. */
    public List<RuleDef> activeRules() {
        return rules.stream().filter(this::isActive).toList();
    }

    /** The sources of loaded rules that Peregrine does not ingest, sorted. */
    public Set<String> inactiveSources() {
        return Collections.unmodifiableSet(inactiveSources);
    }

    /** All rules, enabled or not, in load order. */
    public List<RuleDef> rules() {
        return rules;
    }

    /** All {@code - cep:} items, enabled or not, in load order. */
    public List<CepRuleDef> cepRules() {
        return cepRules;
    }

    /** The enabled {@code - cep:} items, in load order. */
    public List<CepRuleDef> activeCepRules() {
        return cepRules.stream().filter(CepRuleDef::enabled).toList();
    }

    /** The rule with id {@code id}. */
    public Optional<RuleDef> rule(final String id) {
        return Optional.ofNullable(byId.get(id));
    }

    /** Lists by name, in load order. */
    public Map<String, ListDef> lists() {
        return lists;
    }

    /** Macros by name, in load order. */
    public Map<String, MacroDef> macros() {
        return macros;
    }

    /** Things that loaded but may not do what their author meant (ignored keys, unknown items). */
    public List<RuleLoadWarning> warnings() {
        return warnings;
    }

    /** {@code required_engine_version} per file that declared one; recorded, not enforced. */
    public Map<String, String> requiredEngineVersions() {
        return requiredEngineVersions;
    }
}
