package dev.peregrine.engine.detect;

import dev.peregrine.alerting.Alert;
import dev.peregrine.alerting.AlertJson;
import dev.peregrine.alerting.Priority;
import dev.peregrine.collector.event.Event;
import dev.peregrine.collector.event.Field;
import dev.peregrine.collector.event.StandardFields;
import dev.peregrine.engine.Detector;
import dev.peregrine.engine.state.KeyValueStore;
import dev.peregrine.engine.state.StateCodec;
import dev.peregrine.engine.state.StateStore;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * {@code token_budget}: an {@code llm_call}'s tokens ({@code llm.tokens.in} +
 * {@code llm.tokens.out}) take a session, or an agent's calendar day, across a threshold of its
 * budget; one alert per threshold, however many calls cross it (a call that jumps several
 * thresholds raises one alert for each). And {@code token_budget.rate}: an agent makes more than
 * {@code requests_per_minute} LLM calls in one calendar minute; one alert per minute.
 *
 * <p>Usage lives in the {@value #STORE} store (keys {@code session:ID} and
 * {@code day:AGENT:DATE}), so budgets hold across a restart; a session's usage is dropped after
 * {@code session_idle} without a call, a day's two days after it ended. Rate counts are in memory
 * (one counter per agent).
 */
public final class TokenBudgetDetector implements Detector {

    /** The rule id of a budget threshold. */
    public static final String RULE_ID = "token_budget";
    /** The rule id of the request-rate limit. */
    public static final String RATE_RULE_ID = "token_budget.rate";
    /** The state store holding token usage. */
    public static final String STORE = "token_budget.usage";

    private static final List<String> TAGS = List.of("peregrine_builtin", "agent", "llm", "budget", "mitre_impact",
            "T1496");
    private static final long MINUTE = Duration.ofMinutes(1).toNanos();
    private static final long SWEEP_EVERY = Duration.ofMinutes(10).toNanos();
    private static final long DAY_KEPT = Duration.ofDays(3).toNanos();

    /**
     * Tokens used in one budget period.
     *
     * @param start     event time of the period's first call (a session) or its start (a day)
     * @param tokens    tokens used so far
     * @param crossed   how many thresholds have alerted
     * @param lastCall  event time of the latest call
     */
    public record Usage(long start, long tokens, int crossed, long lastCall) {
    }

    static final StateCodec<Usage> CODEC = new StateCodec<>() {
        @Override
        public String encode(final Usage u) {
            return u.start + " " + u.tokens + " " + u.crossed + " " + u.lastCall;
        }

        @Override
        public Usage decode(final String text) {
            final String[] parts = text.split(" ");
            if (parts.length != 4) {
                throw new IllegalArgumentException("expected 4 values, got " + parts.length);
            }
            return new Usage(Long.parseLong(parts[0]), Long.parseLong(parts[1]), Integer.parseInt(parts[2]),
                    Long.parseLong(parts[3]));
        }
    };

    /** Calls of one agent in the current minute. */
    private static final class Rate {
        long minuteStart;
        long calls;
    }

    private final PerAgent<TokenBudgetSettings> settings;
    private final KeyValueStore<Usage> usage;
    private final Map<String, Rate> rates = new HashMap<>();
    private final Map<ZoneId, Day> days = new HashMap<>();
    private long nextSweep = Long.MIN_VALUE;

    public TokenBudgetDetector(final PerAgent<TokenBudgetSettings> settings, final StateStore state) {
        this.settings = settings;
        this.usage = state.keyValueStore(STORE, CODEC);
    }

    /** The usage under a store key ({@code session:ID} or {@code day:AGENT:DATE}), or {@code null}. */
    public Usage usage(final String key) {
        return usage.get(key);
    }

    @Override
    public void onEvent(final Event event, final Consumer<Alert> alerts) {
        final long now = event.timeNanos();
        sweep(now);
        if (!"llm_call".equals(event.getString(StandardFields.EVT_TYPE))) {
            return;
        }
        final String agent = DetectionAlerts.agentKey(event);
        final TokenBudgetSettings s = settings.forAgent(agent);
        if (!s.enabled()) {
            return;
        }
        final long tokens = number(event, StandardFields.LLM_TOKENS_IN) + number(event, StandardFields.LLM_TOKENS_OUT);
        final String session = event.getString(StandardFields.AGENT_SESSION);
        if (session != null && s.sessionTokens() > 0) {
            charge(event, "session:" + session, () -> "session " + session, now, s.sessionTokens(), tokens, s, alerts);
        }
        if (agent != null && s.dailyTokens() > 0) {
            final Day day = dayOf(now, s.timeZone());
            charge(event, "day:" + agent + ":" + day.text(),
                    () -> "agent " + agent + " on " + day.text() + " (" + s.timeZone().getId() + ")",
                    day.start(), s.dailyTokens(), tokens, s, alerts);
        }
        if (agent != null && s.requestsPerMinute() > 0) {
            countCall(event, agent, now, s, alerts);
        }
    }

    private static long number(final Event event, final Field field) {
        final Object value = event.get(field);
        return value instanceof Long number && number > 0 ? number : 0;
    }

    /** The local day of {@code now} in {@code zone}; recomputed only when {@code now} leaves the cached one. */
    private Day dayOf(final long now, final ZoneId zone) {
        final Day cached = days.get(zone);
        if (cached != null && now >= cached.start() && now < cached.end()) {
            return cached;
        }
        final LocalDate date = Instant.ofEpochSecond(Math.floorDiv(now, 1_000_000_000L)).atZone(zone).toLocalDate();
        final Day day = new Day(date.atStartOfDay(zone).toEpochSecond() * 1_000_000_000L,
                date.plusDays(1).atStartOfDay(zone).toEpochSecond() * 1_000_000_000L, date.toString());
        days.put(zone, day);
        return day;
    }

    /** A local day as event-time nanoseconds [start, end) and its ISO date. */
    private record Day(long start, long end, String text) {
    }

    // The scope's text is only needed when a threshold is crossed, so it is built then.
    private void charge(final Event event, final String key, final Supplier<String> scope, final long start,
                        final long budget,
                        final long tokens, final TokenBudgetSettings s, final Consumer<Alert> alerts) {
        final Usage before = usage.get(key);
        final Usage base = before == null ? new Usage(start, 0, 0, start) : before;
        final long used = base.tokens + tokens;
        int crossed = base.crossed;
        final List<Integer> thresholds = s.thresholds();
        while (crossed < thresholds.size() && used * 100 >= budget * thresholds.get(crossed)) {
            alerts.accept(alert(event, key, scope.get(), base.start, used, budget, thresholds.get(crossed)));
            crossed++;
        }
        usage.put(key, new Usage(base.start, used, crossed, event.timeNanos()));
    }

    private static Alert alert(final Event event, final String key, final String scope, final long start,
                               final long used, final long budget, final int percent) {
        final Priority priority = percent >= 100 ? Priority.ERROR : percent >= 90 ? Priority.WARNING
                : percent >= 75 ? Priority.NOTICE : Priority.INFORMATIONAL;
        final Map<String, Object> fields = DetectionAlerts.identity(event);
        fields.put("budget.scope", key.substring(0, key.indexOf(':')));
        fields.put("budget.tokens", budget);
        fields.put("budget.used", used);
        fields.put("budget.threshold_percent", (long) percent);
        fields.put("budget.used_percent", Math.round(used * 1000.0 / budget) / 10.0);
        fields.put("budget.period_start", AlertJson.formatTime(start));
        DetectionAlerts.putPresent(fields, "llm.model", event.getString(StandardFields.LLM_MODEL));
        DetectionAlerts.putPresent(fields, "llm.tokens.in", event.get(StandardFields.LLM_TOKENS_IN));
        DetectionAlerts.putPresent(fields, "llm.tokens.out", event.get(StandardFields.LLM_TOKENS_OUT));
        final String output = String.format(Locale.ROOT,
                "Token budget %d%% reached: %s used %,d of %,d tokens (%.1f%%); last call model=%s tokens=%d+%d",
                percent, scope, used, budget, used * 100.0 / budget, event.getString(StandardFields.LLM_MODEL),
                number(event, StandardFields.LLM_TOKENS_IN), number(event, StandardFields.LLM_TOKENS_OUT));
        return DetectionAlerts.alert(RULE_ID, "Token budget threshold crossed", priority, TAGS, event,
                key + ":" + percent, start, output, fields, 1, event.timeNanos());
    }

    private void countCall(final Event event, final String agent, final long now, final TokenBudgetSettings s,
                           final Consumer<Alert> alerts) {
        final long minute = Math.floorDiv(now, MINUTE) * MINUTE;
        final Rate rate = rates.computeIfAbsent(agent, a -> new Rate());
        if (rate.minuteStart != minute) {
            rate.minuteStart = minute;
            rate.calls = 0;
        }
        rate.calls++;
        if (rate.calls == s.requestsPerMinute() + 1) {
            final Map<String, Object> fields = DetectionAlerts.identity(event);
            fields.put("calls", rate.calls);
            fields.put("limit_per_minute", s.requestsPerMinute());
            fields.put("minute_start", AlertJson.formatTime(minute));
            DetectionAlerts.putPresent(fields, "llm.model", event.getString(StandardFields.LLM_MODEL));
            final String output = "LLM request rate over limit: agent=" + agent + " made " + rate.calls
                    + " LLM calls in the minute from " + AlertJson.formatTime(minute) + " (limit "
                    + s.requestsPerMinute() + " per minute)";
            alerts.accept(DetectionAlerts.alert(RATE_RULE_ID, "LLM request rate over limit", Priority.WARNING, TAGS,
                    event, agent, minute, output, fields, rate.calls, minute));
        }
    }

    private void sweep(final long now) {
        if (now < nextSweep) {
            return;
        }
        nextSweep = now + SWEEP_EVERY;
        final List<String> stale = new ArrayList<>();
        usage.forEach((key, u) -> {
            final long idle = key.startsWith("session:") ? sessionIdle(key) : DAY_KEPT;
            if (now - u.lastCall > idle) {
                stale.add(key);
            }
        });
        stale.forEach(usage::delete);
        rates.values().removeIf(rate -> now - rate.minuteStart > MINUTE);
    }

    // The session's own agent is not in its key; the longest idle time any agent allows is safe.
    private long sessionIdle(final String key) {
        long idle = settings.global().sessionIdle().toNanos();
        for (final TokenBudgetSettings s : settings.agents().values()) {
            idle = Math.max(idle, s.sessionIdle().toNanos());
        }
        return idle;
    }
}
