package dev.peregrine.alerting.redaction;

import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * One shape of secret the {@link Redactor} masks.
 *
 * <p>What is masked: the named groups whose names start with {@code secret} ({@code secret},
 * {@code secret2}, …), or the whole match when the regex has none; so a key-value pattern keeps
 * its key ({@code password=****}) and a URL keeps its user and host. Of each masked part the first
 * {@code keepPrefix} characters stay (never more than half of it), so an analyst still sees what
 * kind of secret it was ({@code AKIA****}).
 *
 * @param name       stable name, for counters and configuration
 * @param regex      what a secret of this kind looks like
 * @param keepPrefix characters of each secret left readable
 * @param hints      literals of which every match contains at least one (compared ignoring case,
 *                   kept lower-cased); text holding none of them skips the regex. Empty: always run it.
 *                   A hint a match can lack lets that secret through: when unsure, give none
 */
public record RedactionPattern(String name, Pattern regex, int keepPrefix, List<String> hints) {

    // Key words of key-value and command-line secrets; "pwd" and "auth" are left out on purpose:
    // PWD is the working directory and auth matches author.
    private static final String SECRET_WORDS =
            "passwd|password|passphrase|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|credentials?";
    private static final List<String> SECRET_HINTS =
            List.of("pass", "secret", "token", "key", "credential");

    public RedactionPattern {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(regex, "regex");
        if (keepPrefix < 0) {
            throw new IllegalArgumentException("redaction pattern '" + name + "': keepPrefix must not be negative");
        }
        hints = hints.stream().map(hint -> hint.toLowerCase(Locale.ROOT)).toList();
        if (hints.stream().anyMatch(String::isEmpty)) {
            throw new IllegalArgumentException("redaction pattern '" + name + "': a hint must not be empty");
        }
    }

    /**
     * A pattern from configuration; a regex that does not compile is an
     * {@link IllegalArgumentException} naming the pattern and where the regex is wrong.
     */
    public static RedactionPattern of(final String name, final String regex, final int keepPrefix,
                                      final List<String> hints) {
        try {
            return new RedactionPattern(name, Pattern.compile(regex), keepPrefix, hints);
        } catch (final PatternSyntaxException e) {
            throw new IllegalArgumentException("redaction pattern '" + name + "': " + e.getDescription()
                    + " at index " + e.getIndex() + " of " + regex, e);
        }
    }

    /**
     * The shipped patterns, most specific first: a key shape masks before the generic
     * {@code name=value} pattern can, so its readable prefix survives.
     */
    public static List<RedactionPattern> defaults() {
        return List.of(
                of("private_key",
                        "-----BEGIN ((?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?)-----(?<secret>[\\s\\S]+?)(?:-----END \\1-----|\\z)",
                        0, List.of("private key")),
                of("aws_access_key_id", "\\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\\b", 4,
                        List.of("akia", "asia", "abia", "acca")),
                of("github_token", "\\bgh[pousr]_[A-Za-z0-9]{36,255}\\b", 4,
                        List.of("ghp_", "gho_", "ghu_", "ghs_", "ghr_")),
                of("github_fine_grained_token", "\\bgithub_pat_[A-Za-z0-9_]{22,255}", 11, List.of("github_pat_")),
                of("slack_token", "\\bxox[abposre]-[A-Za-z0-9-]{10,}", 5, List.of("xox")),
                of("anthropic_key", "\\bsk-ant-[A-Za-z0-9_-]{20,}", 7, List.of("sk-ant-")),
                // at least one digit: keys have them, long hyphenated words after "sk-" do not
                of("openai_key", "\\bsk-(?=[A-Za-z0-9_-]*\\d)[A-Za-z0-9_-]{20,}", 3, List.of("sk-")),
                of("google_api_key", "\\bAIza[0-9A-Za-z_-]{35}", 4, List.of("aiza")),
                of("stripe_key", "\\b[rs]k_(?:live|test)_[0-9A-Za-z]{10,}", 8, List.of("_live_", "_test_")),
                of("jwt", "\\beyJ[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]{8,}", 3, List.of("eyj")),
                of("url_password", "\\b[A-Za-z][A-Za-z0-9+.-]*://[^\\s:/?#@'\"]*:(?<secret>[^\\s/?#@'\"]+)@", 0,
                        List.of("://")),
                of("authorization_header", "(?i)\\b(?:authorization\\s*[:=]\\s*(?:(?:bearer|basic|token|digest)\\s+)?"
                        + "|bearer\\s+)(?<secret>[A-Za-z0-9._~+/-]{8,}=*)", 0, List.of("bearer", "authorization")),
                // name=value, name: value, "name": "value"; a bare number (tokens=4096) is a count, not a
                // secret, and a value already holding a mask was masked by a more specific pattern
                of("secret_assignment", "(?i)(?<!/)(?:" + SECRET_WORDS + ")[\\w.-]*[\"']?\\s*[:=]\\s*"
                        + "(?:\"(?![^\"]*\\*{4})(?<secret>[^\"]+)\"|'(?![^']*\\*{4})(?<secret2>[^']+)'"
                        + "|(?!\\d+(?![\\w.-]))(?![^\\s\"'&;,]*\\*{4})(?<secret3>[^\\s\"'&;,]+))",
                        0, SECRET_HINTS),
                // --password hunter2, --api-key abc (the --name=value form is a secret_assignment)
                of("secret_flag", "(?i)(?<![\\w-])--?(?:[\\w-]*-)?(?:" + SECRET_WORDS + ")(?:-[\\w-]*)?\\s+"
                        + "(?<secret>(?!-)(?![^\\s\"']*\\*{4})[^\\s\"']+)", 0, SECRET_HINTS));
    }
}
