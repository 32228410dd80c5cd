package dev.peregrine.collector.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.LocalDate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class TimestampsTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(textBlock = """
            2026-11-22T10:15:30Z,                    2026-11-22T10:15:30Z
            2026-11-22T10:15:30.123Z,                2026-11-22T10:15:30.123Z
            2026-11-22T10:15:30.123456789Z,          2026-11-22T10:15:30.123456789Z
            2026-11-22T10:15:30.1234567891234Z,      2026-11-22T10:15:30.123456789Z
            2026-11-22t10:15:30z,                    2026-11-22T10:15:30Z
            2026-11-22 10:15:30Z,                    2026-11-22T10:15:30Z
            2026-11-22T12:15:30.5+02:00,             2026-11-22T10:15:30.5Z
            2026-11-22T05:45:30-04:30,               2026-11-22T10:15:30Z
            2024-02-29T00:00:00Z,                    2024-02-29T00:00:00Z
            1970-01-01T00:00:00Z,                    1970-01-01T00:00:00Z
            1969-12-31T23:59:59.999999999Z,          1969-12-31T23:59:59.999999999Z
            """)
    void rfc3339IsReadToTheNanosecond(final String text, final String instant) {
        final Instant expected = Instant.parse(instant);

        assertThat(Timestamps.parseRfc3339(text))
                .isEqualTo(expected.getEpochSecond() * 1_000_000_000L + expected.getNano());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "2026-11-22", "2026-11-22T10:15:30", "2026-11-22T10:15Z", "2026-11-22T10:15:30.Z",
        "2026-11-22T24:00:00Z", "2026-11-22T10:60:00Z", "2026-11-22T10:15:60Z", "2025-02-29T00:00:00Z",
        "2026-00-10T00:00:00Z", "2026-11-22T10:15:30+0200", "2026-11-22T10:15:30+24:00", "2026-11-22T10:15:30Z ",
        "２０２６-11-22T10:15:30Z", "2300-01-01T00:00:00Z", "1600-01-01T00:00:00Z", "yesterday"})
    void anythingElseIsRefusedSayingWhy(final String text) {
        assertThatThrownBy(() -> Timestamps.parseRfc3339(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("not an RFC 3339 timestamp: ");
    }

    @ParameterizedTest
    @CsvSource(textBlock = """
            0,                    1970-01-01T00:00:00.000000000Z
            1795350930123456789,  2026-11-22T12:35:30.123456789Z
            -1,                   1969-12-31T23:59:59.999999999Z
            """)
    void formattingWritesUtcWithNineFractionDigits(final long nanos, final String text) {
        assertThat(Timestamps.formatRfc3339(nanos)).isEqualTo(text);
        assertThat(Timestamps.parseRfc3339(text)).isEqualTo(nanos);
    }

    @Test
    void everyDayInTheRangeOfEpochNanosIsTheDayJavaTimeCounts() {
        // 1677-09-22 to 2262-04-10: the days whose midnight fits in a long of nanoseconds.
        for (LocalDate day = LocalDate.of(1677, 9, 22); day.isBefore(LocalDate.of(2262, 4, 11)); day = day.plusDays(1)) {
            final String text = day + "T00:00:00Z";
            assertThat(Timestamps.parseRfc3339(text)).as(text).isEqualTo(day.toEpochDay() * 86_400_000_000_000L);
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(textBlock = """
            2000-02-29T00:00:00Z,  2000-02-29T00:00:00Z
            2024-02-29T23:59:59Z,  2024-02-29T23:59:59Z
            2026-12-31T23:59:59Z,  2026-12-31T23:59:59Z
            2026-01-01T00:00:00+14:00, 2025-12-31T10:00:00Z
            2026-01-01T00:00:00-23:59, 2026-01-01T23:59:00Z
            """)
    void leapDaysYearEndsAndOffsetsAcrossMidnight(final String text, final String instant) {
        final Instant expected = Instant.parse(instant);

        assertThat(Timestamps.parseRfc3339(text)).isEqualTo(expected.getEpochSecond() * 1_000_000_000L + expected.getNano());
    }

    @Test
    void fractionsOfZeroToNineDigitsAreScaledAndMoreAreCut() {
        final long second = Timestamps.parseRfc3339("2026-11-22T10:15:30Z");
        final String digits = "987654321123";
        for (int n = 1; n <= digits.length(); n++) {
            final String fraction = digits.substring(0, n);
            final long expected = Long.parseLong((fraction + "000000000").substring(0, 9));
            assertThat(Timestamps.parseRfc3339("2026-11-22T10:15:30." + fraction + "Z")).as(fraction)
                    .isEqualTo(second + expected);
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            1900-02-29T00:00:00Z | Invalid date 'February 29' as '1900' is not a leap year
            2100-02-29T00:00:00Z | Invalid date 'February 29' as '2100' is not a leap year
            2026-04-31T00:00:00Z | Invalid date 'APRIL 31'
            2026-13-01T00:00:00Z | Invalid value for MonthOfYear (valid values 1 - 12): 13
            2026-01-00T00:00:00Z | Invalid value for DayOfMonth (valid values 1 - 28/31): 0
            """)
    void invalidDatesAreRefusedInJavaTimesWords(final String text, final String why) {
        assertThatThrownBy(() -> Timestamps.parseRfc3339(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("not an RFC 3339 timestamp: " + why);
    }
}
