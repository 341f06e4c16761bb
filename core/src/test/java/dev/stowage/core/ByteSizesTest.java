package dev.stowage.core;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ByteSizesTest {
    @Test
    void iecUnitsArePowersOf1024() {
        assertThat(ByteSizes.parse("10GiB")).isEqualTo(10L << 30);
        assertThat(ByteSizes.parse("1 KiB")).isEqualTo(1024);
        assertThat(ByteSizes.parse("1.5TiB")).isEqualTo(3L << 39);
        assertThat(ByteSizes.parse("7EiB")).isEqualTo(7L << 60);
    }

    @Test
    void siUnitsArePowersOf1000() {
        assertThat(ByteSizes.parse("500MB")).isEqualTo(500_000_000L);
        assertThat(ByteSizes.parse("2kB")).isEqualTo(2000);
        assertThat(ByteSizes.parse("1gb")).isEqualTo(1_000_000_000L);
    }

    @Test
    void aBareNumberIsBytes() {
        assertThat(ByteSizes.parse("4096")).isEqualTo(4096);
        assertThat(ByteSizes.parse("12B")).isEqualTo(12);
    }

    @Test
    void unknownUnitsNegativeNumbersFractionsOfABitAndOverflowAreRefused() {
        assertThatThrownBy(() -> ByteSizes.parse("10 GiBs")).hasMessageStartingWith("not a size: 10 GiBs");
        assertThatThrownBy(() -> ByteSizes.parse("-5")).hasMessageStartingWith("not a size: -5");
        assertThatThrownBy(() -> ByteSizes.parse("0.5B")).hasMessage("not a whole number of bytes: 0.5B");
        assertThatThrownBy(() -> ByteSizes.parse("8EiB")).hasMessage("size too large: 8EiB");
        assertThatThrownBy(() -> ByteSizes.parse("")).hasMessageStartingWith("not a size: ");
    }
}
