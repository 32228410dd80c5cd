package dev.peregrine.engine.detect;

import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.Set;

/**
 * Knobs of {@code token_budget}: LLM tokens ({@code llm.tokens.in} + {@code llm.tokens.out})
 * against budgets per session and per agent per day, and LLM calls per minute.
 *
 * @param enabled            whether the detection runs
 * @param sessionTokens      tokens one session may use (0: no session budget)
 * @param dailyTokens        tokens one agent may use per calendar day in {@code timeZone} (0: no daily budget)
 * @param thresholds         percentages of a budget that each raise one alert, ascending
 * @param timeZone           the zone whose midnight starts a new day
 * @param requestsPerMinute  LLM calls one agent may make per minute (0: no rate limit)
 * @param sessionIdle        a session's usage is forgotten after this long without an LLM call
 */
public record TokenBudgetSettings(boolean enabled, long sessionTokens, long dailyTokens, List<Integer> thresholds,
                                  ZoneId timeZone, long requestsPerMinute, Duration sessionIdle) {

    /** 500k tokens a session, 5M an agent a day, alerts at 50/75/90/100 %, 120 calls a minute. */
    public static final TokenBudgetSettings DEFAULTS = new TokenBudgetSettings(true, 500_000, 5_000_000,
            List.of(50, 75, 90, 100), ZoneId.of("UTC"), 120, Duration.ofHours(24));

    static final Set<String> KEYS = Set.of("enabled", "session_tokens", "daily_tokens", "thresholds", "time_zone",
            "requests_per_minute", "session_idle", "agents");

    public TokenBudgetSettings {
        thresholds = thresholds.stream().sorted().distinct().toList();
    }

    static TokenBudgetSettings read(final SettingsReader in, final TokenBudgetSettings base) {
        return new TokenBudgetSettings(
                in.bool("enabled", base.enabled),
                in.integer("session_tokens", base.sessionTokens, 0),
                in.integer("daily_tokens", base.dailyTokens, 0),
                in.list("thresholds", base.thresholds, TokenBudgetSettings::parsePercent),
                in.zone("time_zone", base.timeZone),
                in.integer("requests_per_minute", base.requestsPerMinute, 0),
                in.duration("session_idle", base.sessionIdle));
    }

    private static Integer parsePercent(final String text) {
        final String digits = text.endsWith("%") ? text.substring(0, text.length() - 1).trim() : text;
        try {
            final int percent = Integer.parseInt(digits);
            if (percent < 1 || percent > 1000) {
                throw new IllegalArgumentException("a threshold is a percentage from 1 to 1000, got '" + text + "'");
            }
            return percent;
        } catch (final NumberFormatException e) {
            throw new IllegalArgumentException("a threshold is a percentage such as 90, got '" + text + "'");
        }
    }
}
