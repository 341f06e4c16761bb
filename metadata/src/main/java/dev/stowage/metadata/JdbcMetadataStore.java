package dev.stowage.metadata;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.stowage.core.Digest;
import dev.stowage.core.RepositoryName;
import dev.stowage.core.Tag;
import dev.stowage.core.spi.BlobRecord;
import dev.stowage.core.spi.ManifestRecord;
import dev.stowage.core.spi.MetadataStore;
import dev.stowage.core.spi.UploadRecord;
import org.flywaydb.core.Flyway;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The metadata store on JDBC: one code path, SQL that SQLite and PostgreSQL both speak, a schema per dialect
 * (Flyway migrations under {@code db/migration/<dialect>}). Reads run in auto-commit, one indexed query each;
 * writes run in a transaction that is retried when the database reports a conflict.
 */
public final class JdbcMetadataStore implements MetadataStore {
    private final HikariDataSource pool;
    private final Dialect dialect;
    /**
     * SQLite has one writer at a time; queueing writers here is fairer and faster than SQLite's sleeping busy
     * handler. PostgreSQL writers run concurrently.
     */
    private final ReentrantLock sqliteWriteLock = new ReentrantLock(true);

    enum Dialect { SQLITE, POSTGRESQL }

    private JdbcMetadataStore(HikariDataSource pool, Dialect dialect) {
        this.pool = pool;
        this.dialect = dialect;
    }

    public static JdbcMetadataStore open(MetadataConfig config) {
        Dialect dialect = dialectOf(config.jdbcUrl());
        HikariConfig hikari = new HikariConfig();
        hikari.setJdbcUrl(config.jdbcUrl());
        if (config.user() != null && !config.user().isEmpty()) hikari.setUsername(config.user());
        if (config.password() != null && !config.password().isEmpty()) hikari.setPassword(config.password());
        hikari.setPoolName("stowage-metadata");
        if (dialect == Dialect.SQLITE) {
            hikari.setMaximumPoolSize(config.maxPoolSize() > 0 ? config.maxPoolSize() : 8);
            hikari.addDataSourceProperty("journal_mode", "WAL");
            hikari.addDataSourceProperty("synchronous", "NORMAL");
            hikari.addDataSourceProperty("busy_timeout", "30000");
            hikari.addDataSourceProperty("foreign_keys", "true");
            hikari.addDataSourceProperty("transaction_mode", "IMMEDIATE");
        } else {
            hikari.setMaximumPoolSize(config.maxPoolSize() > 0 ? config.maxPoolSize() : 16);
            hikari.addDataSourceProperty("reWriteBatchedInserts", "true");
        }
        HikariDataSource pool = new HikariDataSource(hikari);
        try {
            Flyway.configure()
                    .dataSource(pool)
                    .locations("classpath:db/migration/" + dialect.name().toLowerCase())
                    .load()
                    .migrate();
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
        return new JdbcMetadataStore(pool, dialect);
    }

    static Dialect dialectOf(String jdbcUrl) {
        if (jdbcUrl.startsWith("jdbc:sqlite:")) return Dialect.SQLITE;
        if (jdbcUrl.startsWith("jdbc:postgresql:")) return Dialect.POSTGRESQL;
        throw new IllegalArgumentException("unsupported database URL (use jdbc:sqlite: or jdbc:postgresql:): "
                + jdbcUrl.replaceAll("\\?.*", ""));
    }

    public String dialect() {
        return dialect.name().toLowerCase();
    }

    // --- plumbing -------------------------------------------------------------------------------------------

    @FunctionalInterface
    private interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    private <T> T read(Work<T> work) {
        try (Connection c = pool.getConnection()) {
            return work.run(c);
        } catch (SQLException e) {
            throw new MetadataException("metadata read failed", e);
        }
    }

    private <T> T write(Work<T> work) {
        for (int attempt = 1; ; attempt++) {
            if (dialect == Dialect.SQLITE) sqliteWriteLock.lock();
            try (Connection c = pool.getConnection()) {
                c.setAutoCommit(false);
                try {
                    T result = work.run(c);
                    c.commit();
                    return result;
                } catch (SQLException | RuntimeException e) {
                    c.rollback();
                    throw e;
                } finally {
                    c.setAutoCommit(true);
                }
            } catch (SQLException e) {
                if (attempt < 5 && isRetryable(e)) {
                    backoff(attempt);
                    continue;
                }
                throw new MetadataException("metadata write failed", e);
            } finally {
                if (dialect == Dialect.SQLITE) sqliteWriteLock.unlock();
            }
        }
    }

    /** Serialization failures, deadlocks and unique-key races between concurrent inserts; SQLite busy/locked. */
    private static boolean isRetryable(SQLException e) {
        String state = e.getSQLState();
        if (state != null && (state.equals("40001") || state.equals("40P01") || state.equals("23505"))) return true;
        String message = String.valueOf(e.getMessage());
        return message.contains("SQLITE_BUSY") || message.contains("SQLITE_LOCKED");
    }

    private static void backoff(int attempt) {
        try {
            Thread.sleep(5L * attempt + (long) (Math.random() * 10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static long millis(Instant instant) {
        return instant.toEpochMilli();
    }

    /** The repository's id, creating the row when absent (within the caller's transaction). */
    private static long ensureRepository(Connection c, RepositoryName name, long now) throws SQLException {
        try (PreparedStatement insert = c.prepareStatement(
                "INSERT INTO repositories (name, created_at) VALUES (?, ?) ON CONFLICT (name) DO NOTHING")) {
            insert.setString(1, name.value());
            insert.setLong(2, now);
            insert.executeUpdate();
        }
        return repositoryId(c, name).orElseThrow();
    }

    private static Optional<Long> repositoryId(Connection c, RepositoryName name) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT id FROM repositories WHERE name = ?")) {
            s.setString(1, name.value());
            try (ResultSet r = s.executeQuery()) {
                return r.next() ? Optional.of(r.getLong(1)) : Optional.empty();
            }
        }
    }

    // --- repositories ---------------------------------------------------------------------------------------

    @Override
    public boolean repositoryExists(RepositoryName repository) {
        return read(c -> repositoryId(c, repository).isPresent());
    }

    @Override
    public List<RepositoryName> listRepositories(String after, int limit) {
        return read(c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "SELECT name FROM repositories WHERE name > ? ORDER BY name LIMIT ?")) {
                s.setString(1, after == null ? "" : after);
                s.setInt(2, limit);
                List<RepositoryName> names = new ArrayList<>();
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) names.add(RepositoryName.of(r.getString(1)));
                }
                return names;
            }
        });
    }

    // --- blobs ----------------------------------------------------------------------------------------------

    @Override
    public Optional<BlobRecord> findBlob(Digest digest) {
        return read(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT size FROM blobs WHERE digest = ? AND state = 'present'")) {
                s.setString(1, digest.toString());
                try (ResultSet r = s.executeQuery()) {
                    return r.next() ? Optional.of(new BlobRecord(digest, r.getLong(1))) : Optional.empty();
                }
            }
        });
    }

    @Override
    public void recordBlob(RepositoryName repository, Digest digest, long size) {
        long now = System.currentTimeMillis();
        write(c -> {
            long repositoryId = ensureRepository(c, repository, now);
            try (PreparedStatement s = c.prepareStatement(
                    "INSERT INTO blobs (digest, size, state, created_at) VALUES (?, ?, 'present', ?) "
                            + "ON CONFLICT (digest) DO UPDATE SET state = 'present'")) {
                s.setString(1, digest.toString());
                s.setLong(2, size);
                s.setLong(3, now);
                s.executeUpdate();
            }
            try (PreparedStatement s = c.prepareStatement(
                    "INSERT INTO repository_blobs (repository_id, digest, linked_at) VALUES (?, ?, ?) "
                            + "ON CONFLICT (repository_id, digest) DO UPDATE SET linked_at = excluded.linked_at")) {
                s.setLong(1, repositoryId);
                s.setString(2, digest.toString());
                s.setLong(3, now);
                s.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public Optional<BlobRecord> findLinkedBlob(RepositoryName repository, Digest digest) {
        return read(c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "SELECT b.size FROM repositories r "
                            + "JOIN repository_blobs rb ON rb.repository_id = r.id "
                            + "JOIN blobs b ON b.digest = rb.digest "
                            + "WHERE r.name = ? AND rb.digest = ? AND b.state = 'present'")) {
                s.setString(1, repository.value());
                s.setString(2, digest.toString());
                try (ResultSet r = s.executeQuery()) {
                    return r.next() ? Optional.of(new BlobRecord(digest, r.getLong(1))) : Optional.empty();
                }
            }
        });
    }

    @Override
    public boolean unlinkBlob(RepositoryName repository, Digest digest) {
        return write(c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "DELETE FROM repository_blobs WHERE digest = ? "
                            + "AND repository_id = (SELECT id FROM repositories WHERE name = ?)")) {
                s.setString(1, digest.toString());
                s.setString(2, repository.value());
                return s.executeUpdate() > 0;
            }
        });
    }

    // --- uploads --------------------------------------------------------------------------------------------

    @Override
    public void createUpload(UploadRecord upload) {
        write(c -> {
            try (PreparedStatement s = c.prepareStatement("INSERT INTO uploads "
                    + "(id, repository, committed_offset, started_at, updated_at) VALUES (?, ?, ?, ?, ?)")) {
                s.setString(1, upload.id());
                s.setString(2, upload.repository().value());
                s.setLong(3, upload.offset());
                s.setLong(4, millis(upload.startedAt()));
                s.setLong(5, millis(upload.updatedAt()));
                s.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public Optional<UploadRecord> findUpload(RepositoryName repository, String uploadId) {
        return read(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT committed_offset, started_at, updated_at FROM uploads "
                    + "WHERE id = ? AND repository = ?")) {
                s.setString(1, uploadId);
                s.setString(2, repository.value());
                try (ResultSet r = s.executeQuery()) {
                    if (!r.next()) return Optional.empty();
                    return Optional.of(new UploadRecord(uploadId, repository, r.getLong(1),
                            Instant.ofEpochMilli(r.getLong(2)), Instant.ofEpochMilli(r.getLong(3))));
                }
            }
        });
    }

    @Override
    public boolean advanceUpload(String uploadId, long expectedOffset, long newOffset, Instant now) {
        return write(c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "UPDATE uploads SET committed_offset = ?, updated_at = ? WHERE id = ? AND committed_offset = ?")) {
                s.setLong(1, newOffset);
                s.setLong(2, millis(now));
                s.setString(3, uploadId);
                s.setLong(4, expectedOffset);
                return s.executeUpdate() == 1;
            }
        });
    }

    @Override
    public void deleteUpload(String uploadId) {
        write(c -> {
            try (PreparedStatement s = c.prepareStatement("DELETE FROM uploads WHERE id = ?")) {
                s.setString(1, uploadId);
                s.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public List<UploadRecord> uploadsIdleSince(Instant cutoff, int limit) {
        return read(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT id, repository, committed_offset, started_at, "
                    + "updated_at FROM uploads WHERE updated_at < ? ORDER BY updated_at LIMIT ?")) {
                s.setLong(1, millis(cutoff));
                s.setInt(2, limit);
                List<UploadRecord> uploads = new ArrayList<>();
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        uploads.add(new UploadRecord(r.getString(1), RepositoryName.of(r.getString(2)), r.getLong(3),
                                Instant.ofEpochMilli(r.getLong(4)), Instant.ofEpochMilli(r.getLong(5))));
                    }
                }
                return uploads;
            }
        });
    }

    // --- manifests and tags ---------------------------------------------------------------------------------

    @Override
    public void putManifest(RepositoryName repository, ManifestRecord manifest, Optional<Tag> tag) {
        long now = manifest.pushedAt() != null ? millis(manifest.pushedAt()) : System.currentTimeMillis();
        write(c -> {
            long repositoryId = ensureRepository(c, repository, now);
            int inserted;
            try (PreparedStatement s = c.prepareStatement("INSERT INTO manifests (repository_id, digest, media_type, "
                    + "artifact_type, subject, size, payload, pushed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
                    + "ON CONFLICT (repository_id, digest) DO NOTHING")) {
                s.setLong(1, repositoryId);
                s.setString(2, manifest.digest().toString());
                s.setString(3, manifest.mediaType());
                s.setString(4, manifest.artifactType());
                s.setString(5, manifest.subject() == null ? null : manifest.subject().toString());
                s.setLong(6, manifest.size());
                s.setBytes(7, manifest.payload());
                s.setLong(8, now);
                inserted = s.executeUpdate();
            }
            if (inserted > 0) insertReferences(c, repositoryId, manifest);
            if (tag.isPresent()) {
                try (PreparedStatement s = c.prepareStatement("INSERT INTO tags (repository_id, name, manifest_digest, "
                        + "updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (repository_id, name) DO UPDATE SET "
                        + "manifest_digest = excluded.manifest_digest, updated_at = excluded.updated_at")) {
                    s.setLong(1, repositoryId);
                    s.setString(2, tag.get().value());
                    s.setString(3, manifest.digest().toString());
                    s.setLong(4, now);
                    s.executeUpdate();
                }
            }
            return null;
        });
    }

    private static void insertReferences(Connection c, long repositoryId, ManifestRecord manifest) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("INSERT INTO manifest_references (repository_id, parent_digest, "
                + "child_digest, kind) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING")) {
            for (Digest blob : manifest.blobs()) addReference(s, repositoryId, manifest.digest(), blob, "blob");
            for (Digest child : manifest.manifests()) addReference(s, repositoryId, manifest.digest(), child, "manifest");
            s.executeBatch();
        }
    }

    private static void addReference(PreparedStatement s, long repositoryId, Digest parent, Digest child, String kind)
            throws SQLException {
        s.setLong(1, repositoryId);
        s.setString(2, parent.toString());
        s.setString(3, child.toString());
        s.setString(4, kind);
        s.addBatch();
    }

    private static final String MANIFEST_COLUMNS = "m.digest, m.media_type, m.payload, m.artifact_type, m.subject, m.pushed_at";

    private static ManifestRecord manifestOf(ResultSet r) throws SQLException {
        String subject = r.getString(5);
        return new ManifestRecord(Digest.parse(r.getString(1)), r.getString(2), r.getBytes(3), r.getString(4),
                subject == null ? null : Digest.parse(subject), List.of(), List.of(), Instant.ofEpochMilli(r.getLong(6)));
    }

    @Override
    public Optional<ManifestRecord> findManifest(RepositoryName repository, Digest digest) {
        return read(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT " + MANIFEST_COLUMNS + " FROM repositories r "
                    + "JOIN manifests m ON m.repository_id = r.id WHERE r.name = ? AND m.digest = ?")) {
                s.setString(1, repository.value());
                s.setString(2, digest.toString());
                try (ResultSet r = s.executeQuery()) {
                    return r.next() ? Optional.of(manifestOf(r)) : Optional.empty();
                }
            }
        });
    }

    @Override
    public Optional<ManifestRecord> findManifestByTag(RepositoryName repository, Tag tag) {
        return read(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT " + MANIFEST_COLUMNS + " FROM repositories r "
                    + "JOIN tags t ON t.repository_id = r.id "
                    + "JOIN manifests m ON m.repository_id = t.repository_id AND m.digest = t.manifest_digest "
                    + "WHERE r.name = ? AND t.name = ?")) {
                s.setString(1, repository.value());
                s.setString(2, tag.value());
                try (ResultSet r = s.executeQuery()) {
                    return r.next() ? Optional.of(manifestOf(r)) : Optional.empty();
                }
            }
        });
    }

    @Override
    public boolean deleteManifest(RepositoryName repository, Digest digest) {
        return write(c -> {
            Optional<Long> repositoryId = repositoryId(c, repository);
            if (repositoryId.isEmpty()) return false;
            // Tags and references go by ON DELETE CASCADE; said explicitly too, so the outcome never depends on
            // whether a connection enforces foreign keys.
            for (String sql : List.of("DELETE FROM tags WHERE repository_id = ? AND manifest_digest = ?",
                    "DELETE FROM manifest_references WHERE repository_id = ? AND parent_digest = ?")) {
                try (PreparedStatement s = c.prepareStatement(sql)) {
                    s.setLong(1, repositoryId.get());
                    s.setString(2, digest.toString());
                    s.executeUpdate();
                }
            }
            try (PreparedStatement s = c.prepareStatement("DELETE FROM manifests WHERE repository_id = ? AND digest = ?")) {
                s.setLong(1, repositoryId.get());
                s.setString(2, digest.toString());
                return s.executeUpdate() > 0;
            }
        });
    }

    @Override
    public boolean deleteTag(RepositoryName repository, Tag tag) {
        return write(c -> {
            try (PreparedStatement s = c.prepareStatement("DELETE FROM tags WHERE name = ? "
                    + "AND repository_id = (SELECT id FROM repositories WHERE name = ?)")) {
                s.setString(1, tag.value());
                s.setString(2, repository.value());
                return s.executeUpdate() > 0;
            }
        });
    }

    @Override
    public List<Tag> listTags(RepositoryName repository, String after, int limit) {
        return read(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT t.name FROM repositories r "
                    + "JOIN tags t ON t.repository_id = r.id WHERE r.name = ? AND t.name > ? ORDER BY t.name LIMIT ?")) {
                s.setString(1, repository.value());
                s.setString(2, after == null ? "" : after);
                s.setInt(3, limit);
                List<Tag> tags = new ArrayList<>();
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) tags.add(Tag.of(r.getString(1)));
                }
                return tags;
            }
        });
    }

    @Override
    public List<ManifestRecord> findReferrers(RepositoryName repository, Digest subject, Optional<String> artifactType) {
        return read(c -> {
            String sql = "SELECT " + MANIFEST_COLUMNS + " FROM repositories r JOIN manifests m ON m.repository_id = r.id "
                    + "WHERE r.name = ? AND m.subject = ?" + (artifactType.isPresent() ? " AND m.artifact_type = ?" : "")
                    + " ORDER BY m.pushed_at, m.digest";
            try (PreparedStatement s = c.prepareStatement(sql)) {
                s.setString(1, repository.value());
                s.setString(2, subject.toString());
                if (artifactType.isPresent()) s.setString(3, artifactType.get());
                List<ManifestRecord> found = new ArrayList<>();
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) found.add(manifestOf(r));
                }
                return found;
            }
        });
    }

    @Override
    public void close() {
        pool.close();
    }
}
