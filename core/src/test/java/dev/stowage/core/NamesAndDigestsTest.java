package dev.stowage.core;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NamesAndDigestsTest {
    @ParameterizedTest
    @ValueSource(strings = {"a", "library/busybox", "a-b/c_d/e.f", "a__b", "a---b/0", "team/app/sub"})
    void validRepositoryNamesAreAccepted(String name) {
        assertThat(RepositoryName.of(name).value()).isEqualTo(name);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "A", "a/", "/a", "a//b", "..", "a/../b", "a/./b", "-a", "a-", "a___b", "a b", "a/.b", "a%2fb"})
    void invalidRepositoryNamesAreNameInvalid(String name) {
        assertThatThrownBy(() -> RepositoryName.of(name)).isInstanceOfSatisfying(RegistryException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.NAME_INVALID));
    }

    @Test
    void repositoryNameLongerThan255IsRefused() {
        assertThatThrownBy(() -> RepositoryName.of("a".repeat(256))).isInstanceOf(RegistryException.class);
    }

    @Test
    void projectIsTheFirstPathComponent() {
        assertThat(RepositoryName.of("team/app/x").project()).isEqualTo("team");
        assertThat(RepositoryName.of("solo").project()).isEqualTo("solo");
    }

    @Test
    void digestRoundTrips() {
        String text = "sha256:" + "ab".repeat(32);
        assertThat(Digest.parse(text).toString()).isEqualTo(text);
    }

    @ParameterizedTest
    @ValueSource(strings = {"sha256:abc", "sha256:ABababababababababababababababababababababababababababababababab", "sha256",
            ":abc", "sha256:../../etc/passwd", "sha256:zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz"})
    void malformedDigestsAreDigestInvalid(String text) {
        assertThatThrownBy(() -> Digest.parse(text)).isInstanceOfSatisfying(RegistryException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.DIGEST_INVALID));
    }

    @Test
    void unknownAlgorithmIsUnsupported() {
        assertThatThrownBy(() -> Digest.parse("md5:" + "ab".repeat(16))).isInstanceOfSatisfying(RegistryException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.UNSUPPORTED));
    }

    @Test
    void digestMatchesItsContent() {
        byte[] content = "hello".getBytes();
        assertThat(Digest.sha256Of(content).matches(content)).isTrue();
        assertThat(Digest.sha256Of(content).matches("other".getBytes())).isFalse();
    }

    @Test
    void referenceIsATagOrADigest() {
        assertThat(Reference.parse("latest")).isInstanceOf(Reference.ByTag.class);
        assertThat(Reference.parse("sha256:" + "00".repeat(32))).isInstanceOf(Reference.ByDigest.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"-x", ".x", "a/b", "a:b:c"})
    void invalidTagsAreRefused(String tag) {
        assertThatThrownBy(() -> Reference.parse(tag)).isInstanceOf(RegistryException.class);
    }

    @Test
    void tagsLongerThan128AreRefused() {
        assertThatThrownBy(() -> Tag.of("a".repeat(129))).isInstanceOf(RegistryException.class);
        assertThat(Tag.of("a".repeat(128)).value()).hasSize(128);
    }
}
