package dev.peregrine.collector.event;

import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;

/** RFC 3339 text to and from {@code evt.time} epoch nanoseconds, for every parser and writer. */
public final class Timestamps {

    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private Timestamps() {
    }

    /**
     * Parses an RFC 3339 date-time ({@code 2026-11-22T10:15:30.123Z}, {@code …+02:00}) into
     * nanoseconds since the epoch. Accepts {@code T}, {@code t} or a space between date and time
     * (RFC 3339 §5.6 allows it), {@code Z} or {@code z}, and any number of fraction digits;
     * digits beyond nanoseconds are dropped because {@code evt.time} cannot hold them.
     *
     * <p>Hand-written rather than {@code DateTimeFormatter}, because every native event carries
     * one and the formatter costs several allocations per call; a valid time allocates nothing.
     *
     * @throws IllegalArgumentException saying what is wrong with {@code text}
     */
    public static long parseRfc3339(final CharSequence text) {
        final int length = text.length();
        if (length < 19) {
            throw invalid("too short for YYYY-MM-DDThh:mm:ssZ");
        }
        final int year = digits(text, 0, 4);
        expect(text, 4, '-');
        final int month = digits(text, 5, 2);
        expect(text, 7, '-');
        final int day = digits(text, 8, 2);
        final char separator = text.charAt(10);
        if (separator != 'T' && separator != 't' && separator != ' ') {
            throw invalid("expected 'T' between date and time at position 10");
        }
        final int hour = digits(text, 11, 2);
        expect(text, 13, ':');
        final int minute = digits(text, 14, 2);
        expect(text, 16, ':');
        final int second = digits(text, 17, 2);

        int position = 19;
        long nanos = 0;
        if (position < length && text.charAt(position) == '.') {
            position++;
            final int start = position;
            while (position < length && isDigit(text.charAt(position))) {
                if (position - start < 9) {
                    nanos = nanos * 10 + (text.charAt(position) - '0');
                }
                position++;
            }
            final int fractionDigits = position - start;
            if (fractionDigits == 0) {
                throw invalid("expected digits after '.' at position " + start);
            }
            for (int scale = fractionDigits; scale < 9; scale++) {
                nanos *= 10;
            }
        }

        final int offsetSeconds;
        if (position < length && (text.charAt(position) == 'Z' || text.charAt(position) == 'z')) {
            offsetSeconds = 0;
            position++;
        } else if (position < length && (text.charAt(position) == '+' || text.charAt(position) == '-')) {
            if (position + 6 > length) {
                throw invalid("offset must be ±hh:mm at position " + position);
            }
            final int sign = text.charAt(position) == '-' ? -1 : 1;
            final int offsetHours = digits(text, position + 1, 2);
            expect(text, position + 3, ':');
            final int offsetMinutes = digits(text, position + 4, 2);
            if (offsetHours > 23 || offsetMinutes > 59) {
                throw invalid("offset out of range");
            }
            offsetSeconds = sign * (offsetHours * 3600 + offsetMinutes * 60);
            position += 6;
        } else {
            throw invalid("missing time zone offset ('Z' or ±hh:mm) at position " + position);
        }
        if (position != length) {
            throw invalid("unexpected characters after the offset at position " + position);
        }
        // RFC 3339 allows second 60 for a leap second; the epoch timeline has none, and systems
        // smear them, so a 60 here is more likely garbage than a real leap second.
        if (hour > 23 || minute > 59 || second > 59) {
            throw invalid("time of day out of range");
        }
        final long epochDay = epochDay(year, month, day);
        final long epochSecond = epochDay * 86_400L + hour * 3600L + minute * 60L + second - offsetSeconds;
        try {
            return Math.addExact(Math.multiplyExact(epochSecond, NANOS_PER_SECOND), nanos);
        } catch (final ArithmeticException e) {
            throw invalid("outside the range of epoch nanoseconds (years 1677 to 2262)");
        }
    }

    /**
     * Formats epoch nanoseconds as RFC 3339 in UTC with all nine fraction digits, as Falco
     * writes {@code time} ({@code 2026-11-22T10:16:02.000000000Z}).
     */
    public static String formatRfc3339(final long epochNanos) {
        final LocalDateTime utc = LocalDateTime.ofEpochSecond(Math.floorDiv(epochNanos, NANOS_PER_SECOND),
                (int) Math.floorMod(epochNanos, NANOS_PER_SECOND), ZoneOffset.UTC);
        final StringBuilder out = new StringBuilder(30);
        pad(out, utc.getYear(), 4).append('-');
        pad(out, utc.getMonthValue(), 2).append('-');
        pad(out, utc.getDayOfMonth(), 2).append('T');
        pad(out, utc.getHour(), 2).append(':');
        pad(out, utc.getMinute(), 2).append(':');
        pad(out, utc.getSecond(), 2).append('.');
        return pad(out, utc.getNano(), 9).append('Z').toString();
    }

    private static StringBuilder pad(final StringBuilder out, final int value, final int width) {
        final String digits = Integer.toString(value);
        for (int i = digits.length(); i < width; i++) {
            out.append('0');
        }
        return out.append(digits);
    }

    /** Days since 1970-01-01 of a date, without making a {@link LocalDate} of every valid one. */
    private static long epochDay(final int year, final int month, final int day) {
        if (month >= 1 && month <= 12 && day >= 1 && day <= lengthOfMonth(year, month)) {
            // Days from the civil calendar (H. Hinnant's algorithm): years start in March, so
            // that the leap day is the last day of a year, in eras of 400 years.
            final int y = month <= 2 ? year - 1 : year;
            final int era = Math.floorDiv(y, 400);
            final int yearOfEra = y - era * 400;
            final int dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
            final int dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear;
            return era * 146_097L + dayOfEra - 719_468L;
        }
        // An invalid date: LocalDate words what is wrong with it.
        try {
            return LocalDate.of(year, month, day).toEpochDay();
        } catch (final DateTimeException e) {
            throw invalid(e.getMessage());
        }
    }

    private static int lengthOfMonth(final int year, final int month) {
        return switch (month) {
            case 2 -> (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28;
            case 4, 6, 9, 11 -> 30;
            default -> 31;
        };
    }

    private static int digits(final CharSequence text, final int start, final int count) {
        int value = 0;
        for (int i = start; i < start + count; i++) {
            final char c = text.charAt(i);
            if (!isDigit(c)) {
                throw invalid("expected a digit at position " + i);
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    private static void expect(final CharSequence text, final int position, final char expected) {
        if (text.charAt(position) != expected) {
            throw invalid("expected '" + expected + "' at position " + position);
        }
    }

    private static boolean isDigit(final char c) {
        return c >= '0' && c <= '9';
    }

    private static IllegalArgumentException invalid(final String why) {
        return new IllegalArgumentException("not an RFC 3339 timestamp: " + why);
    }
}
