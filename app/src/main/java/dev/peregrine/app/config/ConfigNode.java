package dev.peregrine.app.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * One value of the configuration file with where it was written, so that every problem can
 * name its file, line, column and key path. Problems are collected in a shared list rather
 * than thrown, so one check reports all of them.
 */
final class ConfigNode {

    private static final Pattern ENV = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?}");

    private final String file;
    private final String keyPath;
    private final Node node;
    private final List<String> problems;
    private final Function<String, String> environment;

    ConfigNode(final String file, final String keyPath, final Node node, final List<String> problems,
               final Function<String, String> environment) {
        this.file = file;
        this.keyPath = keyPath;
        this.node = node;
        this.problems = problems;
        this.environment = environment;
    }

    String keyPath() {
        return keyPath;
    }

    /** The raw YAML node, for sections another component validates itself. */
    Node yaml() {
        return node;
    }

    String file() {
        return file;
    }

    /** Records a problem at this value. */
    void problem(final String message) {
        problems.add(where(node) + ": " + keyPath + ": " + message);
    }

    private String where(final Node at) {
        return file + ":" + (at.getStartMark().getLine() + 1) + ":" + (at.getStartMark().getColumn() + 1);
    }

    /** The entries of a mapping; anything but a mapping (or an empty value) is a problem. */
    Map<String, ConfigNode> entries(final Set<String> allowed) {
        final Map<String, ConfigNode> entries = new LinkedHashMap<>();
        if (isNull()) {
            return entries;
        }
        if (!(node instanceof MappingNode mapping)) {
            problem("must be a mapping of " + String.join(", ", allowed.stream().sorted().toList()));
            return entries;
        }
        for (final NodeTuple tuple : mapping.getValue()) {
            final Node keyNode = tuple.getKeyNode();
            final String key = keyNode instanceof ScalarNode scalar ? scalar.getValue() : null;
            final String childPath = keyPath.isEmpty() ? String.valueOf(key) : keyPath + "." + key;
            if (key == null) {
                problems.add(where(keyNode) + ": " + keyPath + ": keys must be plain words");
            } else if (!allowed.contains(key)) {
                problems.add(where(keyNode) + ": " + childPath + ": unknown key" + suggestion(key, allowed));
            } else if (entries.containsKey(key)) {
                problems.add(where(keyNode) + ": " + childPath + ": given twice");
            } else {
                entries.put(key, new ConfigNode(file, childPath, tuple.getValueNode(), problems, environment));
            }
        }
        return entries;
    }

    /** The items of a sequence; a single scalar counts as a list of one. */
    List<ConfigNode> items() {
        final List<ConfigNode> items = new ArrayList<>();
        if (isNull()) {
            return items;
        }
        if (node instanceof SequenceNode sequence) {
            int index = 0;
            for (final Node item : sequence.getValue()) {
                items.add(new ConfigNode(file, keyPath + "[" + index++ + "]", item, problems, environment));
            }
        } else if (node instanceof ScalarNode) {
            items.add(this);
        } else {
            problem("must be a list");
        }
        return items;
    }

    boolean isNull() {
        return node instanceof ScalarNode scalar && "tag:yaml.org,2002:null".equals(scalar.getTag().getValue());
    }

    boolean isMapping() {
        return node instanceof MappingNode;
    }

    /** The text of a scalar with {@code ${VAR}} and {@code ${VAR:-default}} taken from the environment. */
    Optional<String> text() {
        if (!(node instanceof ScalarNode scalar)) {
            problem("must be a single value, not a " + (node instanceof MappingNode ? "mapping" : "list"));
            return Optional.empty();
        }
        final Matcher matcher = ENV.matcher(scalar.getValue());
        final StringBuilder out = new StringBuilder();
        boolean missing = false;
        while (matcher.find()) {
            String value = environment.apply(matcher.group(1));
            if (value == null) {
                value = matcher.group(2);
            }
            if (value == null) {
                problem("environment variable " + matcher.group(1) + " is not set (write ${"
                        + matcher.group(1) + ":-default} for a default)");
                missing = true;
                value = "";
            }
            matcher.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        matcher.appendTail(out);
        return missing ? Optional.empty() : Optional.of(out.toString());
    }

    Optional<String> nonEmptyText() {
        final Optional<String> text = text();
        if (text.isPresent() && text.get().isBlank()) {
            problem("must not be empty");
            return Optional.empty();
        }
        return text;
    }

    Optional<Integer> integer(final int min, final int max) {
        return text().flatMap(value -> {
            try {
                final int number = Integer.parseInt(value.strip().replace("_", ""));
                if (number < min || number > max) {
                    problem("must be between " + min + " and " + max + ", not " + number);
                    return Optional.empty();
                }
                return Optional.of(number);
            } catch (final NumberFormatException e) {
                problem("must be a whole number, not '" + value + "'");
                return Optional.empty();
            }
        });
    }

    Optional<Boolean> bool() {
        return text().flatMap(value -> switch (value.strip().toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on" -> Optional.of(true);
            case "false", "no", "off" -> Optional.of(false);
            default -> {
                problem("must be true or false, not '" + value + "'");
                yield Optional.empty();
            }
        });
    }

    Optional<Path> path() {
        return nonEmptyText().map(Path::of);
    }

    /** Durations as operators write them: {@code 250ms}, {@code 90s}, {@code 5m}, {@code 1h}, {@code 0}. */
    Optional<Duration> duration() {
        return text().flatMap(value -> {
            final Optional<Duration> parsed = Durations.parse(value);
            if (parsed.isEmpty()) {
                problem("'" + value + "' is not a duration; write e.g. 250ms, 90s, 5m, 1h or 0");
            }
            return parsed;
        });
    }

    /** One of {@code choices}, compared without case. */
    Optional<String> choice(final Set<String> choices) {
        return text().flatMap(value -> {
            final String lower = value.strip().toLowerCase(Locale.ROOT);
            if (!choices.contains(lower)) {
                problem("must be one of " + String.join(", ", choices.stream().sorted().toList()) + ", not '"
                        + value + "'");
                return Optional.empty();
            }
            return Optional.of(lower);
        });
    }

    private static String suggestion(final String key, final Set<String> allowed) {
        return allowed.stream()
                .filter(candidate -> distance(candidate, key) <= Math.max(1, key.length() / 3))
                .min(Comparator.comparingInt((String candidate) -> distance(candidate, key)))
                .map(candidate -> " (did you mean '" + candidate + "'?)")
                .orElse("; expected one of " + String.join(", ", allowed.stream().sorted().toList()));
    }

    /** Edit distance counting a swap of two neighbours as one edit, the commonest typo in a key. */
    private static int distance(final String a, final String b) {
        final int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                final int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(d[i - 1][j - 1] + cost, Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1));
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
