package dev.stowage.metadata;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class SchemaFingerprintTest {
    @TempDir Path dir;

    @Test
    void aStartWithTheSameScriptsSkipsFlywayAndChangedScriptsAlwaysRunIt() throws Exception {
        try (JdbcMetadataStore store = JdbcMetadataStore.open(MetadataConfig.sqlite(dir.resolve("stowage.db")))) {
            assertThat(query(store, "SELECT fingerprint FROM schema_fingerprint WHERE history = 'flyway_schema_history'"))
                    .isEqualTo(SchemaFingerprint.of("classpath:db/migration/sqlite").orElseThrow());
            store.migrate("probe", "db/fingerprint-probe-1");
            assertThat(tableExists(store, "probe_a")).isTrue();
            // The same scripts again: skipped. Shown by a history Flyway would act on (it would re-apply V1 and fail).
            update(store, "DELETE FROM flyway_probe_history WHERE version = '1'");
            store.migrate("probe", "db/fingerprint-probe-1");
            // One more script: Flyway runs (and here meets the altered history), whatever is stored.
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> store.migrate("probe", "db/fingerprint-probe-2"))
                    .isInstanceOf(org.flywaydb.core.api.FlywayException.class);
            assertThat(tableExists(store, "probe_b")).isFalse();
        }
    }

    @Test
    void aPendingScriptIsAppliedAndRecorded() throws Exception {
        try (JdbcMetadataStore store = JdbcMetadataStore.open(MetadataConfig.sqlite(dir.resolve("stowage.db")))) {
            store.migrate("probe", "db/fingerprint-probe-1");
            String first = query(store, "SELECT fingerprint FROM schema_fingerprint WHERE history = 'flyway_probe_history'");
            store.migrate("probe", "db/fingerprint-probe-2");
            assertThat(tableExists(store, "probe_b")).isTrue();
            assertThat(query(store, "SELECT fingerprint FROM schema_fingerprint WHERE history = 'flyway_probe_history'"))
                    .isNotEqualTo(first).isEqualTo(SchemaFingerprint.of("classpath:db/fingerprint-probe-2/sqlite").orElseThrow());
        }
        // Reopened: nothing pending, the core history is skipped and the store works.
        try (JdbcMetadataStore store = JdbcMetadataStore.open(MetadataConfig.sqlite(dir.resolve("stowage.db")))) {
            store.migrate("probe", "db/fingerprint-probe-2");
            assertThat(tableExists(store, "probe_b")).isTrue();
        }
    }

    @Test
    void aStoredFingerprintThatDiffersRunsFlyway() throws Exception {
        try (JdbcMetadataStore store = JdbcMetadataStore.open(MetadataConfig.sqlite(dir.resolve("stowage.db")))) {
            update(store, "UPDATE schema_fingerprint SET fingerprint = 'stale'");
            assertThat(SchemaFingerprint.matches(store.dataSource(), JdbcMetadataStore.CORE_HISTORY,
                    SchemaFingerprint.of("classpath:db/migration/sqlite"))).isFalse();
        }
        try (JdbcMetadataStore store = JdbcMetadataStore.open(MetadataConfig.sqlite(dir.resolve("stowage.db")))) {
            assertThat(SchemaFingerprint.matches(store.dataSource(), JdbcMetadataStore.CORE_HISTORY,
                    SchemaFingerprint.of("classpath:db/migration/sqlite"))).isTrue();
        }
        assertThat(SchemaFingerprint.of("classpath:db/no-such-location")).isEqualTo(Optional.empty());
    }

    private static String query(JdbcMetadataStore store, String sql) throws SQLException {
        try (Connection c = store.dataSource().getConnection(); Statement s = c.createStatement(); ResultSet r = s.executeQuery(sql)) {
            return r.next() ? r.getString(1) : null;
        }
    }

    private static void update(JdbcMetadataStore store, String sql) throws SQLException {
        try (Connection c = store.dataSource().getConnection(); Statement s = c.createStatement()) {
            s.executeUpdate(sql);
        }
    }

    private static boolean tableExists(JdbcMetadataStore store, String table) throws SQLException {
        return query(store, "SELECT name FROM sqlite_master WHERE type = 'table' AND name = '" + table + "'") != null;
    }
}
