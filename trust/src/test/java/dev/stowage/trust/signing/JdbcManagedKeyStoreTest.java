package dev.stowage.trust.signing;

import dev.stowage.core.spi.SecretSealer;
import dev.stowage.metadata.JdbcMetadataStore;
import dev.stowage.metadata.TestDatabases;
import dev.stowage.metadata.MetadataConfig;
import dev.stowage.metadata.PostgresServer;
import dev.stowage.signatures.TrustPolicy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Managed keys in the real store, on the embedded SQLite database and on a real PostgreSQL. */
class JdbcManagedKeyStoreTest {
    private static final Instant T0 = Instant.parse("2026-12-02T12:00:00Z");
    @TempDir Path dir;

    @org.junit.jupiter.api.BeforeEach
    void databases() {
        databases = new TestDatabases(dir);
    }
    private TestDatabases databases;
    private final SecretSealer sealer = SecretSealer.withKey(SecretSealer.newKey());

    private JdbcMetadataStore database(String database) throws Exception {
        return databases.open(database);
    }

    @AfterEach
    void close() {
        databases.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void signingIsOffUntilEnabledAndTheSettingIsPerProject(String database) throws Exception {
        ManagedKeyStore store = JdbcManagedKeyStore.migrated(database(database), sealer);
        assertThat(store.enabled("team")).isFalse();
        store.setEnabled("team", true, T0);
        store.setEnabled("other", false, T0);
        assertThat(store.enabled("team")).isTrue();
        assertThat(store.enabledProjects()).containsExactly("team");
        store.setEnabled("team", false, T0.plusSeconds(1));
        assertThat(store.enabled("team")).isFalse();
        assertThat(store.enabledProjects()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void deletingTheProjectDeletesItsKeysSoANewProjectOfTheSameNameInheritsNone(String database) throws Exception {
        JdbcMetadataStore db = database(database);
        new dev.stowage.metadata.JdbcIdentityStore(db).createProject(
                new dev.stowage.core.access.Project("team", false, T0));
        ManagedKeyStore store = JdbcManagedKeyStore.migrated(db, sealer);
        ManagedKeys keys = new ManagedKeys(store, Clock.fixed(T0, ZoneOffset.UTC));
        store.setEnabled("team", true, T0);
        keys.activeKey("team");
        keys.activeKey("other");

        assertThat(new dev.stowage.metadata.JdbcGovernanceStore(db).deleteProject("team"))
                .isEqualTo(dev.stowage.core.spi.GovernanceStore.ProjectDeletion.DELETED);

        ManagedKeys fresh = new ManagedKeys(store, Clock.fixed(T0, ZoneOffset.UTC));
        assertThat(fresh.keys("team")).isEmpty();
        assertThat(fresh.of("team")).isEqualTo(TrustPolicy.NONE);
        assertThat(store.enabled("team")).isFalse();
        assertThat(fresh.keys("other")).as("another project's keys stay").hasSize(1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void theFirstKeyIsMadeOnceAndRotationRetiresItKeepingItTrusted(String database) throws Exception {
        ManagedKeys keys = new ManagedKeys(JdbcManagedKeyStore.migrated(database(database), sealer),
                Clock.fixed(T0, ZoneOffset.UTC));
        assertThat(keys.keys("team")).isEmpty();
        assertThat(keys.of("team")).isEqualTo(TrustPolicy.NONE);

        SigningKey first = keys.activeKey("team");
        assertThat(keys.activeKey("team").key().id()).isEqualTo(first.key().id());
        assertThat(first.key().id()).isEqualTo(ManagedKeys.keyId(first.key().publicKey()));
        assertThat(first.key().chain()).hasSize(2);
        assertThat(first.key().leaf().getPublicKey()).isEqualTo(first.key().publicKey());
        first.key().leaf().verify(first.key().root().getPublicKey()); // the leaf is issued by the project's root
        assertThat(first.key().root().getSubjectX500Principal().getName()).contains("CN=team root CA");
        // a second node losing the race writes nothing
        assertThat(keys.store().addIfNoActiveKey(first)).isFalse();

        ManagedKey second = keys.rotate("team");
        assertThat(second.id()).isNotEqualTo(first.key().id());
        assertThat(second.root()).isEqualTo(first.key().root());
        List<ManagedKey> all = keys.keys("team");
        assertThat(all).extracting(ManagedKey::id).containsExactlyInAnyOrder(second.id(), first.key().id());
        assertThat(all).filteredOn(k -> k.state() == ManagedKey.State.ACTIVE).extracting(ManagedKey::id)
                .containsExactly(second.id());
        ManagedKey retired = all.stream().filter(k -> k.id().equals(first.key().id())).findFirst().orElseThrow();
        assertThat(retired.state()).isEqualTo(ManagedKey.State.RETIRED);
        assertThat(retired.retiredAt()).contains(T0);
        assertThat(retired.publicKey()).isEqualTo(first.key().publicKey());
        assertThat(keys.activeKey("team").key().id()).isEqualTo(second.id());
        // a rotation that lost to another names a key that is no longer active: nothing changes
        assertThat(keys.store().rotate("team", first.key().id(), first, T0)).isFalse();

        TrustPolicy trust = keys.of("team");
        assertThat(trust.keys()).extracting(k -> k.key()).containsExactlyInAnyOrder(first.key().publicKey(),
                second.publicKey());
        assertThat(trust.trustStores()).singleElement().satisfies(store -> {
            assertThat(store.roots()).containsExactly(first.key().root());
            assertThat(store.trustedIdentities()).containsExactly("x509.subject: CN=team signing,OU=team,O=Stowage");
        });
        assertThat(keys.of("other")).isEqualTo(TrustPolicy.NONE);
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void privateKeysAreStoredSealedToTheirRowAndOpenOnlyWithTheKey(String database) throws Exception {
        JdbcMetadataStore db = database(database);
        ManagedKeys keys = new ManagedKeys(JdbcManagedKeyStore.migrated(db, sealer), Clock.systemUTC());
        SigningKey key = keys.activeKey("team");
        String pkcs8 = Base64.getEncoder().encodeToString(key.privateKey().getEncoded());
        List<String> stored = db.read(c -> {
            List<String> out = new ArrayList<>();
            try (PreparedStatement s = c.prepareStatement("SELECT private_key FROM managed_signing_keys UNION ALL "
                    + "SELECT private_key FROM managed_signing_roots"); ResultSet r = s.executeQuery()) {
                while (r.next()) out.add(r.getString(1));
            }
            return out;
        });
        assertThat(stored).hasSize(2).allSatisfy(value -> {
            assertThat(SecretSealer.isSealed(value)).isTrue();
            assertThat(value).doesNotContain(pkcs8.substring(0, 40));
        });
        assertThat(key.toString()).doesNotContain(pkcs8.substring(0, 40)).contains("withheld");
        assertThat(keys.store().activeKey("team").orElseThrow().privateKey()).isEqualTo(key.privateKey());

        // a sealed key copied into another row does not open there
        db.write(c -> {
            try (PreparedStatement s = c.prepareStatement("INSERT INTO managed_signing_keys (id, project, state, private_key, "
                    + "public_key, certificate_chain, created_at) SELECT 'copy', 'copied', 'ACTIVE', private_key, "
                    + "public_key, certificate_chain, created_at FROM managed_signing_keys WHERE project = 'team'")) {
                return s.executeUpdate();
            }
        });
        assertThatThrownBy(() -> keys.store().activeKey("copied")).isInstanceOf(SecretSealer.WrongKeyException.class);
        // and a database opened with another secrets key opens none
        ManagedKeyStore otherKey = new JdbcManagedKeyStore(db, SecretSealer.withKey(SecretSealer.newKey()));
        assertThatThrownBy(() -> otherKey.activeKey("team")).isInstanceOf(SecretSealer.WrongKeyException.class);
        assertThat(otherKey.keys("team")).hasSize(1); // public parts need no secret
    }
}
