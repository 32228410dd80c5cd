package dev.peregrine.engine.detect;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Knobs of {@code off_hours}. With {@code hours} set, the agent's active hours are configured;
 * without, they are learned.
 *
 * @param enabled    whether the detection runs
 * @param timeZone   the zone the hours, days and holidays are in (and learned hours are counted in)
 * @param hours      configured active hours, or {@code null} to learn them
 * @param days       days on which the configured hours apply (other days are off)
 * @param holidays   dates that are off all day
 * @param learning   how long after an agent's first event its hours are only learned
 * @param minShare   an hour of day counts as active when it holds at least this share of the learned active minutes
 * @param quiet      off-hours activity after this long without any is a new episode (a new alert)
 */
public record OffHoursSettings(boolean enabled, ZoneId timeZone, Hours hours, Set<DayOfWeek> days,
                               Set<LocalDate> holidays, Duration learning, double minShare, Duration quiet) {

    /** UTC, learned hours over 7 days, an hour is active with 2% of the events, a new episode after 1 h quiet. */
    public static final OffHoursSettings DEFAULTS = new OffHoursSettings(true, ZoneId.of("UTC"), null,
            EnumSet.range(DayOfWeek.MONDAY, DayOfWeek.FRIDAY), Set.of(), Duration.ofDays(7), 0.02, Duration.ofHours(1));

    static final Set<String> KEYS = Set.of("enabled", "time_zone", "hours", "days", "holidays", "learning",
            "min_share", "quiet", "agents");

    public OffHoursSettings {
        days = days.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(days));
        holidays = Set.copyOf(holidays);
    }

    /**
     * Active hours of a day, {@code start} inclusive, {@code end} exclusive; {@code end} before
     * {@code start} spans midnight (a night shift), and then counts for the day it started on.
     */
    public record Hours(LocalTime start, LocalTime end) {

        /** Parses {@code HH:MM-HH:MM}. */
        static Hours parse(final String text) {
            final String[] parts = text.split("-");
            if (parts.length != 2) {
                throw new IllegalArgumentException("expected hours as HH:MM-HH:MM, got '" + text + "'");
            }
            try {
                final Hours hours = new Hours(LocalTime.parse(parts[0].trim()), LocalTime.parse(parts[1].trim()));
                if (hours.start.equals(hours.end)) {
                    throw new IllegalArgumentException("hours '" + text + "' are empty (start equals end)");
                }
                return hours;
            } catch (final DateTimeParseException e) {
                throw new IllegalArgumentException("expected hours as HH:MM-HH:MM, got '" + text + "'");
            }
        }

        @Override
        public String toString() {
            return start + "-" + end;
        }
    }

    static OffHoursSettings read(final SettingsReader in, final OffHoursSettings base) {
        return new OffHoursSettings(
                in.bool("enabled", base.enabled),
                in.zone("time_zone", base.timeZone),
                in.value("hours", base.hours, text -> "learn".equalsIgnoreCase(text) ? null : Hours.parse(text)),
                Set.copyOf(in.list("days", List.copyOf(base.days), OffHoursSettings::parseDay)),
                Set.copyOf(in.list("holidays", List.copyOf(base.holidays), OffHoursSettings::parseDate)),
                in.duration("learning", base.learning),
                in.number("min_share", base.minShare, 0.0),
                in.duration("quiet", base.quiet));
    }

    private static LocalDate parseDate(final String text) {
        try {
            return LocalDate.parse(text);
        } catch (final DateTimeParseException e) {
            throw new IllegalArgumentException("expected a date as YYYY-MM-DD, got '" + text + "'");
        }
    }

    private static DayOfWeek parseDay(final String text) {
        final String upper = text.toUpperCase(Locale.ROOT);
        for (final DayOfWeek day : DayOfWeek.values()) {
            if (day.name().equals(upper) || day.name().startsWith(upper) && upper.length() == 3) {
                return day;
            }
        }
        throw new IllegalArgumentException("expected a day such as mon or monday, got '" + text + "'");
    }
}
