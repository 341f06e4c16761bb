package dev.stowage.identity;

import dev.stowage.core.RegistryException;
import dev.stowage.core.access.Account;
import dev.stowage.core.access.Project;
import dev.stowage.core.access.Role;
import dev.stowage.metadata.JdbcIdentityStore;
import dev.stowage.metadata.JdbcMetadataStore;
import dev.stowage.metadata.MetadataConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Deleting accounts where the HTTP layer cannot reach (its caller is always a remaining administrator): the last
 * enabled system administrator is never deleted, and nothing of a deleted account is left for a later one of its name.
 */
class AccountDeletionTest {
    static final PasswordHasher FAST = new PasswordHasher(1024, 1, 1);

    @TempDir Path dir;
    JdbcMetadataStore db;
    JdbcIdentityStore identities;
    AccountService accounts;

    @BeforeEach
    void open() {
        db = JdbcMetadataStore.open(MetadataConfig.sqlite(dir.resolve("stowage.db")));
        identities = new JdbcIdentityStore(db);
        accounts = new AccountService(identities, FAST, Clock.systemUTC());
        accounts.createUser("admin", "admin-long-password".toCharArray(), true);
    }

    @AfterEach
    void close() {
        db.close();
    }

    @Test
    void theLastEnabledSystemAdministratorIsNotDeleted() {
        accounts.createUser("retired", "retired-long-password".toCharArray(), true);
        accounts.setDisabled("retired", true);

        assertThatThrownBy(() -> accounts.deleteUser("retired", "admin")).isInstanceOf(RegistryException.class)
                .hasMessage("admin is the last system administrator: make another account a system administrator before "
                        + "deleting it")
                .satisfies(e -> assertThat(((RegistryException) e).httpStatus()).isEqualTo(409));
        assertThat(identities.findAccount("admin")).isPresent();
    }

    @Test
    void aSystemAdministratorIsDeletedWhileAnotherRemains() {
        accounts.createUser("second", "second-long-password".toCharArray(), true);
        accounts.deleteUser("second", "admin");
        assertThat(identities.findAccount("admin")).isEmpty();
    }

    @Test
    void nothingOfADeletedAccountIsLeftForALaterOneOfItsName() {
        accounts.createUser("dev", "dev-long-password".toCharArray(), false);
        identities.createProject(new Project("team", false, Instant.now()));
        accounts.setMember("team", "dev", Role.ADMIN);
        accounts.createAccessToken("dev", "laptop", null);
        accounts.enrollTotp("dev");
        identities.linkExternalIdentity("https://idp.example", "subject-1", "dev");

        accounts.deleteUser("admin", "dev");
        accounts.createUser("dev", "another-long-password".toCharArray(), false);

        assertThat(identities.memberships("dev")).isEmpty();
        assertThat(identities.accessTokens("dev")).isEmpty();
        assertThat(identities.findTotp("dev").filter(t -> t.secret() != null)).isEmpty();
        assertThat(identities.findExternalIdentity("https://idp.example", "subject-1")).isEmpty();
    }
}
