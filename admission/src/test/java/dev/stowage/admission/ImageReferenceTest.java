package dev.stowage.admission;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Docker's normalization (github.com/distribution/reference ParseNormalizedNamed), case by case. */
class ImageReferenceTest {
    static final String DIGEST = "sha256:" + "ab".repeat(32);

    @ParameterizedTest
    @CsvSource({
            "nginx,                                   docker.io,        library/nginx,   '',     latest",
            "nginx:1.25,                              docker.io,        library/nginx,   1.25,   1.25",
            "library/nginx:1.25,                      docker.io,        library/nginx,   1.25,   1.25",
            "docker.io/nginx,                         docker.io,        library/nginx,   '',     latest",
            "index.docker.io/library/nginx:stable,    docker.io,        library/nginx,   stable, stable",
            "bitnami/redis:7.2,                       docker.io,        bitnami/redis,   7.2,    7.2",
            "localhost/foo,                           localhost,        foo,             '',     latest",
            "localhost:5000/team/app:v1,              localhost:5000,   team/app,        v1,     v1",
            "Registry.Example.COM/team/app:1.0,       registry.example.com, team/app,    1.0,    1.0",
            "reg.example.com:443/a/b/c:x_y-z.1,       reg.example.com:443, a/b/c,        x_y-z.1, x_y-z.1",
            "[::1]:5000/app,                          [::1]:5000,       app,             '',     latest",
            "my_registry/app,                         docker.io,        my_registry/app, '',     latest",
    })
    void namesAreNormalizedAsDockerDoes(String text, String registry, String repository, String tag, String pulled)
            throws Exception {
        ImageReference reference = ImageReference.parse(text);
        assertThat(reference.registry()).isEqualTo(registry);
        assertThat(reference.repository()).isEqualTo(repository);
        assertThat(reference.tag()).isEqualTo(tag.isEmpty() ? Optional.empty() : Optional.of(tag));
        assertThat(reference.digest()).isEmpty();
        assertThat(reference.pulledReference()).isEqualTo(pulled);
        assertThat(reference.resolvedTag()).contains(pulled);
    }

    @Test
    void aDigestIsWhatIsPulledAndATagBesideItIsOnlyForPeople() throws Exception {
        ImageReference byDigest = ImageReference.parse("reg.example.com/team/app@" + DIGEST);
        assertThat(byDigest.tag()).isEmpty();
        assertThat(byDigest.digest()).contains(DIGEST);
        assertThat(byDigest.pulledReference()).isEqualTo(DIGEST);
        assertThat(byDigest.resolvedTag()).isEmpty();

        ImageReference both = ImageReference.parse("reg.example.com:5000/team/app:1.0@" + DIGEST);
        assertThat(both.registry()).isEqualTo("reg.example.com:5000");
        assertThat(both.tag()).contains("1.0");
        assertThat(both.pulledReference()).isEqualTo(DIGEST);
        assertThat(both.toString()).isEqualTo("reg.example.com:5000/team/app:1.0@" + DIGEST);

        assertThat(ImageReference.parse("ubuntu@" + DIGEST).repository()).isEqualTo("library/ubuntu");
    }

    @Test
    void pinningKeepsTheTagForReadersAndAddsTheDigest() throws Exception {
        assertThat(ImageReference.parse("reg.example.com/team/app:1.0").pinnedTo(DIGEST))
                .isEqualTo("reg.example.com/team/app:1.0@" + DIGEST);
        assertThat(ImageReference.parse("reg.example.com/team/app").pinnedTo(DIGEST))
                .isEqualTo("reg.example.com/team/app@" + DIGEST);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " nginx", "nginx ", "team/App:1", "reg.example.com/Team/app", "reg.example.com/app:",
            "reg.example.com/app:-bad", "reg.example.com/app@sha256:abc", "reg.example.com/app@sha256:ABABABABABABABABABABABABABABABABABABABABABABABABABABABABABABABAB",
            "reg.example.com:99999/app", "reg.example.com/app//x", "reg.example.com/app/", "reg.example.com/-app",
            "reg.example.com/app:tag:extra", ":tag", "@sha256:0000000000000000000000000000000000000000000000000000000000000000",
            "reg.example.com/a..b", "-reg.example.com/app"})
    void malformedReferencesAreRefusedWithAReason(String text) {
        assertThatThrownBy(() -> ImageReference.parse(text)).isInstanceOf(ImageReference.InvalidReference.class)
                .hasMessageNotContaining("Exception");
    }

    @Test
    void overlongNamesAreRefusedWithoutWalkingThem() {
        assertThatThrownBy(() -> ImageReference.parse("reg.example.com/" + "a".repeat(300)))
                .hasMessageContaining("longer than 255");
        assertThatThrownBy(() -> ImageReference.parse("a".repeat(5000))).hasMessageContaining("longer than 1024");
        assertThatThrownBy(() -> ImageReference.parse("team/App:1")).hasMessageContaining("must be lowercase");
    }
}
