package dev.stowage.metadata;

import dev.stowage.core.RepositoryName;
import dev.stowage.core.Tag;
import dev.stowage.core.spi.ManifestRecord;
import dev.stowage.core.spi.MetadataStore;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The metadata contract on a real PostgreSQL server started by the test run (see {@link PostgresServer}). */
class PostgresMetadataStoreTest extends JdbcMetadataStoreTest {
    private MetadataConfig config;

    @BeforeAll
    static void requirePostgres() {
        PostgresServer.assumeAvailable();
    }

    @Override
    protected MetadataStore newStore() throws Exception {
        config = PostgresServer.shared().newDatabase();
        return JdbcMetadataStore.open(config);
    }

    @Test
    void dialectIsPostgresql() {
        assertThat(jdbc().dialect()).isEqualTo("postgresql");
    }

    /**
     * The listing tests prove bytewise order only if the database's own collation is not bytewise: the cluster the
     * tests start uses ICU "en", where 'a' sorts before 'B'.
     */
    @Test
    void theDatabaseCollationIsNotBytewiseSoTheOrderTestsMeanSomething() throws SQLException {
        List<List<Object>> answer = sql("SELECT 'a' < 'B'");
        assumeTrue(Boolean.TRUE.equals(answer.getFirst().getFirst()),
                "this server's default collation is bytewise; the order tests cannot tell COLLATE \"C\" is there");
        assertThat(store.listTags(REPO, null, 1)).isEmpty();
    }

    /** With sequential scans discouraged the planner finds an index for every lookup: the indexes exist. */
    @Test
    void lookupsAndListingsHaveIndexes() throws SQLException {
        try (Connection c = jdbc().dataSource().getConnection()) {
            try (Statement s = c.createStatement()) {
                s.execute("SET enable_seqscan = off");
            }
            try {
                for (String sql : List.of(JdbcMetadataStore.FIND_MANIFEST_BY_TAG_SQL, JdbcMetadataStore.FIND_MANIFEST_SQL,
                        JdbcMetadataStore.FIND_LINKED_BLOB_SQL, JdbcMetadataStore.LIST_TAGS_SQL,
                        JdbcMetadataStore.LIST_REPOSITORIES_SQL, JdbcMetadataStore.REPOSITORY_EXISTS_SQL,
                        JdbcMetadataStore.FIND_REFERRERS_SQL)) {
                    String literal = sql.replace("LIMIT ?", "LIMIT 10").replace("?", "'x'");
                    List<String> plan = new ArrayList<>();
                    try (PreparedStatement s = c.prepareStatement("EXPLAIN " + literal); ResultSet r = s.executeQuery()) {
                        while (r.next()) plan.add(r.getString(1));
                    }
                    assertThat(plan).as(sql).isNotEmpty().noneMatch(step -> step.contains("Seq Scan"));
                }
            } finally {
                try (Statement s = c.createStatement()) {
                    s.execute("RESET enable_seqscan");
                }
            }
        }
    }

    /** Several stateless nodes share one database: their writers meet in PostgreSQL's row locks. */
    @Test
    void twoNodesOnOneDatabaseWriteConcurrently() throws Exception {
        try (JdbcMetadataStore second = JdbcMetadataStore.open(config)) {
            List<Callable<Void>> work = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                MetadataStore target = i % 2 == 0 ? store : second;
                RepositoryName repo = RepositoryName.of("r" + (i % 4));
                ManifestRecord m = manifest("m" + i, null, null, List.of(digest("shared")));
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

    /** Two nodes on one database check a project's usage one after the other, never both against the same usage. */
    @Test
    void twoNodesCheckingAnArtifactLimitTogetherStayWithinIt() throws Exception {
        try (JdbcMetadataStore second = JdbcMetadataStore.open(config)) {
            assertThat(putInParallelUnderArtifactLimit(List.of(store, second), 16, 5)).isEqualTo(5);
            assertThat(second.projectUsage(REPO.project()).artifacts()).isEqualTo(5);
        }
    }
}
