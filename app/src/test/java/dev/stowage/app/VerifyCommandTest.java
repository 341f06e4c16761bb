package dev.stowage.app;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** How {@code stowage verify} reads its reference: where the registry is, the repository, the tag or digest. */
class VerifyCommandTest {
    private static VerifyCommand command(String reference, boolean plainHttp, Map<String, String> env) {
        VerifyCommand c = new VerifyCommand();
        c.reference = reference;
        c.plainHttp = plainHttp;
        c.environment = env::get;
        return c;
    }

    @Test
    void aReferenceNamingARegistryIsReachedAtThatRegistryOverHttpsUnlessPlainHttp() {
        assertThat(command("registry.example:5000/team/app:1.0", false, Map.of()).target())
                .isEqualTo(new VerifyCommand.Target("https://registry.example:5000", "team/app", "1.0"));
        assertThat(command("localhost/team/sub/app@sha256:abc", true, Map.of()).target())
                .isEqualTo(new VerifyCommand.Target("http://localhost", "team/sub/app", "sha256:abc"));
    }

    @Test
    void aReferenceWithoutARegistryGoesToStowageUrl() {
        assertThat(command("team/app:1.0", false, Map.of("STOWAGE_URL", "https://r.example/")).target())
                .isEqualTo(new VerifyCommand.Target("https://r.example", "team/app", "1.0"));
        assertThat(command("team/app:1.0", false, Map.of()).target().base()).isEqualTo("http://localhost:5000");
    }

    @Test
    void aReferenceWithoutTagOrDigestIsAUsageError() {
        assertThatThrownBy(() -> command("registry.example:5000/team/app", false, Map.of()).target())
                .isInstanceOf(OperatorError.class).hasMessageContaining("needs a tag or a digest");
    }
}
