package dev.stowage.metadata;

import dev.stowage.core.access.Project;
import dev.stowage.core.spi.GovernanceStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Immutable-tag rules and tag mutability on SQLite and on a real PostgreSQL. */
class JdbcGovernanceStoreTest {
    abstract static class Contract {
        final List<JdbcMetadataStore> opened = new ArrayList<>();

        abstract MetadataConfig config() throws Exception;

        GovernanceStore store() throws Exception {
            JdbcMetadataStore db = JdbcMetadataStore.open(config());
            opened.add(db);
            JdbcIdentityStore identities = new JdbcIdentityStore(db);
            identities.createProject(new Project("team", false, Instant.now()));
            identities.createProject(new Project("other", false, Instant.now()));
            return new JdbcGovernanceStore(db);
        }

        @AfterEach
        void close() {
            opened.forEach(JdbcMetadataStore::close);
        }

        @Test
        void rulesGetIdsAndBelongToTheirProject() throws Exception {
            GovernanceStore store = store();
            long first = store.addImmutableRule("team", "{\"a\":1}", Instant.now());
            long second = store.addImmutableRule("team", "{\"b\":2}", Instant.now());
            store.addImmutableRule("other", "{\"c\":3}", Instant.now());
            assertThat(second).isGreaterThan(first);
            assertThat(store.immutableRules("team")).extracting(GovernanceStore.StoredRule::json)
                    .containsExactly("{\"a\":1}", "{\"b\":2}");
            assertThat(store.replaceImmutableRule("other", first, "{}")).isFalse();
            assertThat(store.replaceImmutableRule("team", first, "{\"a\":9}")).isTrue();
            assertThat(store.deleteImmutableRule("team", second)).isTrue();
            assertThat(store.immutableRules("team")).containsExactly(new GovernanceStore.StoredRule(first, "team", "{\"a\":9}"));
            assertThatThrownBy(() -> store.addImmutableRule("missing", "{}", Instant.now())).isInstanceOf(RuntimeException.class);
        }

        @Test
        void tagMutabilityIsSetReplacedAndRemoved() throws Exception {
            GovernanceStore store = store();
            assertThat(store.tagMutability("team/app")).isEmpty();
            store.setTagMutability("team/app", "{\"imageTagMutability\":\"IMMUTABLE\"}");
            store.setTagMutability("team/app", "{\"imageTagMutability\":\"MUTABLE\"}");
            assertThat(store.tagMutability("team/app")).contains("{\"imageTagMutability\":\"MUTABLE\"}");
            store.setTagMutability("team/app", null);
            assertThat(store.tagMutability("team/app")).isEmpty();
        }
    }

    @Nested
    class OnSqlite extends Contract {
        @TempDir Path dir;

        @Override
        MetadataConfig config() {
            return new MetadataConfig("jdbc:sqlite:" + dir.resolve("m" + opened.size() + ".db"), "", "", 0);
        }
    }

    @Nested
    class OnPostgres extends Contract {
        @BeforeAll
        static void requirePostgres() {
            PostgresServer.assumeAvailable();
        }

        @Override
        MetadataConfig config() throws Exception {
            return PostgresServer.shared().newDatabase();
        }
    }
}
