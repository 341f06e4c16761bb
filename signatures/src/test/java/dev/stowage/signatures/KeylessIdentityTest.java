package dev.stowage.signatures;

import org.junit.jupiter.api.Test;

import java.util.Optional;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

class KeylessIdentityTest {
    private static TrustPolicy.KeylessIdentity subjectMatching(String regex) {
        return new TrustPolicy.KeylessIdentity("ci", Optional.of("https://issuer.example"), Optional.empty(),
                Optional.empty(), Optional.of(Pattern.compile(regex)));
    }

    @Test
    void expressionsMatchWholeIdentities() {
        TrustPolicy.KeylessIdentity ci = subjectMatching("https://github\\.com/example/.+");
        assertThat(ci.matches("https://issuer.example", "https://github.com/example/app/.github/workflows/release.yml"))
                .isTrue();
        assertThat(ci.matches("https://issuer.example", "https://github.com/examples/app")).isFalse();
        assertThat(ci.matches("https://other.example", "https://github.com/example/app")).isFalse();
        assertThat(ci.matches("https://issuer.example", "xhttps://github.com/example/app")).as("anchored").isFalse();
    }

    @Test
    void aCatastrophicExpressionGivesUpAsNoMatchInsteadOfHoldingTheThread() {
        TrustPolicy.KeylessIdentity evil = subjectMatching("(a+)+$");
        // exponential backtracking: without the budget this runs for longer than the universe has
        assertThat(evil.matches("https://issuer.example", "a".repeat(64) + "!")).isFalse();
        assertThat(evil.matches("https://issuer.example", "a".repeat(64))).isTrue();
    }
}
