package dev.peregrine.engine.slopsquat;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** The ways a package name imitates another: edit distance, separators, affixes, homoglyphs, word order. */
final class NameSimilarity {

    private static final List<String> PREFIXES = List.of(
            "python3-", "python2-", "python-", "py3-", "py-", "nodejs-", "node-", "js-");
    private static final List<String> SUFFIXES = List.of(
            "-python3", "-python2", "-python", "-py3", "-py", "-nodejs", "-node", ".js", "-js");
    // Bare "py"/"node" prefixes only when enough is left that the rest still names something.
    private static final List<String> BARE_PREFIXES = List.of("python", "py", "node");
    private static final int BARE_PREFIX_MIN_REST = 4;
    // "momentjs", "vuejs": a bare "js" suffix, when a name of three or more letters is left
    private static final String BARE_SUFFIX = "js";
    private static final int BARE_SUFFIX_MIN_REST = 3;

    private NameSimilarity() {
    }

    /** Largest edit distance still read as a typo of a name this long: 0 up to 4 characters, 1 up to 8, then 2. */
    static int maxDistance(final int length) {
        if (length <= 4) {
            return 0;
        }
        return length <= 8 ? 1 : 2;
    }

    /** The name without separators: {@code cross-env}, {@code cross_env}, {@code cross.env} are all {@code crossenv}. */
    static String withoutSeparators(final String name) {
        final StringBuilder out = new StringBuilder(name.length());
        for (int i = 0; i < name.length(); i++) {
            final char c = name.charAt(i);
            if (c != '-' && c != '_' && c != '.') {
                out.append(c);
            }
        }
        return out.toString();
    }

    /**
     * The name as it looks: accents dropped, Cyrillic and Greek look-alikes mapped to Latin,
     * {@code 0}→{@code o}, {@code 1}/{@code i}/{@code |}→{@code l}, {@code rn}→{@code m},
     * {@code vv}→{@code w}. Two names with one skeleton read the same at a glance.
     */
    static String skeleton(final String name) {
        boolean ascii = true;
        for (int i = 0; i < name.length() && ascii; i++) {
            ascii = name.charAt(i) < 0x80;
        }
        final String decomposed = ascii ? name : Normalizer.normalize(name, Normalizer.Form.NFKD);
        final StringBuilder out = new StringBuilder(decomposed.length());
        for (int i = 0; i < decomposed.length(); i++) {
            final char c = decomposed.charAt(i);
            if (Character.getType(c) == Character.NON_SPACING_MARK) {
                continue;
            }
            out.append(latin(Character.toLowerCase(c)));
        }
        final String result = out.toString();
        return result.indexOf("rn") < 0 && result.indexOf("vv") < 0 ? result
                : result.replace("rn", "m").replace("vv", "w");
    }

    private static char latin(final char c) {
        return switch (c) {
            case '0', 'о', 'ο' -> 'o';
            case '1', 'i', '|', 'l', 'і', 'ι', 'ӏ' -> 'l';
            case 'а', 'α' -> 'a';
            case 'е', 'ε' -> 'e';
            case 'р', 'ρ' -> 'p';
            case 'с' -> 'c';
            case 'х', 'χ' -> 'x';
            case 'у', 'γ' -> 'y';
            case 'ѕ' -> 's';
            case 'ј' -> 'j';
            case 'ԁ' -> 'd';
            case 'ν' -> 'v';
            case 'κ', 'к' -> 'k';
            case 'τ', 'т' -> 't';
            case 'н' -> 'h';
            case 'ω' -> 'w';
            default -> c;
        };
    }

    /** The name without one ecosystem affix at each end ({@code python-}, {@code py}, {@code -js}, {@code node-}, …), or the name itself. */
    static String core(final String name) {
        String core = name;
        for (final String prefix : PREFIXES) {
            if (core.startsWith(prefix) && core.length() > prefix.length()) {
                core = core.substring(prefix.length());
                break;
            }
        }
        if (core.equals(name)) {
            for (final String prefix : BARE_PREFIXES) {
                if (core.startsWith(prefix) && core.length() - prefix.length() >= BARE_PREFIX_MIN_REST) {
                    core = core.substring(prefix.length());
                    break;
                }
            }
        }
        final String beforeSuffix = core;
        for (final String suffix : SUFFIXES) {
            if (core.endsWith(suffix) && core.length() > suffix.length()) {
                core = core.substring(0, core.length() - suffix.length());
                break;
            }
        }
        if (core.equals(beforeSuffix) && core.endsWith(BARE_SUFFIX)
                && core.length() - BARE_SUFFIX.length() >= BARE_SUFFIX_MIN_REST) {
            core = core.substring(0, core.length() - BARE_SUFFIX.length());
        }
        return core;
    }

    /** The words of a name in sorted order, or {@code null} for a one-word name: {@code dateutil-python} and {@code python-dateutil} share it. */
    static String sortedWords(final String name) {
        final List<String> words = new ArrayList<>(4);
        int start = 0;
        for (int i = 0; i <= name.length(); i++) {
            if (i == name.length() || name.charAt(i) == '-' || name.charAt(i) == '_' || name.charAt(i) == '.') {
                if (i > start) {
                    words.add(name.substring(start, i));
                }
                start = i + 1;
            }
        }
        if (words.size() < 2) {
            return null;
        }
        Collections.sort(words);
        return String.join("-", words);
    }

    /**
     * Optimal-string-alignment distance (Damerau-Levenshtein where a transposed pair counts as
     * one edit), or {@code limit + 1} as soon as it must exceed {@code limit}.
     */
    static int distance(final String a, final String b, final int limit) {
        final int n = a.length();
        final int m = b.length();
        if (Math.abs(n - m) > limit) {
            return limit + 1;
        }
        int[] previous2 = new int[m + 1];
        int[] previous = new int[m + 1];
        int[] current = new int[m + 1];
        for (int j = 0; j <= m; j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= n; i++) {
            current[0] = i;
            int rowMin = current[0];
            for (int j = 1; j <= m; j++) {
                final int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                int value = Math.min(Math.min(previous[j] + 1, current[j - 1] + 1), previous[j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    value = Math.min(value, previous2[j - 2] + 1);
                }
                current[j] = value;
                rowMin = Math.min(rowMin, value);
            }
            if (rowMin > limit) {
                return limit + 1;
            }
            final int[] spare = previous2;
            previous2 = previous;
            previous = current;
            current = spare;
        }
        return Math.min(previous[m], limit + 1);
    }
}
