package dev.peregrine.engine.rules;

import dev.peregrine.alerting.Priority;
import dev.peregrine.collector.event.FieldRegistry;
import dev.peregrine.engine.condition.CompileError;
import dev.peregrine.engine.condition.ConditionCompiler;
import dev.peregrine.engine.condition.ConditionScope;
import dev.peregrine.engine.condition.EventPredicate;
import dev.peregrine.engine.condition.EventTypes;
import dev.peregrine.engine.condition.Expr;
import dev.peregrine.engine.condition.Operator;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Loads Falco-style rule files ({@code - list:}, {@code - macro:}, {@code - rule:} items) into
 * a compiled {@link RuleSet}, reporting every problem in every file at once.
 *
 * <p>Semantics follow Falco's loader: files are read in the order given and items in file
 * order. A macro or list can use only macros and lists defined (first) before it, in this or an
 * earlier file; a rule can use every macro and list of every file loaded together (Falco's own
 * rules file relies on this). Defining a list or macro again replaces its content everywhere (so
 * a later file can tune an earlier file's rules) while keeping its place in the order;
 * {@code append: true} adds items to a list or condition text to a macro or rule. A list name
 * inside {@code in (...)}/{@code pmatch (...)} expands to its items unless quoted.
 *
 * <p>Rules may carry {@code exceptions} (compiled, as in Falco, to {@code and not (...)} after the
 * condition); a later item may add to an earlier one with {@code append: true} or change it key by
 * key with an {@code override:} section. A rule whose {@code source} Peregrine does not ingest
 * ({@code k8s_audit}, plugin sources) loads inactive: a warning, not an error.
 *
 * <p>Peregrine's differences: a rule name defined twice is an error (Falco replaces the
 * rule), as is a duplicate {@code id}; {@code required_engine_version} is recorded but not
 * enforced.
 *
 * <p>{@code - cep:} items ({@code cep}, {@code id}, {@code desc}, {@code epl}, {@code output},
 * {@code priority}, {@code tags}, {@code enabled}) are parsed into {@link CepRuleDef}s; their EPL
 * is compiled by the {@link CepValidator} given to the constructor, so broken EPL is reported with
 * the other errors at the line of the {@code epl:} text it is on. Without a validator the EPL is
 * only read, not checked. {@code - cep: name} with only {@code enabled:} switches an earlier item.
 */
public final class RuleLoader {

    /** The source a rule applies to when it names none, as in Falco. */
    public static final String DEFAULT_SOURCE = "syscall";

    private static final Set<String> RULE_KEYS = Set.of("rule", "id", "desc", "condition", "output", "priority",
            "tags", "enabled", "source", "append", "exceptions", "override", "warn_evttypes",
            "skip-if-unknown-filter", "capture", "capture_duration");
    private static final Set<String> MACRO_KEYS = Set.of("macro", "condition", "append", "override", "desc");
    private static final Set<String> LIST_KEYS = Set.of("list", "items", "append", "override", "desc");
    private static final Set<String> CEP_KEYS = Set.of("cep", "id", "desc", "epl", "output", "priority", "tags",
            "enabled");
    // Accepted for Falco compatibility; they change nothing in Peregrine yet.
    private static final Set<String> IGNORED_RULE_KEYS = Set.of("warn_evttypes", "skip-if-unknown-filter",
            "capture", "capture_duration");

    private final ConditionCompiler compiler;
    private final CepValidator cepValidator;

    /** A loader that reads {@code - cep:} items without compiling their EPL; @param registry the fields conditions and outputs may name */
    public RuleLoader(final FieldRegistry registry) {
        this(registry, null);
    }

    /**
     * @param registry      the fields conditions and outputs may name
     * @param cepValidator  compiles the EPL of {@code - cep:} items, or {@code null} to only read it
     */
    public RuleLoader(final FieldRegistry registry, final CepValidator cepValidator) {
        this.compiler = new ConditionCompiler(registry);
        this.cepValidator = cepValidator;
    }

    /**
     * Loads rule files and directories, in the order given; a directory contributes its
     * {@code *.yaml} and {@code *.yml} files (not recursively), sorted by name.
     */
    public RuleSet load(final List<Path> filesOrDirs) throws RuleLoadException {
        final List<RuleFile> files = new ArrayList<>();
        final List<RuleLoadError> readErrors = new ArrayList<>();
        for (final Path path : filesOrDirs) {
            final List<Path> expanded;
            if (Files.isDirectory(path)) {
                try (Stream<Path> entries = Files.list(path)) {
                    expanded = entries.filter(p -> {
                        final String name = p.getFileName().toString();
                        return Files.isRegularFile(p) && (name.endsWith(".yaml") || name.endsWith(".yml"));
                    }).sorted().toList();
                } catch (final IOException e) {
                    readErrors.add(new RuleLoadError(path.toString(), 0, 0, null, "cannot list directory: " + e));
                    continue;
                }
            } else {
                expanded = List.of(path);
            }
            for (final Path file : expanded) {
                try {
                    files.add(new RuleFile(file.toString(), Files.readString(file, StandardCharsets.UTF_8)));
                } catch (final IOException e) {
                    readErrors.add(new RuleLoadError(file.toString(), 0, 0, null, "cannot read: " + e.getMessage()));
                }
            }
        }
        return new Run(readErrors).load(files);
    }

    /** Loads one rule file given as text; {@code fileName} is what errors show. */
    public RuleSet load(final String fileName, final String yamlText) throws RuleLoadException {
        return loadFiles(List.of(new RuleFile(fileName, yamlText)));
    }

    /** Loads rule files given as text (e.g. classpath resources), in order. */
    public RuleSet loadFiles(final List<RuleFile> files) throws RuleLoadException {
        return new Run(new ArrayList<>()).load(files);
    }

    /** The id a rule without {@code id:} gets: its name in lower case, runs of other characters as one {@code _}. */
    public static String slug(final String name) {
        final String lower = name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "_");
        return lower.replaceAll("^_+|_+$", "");
    }

    // ---------------------------------------------------------------------------------------
    // One load: collect every item of every file, then compile in order.
    // ---------------------------------------------------------------------------------------

    /** Where an item was defined, and under which name, for messages. */
    private record Origin(YamlText file, YamlText.Position position, String item) {
        String where() {
            return file.name() + ":" + position.line() + ":" + position.column();
        }
    }

    /** A list as collected: first-definition index, latest content. */
    private static final class PendingList {
        final String name;
        final int index;
        final Origin origin;
        int visibility;
        List<ScalarText> items;
        List<String> resolved;
        boolean resolving;

        PendingList(final String name, final int index, final Origin origin, final List<ScalarText> items) {
            this.name = name;
            this.index = index;
            this.visibility = index;
            this.origin = origin;
            this.items = items;
        }
    }

    /** A macro as collected, and once compiled, its predicate. */
    private static final class PendingMacro {
        final String name;
        final int index;
        final Origin origin;
        int visibility;
        ConditionText condition;
        boolean compiling;
        boolean compiled;
        EventPredicate predicate;

        PendingMacro(final String name, final int index, final Origin origin, final ConditionText condition) {
            this.name = name;
            this.index = index;
            this.visibility = index;
            this.origin = origin;
            this.condition = condition;
        }
    }

    /** A rule as collected. */
    private static final class PendingRule {
        final String name;
        final Origin origin;
        String id;
        String description;
        ConditionText condition;
        ConditionText output;
        Priority priority;
        List<String> tags;
        boolean enabled;
        String source;
        List<RuleException> exceptions = new ArrayList<>();

        PendingRule(final String name, final Origin origin) {
            this.name = name;
            this.origin = origin;
        }
    }

    /** A cep item as collected. */
    private static final class PendingCep {
        final Origin origin;
        final CepRuleDef def;
        boolean enabled;

        PendingCep(final Origin origin, final CepRuleDef def) {
            this.origin = origin;
            this.def = def;
            this.enabled = def.enabled();
        }
    }

    private final class Run {
        private final List<RuleLoadError> errors;
        private final List<RuleLoadWarning> warnings = new ArrayList<>();
        private final Map<String, String> engineVersions = new LinkedHashMap<>();
        private final Map<String, PendingList> lists = new LinkedHashMap<>();
        private final Map<String, PendingMacro> macros = new LinkedHashMap<>();
        private final Map<String, PendingRule> rules = new LinkedHashMap<>();
        private final Map<String, PendingRule> rulesById = new HashMap<>();
        private final Set<PendingRule> incomplete = new HashSet<>();
        private final Set<String> inactive = new HashSet<>();
        private final Map<String, PendingCep> ceps = new LinkedHashMap<>();
        private final Map<String, Origin> cepIds = new HashMap<>();
        private int nextIndex;

        Run(final List<RuleLoadError> errors) {
            this.errors = errors;
        }

        RuleSet load(final List<RuleFile> files) throws RuleLoadException {
            for (final RuleFile file : files) {
                collectFile(new YamlText(file.name(), file.text()));
            }
            final Map<String, ListDef> listDefs = new LinkedHashMap<>();
            for (final PendingList list : lists.values()) {
                final List<String> items = resolve(list);
                listDefs.put(list.name, new ListDef(list.name, items == null ? List.of() : items,
                        list.origin.file().name(), list.origin.position().line()));
            }
            final Map<String, MacroDef> macroDefs = new LinkedHashMap<>();
            for (final PendingMacro macro : macros.values()) {
                compile(macro);
                if (macro.predicate != null) {
                    macroDefs.put(macro.name, new MacroDef(macro.name, macro.condition.text(), macro.predicate,
                            macro.origin.file().name(), macro.origin.position().line()));
                }
            }
            final List<RuleDef> ruleDefs = new ArrayList<>();
            for (final PendingRule rule : rules.values()) {
                final RuleDef compiled = compile(rule);
                if (compiled != null) {
                    ruleDefs.add(compiled);
                }
            }
            final List<CepRuleDef> cepDefs = new ArrayList<>();
            for (final PendingCep cep : ceps.values()) {
                final CepRuleDef def = cep.def;
                final PendingRule sameId = rulesById.get(def.id());
                if (sameId != null) {
                    error(cep.origin.file(), cep.origin.position(), def.name(), "cep id '" + def.id()
                            + "' is already used by rule '" + sameId.name + "' at " + sameId.origin.where());
                    continue;
                }
                cepDefs.add(new CepRuleDef(def.id(), def.name(), def.description(), def.epl(), def.output(),
                        def.priority(), def.tags(), cep.enabled, def.file(), def.line(), def.eplLines(), def.outputLines()));
            }
            if (cepValidator != null && !cepDefs.isEmpty()) {
                errors.addAll(cepValidator.validate(cepDefs));
            }
            if (!errors.isEmpty()) {
                throw new RuleLoadException(errors);
            }
            return new RuleSet(ruleDefs, listDefs, macroDefs, warnings, engineVersions, inactive, cepDefs);
        }

        // ----- collecting -----

        private void collectFile(final YamlText file) {
            final Node root;
            try {
                final LoaderOptions options = new LoaderOptions();
                options.setAllowDuplicateKeys(true); // reported per item, with a position
                root = new Yaml(options).compose(new StringReader(file.text()));
            } catch (final MarkedYAMLException e) {
                final Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
                final YamlText.Position position = mark == null ? new YamlText.Position(1, 1) : YamlText.positionOf(mark);
                errors.add(new RuleLoadError(file.name(), position.line(), position.column(), null,
                        "YAML syntax error: " + Objects.requireNonNullElse(e.getProblem(), e.getMessage())));
                return;
            } catch (final YAMLException e) {
                errors.add(new RuleLoadError(file.name(), 1, 1, null, "YAML error: " + e.getMessage()));
                return;
            }
            if (root == null) {
                return; // an empty file defines nothing
            }
            if (!(root instanceof SequenceNode sequence)) {
                error(file, root, null, "a rule file must be a YAML list of items (- rule: …, - macro: …, - list: …)");
                return;
            }
            for (final Node item : sequence.getValue()) {
                if (item instanceof MappingNode mapping) {
                    collectItem(file, mapping);
                } else {
                    error(file, item, null, "expected an item such as '- rule: …', '- macro: …' or '- list: …'");
                }
            }
        }

        private void collectItem(final YamlText file, final MappingNode item) {
            final Map<String, NodeTuple> keys = keysOf(file, item);
            final int index = nextIndex++;
            if (keys.containsKey("required_engine_version")) {
                final Node value = keys.get("required_engine_version").getValueNode();
                engineVersions.put(file.name(), value instanceof ScalarNode s ? s.getValue() : String.valueOf(value));
                return;
            }
            if (keys.containsKey("required_plugin_versions")) {
                return; // Peregrine loads no Falco plugins; the key is accepted so Falco's files load
            }
            final List<String> kinds = Stream.of("rule", "macro", "list", "cep").filter(keys::containsKey).toList();
            if (kinds.size() != 1) {
                if (kinds.isEmpty()) {
                    warn(file, item, null, "unknown item with keys " + keys.keySet() + " ignored; expected rule, macro, list or cep");
                } else {
                    error(file, item, null, "an item must be exactly one of rule, macro, list or cep, not " + kinds);
                }
                return;
            }
            final String kind = kinds.get(0);
            final ScalarText name = scalar(file, keys, kind, null);
            if (name == null || name.value().isBlank()) {
                if (name != null) {
                    error(file, item, null, kind + " name must not be empty");
                }
                return;
            }
            final Origin origin = new Origin(file, file.positionOf(item), name.value());
            final Set<String> allowed = switch (kind) {
                case "rule" -> RULE_KEYS;
                case "macro" -> MACRO_KEYS;
                case "cep" -> CEP_KEYS;
                default -> LIST_KEYS;
            };
            for (final Map.Entry<String, NodeTuple> key : keys.entrySet()) {
                if (!allowed.contains(key.getKey())) {
                    warn(file, key.getValue().getKeyNode(), name.value(), "unknown key '" + key.getKey() + "' in "
                            + kind + " '" + name.value() + "' ignored");
                }
            }
            if (kind.equals("cep")) {
                collectCep(file, keys, origin);
                return;
            }
            if (keys.containsKey("override")) {
                override(file, keys, origin, index, kind);
                return;
            }
            final boolean append = bool(file, keys, "append", name.value(), false);
            switch (kind) {
                case "list" -> collectList(file, keys, origin, index, append);
                case "macro" -> collectMacro(file, keys, origin, index, append);
                default -> collectRule(file, keys, origin, append);
            }
        }

        private void collectList(final YamlText file, final Map<String, NodeTuple> keys, final Origin origin,
                                 final int index, final boolean append) {
            final String name = origin.item();
            final NodeTuple itemsKey = keys.get("items");
            if (itemsKey == null) {
                error(file, origin.position(), name, "list '" + name + "' has no 'items'");
                return;
            }
            final List<ScalarText> items = scalars(file, itemsKey, name);
            if (items == null) {
                return;
            }
            final PendingList existing = lists.get(name);
            if (append) {
                if (existing == null) {
                    error(file, origin.position(), name, "cannot append to list '" + name + "': no list of that name is defined before");
                    return;
                }
                final List<ScalarText> joined = new ArrayList<>(existing.items);
                joined.addAll(items);
                existing.items = joined;
                existing.visibility = index;
            } else if (existing != null) {
                existing.items = items;
                existing.visibility = index;
            } else {
                lists.put(name, new PendingList(name, index, origin, items));
            }
        }

        private void collectMacro(final YamlText file, final Map<String, NodeTuple> keys, final Origin origin,
                                  final int index, final boolean append) {
            final String name = origin.item();
            final ScalarText condition = scalar(file, keys, "condition", name);
            if (condition == null) {
                if (!keys.containsKey("condition")) {
                    error(file, origin.position(), name, "macro '" + name + "' has no 'condition'");
                }
                return;
            }
            final PendingMacro existing = macros.get(name);
            if (append) {
                if (existing == null) {
                    error(file, origin.position(), name, "cannot append to macro '" + name + "': no macro of that name is defined before");
                    return;
                }
                existing.condition = existing.condition.append(condition);
                existing.visibility = index;
            } else if (existing != null) {
                existing.condition = ConditionText.of(condition);
                existing.visibility = index;
            } else {
                macros.put(name, new PendingMacro(name, index, origin, ConditionText.of(condition)));
            }
        }

        private void collectRule(final YamlText file, final Map<String, NodeTuple> keys, final Origin origin,
                                 final boolean append) {
            final String name = origin.item();
            final PendingRule existing = rules.get(name);
            warnIgnoredKeys(file, keys, name);
            // Falco's short form "- rule: X / enabled: false" switches an existing rule on or off.
            final boolean enabledOnly = keys.containsKey("enabled") && !append && keys.keySet().stream()
                    .allMatch(k -> k.equals("rule") || k.equals("enabled"));
            if (enabledOnly && existing != null) {
                existing.enabled = bool(file, keys, "enabled", name, existing.enabled);
                return;
            }
            if (append) {
                if (existing == null) {
                    error(file, origin.position(), name, "cannot append to rule '" + name + "': no rule of that name is defined before");
                    return;
                }
                for (final String key : keys.keySet()) {
                    if (!Set.of("rule", "append", "condition", "exceptions").contains(key)) {
                        error(file, keys.get(key).getKeyNode(), name, "'append: true' can only add to a rule's condition "
                                + "and exceptions, not '" + key + "'; use 'override' to change it");
                    }
                }
                final ScalarText condition = scalar(file, keys, "condition", name);
                if (condition != null) {
                    existing.condition = existing.condition == null ? ConditionText.of(condition)
                            : existing.condition.append(condition);
                }
                if (keys.containsKey("exceptions")) {
                    appendExceptions(file, keys.get("exceptions"), existing);
                }
                return;
            }
            if (existing != null) {
                error(file, origin.position(), name, "rule '" + name + "' is already defined at "
                        + existing.origin.where() + "; rule names must be unique");
                return;
            }
            final PendingRule rule = new PendingRule(name, origin);
            boolean complete = true;
            final ScalarText condition = scalar(file, keys, "condition", name);
            if (condition == null) {
                complete = false;
                if (!keys.containsKey("condition")) {
                    error(file, origin.position(), name, "rule '" + name + "' has no 'condition'");
                }
            } else {
                rule.condition = ConditionText.of(condition);
            }
            final ScalarText output = scalar(file, keys, "output", name);
            rule.output = output == null ? null : ConditionText.of(output);
            if (rule.output == null) {
                complete = false;
                if (!keys.containsKey("output")) {
                    error(file, origin.position(), name, "rule '" + name + "' has no 'output'");
                }
            }
            final ScalarText priority = scalar(file, keys, "priority", name);
            if (priority == null) {
                complete = false;
                if (!keys.containsKey("priority")) {
                    error(file, origin.position(), name, "rule '" + name + "' has no 'priority'");
                }
            } else {
                rule.priority = Priority.parse(priority.value()).orElse(null);
                if (rule.priority == null) {
                    complete = false;
                    error(file, priority.node(), name, "unknown priority '" + priority.value() + "'; expected one of "
                            + Arrays.stream(Priority.values()).map(Priority::displayName).collect(Collectors.joining(", ")));
                }
            }
            final ScalarText id = scalar(file, keys, "id", name);
            rule.id = id == null || id.value().isBlank() ? slug(name) : id.value().strip();
            final ScalarText desc = scalar(file, keys, "desc", name);
            rule.description = desc == null ? "" : desc.value().strip();
            final List<ScalarText> tags = keys.containsKey("tags") ? scalars(file, keys.get("tags"), name) : List.of();
            rule.tags = tags == null ? List.of() : tags.stream().map(ScalarText::value).toList();
            rule.enabled = bool(file, keys, "enabled", name, true);
            final ScalarText source = scalar(file, keys, "source", name);
            rule.source = source == null || source.value().isBlank() ? DEFAULT_SOURCE : source.value().strip();
            if (keys.containsKey("exceptions")) {
                rule.exceptions = defineExceptions(file, keys.get("exceptions"), name, List.of());
            }
            final PendingRule sameId = rulesById.get(rule.id);
            if (sameId != null) {
                error(file, id == null ? origin.position() : file.positionOf(id.node()), name, "rule id '" + rule.id
                        + "' is already used by rule '" + sameId.name + "' at " + sameId.origin.where());
                return;
            }
            rulesById.put(rule.id, rule);
            // An incomplete rule is still registered, so a later append reports only its own problems.
            rules.put(name, rule);
            if (!complete) {
                incomplete.add(rule);
            }
        }

        private void collectCep(final YamlText file, final Map<String, NodeTuple> keys, final Origin origin) {
            final String name = origin.item();
            final PendingCep existing = ceps.get(name);
            final boolean enabledOnly = keys.containsKey("enabled") && keys.keySet().stream()
                    .allMatch(k -> k.equals("cep") || k.equals("enabled"));
            if (enabledOnly && existing != null) {
                existing.enabled = bool(file, keys, "enabled", name, existing.enabled);
                return;
            }
            if (existing != null) {
                error(file, origin.position(), name, "cep '" + name + "' is already defined at "
                        + existing.origin.where() + "; cep names must be unique");
                return;
            }
            boolean complete = true;
            final ScalarText epl = scalar(file, keys, "epl", name);
            if (epl == null || epl.value().isBlank()) {
                complete = false;
                if (epl != null || !keys.containsKey("epl")) {
                    error(file, epl == null ? origin.position() : file.positionOf(epl.node()), name,
                            "cep '" + name + "' has no 'epl' statement");
                }
            }
            final ScalarText output = scalar(file, keys, "output", name);
            if (output == null) {
                complete = false;
                if (!keys.containsKey("output")) {
                    error(file, origin.position(), name, "cep '" + name + "' has no 'output'");
                }
            }
            final ScalarText priorityText = scalar(file, keys, "priority", name);
            Priority priority = null;
            if (priorityText == null) {
                complete = false;
                if (!keys.containsKey("priority")) {
                    error(file, origin.position(), name, "cep '" + name + "' has no 'priority'");
                }
            } else {
                priority = Priority.parse(priorityText.value()).orElse(null);
                if (priority == null) {
                    complete = false;
                    error(file, priorityText.node(), name, "unknown priority '" + priorityText.value()
                            + "'; expected one of " + Arrays.stream(Priority.values()).map(Priority::displayName)
                            .collect(Collectors.joining(", ")));
                }
            }
            final ScalarText idText = scalar(file, keys, "id", name);
            final String id = idText == null || idText.value().isBlank() ? slug(name) : idText.value().strip();
            final Origin sameId = cepIds.get(id);
            if (sameId != null) {
                error(file, idText == null ? origin.position() : file.positionOf(idText.node()), name,
                        "cep id '" + id + "' is already used by cep '" + sameId.item() + "' at " + sameId.where());
                return;
            }
            cepIds.put(id, origin);
            final ScalarText desc = scalar(file, keys, "desc", name);
            final List<ScalarText> tags = keys.containsKey("tags") ? scalars(file, keys.get("tags"), name) : List.of();
            final boolean enabled = bool(file, keys, "enabled", name, true);
            if (!complete) {
                return;
            }
            final YamlText.Position at = origin.position();
            final CepRuleDef def = new CepRuleDef(id, name, desc == null ? "" : desc.value().strip(), epl.value(),
                    output.value(), priority, tags == null ? List.of() : tags.stream().map(ScalarText::value).toList(),
                    enabled, file.name(), at.line(), lineStarts(epl), lineStarts(output));
            ceps.put(name, new PendingCep(origin, def));
        }

        /** Where each line of a scalar was written, so Esper's line numbers can be turned into file lines. */
        private List<CepRuleDef.Location> lineStarts(final ScalarText epl) {
            final List<CepRuleDef.Location> lines = new ArrayList<>();
            final String text = epl.value();
            int start = 0;
            while (start <= text.length()) {
                // Point at the first non-blank character of the line: that is what the author sees as "the line".
                int first = start;
                while (first < text.length() && text.charAt(first) != '\n' && Character.isWhitespace(text.charAt(first))) {
                    first++;
                }
                final YamlText.Position position = epl.positionOf(first);
                lines.add(new CepRuleDef.Location(position.line(), position.column()));
                final int newline = text.indexOf('\n', start);
                if (newline < 0) {
                    break;
                }
                start = newline + 1;
            }
            return lines;
        }

        private void warnIgnoredKeys(final YamlText file, final Map<String, NodeTuple> keys, final String name) {
            for (final String ignored : IGNORED_RULE_KEYS) {
                if (keys.containsKey(ignored)) {
                    warn(file, keys.get(ignored).getKeyNode(), name, "'" + ignored + "' is not supported yet and is ignored");
                }
            }
        }

        // ----- override -----

        /**
         * An item with an {@code override:} section: each named key is appended to or replaces the
         * same key of the list, macro or rule of that name defined before (Falco 0.37+,
         * falco.org/docs/concepts/rules/overriding). Every other key of the item must be named.
         */
        private void override(final YamlText file, final Map<String, NodeTuple> keys, final Origin origin,
                              final int index, final String kind) {
            final String name = origin.item();
            final NodeTuple overrideKey = keys.get("override");
            if (keys.containsKey("append")) {
                error(file, keys.get("append").getKeyNode(), name, "'append' and 'override' cannot be used together;"
                        + " name the key in 'override' with 'append' instead");
                return;
            }
            if (!(overrideKey.getValueNode() instanceof MappingNode spec)) {
                error(file, overrideKey.getValueNode(), name, "'override' must map keys to 'append' or 'replace', "
                        + "e.g. override: {condition: append}");
                return;
            }
            final Map<String, Boolean> appends = new LinkedHashMap<>();
            final Set<String> named = new HashSet<>();
            boolean valid = true;
            for (final NodeTuple entry : spec.getValue()) {
                if (!(entry.getKeyNode() instanceof ScalarNode key) || !(entry.getValueNode() instanceof ScalarNode action)) {
                    error(file, entry.getKeyNode(), name, "'override' entries must be 'key: append' or 'key: replace'");
                    valid = false;
                    continue;
                }
                named.add(key.getValue());
                final String how = action.getValue().strip();
                if (!how.equals("append") && !how.equals("replace")) {
                    error(file, action, name, "override of '" + key.getValue() + "' must be 'append' or 'replace', not '"
                            + how + "'");
                    valid = false;
                    continue;
                }
                final Set<String> allowed = overridable(kind, how.equals("append"));
                if (!allowed.contains(key.getValue())) {
                    error(file, key, name, "'" + key.getValue() + "' of a " + kind + " cannot be overridden with '" + how
                            + "'; " + how + " applies to: " + String.join(", ", allowed.stream().sorted().toList()));
                    valid = false;
                    continue;
                }
                if (!keys.containsKey(key.getValue())) {
                    error(file, key, name, "'override' names '" + key.getValue() + "' but the " + kind
                            + " gives no '" + key.getValue() + "'");
                    valid = false;
                    continue;
                }
                appends.put(key.getValue(), how.equals("append"));
            }
            final Set<String> overridable = new HashSet<>(overridable(kind, true));
            overridable.addAll(overridable(kind, false));
            for (final Map.Entry<String, NodeTuple> key : keys.entrySet()) {
                final String given = key.getKey();
                if (given.equals(kind) || given.equals("override") || named.contains(given)
                        || !(kind.equals("rule") ? RULE_KEYS : kind.equals("macro") ? MACRO_KEYS : LIST_KEYS).contains(given)
                        || !kind.equals("rule") && given.equals("desc")) {
                    continue; // unknown keys were warned about; a list's or macro's desc is documentation
                }
                if (overridable.contains(given)) {
                    error(file, key.getValue().getKeyNode(), name, "'" + given + "' is given but not named in "
                            + "'override'; add '" + given + ": append' or '" + given + ": replace'");
                } else {
                    error(file, key.getValue().getKeyNode(), name, "'" + given + "' of a " + kind + " cannot be "
                            + "overridden; define a new " + kind + " instead");
                }
                valid = false;
            }
            if (!valid) {
                return;
            }
            switch (kind) {
                case "list" -> {
                    final PendingList existing = lists.get(name);
                    if (existing == null) {
                        undefined(file, origin, kind);
                        return;
                    }
                    final List<ScalarText> items = scalars(file, keys.get("items"), name);
                    if (items != null) {
                        final List<ScalarText> joined = new ArrayList<>(appends.get("items") ? existing.items : List.of());
                        joined.addAll(items);
                        existing.items = joined;
                        existing.visibility = index;
                    }
                }
                case "macro" -> {
                    final PendingMacro existing = macros.get(name);
                    if (existing == null) {
                        undefined(file, origin, kind);
                        return;
                    }
                    final ScalarText condition = scalar(file, keys, "condition", name);
                    if (condition != null) {
                        existing.condition = appends.get("condition") ? existing.condition.append(condition)
                                : ConditionText.of(condition);
                        existing.visibility = index;
                    }
                }
                default -> overrideRule(file, keys, origin, appends);
            }
        }

        private Set<String> overridable(final String kind, final boolean append) {
            return switch (kind) {
                case "list" -> Set.of("items");
                case "macro" -> Set.of("condition");
                default -> append ? Set.of("condition", "output", "desc", "tags", "exceptions")
                        : Set.of("condition", "output", "desc", "priority", "tags", "exceptions", "enabled",
                        "warn_evttypes", "skip-if-unknown-filter");
            };
        }

        private void undefined(final YamlText file, final Origin origin, final String kind) {
            error(file, origin.position(), origin.item(), "cannot override " + kind + " '" + origin.item() + "': no "
                    + kind + " of that name is defined before");
        }

        private void overrideRule(final YamlText file, final Map<String, NodeTuple> keys, final Origin origin,
                                  final Map<String, Boolean> appends) {
            final String name = origin.item();
            final PendingRule rule = rules.get(name);
            if (rule == null) {
                undefined(file, origin, "rule");
                return;
            }
            warnIgnoredKeys(file, keys, name);
            for (final Map.Entry<String, Boolean> entry : appends.entrySet()) {
                final boolean append = entry.getValue();
                switch (entry.getKey()) {
                    case "condition" -> {
                        final ScalarText condition = scalar(file, keys, "condition", name);
                        if (condition != null) {
                            rule.condition = append && rule.condition != null ? rule.condition.append(condition)
                                    : ConditionText.of(condition);
                        }
                    }
                    case "output" -> {
                        final ScalarText output = scalar(file, keys, "output", name);
                        if (output != null) {
                            rule.output = append && rule.output != null ? rule.output.append(output) : ConditionText.of(output);
                        }
                    }
                    case "desc" -> {
                        final ScalarText desc = scalar(file, keys, "desc", name);
                        if (desc != null) {
                            rule.description = append && !rule.description.isEmpty()
                                    ? rule.description + " " + desc.value().strip() : desc.value().strip();
                        }
                    }
                    case "priority" -> {
                        final Priority priority = priority(file, keys, name);
                        if (priority != null) {
                            rule.priority = priority;
                        }
                    }
                    case "tags" -> {
                        final List<ScalarText> tags = scalars(file, keys.get("tags"), name);
                        if (tags != null) {
                            final List<String> joined = new ArrayList<>(append ? rule.tags : List.of());
                            tags.stream().map(ScalarText::value).filter(t -> !joined.contains(t)).forEach(joined::add);
                            rule.tags = List.copyOf(joined);
                        }
                    }
                    case "enabled" -> rule.enabled = bool(file, keys, "enabled", name, rule.enabled);
                    case "exceptions" -> {
                        if (append) {
                            appendExceptions(file, keys.get("exceptions"), rule);
                        } else {
                            rule.exceptions = defineExceptions(file, keys.get("exceptions"), name, List.of());
                        }
                    }
                    default -> {
                        // warn_evttypes, skip-if-unknown-filter: warned about above
                    }
                }
            }
        }

        private Priority priority(final YamlText file, final Map<String, NodeTuple> keys, final String name) {
            final ScalarText priority = scalar(file, keys, "priority", name);
            if (priority == null) {
                return null;
            }
            final Priority parsed = Priority.parse(priority.value()).orElse(null);
            if (parsed == null) {
                error(file, priority.node(), name, "unknown priority '" + priority.value() + "'; expected one of "
                        + Arrays.stream(Priority.values()).map(Priority::displayName).collect(Collectors.joining(", ")));
            }
            return parsed;
        }

        // ----- exceptions -----

        /** The exceptions a rule defines; names in {@code known} may be given values only. */
        private List<RuleException> defineExceptions(final YamlText file, final NodeTuple tuple, final String rule,
                                                     final List<RuleException> known) {
            final List<RuleException> result = new ArrayList<>();
            final Node value = tuple.getValueNode();
            if (value instanceof ScalarNode scalar && scalar.getValue().isEmpty()) {
                return result;
            }
            if (!(value instanceof SequenceNode sequence)) {
                error(file, value, rule, "'exceptions' must be a list of '- name: …' entries");
                return result;
            }
            final Set<String> seen = new HashSet<>();
            for (final Node entry : sequence.getValue()) {
                if (!(entry instanceof MappingNode mapping)) {
                    error(file, entry, rule, "an exception must be a map with 'name', 'fields', 'comps' and 'values'");
                    continue;
                }
                final Map<String, NodeTuple> keys = keysOf(file, mapping);
                for (final Map.Entry<String, NodeTuple> key : keys.entrySet()) {
                    if (!Set.of("name", "fields", "comps", "values").contains(key.getKey())) {
                        warn(file, key.getValue().getKeyNode(), rule, "unknown key '" + key.getKey() + "' in an exception ignored");
                    }
                }
                final ScalarText name = scalar(file, keys, "name", rule);
                if (name == null || name.value().isBlank()) {
                    if (name == null && !keys.containsKey("name")) {
                        error(file, entry, rule, "exception has no 'name'");
                    } else if (name != null) {
                        error(file, name.node(), rule, "exception name must not be empty");
                    }
                    continue;
                }
                if (!seen.add(name.value())) {
                    error(file, name.node(), rule, "exception '" + name.value() + "' is defined twice in this rule");
                    continue;
                }
                final RuleException existing = known.stream().filter(e -> e.name.equals(name.value())).findFirst().orElse(null);
                final RuleException exception;
                if (existing != null) {
                    for (final String key : List.of("fields", "comps")) {
                        if (keys.containsKey(key)) {
                            error(file, keys.get(key).getKeyNode(), rule, "exception '" + name.value() + "' is already "
                                    + "defined at " + existing.file.name() + ":" + existing.file.positionOf(existing.node).line()
                                    + ":" + existing.file.positionOf(existing.node).column()
                                    + "; an append can add values only, not '" + key + "'");
                        }
                    }
                    exception = existing;
                } else {
                    exception = exceptionDefinition(file, entry, keys, name.value(), rule);
                    if (exception == null) {
                        continue;
                    }
                }
                final NodeTuple values = keys.get("values");
                if (values != null) {
                    if (values.getValueNode() instanceof SequenceNode rows) {
                        for (final Node row : rows.getValue()) {
                            exception.rows.add(new RuleException.Row(file, row));
                        }
                    } else if (!(values.getValueNode() instanceof ScalarNode empty && empty.getValue().isEmpty())) {
                        error(file, values.getValueNode(), rule, "'values' of exception '" + name.value()
                                + "' must be a list");
                    }
                }
                result.add(exception);
            }
            return result;
        }

        /** A new exception's fields and operators, checked; {@code null} when they are wrong (reported). */
        private RuleException exceptionDefinition(final YamlText file, final Node entry, final Map<String, NodeTuple> keys,
                                                  final String name, final String rule) {
            final NodeTuple fieldsKey = keys.get("fields");
            if (fieldsKey == null) {
                error(file, entry, rule, "exception '" + name + "' has no 'fields'");
                return null;
            }
            final boolean single = fieldsKey.getValueNode() instanceof ScalarNode;
            final List<ScalarText> fields = single ? List.of(new ScalarText(file, (ScalarNode) fieldsKey.getValueNode()))
                    : scalars(file, fieldsKey, rule);
            if (fields == null) {
                return null;
            }
            if (fields.isEmpty() || fields.stream().anyMatch(f -> f.value().isBlank())) {
                error(file, fieldsKey.getValueNode(), rule, "'fields' of exception '" + name + "' must name at least one field");
                return null;
            }
            final NodeTuple compsKey = keys.get("comps");
            final List<ScalarText> comps;
            if (compsKey == null) {
                comps = null;
            } else if (single != compsKey.getValueNode() instanceof ScalarNode) {
                error(file, compsKey.getValueNode(), rule, single
                        ? "exception '" + name + "' has one field, so 'comps' must be one operator (in, pmatch or intersects)"
                        : "exception '" + name + "' has a list of fields, so 'comps' must be a list of operators, one per field");
                return null;
            } else {
                comps = single ? List.of(new ScalarText(file, (ScalarNode) compsKey.getValueNode())) : scalars(file, compsKey, rule);
                if (comps == null) {
                    return null;
                }
                if (comps.size() != fields.size()) {
                    error(file, compsKey.getValueNode(), rule, "exception '" + name + "' has " + fields.size()
                            + " fields but " + comps.size() + " comps; give one operator per field");
                    return null;
                }
            }
            final List<RuleException.Column> columns = new ArrayList<>();
            boolean valid = true;
            for (int i = 0; i < fields.size(); i++) {
                final ScalarText field = fields.get(i);
                final String text = field.value().strip();
                final int bracket = text.indexOf('[');
                final String fieldName = bracket < 0 || !text.endsWith("]") ? text : text.substring(0, bracket);
                final String argument = bracket < 0 || !text.endsWith("]") ? null : text.substring(bracket + 1, text.length() - 1);
                final ConditionCompiler.FieldResolution resolution = compiler.resolveField(fieldName, argument);
                if (resolution.accessor() == null) {
                    error(file, field.node(), rule, resolution.problem() + " in exception '" + name + "'");
                    valid = false;
                }
                final String compText = comps == null ? (single ? "in" : "=") : comps.get(i).value().strip();
                final Node compNode = comps == null ? field.node() : comps.get(i).node();
                final Operator operator = Operator.bySymbol(compText).orElse(null);
                if (operator == null) {
                    error(file, compNode, rule, "unknown comparison operator '" + compText + "' in exception '" + name + "'");
                    valid = false;
                } else if (operator.arity() == Operator.Arity.NONE) {
                    error(file, compNode, rule, "operator '" + compText + "' takes no value, so it cannot be used in "
                            + "exception '" + name + "'");
                    valid = false;
                } else if (single && operator.arity() != Operator.Arity.LIST) {
                    error(file, compNode, rule, "exception '" + name + "' has one field, so its operator must be one of "
                            + "in, pmatch or intersects, not '" + compText + "'");
                    valid = false;
                }
                columns.add(new RuleException.Column(fieldName, argument, operator, file, field.node(), compNode));
            }
            return valid ? new RuleException(name, file, entry, single, columns) : null;
        }

        /** {@code append: true} or {@code override: {exceptions: append}}: values for known exceptions, new ones added. */
        private void appendExceptions(final YamlText file, final NodeTuple tuple, final PendingRule rule) {
            final List<RuleException> appended = defineExceptions(file, tuple, rule.name, rule.exceptions);
            final List<RuleException> merged = new ArrayList<>(rule.exceptions);
            for (final RuleException exception : appended) {
                if (!merged.contains(exception)) {
                    merged.add(exception);
                }
            }
            rule.exceptions = merged;
        }

        // ----- compiling -----

        private List<String> resolve(final PendingList list) {
            if (list.resolved != null) {
                return list.resolved;
            }
            if (list.resolving) {
                error(list.origin.file(), list.origin.position(), list.name, "list '" + list.name + "' contains itself");
                return null;
            }
            list.resolving = true;
            final List<String> items = new ArrayList<>();
            for (final ScalarText item : list.items) {
                final String raw = item.value();
                final String unquoted = unquote(raw);
                final PendingList nested = unquoted.equals(raw) ? lists.get(raw) : null;
                if (nested != null && nested != list && nested.index < list.visibility) {
                    final List<String> nestedItems = resolve(nested);
                    if (nestedItems != null) {
                        items.addAll(nestedItems);
                    }
                } else {
                    items.add(unquoted);
                }
            }
            list.resolving = false;
            list.resolved = List.copyOf(items);
            return list.resolved;
        }

        private void compile(final PendingMacro macro) {
            if (macro.compiled) {
                return;
            }
            macro.compiling = true;
            final ConditionCompiler.Result result = compiler.compile(macro.condition.text(), scopeAt(macro.visibility));
            report(result.errors(), macro.condition, macro.name);
            macro.predicate = result.predicate();
            macro.compiling = false;
            macro.compiled = true;
        }

        private RuleDef compile(final PendingRule rule) {
            if (rule.condition == null) {
                return null;
            }
            // A rule for a source Peregrine does not ingest cannot fire, and may name fields of that
            // source Peregrine does not know: it loads inactive, its problems reported as warnings.
            final boolean active = EventSources.isIngested(rule.source);
            final List<RuleLoadError> problems = new ArrayList<>();
            // Rules see every macro and list, wherever defined: Falco's own rules file uses macros
            // it defines further down. Only macros and lists must follow definition order.
            final ConditionScope scope = scopeAt(Integer.MAX_VALUE);
            final ConditionCompiler.Result result = compiler.compile(rule.condition.text(), scope);
            report(result.errors(), rule.condition, rule.name, problems);
            final EventPredicate exceptions = compileExceptions(rule, scope, problems);
            OutputTemplate output = null;
            if (rule.output != null) {
                final OutputTemplate.Parsed parsed = OutputTemplate.parse(rule.output.text(), compiler);
                report(parsed.errors(), rule.output, rule.name, problems);
                output = parsed.template();
            }
            if (active) {
                errors.addAll(problems);
            } else {
                final YamlText.Position at = rule.origin.position();
                warnings.add(new RuleLoadWarning(rule.origin.file().name(), at.line(), at.column(), rule.name, "rule '"
                        + rule.name + "' is for source '" + rule.source + "', which Peregrine does not ingest; "
                        + "it is loaded inactive"));
                for (final RuleLoadError problem : problems) {
                    warnings.add(new RuleLoadWarning(problem.file(), problem.line(), problem.column(), problem.item(),
                            "inactive rule '" + rule.name + "': " + problem.message()));
                }
            }
            if (result.predicate() == null || output == null || incomplete.contains(rule) || !problems.isEmpty()) {
                return null;
            }
            final EventPredicate predicate = exceptions == null ? result.predicate()
                    : new EventPredicate.AllOf(List.of(result.predicate(), new EventPredicate.Negation(exceptions)));
            if (!active) {
                inactive.add(rule.id);
            }
            return new RuleDef(rule.id, rule.name, rule.description, rule.condition.text(), predicate,
                    EventTypes.of(predicate), output, rule.priority, rule.tags, rule.enabled, rule.source,
                    rule.origin.file().name(), rule.origin.position().line());
        }

        /** {@code (e1 or e2 …)} over every exception row of {@code rule}, or {@code null} when it has none. */
        private EventPredicate compileExceptions(final PendingRule rule, final ConditionScope scope,
                                                 final List<RuleLoadError> problems) {
            final List<EventPredicate> alternatives = new ArrayList<>();
            for (final RuleException exception : rule.exceptions) {
                final List<ConditionText.Located> positions = new ArrayList<>();
                final int before = problems.size();
                final Expr expr = exception.build(positions, problems, rule.name);
                if (expr == null || problems.size() > before) {
                    continue;
                }
                final ConditionCompiler.Result result = compiler.compile(expr, scope);
                for (final CompileError error : result.errors()) {
                    final ConditionText.Located at = positions.get(error.offset());
                    problems.add(new RuleLoadError(at.file().name(), at.position().line(), at.position().column(),
                            rule.name, error.message() + " in exception '" + exception.name + "'"));
                }
                if (result.predicate() != null) {
                    alternatives.add(result.predicate());
                }
            }
            if (alternatives.isEmpty()) {
                return null;
            }
            return alternatives.size() == 1 ? alternatives.get(0) : new EventPredicate.AnyOf(alternatives);
        }

        /** What a condition defined at {@code visibility} can see: items first defined before it. */
        private ConditionScope scopeAt(final int visibility) {
            return new ConditionScope() {
                @Override
                public Optional<MacroLookup> macro(final String name) {
                    final PendingMacro macro = macros.get(name);
                    if (macro == null) {
                        return Optional.empty();
                    }
                    if (macro.index >= visibility) {
                        return Optional.of(MacroLookup.unusable("macro '" + name + "' is used before it is defined (at "
                                + macro.origin.where() + "); define macros before the items that use them"));
                    }
                    if (macro.compiling) {
                        return Optional.of(MacroLookup.unusable("macro '" + name + "' refers to itself"));
                    }
                    compile(macro);
                    return Optional.of(macro.predicate == null ? MacroLookup.broken() : MacroLookup.of(macro.predicate));
                }

                @Override
                public Optional<List<String>> list(final String name) {
                    final PendingList list = lists.get(name);
                    if (list == null || list.index >= visibility) {
                        return Optional.empty();
                    }
                    return Optional.ofNullable(resolve(list));
                }
            };
        }

        private void report(final List<CompileError> compileErrors, final ConditionText text, final String item) {
            report(compileErrors, text, item, errors);
        }

        private void report(final List<CompileError> compileErrors, final ConditionText text, final String item,
                            final List<RuleLoadError> into) {
            for (final CompileError error : compileErrors) {
                final ConditionText.Located located = text.locate(error.offset());
                into.add(new RuleLoadError(located.file().name(), located.position().line(),
                        located.position().column(), item, error.message()));
            }
        }

        // ----- YAML helpers -----

        /** The item's keys in order; a repeated key is an error (YAML allows it, but one would be silently lost). */
        private Map<String, NodeTuple> keysOf(final YamlText file, final MappingNode item) {
            final Map<String, NodeTuple> keys = new LinkedHashMap<>();
            for (final NodeTuple tuple : item.getValue()) {
                if (!(tuple.getKeyNode() instanceof ScalarNode key)) {
                    error(file, tuple.getKeyNode(), null, "keys must be plain words");
                    continue;
                }
                if (keys.putIfAbsent(key.getValue(), tuple) != null) {
                    error(file, key, null, "key '" + key.getValue() + "' appears twice in this item");
                }
            }
            return keys;
        }

        /** The scalar value of {@code key}, or {@code null} when absent or (reported) not a scalar. */
        private ScalarText scalar(final YamlText file, final Map<String, NodeTuple> keys, final String key,
                                  final String item) {
            final NodeTuple tuple = keys.get(key);
            if (tuple == null) {
                return null;
            }
            if (tuple.getValueNode() instanceof ScalarNode scalar) {
                return new ScalarText(file, scalar);
            }
            error(file, tuple.getValueNode(), item, "'" + key + "' must be a single value, not a list or map");
            return null;
        }

        /** The scalars of a sequence value, or {@code null} when it is not one (reported). */
        private List<ScalarText> scalars(final YamlText file, final NodeTuple tuple, final String item) {
            final Node value = tuple.getValueNode();
            final String key = ((ScalarNode) tuple.getKeyNode()).getValue();
            if (value instanceof ScalarNode scalar && scalar.getValue().isEmpty()) {
                return List.of(); // "items:" with nothing after it
            }
            if (!(value instanceof SequenceNode sequence)) {
                error(file, value, item, "'" + key + "' must be a list, e.g. [a, b]");
                return null;
            }
            final List<ScalarText> scalars = new ArrayList<>();
            for (final Node element : sequence.getValue()) {
                if (element instanceof ScalarNode scalar) {
                    scalars.add(new ScalarText(file, scalar));
                } else {
                    error(file, element, item, "'" + key + "' entries must be single values");
                }
            }
            return scalars;
        }

        private boolean bool(final YamlText file, final Map<String, NodeTuple> keys, final String key,
                             final String item, final boolean absent) {
            final ScalarText value = scalar(file, keys, key, item);
            if (value == null) {
                return absent;
            }
            switch (value.value().strip().toLowerCase(Locale.ROOT)) {
                case "true":
                    return true;
                case "false":
                    return false;
                default:
                    error(file, value.node(), item, "'" + key + "' must be true or false, not '" + value.value() + "'");
                    return absent;
            }
        }

        private void error(final YamlText file, final Node node, final String item, final String message) {
            error(file, file.positionOf(node), item, message);
        }

        private void error(final YamlText file, final YamlText.Position position, final String item, final String message) {
            errors.add(new RuleLoadError(file.name(), position.line(), position.column(), item, message));
        }

        private void warn(final YamlText file, final Node node, final String item, final String message) {
            final YamlText.Position position = file.positionOf(node);
            warnings.add(new RuleLoadWarning(file.name(), position.line(), position.column(), item, message));
        }
    }

    /** A list item written with its own quotes ({@code '"(systemd)"'}) stands for the text inside them. */
    private static String unquote(final String item) {
        if (item.length() >= 2) {
            final char first = item.charAt(0);
            if ((first == '"' || first == '\'') && item.charAt(item.length() - 1) == first) {
                return item.substring(1, item.length() - 1);
            }
        }
        return item;
    }
}
