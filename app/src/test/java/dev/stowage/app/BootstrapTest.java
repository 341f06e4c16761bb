package dev.stowage.app;

import dev.stowage.metadata.JdbcIdentityStore;
import dev.stowage.metadata.JdbcMetadataStore;
import dev.stowage.metadata.MetadataConfig;
import dev.stowage.identity.PasswordHasher;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BootstrapTest {
    @TempDir Path dir;
    private JdbcMetadataStore db;
    private JdbcIdentityStore identities;
    private final List<String> warnings = new ArrayList<>();

    @BeforeEach
    void open() {
        db = JdbcMetadataStore.open(MetadataConfig.sqlite(dir.resolve("stowage.db")));
        identities = new JdbcIdentityStore(db);
    }

    @AfterEach
    void close() {
        db.close();
    }

    @Test
    void aFirstAdminPasswordShorterThanTheApiAllowsIsRefused() {
        assertThatThrownBy(() -> Bootstrap.ensureAdmin(identities, "hunter", warnings::add))
                .isInstanceOf(ConfigException.class)
                .hasMessage("STOWAGE_ADMIN_PASSWORD is refused: passwords need at least 12 characters "
                        + "(choose a longer one, or leave it unset to have one generated and shown once)");
        assertThat(identities.countAccounts()).isZero();
    }

    @Test
    void aFirstAdminPasswordThatPassesTheRuleIsTheAdminsPassword() {
        Bootstrap.ensureAdmin(identities, "correct horse battery", warnings::add);
        assertThat(PasswordHasher.DEFAULT.verify("correct horse battery".toCharArray(),
                identities.findAccount("admin").orElseThrow().passwordHash())).isTrue();
        assertThat(warnings).isEmpty();
    }

    @Test
    void onAnExistingInstallationTheAdminPasswordIsIgnoredWithAWarningPointingToReset() {
        Bootstrap.ensureAdmin(identities, "correct horse battery", warnings::add);
        Bootstrap.ensureAdmin(identities, "another password!", warnings::add);
        assertThat(warnings).containsExactly("warning: STOWAGE_ADMIN_PASSWORD is ignored: it only sets the first "
                + "password of a new installation (to replace a lost password: stowage admin reset-password --data <dir>)");
        assertThat(PasswordHasher.DEFAULT.verify("correct horse battery".toCharArray(),
                identities.findAccount("admin").orElseThrow().passwordHash())).isTrue();
    }
}
