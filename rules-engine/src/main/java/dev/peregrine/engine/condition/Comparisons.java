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
            case EQ, EQ2 -> new TextEquals(first, false);
            case NE -> new TextEquals(first, true);
            case IN -> new TextIn(operands, true);
            case INTERSECTS -> new TextIn(operands, false);
            case CONTAINS -> new TextContains(first);
            case ICONTAINS -> value -> containsIgnoreCase(value.toString(), first);
            case STARTSWITH -> new TextStartsWith(first);
            case ENDSWITH -> new TextEndsWith(first);
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
            case EQ, EQ2, NE, LT, LE, GT, GE -> new LongCompare(operator, first);
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
            case EQ, EQ2 -> new BoolEquals(first);
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
    static final class TextIn implements ValueTest {
        private final String[] small;
        private final Set<String> large;
        private final boolean all;

        TextIn(final List<String> operands, final boolean all) {
            // Below LINEAR_SCAN_MAX values a scan beats hashing the event's value.
            this.small = operands.size() <= LINEAR_SCAN_MAX ? operands.toArray(String[]::new) : null;
            this.large = small == null ? new HashSet<>(operands) : null;
            this.all = all;
        }

        /** The values, in no particular order. */
        Collection<String> operands() {
            return small != null ? List.of(small) : large;
        }

        /** {@code in} (every element of a list value must be a member) rather than {@code intersects}. */
        boolean all() {
            return all;
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

    // The comparisons most rules make are named final classes rather than lambdas, so that
    // DirectTests can call them through a field of their own type: a call the JIT binds and
    // inlines, where a ValueTest field shared by every kind of comparison is megamorphic.

    /** {@code =} (or, negated, {@code !=}) on text. */
    static final class TextEquals implements ValueTest {
        private final String operand;
        private final boolean negated;

        TextEquals(final String operand, final boolean negated) {
            this.operand = operand;
            this.negated = negated;
        }

        String operand() {
            return operand;
        }

        boolean negated() {
            return negated;
        }

        @Override
        public boolean test(final Object value) {
            return operand.equals(value instanceof String text ? text : value.toString()) != negated;
        }
    }

    /** {@code contains} on text. */
    static final class TextContains implements ValueTest {
        private final String needle;

        TextContains(final String needle) {
            this.needle = needle;
        }

        String needle() {
            return needle;
        }

        @Override
        public boolean test(final Object value) {
            return (value instanceof String text ? text : value.toString()).contains(needle);
        }
    }

    /** {@code startswith} on text. */
    static final class TextStartsWith implements ValueTest {
        private final String prefix;

        TextStartsWith(final String prefix) {
            this.prefix = prefix;
        }

        String prefix() {
            return prefix;
        }

        @Override
        public boolean test(final Object value) {
            return (value instanceof String text ? text : value.toString()).startsWith(prefix);
        }
    }

    /** {@code endswith} on text. */
    static final class TextEndsWith implements ValueTest {
        private final String suffix;

        TextEndsWith(final String suffix) {
            this.suffix = suffix;
        }

        String suffix() {
            return suffix;
        }

        @Override
        public boolean test(final Object value) {
            return (value instanceof String text ? text : value.toString()).endsWith(suffix);
        }
    }

    /** An ordering or equality comparison with one integer. */
    static final class LongCompare implements ValueTest {
        private final Operator operator;
        private final long operand;

        LongCompare(final Operator operator, final long operand) {
            this.operator = operator;
            this.operand = operand;
        }

        @Override
        public boolean test(final Object value) {
            final long number = (Long) value;
            return switch (operator) {
                case EQ, EQ2 -> number == operand;
                case NE -> number != operand;
                case LT -> number < operand;
                case LE -> number <= operand;
                case GT -> number > operand;
                case GE -> number >= operand;
                default -> throw new IllegalStateException("no numeric comparison for " + operator);
            };
        }
    }

    /** {@code =} on a boolean. */
    static final class BoolEquals implements ValueTest {
        private final Boolean operand;

        BoolEquals(final Boolean operand) {
            this.operand = operand;
        }

        @Override
        public boolean test(final Object value) {
            return operand.equals(value);
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
