package dev.stowage.app;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ByteSizeTest {
    @Test
    void plainNumbersAreBytes() {
        assertThat(ByteSize.parse("1024")).isEqualTo(1024);
        assertThat(ByteSize.parse("7B")).isEqualTo(7);
    }

    @Test
    void binaryUnitsArePowersOf1024AndDecimalOnesOf1000() {
        assertThat(ByteSize.parse("10GiB")).isEqualTo(10L << 30);
        assertThat(ByteSize.parse("10gib")).isEqualTo(10L << 30);
        assertThat(ByteSize.parse("500MB")).isEqualTo(500_000_000L);
        assertThat(ByteSize.parse("2 TiB")).isEqualTo(2L << 40);
        assertThat(ByteSize.parse("1.5KiB")).isEqualTo(1536);
    }

    @Test
    void anythingElseSaysWhatASizeLooksLike() {
        assertThatThrownBy(() -> ByteSize.parse("ten")).hasMessage("'ten' is not a size (bytes, or a number and a unit: 10GiB, 500MB)");
        assertThatThrownBy(() -> ByteSize.parse("-5")).hasMessageContaining("is not a size");
        assertThatThrownBy(() -> ByteSize.parse("99999999PiB")).hasMessage("'99999999PiB' is too large a size");
    }
}
