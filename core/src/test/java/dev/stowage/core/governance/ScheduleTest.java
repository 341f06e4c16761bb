package dev.stowage.core.governance;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Instant;
import java.time.ZoneId;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ScheduleTest {
    /** A Saturday. */
    private static final Instant SATURDAY = Instant.parse("2025-06-14T00:00:00Z");

    private static Instant next(String expression, Instant after) {
        return Schedule.parse(expression).next(after);
    }

    @Test
    void fiveFieldsAreUnixCron() {
        assertThat(next("30 2 * * 1-5", SATURDAY)).isEqualTo("2025-06-16T02:30:00Z");
        assertThat(next("*/15 * * * *", Instant.parse("2025-06-14T10:07:00Z"))).isEqualTo("2025-06-14T10:15:00Z");
    }

    @Test
    void sixFieldsAreHarborsFormWithSecondsFirst() {
        assertThat(next("0 0 0 * * *", Instant.parse("2025-06-14T10:00:00Z"))).isEqualTo("2025-06-15T00:00:00Z");
        assertThat(next("*/10 * * * * *", Instant.parse("2025-06-14T00:00:05Z"))).isEqualTo("2025-06-14T00:00:10Z");
    }

    @Test
    void theNextTimeIsStrictlyAfterTheOneGiven() {
        assertThat(next("0 0 * * *", SATURDAY)).isEqualTo("2025-06-15T00:00:00Z");
    }

    @Test
    void fractionsOfASecondDoNotLeakIntoTheNextTime() {
        assertThat(next("* * * * * *", Instant.parse("2025-06-14T00:00:00.500Z"))).isEqualTo("2025-06-14T00:00:01Z");
        assertThat(next("* * * * *", Instant.parse("2025-06-14T00:00:00.500Z"))).isEqualTo("2025-06-14T00:01:00Z");
    }

    @ParameterizedTest(name = "{0} after {1} is {2}")
    @CsvSource({
            "@hourly,   2025-06-14T10:20:00Z, 2025-06-14T11:00:00Z",
            "@daily,    2025-06-14T10:20:00Z, 2025-06-15T00:00:00Z",
            "@midnight, 2025-06-14T10:20:00Z, 2025-06-15T00:00:00Z",
            "@weekly,   2025-06-14T10:20:00Z, 2025-06-15T00:00:00Z",
            "@monthly,  2025-06-14T10:20:00Z, 2025-07-01T00:00:00Z",
            "@yearly,   2025-06-14T10:20:00Z, 2026-01-01T00:00:00Z",
            "@DAILY,    2025-06-14T10:20:00Z, 2025-06-15T00:00:00Z",
    })
    void shortcutsStandForTheirUsualExpressions(String expression, Instant after, Instant expected) {
        assertThat(next(expression, after)).isEqualTo(expected);
    }

    @Test
    void whenBothDayFieldsAreRestrictedEitherOneFiresAsInUnixCron() {
        assertThat(next("0 0 13 * 5", SATURDAY)).isEqualTo("2025-06-20T00:00:00Z");
        assertThat(next("0 0 0 13 * 5", SATURDAY)).isEqualTo("2025-06-20T00:00:00Z");
        assertThat(next("0 0 13 * 5", Instant.parse("2025-07-12T00:00:00Z"))).isEqualTo("2025-07-13T00:00:00Z");
    }

    @Test
    void questionMarkIsAnyDay() {
        assertThat(next("0 0 0 ? * MON", SATURDAY)).isEqualTo("2025-06-16T00:00:00Z");
        assertThat(next("0 0 0 1 * ?", SATURDAY)).isEqualTo("2025-07-01T00:00:00Z");
    }

    @Test
    void sundayIsBothZeroAndSeven() {
        assertThat(next("0 0 * * 0", SATURDAY)).isEqualTo("2025-06-15T00:00:00Z");
        assertThat(next("0 0 * * 7", SATURDAY)).isEqualTo("2025-06-15T00:00:00Z");
        assertThat(next("0 0 * * SUN", SATURDAY)).isEqualTo("2025-06-15T00:00:00Z");
    }

    @Test
    void timesAreReadInTheSchedulesZone() {
        Schedule paris = Schedule.parse("0 2 * * *", ZoneId.of("Europe/Paris"));
        assertThat(paris.next(Instant.parse("2025-06-13T12:00:00Z"))).isEqualTo("2025-06-14T00:00:00Z");
        assertThat(paris.next(Instant.parse("2025-01-13T12:00:00Z"))).isEqualTo("2025-01-14T01:00:00Z");
    }

    @ParameterizedTest(name = "\"{0}\": {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '~', value = {
            "~~                | empty cron expression",
            "* * * *           | cron expression \"* * * *\" has 4 fields; expected 5 (minute hour day-of-month month day-of-week) or 6 (second first)",
            "0 0 0 * * * 2025  | cron expression \"0 0 0 * * * 2025\" has 7 fields",
            "61 * * * *        | invalid cron expression \"61 * * * *\": Value 61 not in range [0, 59]",
            "0 0 * * 8         | invalid cron expression \"0 0 * * 8\": Value 8 not in range [0, 7]",
            "x * * * *         | invalid cron expression \"x * * * *\":",
            "@often            | unknown cron shortcut @often (use @hourly, @daily, @weekly, @monthly or @yearly)",
            "0 0 30 2 *        | cron expression \"0 0 30 2 *\" never fires",
    })
    void invalidExpressionsAreRefusedWithAClearMessage(String expression, String message) {
        assertThatThrownBy(() -> Schedule.parse(expression))
                .isInstanceOf(PolicyException.class)
                .hasMessageStartingWith(message);
    }

    @Test
    void aLeapDayScheduleIsValid() {
        assertThat(next("0 0 29 2 *", SATURDAY)).isEqualTo("2028-02-29T00:00:00Z");
    }

    @Test
    void schedulesAreEqualWhenTheirExpressionAndZoneAre() {
        assertThat(Schedule.parse(" 0 0 * * * ")).isEqualTo(Schedule.parse("0 0 * * *")).hasToString("0 0 * * *");
        assertThat(Schedule.parse("0 0 * * *")).isNotEqualTo(Schedule.parse("0 0 * * *", ZoneId.of("Europe/Paris")));
    }
}
