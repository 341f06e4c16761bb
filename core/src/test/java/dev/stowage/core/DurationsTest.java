package dev.stowage.core;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DurationsTest {
    @Test
    void shortAndIsoFormsParse() {
        assertThat(Durations.parse("500ms")).contains(Duration.ofMillis(500));
        assertThat(Durations.parse("30d")).contains(Duration.ofDays(30));
        assertThat(Durations.parse(" PT1H ")).contains(Duration.ofHours(1));
        assertThat(Durations.parse("36500d")).contains(Durations.MAX);
    }

    @ParameterizedTest
    @ValueSource(strings = {"99999999999999d", "PT9999999999999H", "99999999999999999999999d", "9223372036854775807ms1",
            "36501d", "-1d", "PT-5H", "P-1D", "1y", "", "d", "1.5h", "PT9223372036854775807S"})
    void overflowingNegativeAndUnknownTextsAreNotDurations(String text) {
        assertThat(Durations.parse(text)).isEmpty();
    }

    @Test
    void boundedParseNamesTheFieldAndTheBounds() {
        assertThat(Durations.parse("3650d", Duration.ofSeconds(1), Duration.ofDays(3650), "expiresIn")).isEqualTo(Duration.ofDays(3650));
        assertThatThrownBy(() -> Durations.parse("3651d", Duration.ofSeconds(1), Duration.ofDays(3650), "expiresIn"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("expiresIn must be a duration from 1s to 3650d (like 30d, 12h, 90m, 10s, 500ms or PT1H), not '3651d'");
        assertThatThrownBy(() -> Durations.parse("0d", Duration.ofSeconds(1), Duration.ofDays(3650), "expiresIn"))
                .hasMessageContaining("from 1s to 3650d");
    }
}
