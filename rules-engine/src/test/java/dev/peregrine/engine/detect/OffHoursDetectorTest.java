package dev.peregrine.engine.detect;

import static org.assertj.core.api.Assertions.assertThat;

import dev.peregrine.alerting.Alert;
import dev.peregrine.collector.event.Timestamps;
import dev.peregrine.engine.state.InMemoryStateStore;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class OffHoursDetectorTest {

    private static final Set<DayOfWeek> WEEKDAYS = EnumSet.range(DayOfWeek.MONDAY, DayOfWeek.FRIDAY);

    private static OffHoursSettings configured(final String zone, final String hours) {
        return new OffHoursSettings(true, ZoneId.of(zone), OffHoursSettings.Hours.parse(hours), WEEKDAYS,
                Set.of(LocalDate.parse("2026-12-25")), Duration.ofDays(7), 0.02, Duration.ofHours(1));
    }

    private static OffHoursDetector detector(final OffHoursSettings settings) {
        return new OffHoursDetector(PerAgent.of(settings), new InMemoryStateStore());
    }

    private static List<Long> times(final List<Alert> alerts) {
        return alerts.stream().map(Alert::timeNanos).toList();
    }

    @Test
    void berlinWorkingHoursFollowTheClockAcrossTheEndOfDaylightSavingTime() {
        final List<Alert> alerts = Traces.replay(detector(configured("Europe/Berlin", "09:00-17:00")),
                "off_hours/berlin_dst_end.ndjson");

        // 07:30Z is 09:30 in summer time (in) and 08:30 in winter time (off); 15:30Z is 17:30 (off), then 16:30 (in).
        assertThat(times(alerts)).containsExactly(
                Timestamps.parseRfc3339("2026-10-23T15:30:00Z"),
                Timestamps.parseRfc3339("2026-10-24T10:00:00Z"),
                Timestamps.parseRfc3339("2026-10-26T07:30:00Z"));
        assertThat(alerts).extracting(a -> a.outputFields().get("reason")).containsExactly(
                "outside working hours 09:00-17:00", "not a working day (Saturday)", "outside working hours 09:00-17:00");
        assertThat(alerts.get(2).outputFields()).containsEntry("local_time", "2026-10-26 08:30:00 Mon CET")
                .containsEntry("time_zone", "Europe/Berlin");
    }

    @Test
    void newYorkWorkingHoursFollowTheClockAcrossItsOwnDaylightSavingChange() {
        final OffHoursSettings newYork = configured("America/New_York", "09:00-17:00");
        final List<Alert> alerts = Traces.replay(new OffHoursDetector(
                new PerAgent<>(OffHoursSettings.DEFAULTS, Map.of("nightly-bot", newYork)), new InMemoryStateStore()),
                "off_hours/new_york_dst_end.ndjson");

        assertThat(alerts).singleElement().satisfies(alert -> {
            assertThat(alert.timeNanos()).isEqualTo(Timestamps.parseRfc3339("2026-11-02T13:30:00Z"));
            assertThat(alert.outputFields()).containsEntry("local_time", "2026-11-02 08:30:00 Mon EST");
        });
    }

    @Test
    void aNightOfActivityIsOneEpisodeAndWorkingHoursEndIt() {
        final List<Alert> alerts = Traces.replay(detector(configured("Europe/Berlin", "09:00-17:00")),
                "off_hours/two_episodes.ndjson");

        assertThat(times(alerts)).containsExactly(Timestamps.parseRfc3339("2026-11-24T01:00:00Z"),
                Timestamps.parseRfc3339("2026-11-24T21:00:00Z"));
    }

    @Test
    void holidaysAreOffAllDay() {
        final List<Alert> alerts = Traces.replay(detector(configured("Europe/Berlin", "09:00-17:00")),
                "off_hours/holiday.ndjson");

        assertThat(alerts).singleElement().satisfies(alert ->
                assertThat(alert.outputFields()).containsEntry("reason", "holiday 2026-12-25"));
    }

    @Test
    void aNightShiftSpansMidnightAndBelongsToTheDayItStarts() {
        final OffHoursSettings night = configured("Europe/Berlin", "22:00-06:00");
        final java.time.ZonedDateTime mondayNight = java.time.ZonedDateTime.parse("2026-11-23T23:30:00+01:00[Europe/Berlin]");
        final java.time.ZonedDateTime tuesdayEarly = java.time.ZonedDateTime.parse("2026-11-24T05:30:00+01:00[Europe/Berlin]");
        final java.time.ZonedDateTime saturdayEarly = java.time.ZonedDateTime.parse("2026-11-28T05:30:00+01:00[Europe/Berlin]");
        final java.time.ZonedDateTime tuesdayNoon = java.time.ZonedDateTime.parse("2026-11-24T12:00:00+01:00[Europe/Berlin]");

        assertThat(OffHoursDetector.configuredReason(mondayNight, night)).isNull();
        assertThat(OffHoursDetector.configuredReason(tuesdayEarly, night)).isNull();
        // Friday's shift ends Saturday 06:00, so Saturday 05:30 is in it.
        assertThat(OffHoursDetector.configuredReason(saturdayEarly, night)).isNull();
        assertThat(OffHoursDetector.configuredReason(tuesdayNoon, night)).isEqualTo("outside working hours 22:00-06:00");
    }

    @Test
    void withoutConfiguredHoursTheAgentsOwnHoursAreLearned() {
        final OffHoursSettings learn = new OffHoursSettings(true, ZoneId.of("UTC"), null, WEEKDAYS, Set.of(),
                Duration.ofDays(6), 0.02, Duration.ofHours(1));
        final OffHoursDetector detector = detector(learn);

        assertThat(Traces.replay(detector, "off_hours/learned_week.ndjson")).isEmpty();
        final List<Alert> alerts = Traces.replay(detector, "off_hours/learned_day8.ndjson");

        assertThat(alerts).singleElement().satisfies(alert -> {
            assertThat(alert.timeNanos()).isEqualTo(Timestamps.parseRfc3339("2026-11-09T03:00:00Z"));
            assertThat((String) alert.outputFields().get("reason"))
                    .isEqualTo("outside learned hours 08-17 (03:00-04:00 holds 0.0% of 189 active minutes)");
        });
    }
}
