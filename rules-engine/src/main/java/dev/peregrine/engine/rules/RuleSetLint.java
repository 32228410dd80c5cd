package dev.peregrine.engine.rules;

import dev.peregrine.collector.event.SourceFields;
import dev.peregrine.engine.condition.ConditionParser;
import dev.peregrine.engine.condition.ConditionSyntaxException;
import dev.peregrine.engine.condition.Expr;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * What {@code peregrine rules validate} says about a rule set that loaded: rules by source,
 * fields its conditions use that none of the configured sources fills (see {@link SourceFields}),
 * and the warnings Falco's own loader gives, plus Peregrine's shadowing warning.
 *
 * <h2>Findings</h2>
 * <ul>
 *   <li>{@code LOAD_UNUSED_MACRO}: a macro no rule or macro refers to (Falco counts references
 *       from every macro and rule, used or not, enabled or not).</li>
 *   <li>{@code LOAD_UNUSED_LIST}: a list no rule, macro, list or exception value refers to.</li>
 *   <li>{@code LOAD_NO_EVTTYPE}: an OS-level rule whose condition does not restrict
 *       {@code evt.type}, so it is evaluated against every event.</li>
 *   <li>{@code LOAD_UNSAFE_NA_CHECK}: a comparison with {@code <NA>}, which Falco deprecates.</li>
 *   <li>{@code SHADOWED_MACRO}/{@code SHADOWED_LIST}: a macro or list defined again without
 *       {@code append: true} or {@code override:}, which replaces the earlier definition
 *       everywhere; often meant as an append. (Redefining a rule is already a load error.)</li>
 * </ul>
 *
 * <p>The rule set keeps only final definitions, so list-in-list references, exception values and
 * redefinitions are read from the rule files' YAML again; the files must be the ones the set was
 * loaded from, in the same order.
 */
public final class RuleSetLint {

    /**
     * One warning about a rule file.
     *
     * @param code    Falco's warning code, or Peregrine's for its own warnings
     * @param file    the file
     * @param line    1-based line
     * @param column  1-based column
     * @param item    the rule, macro or list it concerns
     * @param message what is wrong
     */
    public record Finding(String code, String file, int line, int column, String item, String message) {

        /** {@code file:line:column: warning: message (CODE)}, as the loader's warnings read. */
        @Override
        public String toString() {
            return file + ":" + line + ":" + column + ": warning: " + message + " (" + code + ")";
        }
    }

    /**
     * How many rules of one {@code source} loaded.
     *
     * @param source   the rules' {@code source}
     * @param loaded   all rules of the source
     * @param enabled  those enabled
     * @param inactive enabled ones that never see an event: Peregrine does not ingest the source
     */
    public record SourceCount(String source, int loaded, int enabled, int inactive) {
    }

    /**
     * A field some active rules' conditions use that no configured source fills: those
     * comparisons are always false (a {@code not} over them always true), as for a missing field in Falco.
     *
     * @param field the field, as the condition writes it without index
     * @param rules names of the active rules that use it, in load order
     */
    public record MissingField(String field, List<String> rules) {
        public MissingField {
            rules = List.copyOf(rules);
        }
    }

    /**
     * The whole analysis.
     *
     * @param sources       the input sources it assumed configured
     * @param bySource      rule counts per rule source, sorted by source
     * @param missingFields fields no configured source fills, sorted by field
     * @param unfed         active rules that no configured source sends events to, in load order
     * @param findings      warnings, by file then line
     */
    public record Report(List<String> sources, List<SourceCount> bySource, List<MissingField> missingFields,
                         List<String> unfed, List<Finding> findings) {
        public Report {
            sources = List.copyOf(sources);
            bySource = List.copyOf(bySource);
            missingFields = List.copyOf(missingFields);
            unfed = List.copyOf(unfed);
            findings = List.copyOf(findings);
        }
    }

    /** A top-level {@code - list:} or {@code - macro:} item as written. */
    private record Definition(String kind, String name, boolean extending, String file, int line, int column,
                              MappingNode keys) {
    }

    private final RuleSet rules;
    private final List<RuleFile> files;
    private final Map<String, Expr> parsedMacros = new HashMap<>();

    private RuleSetLint(final RuleSet rules, final List<RuleFile> files) {
        this.rules = Objects.requireNonNull(rules, "rules");
        this.files = List.copyOf(files);
    }

    /**
     * Analyses {@code rules}, loaded from {@code files}, for a deployment that reads {@code sources}
     * (names of {@link SourceFields#sources()}; {@code native} provides every field).
     */
    public static Report lint(final RuleSet rules, final List<RuleFile> files, final Collection<String> sources) {
        for (final String source : sources) {
            if (!SourceFields.isKnown(source)) {
                throw new IllegalArgumentException("unknown source '" + source + "'; known: " + SourceFields.sources());
            }
        }
        return new RuleSetLint(rules, files).run(List.copyOf(new TreeSet<>(sources)));
    }

    private Report run(final List<String> sources) {
        final List<Definition> definitions = definitions();
        final List<Finding> findings = new ArrayList<>();
        findings.addAll(unused(definitions));
        findings.addAll(shadowed(definitions));
        findings.addAll(conditionWarnings());
        findings.sort((a, b) -> a.file().equals(b.file()) ? Integer.compare(a.line(), b.line())
                : Integer.compare(fileIndex(a.file()), fileIndex(b.file())));
        final List<String> unfed = new ArrayList<>();
        final List<MissingField> missing = missingFields(sources, unfed);
        return new Report(sources, bySource(), missing, unfed, findings);
    }

    private int fileIndex(final String name) {
        for (int i = 0; i < files.size(); i++) {
            if (files.get(i).name().equals(name)) {
                return i;
            }
        }
        return files.size();
    }

    // ----- rules by source -----

    private List<SourceCount> bySource() {
        final Map<String, int[]> counts = new TreeMap<>();
        for (final RuleDef rule : rules.rules()) {
            final int[] count = counts.computeIfAbsent(rule.source(), s -> new int[3]);
            count[0]++;
            if (rule.enabled()) {
                count[1]++;
                if (!rules.isActive(rule)) {
                    count[2]++;
                }
            }
        }
        final List<SourceCount> result = new ArrayList<>();
        counts.forEach((source, count) -> result.add(new SourceCount(source, count[0], count[1], count[2])));
        return result;
    }

    // ----- fields no source fills -----

    private List<MissingField> missingFields(final List<String> sources, final List<String> unfed) {
        final Map<String, List<String>> rulesByField = new TreeMap<>();
        for (final RuleDef rule : rules.activeRules()) {
            final List<String> feeding = sources.stream().filter(source -> feeds(source, rule.source())).toList();
            if (feeding.isEmpty()) {
                unfed.add(rule.name());
                continue;
            }
            final Set<String> fields = new TreeSet<>();
            final Expr condition = parse(rule.condition());
            if (condition != null) {
                collect(condition, fields, new HashSet<>(), new HashSet<>(), new HashSet<>());
            }
            for (final String field : fields) {
                if (feeding.stream().noneMatch(source -> SourceFields.provides(source, field))) {
                    rulesByField.computeIfAbsent(field, f -> new ArrayList<>()).add(rule.name());
                }
            }
        }
        final List<MissingField> result = new ArrayList<>();
        rulesByField.forEach((field, names) -> result.add(new MissingField(field, names)));
        return result;
    }

    /** Whether input {@code source} sends events that rules of {@code ruleSource} see. */
    private static boolean feeds(final String source, final String ruleSource) {
        if (SourceFields.NATIVE.equals(source)) {
            return true; // native lines carry any evt.source
        }
        return EventSources.eventSourcesOf(ruleSource).contains(source);
    }

    // ----- references -----

    private Expr parse(final String condition) {
        try {
            return ConditionParser.parse(condition);
        } catch (final ConditionSyntaxException e) {
            return null; // cannot happen for a set that loaded; nothing to analyse then
        }
    }

    private Expr macro(final String name) {
        if (!parsedMacros.containsKey(name)) {
            final MacroDef macro = rules.macros().get(name);
            parsedMacros.put(name, macro == null ? null : parse(macro.condition()));
        }
        return parsedMacros.get(name);
    }

    /**
     * Walks {@code expr}: fields into {@code fields} (macros followed, when {@code fields} is not
     * null), macro names into {@code macros}, list names into {@code lists}.
     */
    private void collect(final Expr expr, final Set<String> fields, final Set<String> macros, final Set<String> lists,
                         final Set<String> visiting) {
        if (expr instanceof Expr.And and) {
            and.parts().forEach(part -> collect(part, fields, macros, lists, visiting));
        } else if (expr instanceof Expr.Or or) {
            or.parts().forEach(part -> collect(part, fields, macros, lists, visiting));
        } else if (expr instanceof Expr.Not not) {
            collect(not.inner(), fields, macros, lists, visiting);
        } else if (expr instanceof Expr.MacroRef ref) {
            macros.add(ref.name());
            final Expr body = fields == null ? null : macro(ref.name());
            if (body != null && visiting.add(ref.name())) {
                collect(body, fields, macros, lists, visiting);
                visiting.remove(ref.name());
            }
        } else if (expr instanceof Expr.Comparison comparison) {
            if (fields != null) {
                fields.add(comparison.field().name());
            }
            for (final Expr.Value value : comparison.values()) {
                if (value.field() != null && fields != null) {
                    fields.add(value.field().name());
                } else if (comparison.isList() && !value.quoted() && rules.lists().containsKey(value.text())) {
                    lists.add(value.text());
                }
            }
        }
    }

    private List<Finding> unused(final List<Definition> definitions) {
        final Set<String> macrosUsed = new HashSet<>();
        final Set<String> listsUsed = new HashSet<>();
        final List<String> conditions = new ArrayList<>();
        rules.macros().values().forEach(macro -> conditions.add(macro.condition()));
        rules.rules().forEach(rule -> conditions.add(rule.condition()));
        for (final String condition : conditions) {
            final Expr expr = parse(condition);
            if (expr != null) {
                collect(expr, null, macrosUsed, listsUsed, new HashSet<>());
            }
        }
        for (final Definition definition : definitions) {
            if (definition.kind().equals("list")) {
                scalars(value(definition.keys(), "items"), listsUsed);
            }
        }
        for (final RuleFile file : files) {
            for (final MappingNode item : items(file)) {
                if (scalar(value(item, "rule")) != null
                        && value(item, "exceptions") instanceof SequenceNode exceptions) {
                    for (final Node exception : exceptions.getValue()) {
                        if (exception instanceof MappingNode entry) {
                            scalars(value(entry, "values"), listsUsed);
                        }
                    }
                }
            }
        }
        final List<Finding> findings = new ArrayList<>();
        for (final MacroDef macro : rules.macros().values()) {
            if (!macrosUsed.contains(macro.name())) {
                final Definition at = first(definitions, "macro", macro.name());
                findings.add(new Finding("LOAD_UNUSED_MACRO", macro.file(), macro.line(), at == null ? 1 : at.column(),
                        macro.name(), "macro '" + macro.name() + "' is not referred to by any rule or macro"));
            }
        }
        for (final ListDef list : rules.lists().values()) {
            if (!listsUsed.contains(list.name())) {
                final Definition at = first(definitions, "list", list.name());
                findings.add(new Finding("LOAD_UNUSED_LIST", list.file(), list.line(), at == null ? 1 : at.column(),
                        list.name(), "list '" + list.name() + "' is not referred to by any rule, macro or list"));
            }
        }
        return findings;
    }

    private static Definition first(final List<Definition> definitions, final String kind, final String name) {
        return definitions.stream().filter(d -> d.kind().equals(kind) && d.name().equals(name)).findFirst()
                .orElse(null);
    }

    private static List<Finding> shadowed(final List<Definition> definitions) {
        final Map<String, Definition> seen = new LinkedHashMap<>();
        final List<Finding> findings = new ArrayList<>();
        for (final Definition definition : definitions) {
            final String key = definition.kind() + '\u0000' + definition.name();
            final Definition earlier = seen.putIfAbsent(key, definition);
            if (earlier != null && !definition.extending()) {
                findings.add(new Finding(definition.kind().equals("macro") ? "SHADOWED_MACRO" : "SHADOWED_LIST",
                        definition.file(), definition.line(), definition.column(), definition.name(),
                        definition.kind() + " '" + definition.name() + "' replaces the definition at " + earlier.file()
                                + ":" + earlier.line() + " everywhere; add 'append: true' or 'override:' to extend it"));
            }
        }
        return findings;
    }

    private List<Finding> conditionWarnings() {
        final List<Finding> findings = new ArrayList<>();
        for (final RuleDef rule : rules.rules()) {
            if (rule.eventTypes().any() && EventSources.SYSCALL.equals(rule.source())) {
                findings.add(new Finding("LOAD_NO_EVTTYPE", rule.file(), rule.line(), 3, rule.name(), "rule '"
                        + rule.name() + "' does not restrict evt.type, so it is evaluated against every event"));
            }
            final Expr expr = parse(rule.condition());
            if (expr != null && comparesWithNa(expr)) {
                findings.add(new Finding("LOAD_UNSAFE_NA_CHECK", rule.file(), rule.line(), 3, rule.name(), "rule '"
                        + rule.name() + "' compares a field with <NA>; use 'exists' instead"));
            }
        }
        return findings;
    }

    private static boolean comparesWithNa(final Expr expr) {
        if (expr instanceof Expr.And and) {
            return and.parts().stream().anyMatch(RuleSetLint::comparesWithNa);
        }
        if (expr instanceof Expr.Or or) {
            return or.parts().stream().anyMatch(RuleSetLint::comparesWithNa);
        }
        if (expr instanceof Expr.Not not) {
            return comparesWithNa(not.inner());
        }
        return expr instanceof Expr.Comparison comparison && !comparison.isList()
                && comparison.values().stream().anyMatch(v -> v.field() == null && "<NA>".equals(v.text()));
    }

    // ----- the YAML as written -----

    private List<Definition> definitions() {
        final List<Definition> definitions = new ArrayList<>();
        for (final RuleFile file : files) {
            for (final MappingNode item : items(file)) {
                for (final String kind : List.of("list", "macro")) {
                    final String name = scalar(value(item, kind));
                    if (name != null) {
                        final boolean extending = "true".equals(scalar(value(item, "append")))
                                || value(item, "override") != null;
                        definitions.add(new Definition(kind, name, extending, file.name(),
                                item.getStartMark().getLine() + 1, item.getStartMark().getColumn() + 1, item));
                    }
                }
            }
        }
        return definitions;
    }

    private static List<MappingNode> items(final RuleFile file) {
        final List<MappingNode> items = new ArrayList<>();
        try {
            for (final Node document : new Yaml(new LoaderOptions()).composeAll(new StringReader(file.text()))) {
                if (document instanceof SequenceNode sequence) {
                    for (final Node item : sequence.getValue()) {
                        if (item instanceof MappingNode mapping) {
                            items.add(mapping);
                        }
                    }
                }
            }
        } catch (final YAMLException e) {
            // The loader reported it already; a set that loaded came from YAML that parses.
        }
        return items;
    }

    private static Node value(final MappingNode mapping, final String key) {
        if (mapping == null) {
            return null;
        }
        for (final NodeTuple tuple : mapping.getValue()) {
            if (tuple.getKeyNode() instanceof ScalarNode scalar && scalar.getValue().equals(key)) {
                return tuple.getValueNode();
            }
        }
        return null;
    }

    private static String scalar(final Node node) {
        return node instanceof ScalarNode scalar ? scalar.getValue() : null;
    }

    /** Every scalar under {@code node}, into {@code into}. */
    private static void scalars(final Node node, final Set<String> into) {
        if (node instanceof ScalarNode scalar) {
            into.add(scalar.getValue().strip());
        } else if (node instanceof SequenceNode sequence) {
            sequence.getValue().forEach(child -> scalars(child, into));
        } else if (node instanceof MappingNode mapping) {
            mapping.getValue().forEach(tuple -> scalars(tuple.getValueNode(), into));
        }
    }
}
