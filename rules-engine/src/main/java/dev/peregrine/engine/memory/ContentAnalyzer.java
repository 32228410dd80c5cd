package dev.peregrine.engine.memory;

import dev.peregrine.engine.detect.MemoryAnomalySettings;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Looks for poison in the text of one memory entry: instructions aimed at future readers, URLs to
 * hosts off the allow-list, secrets, encoded blobs and invisible Unicode. Stateless and
 * thread-safe; the patterns are compiled once.
 *
 * <p>Instruction policy: <em>override</em> phrases ("ignore previous instructions", "do not tell
 * the user", "send … to https://…", "any agent reading this", {@code curl … | sh}) are findings
 * wherever they are written. <em>Habit</em> imperatives ("from now on", "always run …", "never
 * skip …") are a normal note to oneself in the writer's own namespace and a finding only when the
 * entry is written where other agents read it (a shared or someone else's namespace); such a
 * finding does not taint the entry.
 */
public final class ContentAnalyzer {

    // ASCII case folding only: the phrases are English, and Unicode folding costs several times more.
    private static final int FLAGS = Pattern.CASE_INSENSITIVE;

    private static final List<Guarded> OVERRIDE = List.of(
            guard("(?:ignore|disregard|forget|override)\\s+(?:all\\s+|any\\s+)?(?:of\\s+)?(?:the\\s+|your\\s+|my\\s+)?"
                    + "(?:(?:previous|prior|above|earlier|preceding|original|system|existing)\\s+"
                    + "(?:instructions?|prompts?|rules|directions|guidelines|directives|context)"
                    + "|(?<=your\\s)(?:instructions|guidelines|rules|directives))\\b",
                    "ignore", "disregard", "forget", "override"),
            guard("(?:do\\s+not|don't|never)\\s+(?:tell|inform|mention\\s+(?:this\\s+)?to|reveal\\s+(?:this\\s+)?to"
                    + "|notify|alert|warn)\\s+(?:the\\s+)?(?:user|human|operator|admin|administrator|anyone|reviewer)s?\\b",
                    "do not", "don't", "never"),
            guard("(?:agents?|assistants?|ais|models?|llms?)\\s+(?:reading|that\\s+reads?|who\\s+reads?|that\\s+sees?)"
                    + "\\s+this\\b", "agent", "assistant", "ais", "model", "llm"),
            guard("(?:you\\s+are\\s+now|new\\s+(?:system\\s+)?instructions?\\s*:|your\\s+new\\s+(?:task|goal|instructions?)"
                    + "\\s+(?:is|are))", "you are now", "new ", "your new"),
            guard("(?:send|post|upload|forward|exfiltrate|e-?mail|transmit|leak|copy)\\b[^\\n]{0,80}?\\b(?:to|into)\\s+"
                    + "(?:https?://|[\\w.+-]+@[\\w-]+\\.[\\w.]+)", "send", "post", "upload", "forward", "exfiltrate",
                    "mail", "transmit", "leak", "copy"),
            guard("(?:curl|wget)\\s[^\\n|]{1,200}\\|\\s*(?:sudo\\s+)?(?:ba|z)?sh\\b", "curl", "wget"));

    private static final Guarded HABIT = guard(
            "(?:from\\s+now\\s+on\\b|in\\s+(?:all|every)\\s+(?:future|subsequent)\\s+(?:responses|sessions|tasks|conversations"
                    + "|runs)\\b|(?:always|never)\\s+(?:run|send|include|use|execute|call|add|set|curl|fetch|skip|disable"
                    + "|approve|trust|ignore|reply|respond|answer|output|print|append|forward|push|commit|install|load|read"
                    + "|open|visit)\\b|you\\s+must\\s+(?:always|never)\\b)", "from now", "in all", "in every", "always",
            "never", "you must");

    private static final List<SecretShape> SECRETS = List.of(
            new SecretShape("AWS access key id", guardExact("(?:AKIA|ASIA)[0-9A-Z]{16}\\b", "akia", "asia")),
            new SecretShape("GitHub token", guardExact("(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{40,})\\b",
                    "ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_")),
            new SecretShape("LLM API key", guardExact("sk-(?:ant-|proj-)?[A-Za-z0-9_-]{24,}", "sk-")),
            new SecretShape("Slack token", guardExact("xox[abprs]-[A-Za-z0-9-]{10,}", "xox")),
            new SecretShape("Google API key", guardExact("AIza[0-9A-Za-z_-]{35}", "aiza")),
            new SecretShape("Stripe live key", guardExact("[rs]k_live_[0-9A-Za-z]{16,}", "sk_live_", "rk_live_")),
            new SecretShape("JSON web token", guardExact("eyJ[A-Za-z0-9_-]{10,}\\.eyJ[A-Za-z0-9_-]{10,}\\.[A-Za-z0-9_-]{10,}", "eyj")),
            new SecretShape("private key", guardExact("-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----(?:[\\s\\S]{0,8192}?-----END "
                    + "(?:[A-Z0-9]+ )*PRIVATE KEY-----)?", "-----begin")),
            new SecretShape("npm token", guardExact("npm_[A-Za-z0-9]{36}\\b", "npm_")),
            // The name may end a longer one: HEROKU_API_KEY, AWS_SECRET_ACCESS_KEY.
            new SecretShape("credential assignment", guard("(?:api[_-]?key|secret(?:[_-]?(?:access[_-]?)?key)?|access[_-]?token"
                    + "|auth[_-]?token|password|passwd)\\b[\"']?\\s*[:=]\\s*[\"']?([A-Za-z0-9_\\-/+.]{16,})",
                    "api", "secret", "access", "auth", "passw")));

    private static final Guarded URL = guard("(?:https?|wss?|ftp)://[^\\s<>\"'`)\\]}]+", "http://", "https://", "ws://",
            "wss://", "ftp://");

    /** The shortest base64 or hex run worth decoding. */
    private static final int MIN_RUN = 40;

    /** A named secret shape. */
    private record SecretShape(String name, Guarded pattern) {
    }

    /**
     * A pattern tried only where one of its literal triggers starts in the ASCII-lower-cased
     * content: each pattern begins with one of its triggers, so a substring search finds every
     * place it can match, far cheaper than a regex scan of the whole entry.
     */
    private record Guarded(Pattern pattern, List<String> triggers) {

        /** Every match, left to right, without overlaps. */
        List<int[]> find(final String content, final String lower) {
            int[] starts = new int[8];
            int count = 0;
            for (final String trigger : triggers) {
                for (int at = lower.indexOf(trigger); at >= 0; at = lower.indexOf(trigger, at + 1)) {
                    // A match starts at a word start, as a leading \\b would demand; "_" counts for names like HEROKU_API_KEY.
                    if (at > 0 && Character.isLetterOrDigit(content.charAt(at - 1)) && trigger.charAt(0) != '-') {
                        continue;
                    }
                    if (count == starts.length) {
                        starts = Arrays.copyOf(starts, count * 2);
                    }
                    starts[count++] = at;
                }
            }
            if (count == 0) {
                return List.of();
            }
            Arrays.sort(starts, 0, count);
            final List<int[]> matches = new ArrayList<>();
            final Matcher m = pattern.matcher(content).useTransparentBounds(true).useAnchoringBounds(false);
            int next = 0;
            for (int i = 0; i < count; i++) {
                if (starts[i] < next) {
                    continue;
                }
                m.region(starts[i], content.length());
                if (m.lookingAt()) {
                    matches.add(m.groupCount() > 0 && m.group(1) != null
                            ? new int[] {m.start(), m.end(), m.start(1), m.end(1)} : new int[] {m.start(), m.end()});
                    next = m.end();
                }
            }
            return matches;
        }
    }

    private static Guarded guard(final String regex, final String... triggers) {
        return new Guarded(Pattern.compile(regex, FLAGS), List.of(triggers));
    }

    private static Guarded guardExact(final String regex, final String... triggers) {
        return new Guarded(Pattern.compile(regex), List.of(triggers));
    }

    /** ASCII letters lower-cased, every other char kept: the same length, so offsets carry over. */
    static String asciiLower(final String text) {
        final char[] chars = text.toCharArray();
        for (int i = 0; i < chars.length; i++) {
            if (chars[i] >= 'A' && chars[i] <= 'Z') {
                chars[i] = (char) (chars[i] + 32);
            }
        }
        return new String(chars);
    }

    /**
     * Every finding in {@code content}, by start offset.
     *
     * @param readByOthers  whether the entry is written where other agents read it (habit imperatives count there)
     */
    public List<Finding> analyze(final String content, final MemoryAnomalySettings settings, final boolean readByOthers) {
        final List<Finding> findings = new ArrayList<>();
        final String lower = asciiLower(content);
        instructions(content, lower, readByOthers, findings);
        secrets(content, lower, findings);
        urls(content, lower, settings, findings);
        blobs(content, settings, findings);
        invisible(content, findings);
        findings.sort(Comparator.comparingInt(Finding::start).thenComparing(Finding::kind));
        return List.copyOf(findings);
    }

    private static void instructions(final String content, final String lower, final boolean readByOthers,
                                     final List<Finding> findings) {
        for (final Guarded override : OVERRIDE) {
            for (final int[] m : override.find(content, lower)) {
                findings.add(new Finding(FindingKind.INSTRUCTION, m[0], m[1], "override instruction", true));
            }
        }
        if (readByOthers) {
            for (final int[] m : HABIT.find(content, lower)) {
                if (!overlaps(findings, FindingKind.INSTRUCTION, m[0], m[1])) {
                    findings.add(new Finding(FindingKind.INSTRUCTION, m[0], m[1], "imperative for other readers", false));
                }
            }
        }
    }

    /** Whether {@code text} holds an override phrase: what a decoded blob is judged by. */
    static boolean hasOverride(final String text) {
        final String lower = asciiLower(text);
        for (final Guarded override : OVERRIDE) {
            if (!override.find(text, lower).isEmpty()) {
                return true;
            }
        }
        return false;
    }

    private static void secrets(final String content, final String lower, final List<Finding> findings) {
        for (final SecretShape shape : SECRETS) {
            for (final int[] m : shape.pattern().find(content, lower)) {
                final String value = m.length > 2 ? content.substring(m[2], m[3]) : content.substring(m[0], m[1]);
                if (isPlaceholder(value) || overlaps(findings, FindingKind.SECRET, m[0], m[1])) {
                    continue;
                }
                findings.add(new Finding(FindingKind.SECRET, m[0], m[1], shape.name(), true));
            }
        }
    }

    /** Documentation examples and templates: {@code AKIAIOSFODNN7EXAMPLE}, {@code your_api_key_here}, {@code xxxx…}. */
    private static boolean isPlaceholder(final String value) {
        final String lower = value.toLowerCase(Locale.ROOT);
        if (value.contains("EXAMPLE") || lower.contains("your_") || lower.contains("placeholder")
                || lower.contains("xxxxxxxx") || lower.contains("changeme") || lower.startsWith("os.environ")) {
            return true;
        }
        boolean letter = false;
        boolean digit = false;
        for (int i = 0; i < value.length(); i++) {
            letter |= Character.isLetter(value.charAt(i));
            digit |= Character.isDigit(value.charAt(i));
        }
        // A key mixes letters and digits; a plain word or a run of digits is a name or a number.
        return !(letter && digit);
    }

    private static void urls(final String content, final String lower, final MemoryAnomalySettings settings,
                             final List<Finding> findings) {
        for (final int[] m : URL.find(content, lower)) {
            final String host = host(content.substring(m[0], m[1]));
            if (host.isEmpty() || !settings.allowsHost(host)) {
                findings.add(new Finding(FindingKind.URL, m[0], m[1],
                        "host " + (host.isEmpty() ? "(none)" : shorten(host)) + " is not on the allow-list", true));
            }
        }
    }

    /** The lower-case host of a URL, without user info, port or trailing dot. */
    static String host(final String url) {
        int start = url.indexOf("://") + 3;
        int end = start;
        while (end < url.length() && "/?#".indexOf(url.charAt(end)) < 0) {
            end++;
        }
        String authority = url.substring(start, end);
        final int at = authority.lastIndexOf('@');
        if (at >= 0) {
            authority = authority.substring(at + 1);
        }
        if (authority.startsWith("[")) {
            final int close = authority.indexOf(']');
            return (close > 0 ? authority.substring(1, close) : authority.substring(1)).toLowerCase(Locale.ROOT);
        }
        final int colon = authority.indexOf(':');
        String host = colon >= 0 ? authority.substring(0, colon) : authority;
        while (host.endsWith(".")) {
            host = host.substring(0, host.length() - 1);
        }
        return host.toLowerCase(Locale.ROOT);
    }

    private static void blobs(final String content, final MemoryAnomalySettings settings, final List<Finding> findings) {
        // One pass over maximal runs instead of two regex scans: hex runs are whole words of hex
        // digits, base64 runs are runs of the base64 (and base64url) alphabet with their padding.
        int i = 0;
        final int n = content.length();
        while (i < n) {
            if (!isBase64(content.charAt(i))) {
                i++;
                continue;
            }
            final int start = i;
            boolean hex = true;
            while (i < n && isBase64(content.charAt(i))) {
                hex &= isHex(content.charAt(i));
                i++;
            }
            int end = i;
            if (end - start < MIN_RUN) {
                continue;
            }
            final boolean word = (start == 0 || !isWordChar(content.charAt(start - 1)))
                    && (end == n || !isWordChar(content.charAt(end)));
            if (hex && word) {
                blob(content, start, end, decodeHex(content.substring(start, end)), "hex", settings, findings);
                continue;
            }
            while (end < n && end - i < 2 && content.charAt(end) == '=') {
                end++;
            }
            i = end;
            if (!overlaps(findings, FindingKind.SECRET, start, end) && !overlaps(findings, FindingKind.URL, start, end)) {
                blob(content, start, end, decodeBase64(content.substring(start, end)), "base64", settings, findings);
            }
        }
    }

    private static boolean isBase64(final char c) {
        return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/' || c == '_'
                || c == '-';
    }

    private static boolean isHex(final char c) {
        return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F';
    }

    private static boolean isWordChar(final char c) {
        return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_';
    }

    private static void blob(final String content, final int start, final int end, final byte[] decoded,
                             final String encoding, final MemoryAnomalySettings settings, final List<Finding> findings) {
        final String text = decoded == null || !mostlyText(decoded) ? null : new String(decoded, StandardCharsets.UTF_8);
        if (text != null && hasOverride(text)) {
            findings.add(new Finding(FindingKind.ENCODED_BLOB, start, end, encoding + " decoding to an override instruction", true));
            return;
        }
        if (text != null) {
            for (final int[] url : URL.find(text, asciiLower(text))) {
                final String host = host(text.substring(url[0], url[1]));
                if (!settings.allowsHost(host)) {
                    findings.add(new Finding(FindingKind.ENCODED_BLOB, start, end,
                            encoding + " decoding to a URL to " + shorten(host), true));
                    return;
                }
            }
        }
        if (end - start >= settings.blobLength()) {
            findings.add(new Finding(FindingKind.ENCODED_BLOB, start, end,
                    (end - start) + " characters of " + encoding + (text != null ? " text" : ""), false));
        }
    }

    private static byte[] decodeHex(final String hex) {
        if (hex.length() % 2 != 0) {
            return null;
        }
        try {
            return HexFormat.of().parseHex(hex);
        } catch (final IllegalArgumentException e) {
            return null;
        }
    }

    private static byte[] decodeBase64(final String text) {
        String body = text;
        while (body.endsWith("=")) {
            body = body.substring(0, body.length() - 1);
        }
        if (body.length() % 4 == 1) {
            return null;
        }
        try {
            return body.indexOf('-') >= 0 || body.indexOf('_') >= 0
                    ? Base64.getUrlDecoder().decode(body.replace('+', '-').replace('/', '_'))
                    : Base64.getDecoder().decode(body + "==".substring(0, (4 - body.length() % 4) % 4));
        } catch (final IllegalArgumentException e) {
            return null;
        }
    }

    /** Whether at least 90 % of the bytes are printable ASCII or white space: text, not a binary fixture. */
    private static boolean mostlyText(final byte[] bytes) {
        int printable = 0;
        for (final byte b : bytes) {
            if (b >= 0x20 && b < 0x7f || b == '\n' || b == '\r' || b == '\t') {
                printable++;
            }
        }
        return bytes.length > 0 && printable * 10 >= bytes.length * 9;
    }

    private static void invisible(final String content, final List<Finding> findings) {
        int i = 0;
        while (i < content.length()) {
            final int cp = content.codePointAt(i);
            if (!isInvisible(content, i, cp)) {
                i += Character.charCount(cp);
                continue;
            }
            final int start = i;
            int count = 0;
            final StringBuilder hidden = new StringBuilder();
            boolean tags = false;
            boolean bidi = false;
            int c = cp;
            while (i < content.length() && isInvisible(content, i, c)) {
                count++;
                if (c >= 0xE0020 && c <= 0xE007E) {
                    tags = true;
                    hidden.append((char) (c - 0xE0000));
                } else if (c >= 0xE0000 && c <= 0xE007F) {
                    tags = true;
                } else if (c >= 0x202A && c <= 0x202E || c >= 0x2066 && c <= 0x2069) {
                    bidi = true;
                }
                i += Character.charCount(c);
                if (i < content.length()) {
                    c = content.codePointAt(i);
                }
            }
            final String what = tags ? "tag characters hiding text" + (hidden.length() > 0
                    && hasOverride(hidden.toString()) ? " with an override instruction" : "")
                    : bidi ? "bidi control characters" : "zero-width characters";
            findings.add(new Finding(FindingKind.INVISIBLE_UNICODE, start, i, count + " " + what, true));
        }
    }

    /**
     * Whether the code point at {@code index} hides text. Not counted: a byte-order mark at the
     * start, a zero-width joiner inside an emoji sequence, the tag characters of a subdivision
     * flag (England's, Scotland's), which follow U+1F3F4.
     */
    private static boolean isInvisible(final String content, final int index, final int cp) {
        if (cp == 0xFEFF) {
            return index > 0;
        }
        if (cp == 0x200D) {
            return !(index > 0 && isEmoji(content.codePointBefore(index)) && index + 1 < content.length()
                    && isEmoji(content.codePointAt(index + 1)));
        }
        if (cp >= 0xE0000 && cp <= 0xE007F) {
            return !inFlagSequence(content, index);
        }
        return cp >= 0x200B && cp <= 0x200F || cp >= 0x202A && cp <= 0x202E || cp >= 0x2060 && cp <= 0x2064
                || cp >= 0x2066 && cp <= 0x2069 || cp == 0x180E;
    }

    private static boolean isEmoji(final int cp) {
        return cp >= 0x1F000 && cp <= 0x1FAFF || cp >= 0x2600 && cp <= 0x27BF || cp == 0xFE0F;
    }

    private static boolean inFlagSequence(final String content, final int index) {
        int i = index;
        while (i > 0) {
            final int before = content.codePointBefore(i);
            if (before == 0x1F3F4) {
                return true;
            }
            if (before < 0xE0020 || before > 0xE007E) {
                return false;
            }
            i -= Character.charCount(before);
        }
        return false;
    }

    private static boolean overlaps(final List<Finding> findings, final FindingKind kind, final int start, final int end) {
        for (final Finding f : findings) {
            if (f.kind() == kind && f.start() < end && start < f.end()) {
                return true;
            }
        }
        return false;
    }

    private static String shorten(final String text) {
        final String flat = text.replaceAll("\\s+", " ");
        return flat.length() <= 48 ? flat : flat.substring(0, 45) + "...";
    }
}
