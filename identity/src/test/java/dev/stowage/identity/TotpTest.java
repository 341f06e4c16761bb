package dev.stowage.identity;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class TotpTest {
    /** RFC 6238 appendix B's SHA-1 secret, "12345678901234567890", as Base32. */
    static final String RFC_SECRET = Totp.base32("12345678901234567890".getBytes(StandardCharsets.US_ASCII));

    @Test
    void matchesTheRfc6238TestVectors() {
        // RFC 6238 gives 8-digit codes; the 6-digit codes are their last six digits.
        assertThat(Totp.codeAt(RFC_SECRET, 59 / 30)).isEqualTo("287082");
        assertThat(Totp.codeAt(RFC_SECRET, 1111111109L / 30)).isEqualTo("081804");
        assertThat(Totp.codeAt(RFC_SECRET, 1234567890L / 30)).isEqualTo("005924");
        assertThat(Totp.codeAt(RFC_SECRET, 2000000000L / 30)).isEqualTo("279037");
    }

    @Test
    void acceptsOneStepOfDriftButNotReplay() {
        Instant now = Instant.ofEpochSecond(1_234_567_890L);
        long step = now.getEpochSecond() / 30;
        String code = Totp.codeAt(RFC_SECRET, step - 1);
        assertThat(Totp.verify(RFC_SECRET, code, now, 0)).hasValue(step - 1);
        assertThat(Totp.verify(RFC_SECRET, code, now, step - 1)).isEmpty();
        assertThat(Totp.verify(RFC_SECRET, Totp.codeAt(RFC_SECRET, step - 2), now, 0)).isEmpty();
        assertThat(Totp.verify(RFC_SECRET, "12345", now, 0)).isEmpty();
    }

    @Test
    void base32RoundTripsAndSecretsAre32Characters() {
        assertThat(Totp.unbase32(Totp.base32("hello world".getBytes()))).isEqualTo("hello world".getBytes());
        assertThat(Totp.newSecret()).hasSize(32).matches("[A-Z2-7]+");
    }
}
