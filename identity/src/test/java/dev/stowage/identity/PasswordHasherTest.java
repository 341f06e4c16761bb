package dev.stowage.identity;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class PasswordHasherTest {
    private final PasswordHasher hasher = new PasswordHasher(1024, 1, 1); // small: the algorithm, not the cost, is tested

    @Test
    void hashIsArgon2idInPhcFormatAndVerifies() {
        String stored = hasher.hash("correct horse".toCharArray());
        assertThat(stored).startsWith("$argon2id$v=19$m=1024,t=1,p=1$");
        assertThat(hasher.verify("correct horse".toCharArray(), stored)).isTrue();
    }

    @Test
    void wrongPasswordDoesNotVerify() {
        String stored = hasher.hash("correct horse".toCharArray());
        assertThat(hasher.verify("battery staple".toCharArray(), stored)).isFalse();
    }

    @Test
    void samePasswordHashesDifferentlyEachTime() {
        assertThat(hasher.hash("x".toCharArray())).isNotEqualTo(hasher.hash("x".toCharArray()));
    }

    @Test
    void malformedOrForeignHashesNeverVerify() {
        for (String stored : new String[] {null, "", "plain", "$argon2i$v=19$m=1024,t=1,p=1$c2FsdHNhbHQ$aGFzaA",
                "$argon2id$v=19$m=1,t=1,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA"}) {
            assertThat(hasher.verify("x".toCharArray(), stored)).as(String.valueOf(stored)).isFalse();
        }
    }

    @Test
    void hashesWithWeakerParametersNeedRehash() {
        String weak = hasher.hash("x".toCharArray());
        assertThat(PasswordHasher.DEFAULT.needsRehash(weak)).isTrue();
        assertThat(hasher.needsRehash(weak)).isFalse();
    }

    @Test
    void defaultParametersVerifyTheirOwnHash() {
        String stored = PasswordHasher.DEFAULT.hash("pässwörd".toCharArray());
        assertThat(stored).contains("m=19456,t=2,p=1");
        assertThat(PasswordHasher.DEFAULT.verify("pässwörd".toCharArray(), stored)).isTrue();
    }
}
