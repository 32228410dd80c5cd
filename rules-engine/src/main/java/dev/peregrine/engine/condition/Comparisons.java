package dev.peregrine.engine.condition;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/** Builds the {@link ValueTest} for an operator and its already type-checked, parsed operands. */
final class Comparisons {

    private static final int LINEAR_SCAN_MAX = 6;

    private Comparisons() {
    }

    /** Text comparisons; the value's {@code toString()} is compared, so extras of any type work. */
    static ValueTest forString(final Operator operator, final List<String> operands) {
        final String first = operands.isEmpty() ? "" : operands.get(0);
        return switch (operator) {
            case EQ, EQ2 -> value -> first.equals(value.toString());
            case NE -> value -> !first.equals(value.toString());
            case IN -> new TextIn(operands, true);
            case INTERSECTS -> new TextIn(operands, false);
            case CONTAINS -> value -> value.toString().contains(first);
            case ICONTAINS -> value -> containsIgnoreCase(value.toString(), first);
            case STARTSWITH -> value -> value.toString().startsWith(first);
            case ENDSWITH -> value -> value.toString().endsWith(first);
            case GLOB, IGLOB -> {
                final Pattern pattern = Glob.compile(first, operator == Operator.IGLOB);
                if (operator == Operator.GLOB) {
                    // The text before the first wildcard is literal: most values fail it without the regex.
                    final String prefix = Glob.literalPrefix(first);
                    yield value -> {
                        final String text = value.toString();
                        return text.startsWith(prefix) && pattern.matcher(text).matches();
                    };
                }
                yield value -> pattern.matcher(value.toString()).matches();
            }
            case PMATCH -> new PathPrefixes(operands);
            case EXISTS -> value -> true;
            default -> throw new IllegalArgumentException("no string comparison for " + operator);
        };
    }

    /** Integer comparisons on a field stored as {@link Long}. */
    static ValueTest forLong(final Operator operator, final long[] operands) {
        final long first = operands.length == 0 ? 0 : operands[0];
        return switch (operator) {
            case EQ, EQ2 -> value -> (Long) value == first;
            case NE -> value -> (Long) value != first;
            case LT -> value -> (Long) value < first;
            case LE -> value -> (Long) value <= first;
            case GT -> value -> (Long) value > first;
            case GE -> value -> (Long) value >= first;
            case IN, INTERSECTS -> {
                final long[] sorted = operands.clone();
                Arrays.sort(sorted);
                yield value -> Arrays.binarySearch(sorted, (Long) value) >= 0;
            }
            case EXISTS -> value -> true;
            default -> throw new IllegalArgumentException("no numeric comparison for " + operator);
        };
    }

    /** Boolean comparisons on a field stored as {@link Boolean}. */
    static ValueTest forBoolean(final Operator operator, final boolean[] operands) {
        final Boolean first = operands.length == 0 ? Boolean.FALSE : operands[0];
        return switch (operator) {
            case EQ, EQ2 -> first::equals;
            case NE -> value -> !first.equals(value);
            case IN, INTERSECTS -> {
                boolean anyTrue = false;
                boolean anyFalse = false;
                for (final boolean operand : operands) {
                    anyTrue |= operand;
                    anyFalse |= !operand;
                }
                final boolean matchTrue = anyTrue;
                final boolean matchFalse = anyFalse;
                yield value -> (Boolean) value ? matchTrue : matchFalse;
            }
            case EXISTS -> value -> true;
            default -> throw new IllegalArgumentException("no boolean comparison for " + operator);
        };
    }

    /**
     * Ordering on an extra, whose type is only known per event: numbers and numeric text
     * compare as numbers; anything else never matches.
     */
    static ValueTest forLooseNumber(final Operator operator, final double operand) {
        return value -> {
            final double number;
            if (value instanceof Number n) {
                number = n.doubleValue();
            } else {
                try {
                    number = Double.parseDouble(value.toString());
                } catch (final NumberFormatException e) {
                    return false;
                }
            }
            return switch (operator) {
                case LT -> number < operand;
                case LE -> number <= operand;
                case GT -> number > operand;
                case GE -> number >= operand;
                default -> false;
            };
        };
    }

    /**
     * Falco's {@code regex}: RE2, matched against the whole value. libsinsp compiles the pattern with
     * {@code re2::RE2::POSIX} and tests it with {@code Match(..., RE2::Anchor::ANCHOR_BOTH, ...)}
     * (falcosecurity/libs, userspace/libsinsp/sinsp_filtercheck.cpp, {@code matches_rhs_regex}), so
     * {@code fd.name regex '/proc/[0-9]+/cmdline'} matches {@code /proc/1/cmdline} but not {@code /host/proc/1/cmdline}.
     * Java's {@link java.util.regex.Matcher#matches()} is the same anchoring. Java accepts a superset
     * of RE2's syntax (backreferences, lookaround), which Falco would reject at load time.
     */
    static ValueTest regex(final String pattern) {
        final Pattern compiled = Pattern.compile(pattern, Pattern.DOTALL);
        return value -> compiled.matcher(value.toString()).matches();
    }

    /**
     * {@code bcontains}/{@code bstartswith}: the needle is written as hex ({@code CAFEBABE}) and is
     * compared with the value's UTF-8 bytes, as libsinsp compares byte buffers with memmem/memcmp.
     */
    static ValueTest forBytes(final Operator operator, final byte[] needle) {
        return switch (operator) {
            case BCONTAINS -> value -> indexOf(value.toString().getBytes(StandardCharsets.UTF_8), needle) >= 0;
            case BSTARTSWITH -> value -> {
                final byte[] bytes = value.toString().getBytes(StandardCharsets.UTF_8);
                return bytes.length >= needle.length && Arrays.equals(bytes, 0, needle.length, needle, 0, needle.length);
            };
            default -> throw new IllegalArgumentException("no byte comparison for " + operator);
        };
    }

    /** The bytes a hex string such as {@code CAFEBABE} stands for, or {@code null} when it is not one. */
    static byte[] hexBytes(final String hex) {
        if (hex.isEmpty() || hex.length() % 2 != 0) {
            return null;
        }
        final byte[] bytes = new byte[hex.length() / 2];
        for (int i = 0; i < bytes.length; i++) {
            final int high = Character.digit(hex.charAt(2 * i), 16);
            final int low = Character.digit(hex.charAt(2 * i + 1), 16);
            if (high < 0 || low < 0) {
                return null;
            }
            bytes[i] = (byte) (high << 4 | low);
        }
        return bytes;
    }

    private static int indexOf(final byte[] haystack, final byte[] needle) {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /**
     * {@code in}/{@code intersects} on text. On a list-valued field (an input key holding a JSON
     * array), as in libsinsp, {@code in} holds when every element is in the set and
     * {@code intersects} when at least one is; a single value is tested as is. One class rather
     * than a wrapper around a membership lambda: this runs for most rules on most events.
     */
    private static final class TextIn implements ValueTest {
        private final String[] small;
        private final Set<String> large;
        private final boolean all;

        TextIn(final List<String> operands, final boolean all) {
            // Below LINEAR_SCAN_MAX values a scan beats hashing the event's value.
            this.small = operands.size() <= LINEAR_SCAN_MAX ? operands.toArray(String[]::new) : null;
            this.large = small == null ? new HashSet<>(operands) : null;
            this.all = all;
        }

        @Override
        public boolean test(final Object value) {
            if (value instanceof String text) {
                return contains(text);
            }
            if (!(value instanceof Collection<?> elements)) {
                return contains(value.toString());
            }
            for (final Object element : elements) {
                if (element != null && contains(element.toString()) != all) {
                    return !all;
                }
            }
            return all && !elements.isEmpty();
        }

        private boolean contains(final String text) {
            if (large != null) {
                return large.contains(text);
            }
            for (final String candidate : small) {
                if (candidate.equals(text)) {
                    return true;
                }
            }
            return false;
        }
    }

    /** {@code haystack.toLowerCase().contains(needle.toLowerCase())} without allocating per event. */
    static boolean containsIgnoreCase(final String haystack, final String needle) {
        final int max = haystack.length() - needle.length();
        for (int i = 0; i <= max; i++) {
            if (haystack.regionMatches(true, i, needle, 0, needle.length())) {
                return true;
            }
        }
        return false;
    }
}
