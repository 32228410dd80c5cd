package dev.peregrine.engine.detect;

import dev.peregrine.alerting.Alert;
import dev.peregrine.alerting.Priority;
import dev.peregrine.collector.event.Event;
import dev.peregrine.collector.event.StandardFields;
import dev.peregrine.engine.Detector;
import dev.peregrine.engine.state.KeyValueStore;
import dev.peregrine.engine.state.StateCodec;
import dev.peregrine.engine.state.StateStore;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * {@code off_hours}: an agent acts outside its active hours, in its time zone.
 *
 * <p>With {@code hours} configured, active means: on one of {@code days}, not on one of
 * {@code holidays}, and within the hours (a range past midnight belongs to the day it starts
 * on). Without, the agent's hours are learned: for {@code learning} after its first event every
 * minute with activity counts towards its hour of day (local time); after that, an hour holding
 * less than {@code min_share} of the counted minutes is off. Activity in active hours keeps
 * counting, off-hours activity does not, so an intruder's night does not teach the baseline.
 *
 * <p>One alert per episode: further off-hours events of the agent stay quiet until it acts in
 * its hours again or {@code quiet} passes without activity. Learned hours live in the
 * {@value #STORE} store (24 counters per agent, written at most once a minute); the episode state (one time per agent) is in
 * memory only.
 */
public final class OffHoursDetector implements Detector {

    /** The rule id. */
    public static final String RULE_ID = "off_hours";
    /** The state store holding learned hours. */
    public static final String STORE = "off_hours.learned";

    private static final List<String> TAGS = List.of("peregrine_builtin", "agent", "baseline", "mitre_initial_access",
            "T1078");
    private static final long MINUTE = 60_000_000_000L;
    private static final DateTimeFormatter LOCAL = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss EEE zzz", Locale.ROOT);

    /**
     * An agent's learned hours: per local hour of day, the minutes in which it was active (a
     * minute with a thousand events counts once, so a burst does not make an hour look normal).
     *
     * @param firstSeen   event time of the agent's first event
     * @param lastMinute  the epoch minute last counted
     * @param perHour     active minutes counted per local hour of day (24 entries)
     */
    public record LearnedHours(long firstSeen, long lastMinute, long[] perHour) {

        long total() {
            long total = 0;
            for (final long count : perHour) {
                total += count;
            }
            return total;
        }

        /** These hours with {@code minute} counted, or these same hours when it was counted already. */
        LearnedHours plus(final long minute, final int hour) {
            if (minute == lastMinute) {
                return this;
            }
            final long[] counts = perHour.clone();
            counts[hour]++;
            return new LearnedHours(firstSeen, minute, counts);
        }

        @Override
        public boolean equals(final Object other) {
            return other instanceof LearnedHours o && firstSeen == o.firstSeen && lastMinute == o.lastMinute
                    && Arrays.equals(perHour, o.perHour);
        }

        @Override
        public int hashCode() {
            return 31 * (31 * Long.hashCode(firstSeen) + Long.hashCode(lastMinute)) + Arrays.hashCode(perHour);
        }

        @Override
        public String toString() {
            return "LearnedHours[firstSeen=" + firstSeen + ", lastMinute=" + lastMinute + ", perHour="
                    + Arrays.toString(perHour) + "]";
        }
    }

    /** Encodes {@link LearnedHours} as the first-seen time, the last minute, then 24 counts. */
    static final StateCodec<LearnedHours> CODEC = new StateCodec<>() {
        @Override
        public String encode(final LearnedHours value) {
            return value.firstSeen + " " + value.lastMinute + " " + Arrays.stream(value.perHour)
                    .mapToObj(Long::toString).collect(Collectors.joining(" "));
        }

        @Override
        public LearnedHours decode(final String text) {
            final String[] parts = text.split(" ");
            if (parts.length != 26) {
                throw new IllegalArgumentException("expected 26 values, got " + parts.length);
            }
            final long[] counts = new long[24];
            for (int hour = 0; hour < 24; hour++) {
                counts[hour] = Long.parseLong(parts[hour + 2]);
            }
            return new LearnedHours(Long.parseLong(parts[0]), Long.parseLong(parts[1]), counts);
        }
    };

    /** The local time of one epoch minute in one zone: events come in time order, so it is reused for the whole minute. */
    private record LocalMinute(long minute, ZonedDateTime local) {
    }

    private final PerAgent<OffHoursSettings> settings;
    private final KeyValueStore<LearnedHours> learned;
    // Per agent, the time of its last off-hours event in the current episode.
    private final Map<String, Long> episodes = new HashMap<>();
    private final Map<ZoneId, LocalMinute> localMinutes = new HashMap<>();

    public OffHoursDetector(final PerAgent<OffHoursSettings> settings, final StateStore state) {
        this.settings = settings;
        this.learned = state.keyValueStore(STORE, CODEC);
    }

    @Override
    public void onEvent(final Event event, final Consumer<Alert> alerts) {
        final String agent = DetectionAlerts.agentKey(event);
        if (agent == null) {
            return;
        }
        final OffHoursSettings s = settings.forAgent(agent);
        if (!s.enabled()) {
            return;
        }
        final long now = event.timeNanos();
        final long minute = Math.floorDiv(now, MINUTE);
        LocalMinute local = localMinutes.get(s.timeZone());
        if (local == null || local.minute != minute) {
            // Zone offsets are whole minutes, so the minute's start tells the hour and the day for all of it.
            local = new LocalMinute(minute, Instant.ofEpochSecond(minute * 60).atZone(s.timeZone()));
            localMinutes.put(s.timeZone(), local);
        }
        final String reason = s.hours() != null ? configuredReason(local.local, s)
                : learnedReason(agent, now, minute, local.local, s);
        if (reason == null) {
            episodes.remove(agent);
            return;
        }
        final Long last = episodes.put(agent, now);
        if (last != null && now - last < s.quiet().toNanos()) {
            return;
        }
        alerts.accept(alert(event, agent, Instant.ofEpochSecond(Math.floorDiv(now, 1_000_000_000L),
                Math.floorMod(now, 1_000_000_000L)).atZone(s.timeZone()), reason, s));
    }

    /** Why {@code local} is outside the configured hours, or {@code null} when it is inside. */
    static String configuredReason(final ZonedDateTime local, final OffHoursSettings s) {
        final LocalDate date = local.toLocalDate();
        final LocalTime time = local.toLocalTime();
        final OffHoursSettings.Hours hours = s.hours();
        if (!hours.end().isBefore(hours.start())) {
            if (s.holidays().contains(date)) {
                return "holiday " + date;
            }
            if (!s.days().contains(date.getDayOfWeek())) {
                return "not a working day (" + dayName(date.getDayOfWeek()) + ")";
            }
            return time.isBefore(hours.start()) || !time.isBefore(hours.end())
                    ? "outside working hours " + hours : null;
        }
        // A range past midnight: the early part belongs to the shift that started the day before.
        final LocalDate shiftDay = time.isBefore(hours.end()) ? date.minusDays(1) : date;
        if (time.isBefore(hours.end()) || !time.isBefore(hours.start())) {
            if (s.holidays().contains(shiftDay)) {
                return "holiday " + shiftDay;
            }
            return s.days().contains(shiftDay.getDayOfWeek()) ? null
                    : "not a working day (" + dayName(shiftDay.getDayOfWeek()) + ")";
        }
        return "outside working hours " + hours;
    }

    private String learnedReason(final String agent, final long now, final long minute, final ZonedDateTime local,
                                 final OffHoursSettings s) {
        final int hour = local.getHour();
        final LearnedHours hours = learned.get(agent);
        if (hours == null) {
            learned.put(agent, new LearnedHours(now, Long.MIN_VALUE, new long[24]).plus(minute, hour));
            return null;
        }
        if (now - hours.firstSeen() < s.learning().toNanos()) {
            learnMinute(agent, hours, minute, hour);
            return null;
        }
        final long total = hours.total();
        final double share = total == 0 ? 0 : (double) hours.perHour()[hour] / total;
        if (share >= s.minShare()) {
            learnMinute(agent, hours, minute, hour);
            return null;
        }
        return String.format(Locale.ROOT, "outside learned hours %s (%02d:00-%02d:00 holds %.1f%% of %d active minutes)",
                activeHours(hours, s), hour, (hour + 1) % 24, share * 100, total);
    }

    private void learnMinute(final String agent, final LearnedHours hours, final long minute, final int hour) {
        final LearnedHours counted = hours.plus(minute, hour);
        if (counted != hours) {
            learned.put(agent, counted);
        }
    }

    /** The learned active hours as a list of ranges, e.g. {@code 08-12,13-18}. */
    private static String activeHours(final LearnedHours hours, final OffHoursSettings s) {
        final long total = hours.total();
        final StringBuilder text = new StringBuilder();
        int hour = 0;
        while (hour < 24) {
            if (total > 0 && (double) hours.perHour()[hour] / total >= s.minShare()) {
                final int start = hour;
                while (hour < 24 && (double) hours.perHour()[hour] / total >= s.minShare()) {
                    hour++;
                }
                text.append(text.isEmpty() ? "" : ",").append(String.format(Locale.ROOT, "%02d-%02d", start, hour));
            } else {
                hour++;
            }
        }
        return text.isEmpty() ? "(none)" : text.toString();
    }

    private static String dayName(final DayOfWeek day) {
        return day.name().charAt(0) + day.name().substring(1).toLowerCase(Locale.ROOT);
    }

    private static Alert alert(final Event event, final String agent, final ZonedDateTime local, final String reason,
                               final OffHoursSettings s) {
        final Map<String, Object> fields = DetectionAlerts.identity(event);
        fields.put("local_time", LOCAL.format(local));
        fields.put("time_zone", s.timeZone().getId());
        fields.put("active_hours", s.hours() == null ? "learned" : s.hours() + " " + s.days().stream().sorted()
                .map(d -> d.name().substring(0, 3).toLowerCase(Locale.ROOT)).collect(Collectors.joining(",")));
        fields.put("reason", reason);
        DetectionAlerts.putPresent(fields, "evt.type", event.getString(StandardFields.EVT_TYPE));
        DetectionAlerts.putPresent(fields, "tool.action", event.getString(StandardFields.TOOL_ACTION));
        DetectionAlerts.putPresent(fields, "proc.cmdline", event.getString(StandardFields.PROC_CMDLINE));
        final String output = "Agent active off hours: agent=" + agent + " session="
                + event.getString(StandardFields.AGENT_SESSION) + " at " + LOCAL.format(local) + ", " + reason
                + " (evt.type=" + event.getString(StandardFields.EVT_TYPE) + ")";
        return DetectionAlerts.alert(RULE_ID, "Agent active outside its hours", Priority.NOTICE, TAGS, event, agent,
                event.timeNanos(), output, fields, 1, event.timeNanos());
    }
}
