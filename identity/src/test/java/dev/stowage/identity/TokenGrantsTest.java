package dev.stowage.identity;

import dev.stowage.core.access.Account;
import dev.stowage.core.access.Principal;
import dev.stowage.core.access.Role;
import dev.stowage.core.access.Scope;
import dev.stowage.metadata.JdbcIdentityStore;
import dev.stowage.metadata.JdbcMetadataStore;
import dev.stowage.metadata.MetadataConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class TokenGrantsTest {
    static final PasswordHasher FAST = new PasswordHasher(1024, 1, 1);
    @TempDir Path dir;
    JdbcMetadataStore db;
    JdbcIdentityStore identities;
    RegistryTokens tokens;

    @BeforeEach
    void open() {
        db = JdbcMetadataStore.open(new MetadataConfig("jdbc:sqlite:" + dir.resolve("m.db"), "", "", 0));
        identities = new JdbcIdentityStore(db);
        identities.createAccount(new Account("dev", FAST.hash("pw".toCharArray()), false, false, Instant.now()));
        tokens = new RegistryTokens(SigningKeys.shared(identities, Clock.systemUTC(), Duration.ofHours(1)), "stowage",
                "stowage", Duration.ofMinutes(5), Clock.systemUTC());
    }

    @AfterEach
    void close() {
        db.close();
    }

    @Test
    void pushingIntoAMissingProjectCreatesItWithThePusherAsAdminWhenConfigured() {
        TokenGrants grants = new TokenGrants(identities, FAST, tokens, true);
        List<Scope> granted = grants.grant(new Principal.User("dev", false), List.of(Scope.parse("repository:fresh/app:pull,push")));
        assertThat(granted.getFirst().actions()).containsExactlyInAnyOrder("pull", "push");
        assertThat(identities.findProject("fresh").orElseThrow().isPublic()).isFalse();
        assertThat(identities.findRole("fresh", "dev")).contains(Role.ADMIN);
    }

    @Test
    void withoutTheSettingOrWithoutPushOrSignInNothingIsCreated() {
        new TokenGrants(identities, FAST, tokens, false)
                .grant(new Principal.User("dev", false), List.of(Scope.parse("repository:a/app:push")));
        TokenGrants creating = new TokenGrants(identities, FAST, tokens, true);
        creating.grant(new Principal.User("dev", false), List.of(Scope.parse("repository:b/app:pull")));
        creating.grant(Principal.ANONYMOUS, List.of(Scope.parse("repository:c/app:push")));
        assertThat(identities.listProjects(null, 10)).isEmpty();
    }
}
