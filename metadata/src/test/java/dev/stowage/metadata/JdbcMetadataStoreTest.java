package dev.stowage.metadata;

import dev.stowage.core.Digest;
import dev.stowage.core.Tag;
import dev.stowage.core.spi.BlobRecord;
import dev.stowage.core.spi.ManifestRecord;
import dev.stowage.core.spi.MetadataStoreContract;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The contract plus what only the JDBC schema shows: the reference rows a put writes, the blob state the garbage
 * collector will use, and that the later online collector's mark query runs on this schema as it is. Runs on
 * SQLite and on PostgreSQL through the two subclasses.
 */
abstract class JdbcMetadataStoreTest extends MetadataStoreContract {

    JdbcMetadataStore jdbc() {
        return (JdbcMetadataStore) store;
    }

    /** Runs one statement with parameters: an update (answers the row count) or a query (answers its rows). */
    List<List<Object>> sql(String sql, Object... parameters) throws SQLException {
        try (Connection c = jdbc().dataSource().getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) s.setObject(i + 1, parameters[i]);
            List<List<Object>> rows = new ArrayList<>();
            if (!s.execute()) {
                rows.add(List.of(s.getUpdateCount()));
                return rows;
            }
            try (ResultSet r = s.getResultSet()) {
                int columns = r.getMetaData().getColumnCount();
                while (r.next()) {
                    List<Object> row = new ArrayList<>();
                    for (int i = 1; i <= columns; i++) row.add(r.getObject(i) instanceof Number n ? n.longValue() : r.getObject(i));
                    rows.add(row);
                }
            }
            return rows;
        }
    }

    /** child digest -> kind of the references stored for {@code parent} in REPO. */
    Map<String, String> references(Digest parent) throws SQLException {
        Map<String, String> references = new LinkedHashMap<>();
        for (List<Object> row : sql("SELECT mr.child_digest, mr.kind FROM manifest_references mr "
                + "JOIN repositories r ON r.id = mr.repository_id WHERE r.name = ? AND mr.parent_digest = ? "
                + "ORDER BY mr.child_digest", REPO.value(), parent.toString())) {
            references.put((String) row.get(0), (String) row.get(1));
        }
        return references;
    }

    ManifestRecord index(String seed, List<Digest> children, List<Digest> blobs) {
        byte[] payload = ("{\"index\":\"" + seed + "\"}").getBytes(StandardCharsets.UTF_8);
        return new ManifestRecord(Digest.sha256Of(payload), "application/vnd.oci.image.index.v1+json", payload, null,
                null, blobs, children, null);
    }

    @Test
    void putRecordsTheManifestsReferencesWithTheirKind() throws SQLException {
        ManifestRecord child = pushManifest(REPO, "child", null);
        Digest layer = digest("index-annotation-blob");
        store.recordBlob(REPO, layer, 1);
        ManifestRecord index = index("i", List.of(child.digest()), List.of(layer));
        store.putManifest(REPO, index, Optional.of(Tag.of("v1")));
        assertThat(references(index.digest())).containsExactlyInAnyOrderEntriesOf(Map.of(
                child.digest().toString(), "manifest", layer.toString(), "blob"));
        assertThat(references(child.digest())).containsExactly(Map.entry(child.blobs().getFirst().toString(), "blob"));
    }

    @Test
    void rePuttingAManifestReplacesItsReferences() throws SQLException {
        ManifestRecord m = pushManifest(REPO, "one", "v1");
        Digest config = m.blobs().getFirst();
        // A stale row (say, written by an older version of the parser) and a missing one.
        sql("INSERT INTO manifest_references (repository_id, parent_digest, child_digest, kind) "
                + "SELECT id, ?, ?, 'blob' FROM repositories WHERE name = ?", m.digest().toString(),
                digest("stale").toString(), REPO.value());
        sql("DELETE FROM manifest_references WHERE child_digest = ?", config.toString());
        store.putManifest(REPO, m, Optional.empty());
        assertThat(references(m.digest())).containsExactly(Map.entry(config.toString(), "blob"));
    }

    @Test
    void deletingAManifestRemovesItsReferences() throws SQLException {
        ManifestRecord m = pushManifest(REPO, "one", "v1");
        store.deleteManifest(REPO, m.digest());
        assertThat(references(m.digest())).isEmpty();
        assertThat(sql("SELECT COUNT(*) FROM manifest_references")).containsExactly(List.of(0L));
    }

    @Test
    void aBlobBeingDeletedIsInvisibleAndMustBeWaitedOutBeforeItIsPushedAgain() throws SQLException {
        Digest d = digest("blob");
        store.recordBlob(REPO, d, 9);
        sql("UPDATE blobs SET state = 'deleting' WHERE digest = ?", d.toString());
        assertThat(store.findBlob(d)).isEmpty();
        assertThat(store.findLinkedBlob(REPO, d)).isEmpty();
        assertThat(store.linkIfPresent(OTHER, d)).isEqualTo(dev.stowage.core.spi.MetadataStore.BlobClaim.DELETING);
        store.forgetBlob(d);
        assertThat(store.linkIfPresent(OTHER, d)).isEqualTo(dev.stowage.core.spi.MetadataStore.BlobClaim.ABSENT);
        store.recordBlob(OTHER, d, 9);
        assertThat(store.findLinkedBlob(OTHER, d)).contains(new BlobRecord(d, 9));
        assertThat(store.linkIfPresent(REPO, d)).isEqualTo(dev.stowage.core.spi.MetadataStore.BlobClaim.LINKED);
        assertThat(store.findLinkedBlob(REPO, d)).contains(new BlobRecord(d, 9));
    }

    @Test
    void recordingABlobRefreshesItsLinkTime() throws Exception {
        Digest d = digest("blob");
        store.recordBlob(REPO, d, 9);
        sql("UPDATE repository_blobs SET linked_at = 1");
        store.recordBlob(REPO, d, 9);
        assertThat((Long) sql("SELECT linked_at FROM repository_blobs").getFirst().getFirst()).isGreaterThan(1L);
    }

    @Test
    void schemaRejectsUnknownBlobStatesAndReferenceKinds() {
        Digest d = digest("blob");
        store.recordBlob(REPO, d, 9);
        org.assertj.core.api.Assertions.assertThatThrownBy(() ->
                sql("UPDATE blobs SET state = 'gone' WHERE digest = ?", d.toString())).isInstanceOf(SQLException.class);
    }

    @Test
    void everyMigrationOfBothDialectsIsRecordedByFlywayInOrder() throws Exception {
        List<String> expected = migrationVersions("sqlite");
        assertThat(migrationVersions("postgresql")).as("both dialects have the same migrations").isEqualTo(expected);
        assertThat(expected).startsWith("1", "2", "3", "4", "5", "6", "7", "8", "9");
        assertThat(sql("SELECT version, success FROM flyway_schema_history WHERE version IS NOT NULL ORDER BY installed_rank"))
                .extracting(row -> String.valueOf(row.getFirst())).containsExactlyElementsOf(expected);
    }

    private static List<String> migrationVersions(String dialect) throws Exception {
        java.nio.file.Path folder = java.nio.file.Path.of(JdbcMetadataStoreTest.class.getResource("/db/migration/" + dialect).toURI());
        try (var files = java.nio.file.Files.list(folder)) {
            return files.map(f -> f.getFileName().toString()).filter(n -> n.matches("V\\d+__.*\\.sql"))
                    .map(n -> n.substring(1, n.indexOf("__"))).sorted(java.util.Comparator.comparingInt(Integer::parseInt)).toList();
        }
    }
}
