package dev.stowage.metadata;

import dev.stowage.core.RepositoryName;
import dev.stowage.core.Tag;
import dev.stowage.core.spi.ManifestRecord;
import dev.stowage.core.spi.MetadataStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The metadata contract on the embedded SQLite database (a file in a temporary directory), plus its tuning. */
class SqliteMetadataStoreTest extends JdbcMetadataStoreTest {
    @TempDir Path dir;

    @Override
    protected MetadataStore newStore() {
        return JdbcMetadataStore.open(MetadataConfig.sqlite(dir.resolve("meta.db")));
    }

    @Test
    void dialectIsSqlite() {
        assertThat(jdbc().dialect()).isEqualTo("sqlite");
    }

    @Test
    void everyPooledConnectionRunsInWalModeWithABusyTimeoutAndForeignKeys() throws SQLException {
        List<Connection> held = new ArrayList<>();
        try {
            for (int i = 0; i < MetadataConfig.DEFAULT_SQLITE_POOL_SIZE; i++) held.add(jdbc().dataSource().getConnection());
            for (Connection c : held) {
                assertThat(pragma(c, "journal_mode")).isEqualTo("wal");
                assertThat(pragma(c, "synchronous")).isEqualTo("1"); // NORMAL
                assertThat(pragma(c, "busy_timeout")).isEqualTo("30000");
                assertThat(pragma(c, "foreign_keys")).isEqualTo("1");
            }
        } finally {
            for (Connection c : held) c.close();
        }
    }

    private static String pragma(Connection c, String name) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("PRAGMA " + name)) {
            r.next();
            return r.getString(1);
        }
    }

    /** The pull path and the listings are index searches: no table scan, no sort for the paged listings. */
    @Test
    void lookupsAndListingsSearchIndexes() throws SQLException {
        for (String sql : List.of(JdbcMetadataStore.FIND_MANIFEST_BY_TAG_SQL, JdbcMetadataStore.FIND_MANIFEST_SQL,
                JdbcMetadataStore.FIND_LINKED_BLOB_SQL, JdbcMetadataStore.LIST_TAGS_SQL,
                JdbcMetadataStore.LIST_REPOSITORIES_SQL, JdbcMetadataStore.REPOSITORY_EXISTS_SQL,
                JdbcMetadataStore.FIND_REFERRERS_SQL)) {
            List<String> plan = sql("EXPLAIN QUERY PLAN " + sql.replace("?", "'x'")).stream()
                    .map(row -> (String) row.get(3)).toList();
            assertThat(plan).as(sql).isNotEmpty().noneMatch(step -> step.startsWith("SCAN")).noneMatch(step -> step.contains("TEMP B-TREE"));
        }
    }

    @Test
    void reopeningTheDatabaseKeepsItsContent() {
        ManifestRecord m = pushManifest(REPO, "one", "v1");
        store.close();
        store = newStore();
        assertThat(store.findManifestByTag(REPO, Tag.of("v1")).orElseThrow().digest()).isEqualTo(m.digest());
    }

    @Test
    void theDatabaseDirectoryIsCreated() {
        Path file = dir.resolve("a/b/meta.db");
        JdbcMetadataStore.open(MetadataConfig.sqlite(file)).close();
        assertThat(Files.exists(file)).isTrue();
    }

    @Test
    void anInMemoryDatabaseIsRefused() {
        assertThatThrownBy(() -> JdbcMetadataStore.open(new MetadataConfig("jdbc:sqlite::memory:", null, null, 0)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("in-memory");
    }

    @Test
    void anUnsupportedDatabaseIsRefused() {
        assertThatThrownBy(() -> JdbcMetadataStore.open(new MetadataConfig("jdbc:mysql://localhost/x?password=secret", null, null, 0)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unsupported database URL")
                .hasMessageNotContaining("secret");
    }

    /** Two processes on one file (say, the server and `stowage gc`): their writers meet in SQLite's lock. */
    @Test
    void twoStoresOnOneFileWriteConcurrently() throws Exception {
        try (JdbcMetadataStore second = JdbcMetadataStore.open(MetadataConfig.sqlite(dir.resolve("meta.db")))) {
            List<Callable<Void>> work = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                MetadataStore target = i % 2 == 0 ? store : second;
                RepositoryName repo = RepositoryName.of("r" + (i % 4));
                ManifestRecord m = manifest("m" + i, null, null, List.of());
                work.add(() -> {
                    target.recordBlob(repo, digest("shared"), 1);
                    target.putManifest(repo, m, Optional.of(Tag.of("latest")));
                    return null;
                });
            }
            concurrently(work);
            assertThat(second.listRepositories(null, 10)).hasSize(4);
        }
    }
}
