package dev.stowage.identity;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** The realm goes into a quoted challenge parameter: whatever it is built from, it never carries a quote. */
class AuthSettingsTest {
    static AuthSettings derived = new AuthSettings("stowage", Optional.empty(), Duration.ofMinutes(5));

    @Test
    void aHostIsUsedAsItIs() {
        assertThat(derived.realmFor(Optional.of("registry.example:5000"), true)).isEqualTo("https://registry.example:5000/token");
        assertThat(derived.realmFor(Optional.of("[::1]:5000"), false)).isEqualTo("http://[::1]:5000/token");
    }

    @Test
    void quotesBackslashesAndControlsInAHostArePercentEncoded() {
        assertThat(derived.realmFor(Optional.of("evil.com\",foo=\"bar\\\r\n"), false))
                .isEqualTo("http://evil.com%22,foo=%22bar%5C%0D%0A/token");
    }

    @Test
    void aConfiguredRealmIsEncodedTheSameWay() {
        AuthSettings configured = new AuthSettings("stowage", Optional.of("https://r.example/token?x=\"y\""), Duration.ofMinutes(5));
        assertThat(configured.realmFor(Optional.of("ignored"), true)).isEqualTo("https://r.example/token?x=%22y%22");
    }
}
