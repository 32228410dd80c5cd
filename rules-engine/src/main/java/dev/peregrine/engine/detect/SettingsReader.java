package dev.peregrine.engine.detect;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
 * Reads typed knobs from one YAML mapping, collecting errors that name the dotted key, the file
 * and the line instead of stopping at the first one.
 */
final class SettingsReader {

    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");

    private final String file;
    private final String path;
    private final Node node;
    private final Map<String, NodeTuple> entries = new LinkedHashMap<>();
    private final List<DetectionSettingsError> errors;

    SettingsReader(final String file, final String path, final Node node, final List<DetectionSettingsError> errors) {
        this.file = file;
        this.path = path;
        this.node = node;
        this.errors = errors;
        if (node instanceof MappingNode mapping) {
            for (final NodeTuple tuple : mapping.getValue()) {
                if (tuple.getKeyNode() instanceof ScalarNode key) {
                    if (entries.putIfAbsent(key.getValue(), tuple) != null) {
                        error(key, path + "." + key.getValue(), "duplicate key");
                    }
                } else {
                    error(tuple.getKeyNode(), path, "keys must be plain names");
                }
            }
        } else if (node != null && !isNull(node)) {
            error(node, path, "expected a mapping of settings");
        }
    }

    String path() {
        return path;
    }

    void error(final Node at, final String key, final String message) {
        errors.add(new DetectionSettingsError(file, at.getStartMark().getLine() + 1,
                at.getStartMark().getColumn() + 1, key, message));
    }

    /** Reports every key not in {@code known}, with a suggestion when one is close. */
    void rejectUnknown(final Set<String> known) {
        for (final Map.Entry<String, NodeTuple> entry : entries.entrySet()) {
            if (!known.contains(entry.getKey())) {
                final String suggestion = closest(entry.getKey(), known);
                error(entry.getValue().getKeyNode(), path + "." + entry.getKey(), "unknown setting"
                        + (suggestion == null ? " (known: " + String.join(", ", known.stream().sorted().toList()) + ")"
                                : " (did you mean '" + suggestion + "'?)"));
            }
        }
    }

    SettingsReader child(final String key) {
        final NodeTuple tuple = entries.get(key);
        return new SettingsReader(file, path + "." + key, tuple == null ? null : tuple.getValueNode(), errors);
    }

    /** The child mappings of {@code key} by name (e.g. per-agent overrides). */
    Map<String, SettingsReader> children(final String key) {
        final Map<String, SettingsReader> children = new LinkedHashMap<>();
        final SettingsReader parent = child(key);
        for (final Map.Entry<String, NodeTuple> entry : parent.entries.entrySet()) {
            children.put(entry.getKey(), new SettingsReader(file, parent.path + "." + entry.getKey(),
                    entry.getValue().getValueNode(), errors));
        }
        return children;
    }

    boolean bool(final String key, final boolean fallback) {
        return value(key, fallback, text -> switch (text.toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on" -> Boolean.TRUE;
            case "false", "no", "off" -> Boolean.FALSE;
            default -> throw new IllegalArgumentException("expected true or false, got '" + text + "'");
        });
    }

    long integer(final String key, final long fallback, final long min) {
        return value(key, fallback, text -> {
            final long value;
            try {
                value = Long.parseLong(text.replace("_", ""));
            } catch (final NumberFormatException e) {
                throw new IllegalArgumentException("expected a whole number, got '" + text + "'");
            }
            if (value < min) {
                throw new IllegalArgumentException("must be at least " + min + ", got " + value);
            }
            return value;
        });
    }

    double number(final String key, final double fallback, final double min) {
        return value(key, fallback, text -> {
            final double value;
            try {
                value = Double.parseDouble(text);
            } catch (final NumberFormatException e) {
                throw new IllegalArgumentException("expected a number, got '" + text + "'");
            }
            if (!(value >= min) || Double.isInfinite(value)) {
                throw new IllegalArgumentException("must be a number of at least " + min + ", got " + text);
            }
            return value;
        });
    }

    /** A positive duration: {@code 250ms}, {@code 60s}, {@code 5m}, {@code 1h}, {@code 7d}, or ISO-8601 ({@code PT1M}). */
    Duration duration(final String key, final Duration fallback) {
        return value(key, fallback, SettingsReader::parseDuration);
    }

    ZoneId zone(final String key, final ZoneId fallback) {
        return value(key, fallback, text -> {
            try {
                return ZoneId.of(text);
            } catch (final DateTimeException e) {
                throw new IllegalArgumentException("unknown time zone '" + text + "' (use a region id such as Europe/Berlin)");
            }
        });
    }

    String string(final String key, final String fallback) {
        return value(key, fallback, Function.identity());
    }

    /** A list of scalars, each converted by {@code parse}; a bad item is reported with its own line. */
    <T> List<T> list(final String key, final List<T> fallback, final Function<String, T> parse) {
        final NodeTuple tuple = entries.get(key);
        if (tuple == null) {
            return fallback;
        }
        final Node value = tuple.getValueNode();
        if (!(value instanceof SequenceNode sequence)) {
            error(value, path + "." + key, "expected a list, e.g. [a, b]");
            return fallback;
        }
        final List<T> items = new ArrayList<>();
        for (final Node item : sequence.getValue()) {
            if (!(item instanceof ScalarNode scalar)) {
                error(item, path + "." + key, "expected a plain value in the list");
                continue;
            }
            try {
                items.add(parse.apply(scalar.getValue().trim()));
            } catch (final IllegalArgumentException | DateTimeException e) {
                error(item, path + "." + key, e.getMessage());
            }
        }
        return List.copyOf(items);
    }

    /** A scalar converted by {@code parse}; a conversion error is reported at the value and gives {@code fallback}. */
    <T> T value(final String key, final T fallback, final Function<String, T> parse) {
        final NodeTuple tuple = entries.get(key);
        if (tuple == null) {
            return fallback;
        }
        final Node value = tuple.getValueNode();
        if (!(value instanceof ScalarNode scalar)) {
            error(value, path + "." + key, "expected a single value");
            return fallback;
        }
        try {
            return parse.apply(scalar.getValue().trim());
        } catch (final IllegalArgumentException | DateTimeException e) {
            error(value, path + "." + key, e.getMessage());
            return fallback;
        }
    }

    static Duration parseDuration(final String text) {
        final Matcher matcher = DURATION.matcher(text);
        final Duration duration;
        if (matcher.matches()) {
            final long amount = Long.parseLong(matcher.group(1));
            duration = switch (matcher.group(2)) {
                case "ms" -> Duration.ofMillis(amount);
                case "s" -> Duration.ofSeconds(amount);
                case "m" -> Duration.ofMinutes(amount);
                case "h" -> Duration.ofHours(amount);
                default -> Duration.ofDays(amount);
            };
        } else {
            try {
                duration = Duration.parse(text);
            } catch (final DateTimeParseException e) {
                throw new IllegalArgumentException("expected a duration such as 60s, 5m, 1h or 7d, got '" + text + "'");
            }
        }
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException("must be a positive duration, got '" + text + "'");
        }
        return duration;
    }

    private static boolean isNull(final Node node) {
        return node instanceof ScalarNode scalar && "tag:yaml.org,2002:null".equals(scalar.getTag().getValue());
    }

    private static String closest(final String name, final Set<String> known) {
        String best = null;
        int bestDistance = 3;
        for (final String candidate : known) {
            final int distance = distance(name, candidate);
            if (distance < bestDistance) {
                best = candidate;
                bestDistance = distance;
            }
        }
        return best;
    }

    private static int distance(final String a, final String b) {
        final int[] previous = new int[b.length() + 1];
        final int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                final int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                current[j] = Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }
            System.arraycopy(current, 0, previous, 0, current.length);
        }
        return previous[b.length()];
    }
}
