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

import javax.sql.DataSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The metadata store on JDBC: one code path and SQL that SQLite and PostgreSQL both speak ({@code INSERT ... ON
 * CONFLICT}, {@code excluded}), with a schema per database (Flyway migrations under {@code db/migration/<dialect>},
 * same tables, only types differ). The database is chosen by the JDBC URL.
 *
 * <p>Reads run in auto-commit, one indexed query each (the pull path, {@link #findManifestByTag} and
 * {@link #findLinkedBlob}, is a single join). Writes run in one transaction each, retried a few times when the
 * database reports a serialization failure, a deadlock or a busy database.
 *
 * <p>SQLite runs in WAL mode (readers never wait for the writer) with {@code synchronous=NORMAL}, a busy timeout
 * and write transactions that begin {@code IMMEDIATE}, so two writers never deadlock upgrading a read lock.
 * Writers of this process queue on a fair lock before they take a connection: a virtual thread parks there
 * instead of sleeping in SQLite's busy handler while pinned to its carrier.
 *
 * <p>Catalog semantics: a repository exists (and is listed) while it holds at least one manifest or blob link.
 * The row in {@code repositories} is created by the first push or mount and then kept, so its id stays stable
 * under concurrent pushes; a repository emptied by deletes disappears from the catalog, and an upload alone never
 * creates one.
 */
public final class JdbcMetadataStore implements MetadataStore {
    private static final int WRITE_ATTEMPTS = 5;

    private final HikariDataSource pool;
    private final Dialect dialect;
    private final ReentrantLock sqliteWriteLock = new ReentrantLock(true);

    enum Dialect { SQLITE, POSTGRESQL }

    /** Flyway's default history table: the core schema's migrations. */
    static final String CORE_HISTORY = "flyway_schema_history";

    private JdbcMetadataStore(HikariDataSource pool, Dialect dialect) {
        this.pool = pool;
        this.dialect = dialect;
    }

    /** Connects, migrates the schema to the latest version and answers the ready store. */
    public static JdbcMetadataStore open(MetadataConfig config) {
        Dialect dialect = dialectOf(config.jdbcUrl());
        HikariConfig hikari = new HikariConfig();
        hikari.setJdbcUrl(config.jdbcUrl());
        if (config.user() != null && !config.user().isEmpty()) hikari.setUsername(config.user());
        if (config.password() != null && !config.password().isEmpty()) hikari.setPassword(config.password());
        hikari.setPoolName("stowage-metadata");
        if (dialect == Dialect.SQLITE) {
            prepareSqliteFile(config.jdbcUrl());
            hikari.setMaximumPoolSize(config.maxPoolSize() > 0 ? config.maxPoolSize() : MetadataConfig.DEFAULT_SQLITE_POOL_SIZE);
            // sqlite-jdbc reads these as its SQLiteConfig: applied to every connection it opens.
            hikari.addDataSourceProperty("journal_mode", "WAL");
            hikari.addDataSourceProperty("synchronous", "NORMAL");
            hikari.addDataSourceProperty("busy_timeout", "30000");
            hikari.addDataSourceProperty("foreign_keys", "true");
            hikari.addDataSourceProperty("transaction_mode", "IMMEDIATE");
            // Index lookups over a large registry (the collector's mark probes every blob) read pages from a memory
            // map instead of a read(2) each. Both bounds are memory the process holds (mapped pages count as resident,
            // the page cache is per connection): sized so eight connections stay within the small-host budget.
            hikari.addDataSourceProperty("mmap_size", String.valueOf(128L << 20));
            hikari.addDataSourceProperty("cache_size", "-2048");
        } else {
            hikari.setMaximumPoolSize(config.maxPoolSize() > 0 ? config.maxPoolSize() : MetadataConfig.DEFAULT_POSTGRESQL_POOL_SIZE);
            hikari.addDataSourceProperty("reWriteBatchedInserts", "true");
        }
        HikariDataSource pool = new HikariDataSource(hikari);
        try {
            String location = "classpath:db/migration/" + dialect.name().toLowerCase();
            Optional<String> fingerprint = SchemaFingerprint.of(location);
            if (!SchemaFingerprint.matches(pool, CORE_HISTORY, fingerprint)) {
                Flyway.configure()
                        .dataSource(pool)
                        .locations(location)
                        .failOnMissingLocations(true)
                        .loggers("slf4j") // the application's logging, not java.util.logging
                        .load()
                        .migrate();
                SchemaFingerprint.record(pool, CORE_HISTORY, fingerprint);
            }
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
        return new JdbcMetadataStore(pool, dialect);
    }

    static Dialect dialectOf(String jdbcUrl) {
        if (jdbcUrl.startsWith("jdbc:sqlite:")) return Dialect.SQLITE;
        if (jdbcUrl.startsWith("jdbc:postgresql:")) return Dialect.POSTGRESQL;
        throw new IllegalArgumentException("unsupported database URL (use jdbc:sqlite:<file> or jdbc:postgresql://...): "
                + jdbcUrl.replaceAll("\\?.*", ""));
    }

    /** Refuses in-memory databases (each pooled connection would see its own) and creates the file's directory. */
    private static void prepareSqliteFile(String jdbcUrl) {
        String target = jdbcUrl.substring("jdbc:sqlite:".length());
        int query = target.indexOf('?');
        if (query >= 0) target = target.substring(0, query);
        if (target.isEmpty() || target.contains(":memory:") || jdbcUrl.contains("mode=memory")) {
            throw new IllegalArgumentException("the metadata store needs a SQLite file (jdbc:sqlite:/path/stowage.db), "
                    + "not an in-memory database: " + jdbcUrl);
        }
        if (target.startsWith("file:")) return; // URI form: left to SQLite
        Path parent = Path.of(target).toAbsolutePath().getParent();
        try {
            if (parent != null) Files.createDirectories(parent);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the directory of the metadata database " + target, e);
        }
    }

    /**
     * A capability's own migrations: {@code classpath:<location>/<dialect>}, recorded in its own history table
     * {@code flyway_<capability>_history}, so each capability numbers its versions from V1 without meeting another's.
     * The schema already holds the core tables, so the history starts from a baseline at version 0.
     */
    public void migrate(String capability, String location) {
        if (!capability.matches("[a-z][a-z0-9_]{0,40}")) {
            throw new IllegalArgumentException("a capability's name is lowercase letters, digits and _: " + capability);
        }
        String history = "flyway_" + capability + "_history";
        String scripts = "classpath:" + location + "/" + dialect();
        // Nothing pending when the scripts are those the last successful migration of this history recorded.
        Optional<String> fingerprint = SchemaFingerprint.of(scripts);
        if (SchemaFingerprint.matches(pool, history, fingerprint)) return;
        Flyway.configure()
                .dataSource(pool)
                .table(history)
                .locations(scripts)
                .baselineOnMigrate(true)
                .baselineVersion("0")
                .failOnMissingLocations(true)
                .loggers("slf4j")
                .load()
                .migrate();
        SchemaFingerprint.record(pool, history, fingerprint);
    }

    /** {@code sqlite} or {@code postgresql}. */
    public String dialect() {
        return dialect.name().toLowerCase();
    }

    /** The pool, for tests of this module and for operational tools that must query the schema directly. */
    DataSource dataSource() {
        return pool;
    }

    // --- plumbing -------------------------------------------------------------------------------------------

    @FunctionalInterface
    public interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    /** A capability's table whose rows belong to one project, named in {@code column}. */
    public record ProjectRows(String table, String column) {
        private static final java.util.regex.Pattern IDENTIFIER = java.util.regex.Pattern.compile("[a-z_][a-z0-9_]{0,62}");

        public ProjectRows {
            if (!IDENTIFIER.matcher(table).matches() || !IDENTIFIER.matcher(column).matches()) {
                throw new IllegalArgumentException("not a plain SQL identifier: " + table + "." + column);
            }
        }
    }

    private final java.util.List<ProjectRows> projectRows = new java.util.concurrent.CopyOnWriteArrayList<>();

    /**
     * Declares rows a capability keeps per project (policies, keys, settings): deleting the project deletes them, in the
     * transaction that deletes the project, so a project made later under the same name inherits nothing. Declare a
     * table that others reference before the tables it references.
     */
    public void ownedByProject(String table, String column) {
        ProjectRows rows = new ProjectRows(table, column);
        if (!projectRows.contains(rows)) projectRows.add(rows);
    }

    /** What {@link #ownedByProject} declared, in order. */
    public java.util.List<ProjectRows> projectRows() {
        return java.util.List.copyOf(projectRows);
    }

    /** One query in auto-commit; shared with the other stores on this database (a capability's own among them). */
    public <T> T read(Work<T> work) {
        try (Connection c = pool.getConnection()) {
            return work.run(c);
        } catch (SQLException e) {
            throw new MetadataException("metadata read failed", e);
        }
    }

    /** One write transaction, retried on conflicts; shared with the other stores on this database. */
    public <T> T write(Work<T> work) {
        for (int attempt = 1; ; attempt++) {
            boolean locked = false;
            try {
                if (dialect == Dialect.SQLITE) {
                    sqliteWriteLock.lockInterruptibly();
                    locked = true;
                }
                return transaction(work);
            } catch (SQLException e) {
                if (attempt < WRITE_ATTEMPTS && isRetryable(e)) {
                    if (locked) {
                        sqliteWriteLock.unlock();
                        locked = false;
                    }
                    backoff(attempt);
                    continue;
                }
                throw new MetadataException("metadata write failed", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new MetadataException("metadata write interrupted", new SQLException(e));
            } finally {
                if (locked) sqliteWriteLock.unlock();
            }
        }
    }

    private <T> T transaction(Work<T> work) throws SQLException {
        try (Connection c = pool.getConnection()) {
            c.setAutoCommit(false); // SQLite: BEGIN IMMEDIATE, so the write lock is taken here, not on upgrade
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                try {
                    c.rollback();
                } catch (SQLException rollbackFailure) {
                    e.addSuppressed(rollbackFailure);
                }
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        }
    }

    /** PostgreSQL serialization failures and deadlocks; SQLite busy or locked (another process holds the lock). */
    static boolean isRetryable(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException s) {
                String state = s.getSQLState();
                if ("40001".equals(state) || "40P01".equals(state)) return true;
                String message = String.valueOf(s.getMessage());
                if (message.contains("SQLITE_BUSY") || message.contains("SQLITE_LOCKED")) return true;
            }
        }
        return false;
    }

    private static void backoff(int attempt) {
        try {
            Thread.sleep(5L * attempt + ThreadLocalRandom.current().nextLong(10));
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
    public List<RepositorySummary> repositorySummaries(String project, String after, int limit) {
        return read(c -> {
            // One row per repository, each figure an indexed probe of that repository's rows.
            try (PreparedStatement s = c.prepareStatement("SELECT r.name, "
                    + "(SELECT COUNT(*) FROM manifests m WHERE m.repository_id = r.id), "
                    + "(SELECT COALESCE(SUM(m.size), 0) FROM manifests m WHERE m.repository_id = r.id), "
                    + "(SELECT COALESCE(SUM(b.size), 0) FROM (SELECT DISTINCT mr.child_digest FROM manifest_references mr "
                    + "WHERE mr.repository_id = r.id AND mr.kind = 'blob') d JOIN blobs b ON b.digest = d.child_digest), "
                    + "(SELECT MAX(m.pushed_at) FROM manifests m WHERE m.repository_id = r.id), "
                    + "(SELECT MAX(t.updated_at) FROM tags t WHERE t.repository_id = r.id), "
                    + "(SELECT MAX(m.last_pulled_at) FROM manifests m WHERE m.repository_id = r.id) "
                    + "FROM repositories r WHERE " + IN_PROJECT + " AND r.name > ? AND " + REPOSITORY_IS_ALIVE
                    + " ORDER BY r.name LIMIT ?")) {
                setProject(s, 1, project);
                s.setString(4, after == null ? "" : after);
                s.setInt(5, limit);
                List<RepositorySummary> out = new ArrayList<>();
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        long pushed = Math.max(r.getLong(5), r.getLong(6));
                        long pulled = r.getLong(7);
                        Instant lastPulled = r.wasNull() ? null : Instant.ofEpochMilli(pulled);
                        out.add(new RepositorySummary(RepositoryName.of(r.getString(1)), r.getLong(2),
                                r.getLong(3) + r.getLong(4), pushed == 0 ? null : Instant.ofEpochMilli(pushed), lastPulled));
                    }
                }
                return out;
            }
        });
    }

    @Override
    public List<ArtifactSummary> artifactSummaries(RepositoryName repository, String after, int limit) {
        return read(c -> {
            Optional<Long> repositoryId = repositoryId(c, repository);
            if (repositoryId.isEmpty()) return List.of();
            record Row(String digest, String mediaType, String artifactType, long size, long pushedAt, Long pulledAt) {}
            List<Row> rows = new ArrayList<>();
            try (PreparedStatement s = c.prepareStatement("SELECT m.digest, m.media_type, m.artifact_type, m.size + "
                    + "(SELECT COALESCE(SUM(b.size), 0) FROM manifest_references mr JOIN blobs b ON b.digest = mr.child_digest "
                    + "WHERE mr.repository_id = m.repository_id AND mr.parent_digest = m.digest AND mr.kind = 'blob'), "
                    + "m.pushed_at, m.last_pulled_at FROM manifests m WHERE m.repository_id = ? AND m.digest > ? "
                    + "ORDER BY m.digest LIMIT ?")) {
                s.setLong(1, repositoryId.get());
                s.setString(2, after == null ? "" : after);
                s.setInt(3, limit);
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        long pulled = r.getLong(6);
                        Long lastPulled = r.wasNull() ? null : pulled;
                        rows.add(new Row(r.getString(1), r.getString(2), r.getString(3), r.getLong(4), r.getLong(5),
                                lastPulled));
                    }
                }
            }
            if (rows.isEmpty()) return List.of();
            Map<String, List<String>> tags = new HashMap<>();
            try (PreparedStatement s = c.prepareStatement("SELECT manifest_digest, name FROM tags WHERE repository_id = ? "
                    + "AND manifest_digest >= ? AND manifest_digest <= ? ORDER BY name")) {
                s.setLong(1, repositoryId.get());
                s.setString(2, rows.getFirst().digest());
                s.setString(3, rows.getLast().digest());
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) tags.computeIfAbsent(r.getString(1), d -> new ArrayList<>()).add(r.getString(2));
                }
            }
            List<ArtifactSummary> out = new ArrayList<>();
            for (Row row : rows) {
                out.add(new ArtifactSummary(Digest.parse(row.digest()), row.mediaType(), row.artifactType(),
                        List.copyOf(tags.getOrDefault(row.digest(), List.of())), row.size(),
                        Instant.ofEpochMilli(row.pushedAt()), row.pulledAt() == null ? null : Instant.ofEpochMilli(row.pulledAt())));
            }
            return out;
        });
    }

    @Override
    public Optional<List<RemovedManifest>> deleteRepository(RepositoryName repository) {
        return write(c -> {
            Optional<Long> repositoryId = repositoryId(c, repository);
            if (repositoryId.isEmpty()) return Optional.<List<RemovedManifest>>empty();
            long id = repositoryId.get();
            Map<String, List<String>> removed = new java.util.TreeMap<>();
            try (PreparedStatement s = c.prepareStatement("SELECT m.digest, t.name FROM manifests m LEFT JOIN tags t ON "
                    + "t.repository_id = m.repository_id AND t.manifest_digest = m.digest WHERE m.repository_id = ? "
                    + "ORDER BY m.digest, t.name")) {
                s.setLong(1, id);
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        List<String> tags = removed.computeIfAbsent(r.getString(1), d -> new ArrayList<>());
                        if (r.getString(2) != null) tags.add(r.getString(2));
                    }
                }
            }
            // Everything also goes by ON DELETE CASCADE; said explicitly, so the outcome never depends on whether a
            // connection enforces foreign keys.
            for (String table : List.of("tags", "manifest_references", "manifests", "repository_blobs")) {
                try (PreparedStatement s = c.prepareStatement("DELETE FROM " + table + " WHERE repository_id = ?")) {
                    s.setLong(1, id);
                    s.executeUpdate();
                }
            }
            try (PreparedStatement s = c.prepareStatement("DELETE FROM repositories WHERE id = ?")) {
                s.setLong(1, id);
                s.executeUpdate();
            }
            List<RemovedManifest> out = new ArrayList<>();
            removed.forEach((digest, tags) -> out.add(new RemovedManifest(Digest.parse(digest), List.copyOf(tags))));
            return Optional.of(out);
        });
    }

    /** A repository is alive while it holds a manifest or a blob link (see the class comment). */
    private static final String REPOSITORY_IS_ALIVE =
            "(EXISTS (SELECT 1 FROM manifests m WHERE m.repository_id = r.id) "
                    + "OR EXISTS (SELECT 1 FROM repository_blobs rb WHERE rb.repository_id = r.id))";

    static final String REPOSITORY_EXISTS_SQL =
            "SELECT 1 FROM repositories r WHERE r.name = ? AND " + REPOSITORY_IS_ALIVE;

    static final String LIST_REPOSITORIES_SQL =
            "SELECT r.name FROM repositories r WHERE r.name > ? AND " + REPOSITORY_IS_ALIVE + " ORDER BY r.name LIMIT ?";

    @Override
    public boolean repositoryExists(RepositoryName repository) {
        return read(c -> {
            try (PreparedStatement s = c.prepareStatement(REPOSITORY_EXISTS_SQL)) {
                s.setString(1, repository.value());
                try (ResultSet r = s.executeQuery()) {
                    return r.next();
                }
            }
        });
    }

    @Override
    public List<RepositoryName> listRepositories(String after, int limit) {
        return read(c -> {
            try (PreparedStatement s = c.prepareStatement(LIST_REPOSITORIES_SQL)) {
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
            // The caller asked linkIfPresent first, so a row here is present and freshly linked, or brand new:
            // the collector claims neither within its grace period.
            try (PreparedStatement s = c.prepareStatement(
                    "INSERT INTO blobs (digest, size, state, created_at) VALUES (?, ?, 'present', ?) "
                            + "ON CONFLICT (digest) DO NOTHING")) {
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
    public BlobClaim linkIfPresent(RepositoryName repository, Digest digest) {
        long now = System.currentTimeMillis();
        return write(c -> {
            String state;
            try (PreparedStatement s = c.prepareStatement("SELECT state FROM blobs WHERE digest = ?" + forShare())) {
                s.setString(1, digest.toString());
                try (ResultSet r = s.executeQuery()) {
                    state = r.next() ? r.getString(1) : null;
                }
            }
            if (state == null) return BlobClaim.ABSENT;
            if (!state.equals("present")) return BlobClaim.DELETING;
            long repositoryId = ensureRepository(c, repository, now);
            try (PreparedStatement s = c.prepareStatement(
                    "INSERT INTO repository_blobs (repository_id, digest, linked_at) VALUES (?, ?, ?) "
                            + "ON CONFLICT (repository_id, digest) DO UPDATE SET linked_at = excluded.linked_at")) {
                s.setLong(1, repositoryId);
                s.setString(2, digest.toString());
                s.setLong(3, now);
                s.executeUpdate();
            }
            return BlobClaim.LINKED;
        });
    }

    /** One statement with text parameters, in the caller's transaction; answers the row count. */
    private static int execute(Connection c, String sql, String... parameters) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) s.setString(i + 1, parameters[i]);
            return s.executeUpdate();
        }
    }

    /**
     * PostgreSQL row locks that order a check against the collector's claim (SQLite has one writer at a time, so
     * its transactions are already in order).
     */
    private String forShare() {
        return dialect == Dialect.POSTGRESQL ? " FOR SHARE" : "";
    }

    private String forUpdate() {
        return dialect == Dialect.POSTGRESQL ? " FOR UPDATE" : "";
    }

    // --- garbage collection -----------------------------------------------------------------------------------

    private static final String UNREFERENCED = "b.state = 'present' AND b.created_at < ? "
            + "AND NOT EXISTS (SELECT 1 FROM manifest_references mr WHERE mr.child_digest = b.digest) "
            + "AND NOT EXISTS (SELECT 1 FROM repository_blobs rb WHERE rb.digest = b.digest AND rb.linked_at >= ?)";

    @Override
    public List<BlobRecord> unreferencedBlobs(Instant cutoff, Optional<Digest> after, int limit) {
        return read(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT b.digest, b.size FROM blobs b WHERE b.digest > ? AND "
                    + UNREFERENCED + " ORDER BY b.digest LIMIT ?")) {
                s.setString(1, after.map(Digest::toString).orElse(""));
                s.setLong(2, millis(cutoff));
                s.setLong(3, millis(cutoff));
                s.setInt(4, limit);
                List<BlobRecord> out = new ArrayList<>();
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) out.add(new BlobRecord(Digest.parse(r.getString(1)), r.getLong(2)));
                }
                return out;
            }
        });
    }

    @Override
    public boolean claimBlobForDeletion(Digest digest, Instant cutoff, Instant now) {
        return write(c -> {
            // Lock first, then check in a new statement: on PostgreSQL a manifest put or mount holding the row
            // (FOR SHARE) has committed by now, and its references are visible to the check.
            try (PreparedStatement s = c.prepareStatement("SELECT state FROM blobs WHERE digest = ?" + forUpdate())) {
                s.setString(1, digest.toString());
                try (ResultSet r = s.executeQuery()) {
                    if (!r.next() || !r.getString(1).equals("present")) return false;
                }
            }
            try (PreparedStatement s = c.prepareStatement("UPDATE blobs SET state = 'deleting', state_since = ? "
                    + "WHERE digest = ? AND digest IN (SELECT b.digest FROM blobs b WHERE b.digest = ? AND " + UNREFERENCED + ")")) {
                s.setLong(1, millis(now));
                s.setString(2, digest.toString());
                s.setString(3, digest.toString());
                s.setLong(4, millis(cutoff));
                s.setLong(5, millis(cutoff));
                if (s.executeUpdate() != 1) return false;
            }
            execute(c, "DELETE FROM repository_blobs WHERE digest = ?", digest.toString());
            return true;
        });
    }

    @Override
    public void forgetBlob(Digest digest) {
        write(c -> {
            execute(c, "DELETE FROM repository_blobs WHERE digest = ?", digest.toString());
            return execute(c, "DELETE FROM blobs WHERE digest = ? AND state = 'deleting'", digest.toString());
        });
    }

    @Override
    public List<Digest> abandonedDeletions(Instant claimedBefore, int limit) {
        return read(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT digest FROM blobs WHERE state = 'deleting' "
                    + "AND (state_since IS NULL OR state_since < ?) ORDER BY digest LIMIT ?")) {
                s.setLong(1, millis(claimedBefore));
                s.setInt(2, limit);
                List<Digest> out = new ArrayList<>();
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) out.add(Digest.parse(r.getString(1)));
                }
                return out;
            }
        });
    }

    /**
     * A cosign companion tag ({@code sha256-<hex>.sig|.att|.sbom}, see {@link dev.stowage.core.CompanionTags}) whose
     * subject is gone does not keep its manifest: that signature follows its image as a referrer does.
     */
    private static final String ORPHANED_COMPANION_TAG = "((t.name LIKE 'sha256-%.sig' OR t.name LIKE 'sha256-%.att' "
            + "OR t.name LIKE 'sha256-%.sbom') AND NOT EXISTS (SELECT 1 FROM manifests s2 WHERE "
            + "s2.repository_id = t.repository_id AND s2.digest = 'sha256:' || substr(t.name, 8, 64)))";

    private static final String UNTAGGED = "m.pushed_at < ? AND (m.untagged_at IS NULL OR m.untagged_at < ?) "
            + "AND NOT EXISTS (SELECT 1 FROM tags t WHERE t.repository_id = m.repository_id AND t.manifest_digest = m.digest "
            + "AND NOT " + ORPHANED_COMPANION_TAG + ") "
            + "AND NOT EXISTS (SELECT 1 FROM manifest_references mr WHERE mr.repository_id = m.repository_id "
            + "AND mr.child_digest = m.digest) "
            + "AND (m.subject IS NULL OR NOT EXISTS (SELECT 1 FROM manifests s WHERE s.repository_id = m.repository_id "
            + "AND s.digest = m.subject))";

    @Override
    public List<StoredManifest> untaggedManifests(Instant cutoff, Optional<StoredManifest> after, int limit) {
        return read(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT r.name, m.digest, m.size FROM manifests m "
                    + "JOIN repositories r ON r.id = m.repository_id WHERE (r.name > ? OR (r.name = ? AND m.digest > ?)) AND "
                    + UNTAGGED + " ORDER BY r.name, m.digest LIMIT ?")) {
                String name = after.map(a -> a.repository().value()).orElse("");
                s.setString(1, name);
                s.setString(2, name);
                s.setString(3, after.map(a -> a.digest().toString()).orElse(""));
                s.setLong(4, millis(cutoff));
                s.setLong(5, millis(cutoff));
                s.setInt(6, limit);
                List<StoredManifest> out = new ArrayList<>();
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        out.add(new StoredManifest(RepositoryName.of(r.getString(1)), Digest.parse(r.getString(2)), r.getLong(3)));
                    }
                }
                return out;
            }
        });
    }

    @Override
    public boolean deleteUntaggedManifest(RepositoryName repository, Digest digest, Instant cutoff) {
        return write(c -> {
            Long repositoryId = null;
            try (PreparedStatement s = c.prepareStatement("SELECT m.repository_id FROM manifests m JOIN repositories r "
                    + "ON r.id = m.repository_id WHERE r.name = ? AND m.digest = ?" + (dialect == Dialect.POSTGRESQL
                    ? " FOR UPDATE OF m" : ""))) {
                s.setString(1, repository.value());
                s.setString(2, digest.toString());
                try (ResultSet r = s.executeQuery()) {
                    if (r.next()) repositoryId = r.getLong(1);
                }
            }
            if (repositoryId == null) return false;
            try (PreparedStatement s = c.prepareStatement("DELETE FROM manifests WHERE repository_id = ? AND digest = ? "
                    + "AND digest IN (SELECT m.digest FROM manifests m WHERE m.repository_id = ? AND m.digest = ? AND "
                    + UNTAGGED + ")")) {
                s.setLong(1, repositoryId);
                s.setString(2, digest.toString());
                s.setLong(3, repositoryId);
                s.setString(4, digest.toString());
                s.setLong(5, millis(cutoff));
                s.setLong(6, millis(cutoff));
                return s.executeUpdate() == 1;
            }
        });
    }

    static final String FIND_LINKED_BLOB_SQL = "SELECT b.size FROM repositories r "
            + "JOIN repository_blobs rb ON rb.repository_id = r.id "
            + "JOIN blobs b ON b.digest = rb.digest "
            + "WHERE r.name = ? AND rb.digest = ? AND b.state = 'present'";

    @Override
    public Optional<BlobRecord> findLinkedBlob(RepositoryName repository, Digest digest) {
        return read(c -> {
            try (PreparedStatement s = c.prepareStatement(FIND_LINKED_BLOB_SQL)) {
                s.setString(1, repository.value());
                s.setString(2, digest.toString());
                try (ResultSet r = s.executeQuery()) {
                    return r.next() ? Optional.of(new BlobRecord(digest, r.getLong(1))) : Optional.empty();
                }
            }
        });
    }

    @Override
    public Map<Digest, Long> findLinkedBlobs(RepositoryName repository, Collection<Digest> digests) {
        return read(c -> {
            Optional<Long> repositoryId = repositoryId(c, repository);
            if (repositoryId.isEmpty()) return Map.of();
            return linkedBlobs(c, repositoryId.get(), digests, "");
        });
    }

    /**
     * The sizes of those {@code digests} that are present and linked to the repository, one query per batch of
     * digests ({@code lock}: a row-lock clause for the blobs read, or empty).
     */
    private static Map<Digest, Long> linkedBlobs(Connection c, long repositoryId, Collection<Digest> digests, String lock)
            throws SQLException {
        Map<Digest, Long> found = new HashMap<>();
        for (List<Digest> batch : batches(digests)) {
            // Driven by the blobs' primary key (one probe per digest of the list), then one probe of the link's.
            // The state is checked here, not in SQL: given "state = 'present'", SQLite walks the index on state,
            // every present blob of the registry for each batch.
            try (PreparedStatement s = c.prepareStatement("SELECT b.digest, b.size, b.state FROM blobs b WHERE b.digest IN ("
                    + placeholders(batch.size()) + ") AND EXISTS (SELECT 1 FROM "
                    + "repository_blobs rb WHERE rb.repository_id = ? AND rb.digest = b.digest)" + lock)) {
                for (int i = 0; i < batch.size(); i++) s.setString(i + 1, batch.get(i).toString());
                s.setLong(batch.size() + 1, repositoryId);
                Map<String, Digest> asked = byText(batch);
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        if (r.getString(3).equals("present")) found.put(asked.get(r.getString(1)), r.getLong(2));
                    }
                }
            }
        }
        return found;
    }

    @Override
    public List<RepositoryName> repositoriesLinking(Digest digest, int limit) {
        return read(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT r.name FROM repository_blobs rb "
                    + "JOIN repositories r ON r.id = rb.repository_id JOIN blobs b ON b.digest = rb.digest "
                    + "WHERE rb.digest = ? AND b.state = 'present' ORDER BY r.name LIMIT ?")) {
                s.setString(1, digest.toString());
                s.setInt(2, limit);
                List<RepositoryName> names = new ArrayList<>();
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) names.add(RepositoryName.of(r.getString(1)));
                }
                return names;
            }
        });
    }

    /** Digests per IN list: well under SQLite's bound on parameters, and few round trips for a large manifest. */
    private static final int DIGESTS_PER_QUERY = 500;

    private static List<List<Digest>> batches(Collection<Digest> digests) {
        List<Digest> distinct = List.copyOf(new java.util.LinkedHashSet<>(digests));
        List<List<Digest>> batches = new ArrayList<>();
        for (int i = 0; i < distinct.size(); i += DIGESTS_PER_QUERY) {
            batches.add(distinct.subList(i, Math.min(distinct.size(), i + DIGESTS_PER_QUERY)));
        }
        return batches;
    }

    /** The asked digests by their text, so that rows answer them without parsing each digest again. */
    private static Map<String, Digest> byText(List<Digest> digests) {
        Map<String, Digest> byText = new HashMap<>();
        for (Digest d : digests) byText.put(d.toString(), d);
        return byText;
    }

    private static String placeholders(int count) {
        return String.join(", ", java.util.Collections.nCopies(count, "?"));
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
            // Compare-and-set: the row-level write lock makes the check and the move one step on both databases.
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
        write(c -> execute(c, "DELETE FROM uploads WHERE id = ?", uploadId));
    }

    @Override
    public List<UploadRecord> uploadsIdleSince(Instant cutoff, int limit) {
        return read(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT id, repository, committed_offset, started_at, "
                    + "updated_at FROM uploads WHERE updated_at < ? ORDER BY updated_at, id LIMIT ?")) {
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
    public void putManifest(RepositoryName repository, ManifestRecord manifest, Optional<Tag> tag, UsageCheck check) {
        long now = manifest.pushedAt() != null ? millis(manifest.pushedAt()) : System.currentTimeMillis();
        write(c -> {
            if (check != UsageCheck.NONE) {
                holdProjectUsage(c, repository.project());
                check.check(usageSeenBy(c, repository.project()));
            }
            long repositoryId = ensureRepository(c, repository, now);
            int inserted;
            try (PreparedStatement s = c.prepareStatement("INSERT INTO manifests (repository_id, digest, media_type, "
                    + "artifact_type, subject, size, payload, pushed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
                    // A no-op update that still locks an existing row (on PostgreSQL), so the collector cannot
                    // delete it as untagged while this put tags or references it.
                    + "ON CONFLICT (repository_id, digest) DO UPDATE SET size = excluded.size WHERE 1 = 0")) {
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
            requireReferencedContent(c, repositoryId, manifest);
            if (inserted > 0) insertReferences(c, repositoryId, manifest.digest(), references(manifest));
            else replaceReferences(c, repositoryId, manifest);
            if (tag.isPresent()) {
                try (PreparedStatement s = c.prepareStatement("UPDATE manifests SET untagged_at = ? WHERE repository_id = ? "
                        + "AND digest = (SELECT manifest_digest FROM tags WHERE repository_id = ? AND name = ?) AND digest <> ?")) {
                    s.setLong(1, System.currentTimeMillis());
                    s.setLong(2, repositoryId);
                    s.setLong(3, repositoryId);
                    s.setString(4, tag.get().value());
                    s.setString(5, manifest.digest().toString());
                    s.executeUpdate();
                }
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

    /**
     * What the manifest references must be in this repository when it is written: its blobs present and linked here,
     * its children stored here. The service checked before, but the collector may have claimed a blob, a delete may
     * have unlinked one, or an untagged child may have gone since; and the store itself never lets a manifest reach
     * content of another repository. Checked set-based (a query per batch of digests) under a shared row lock, which
     * orders this put against the collector's claim.
     */
    private void requireReferencedContent(Connection c, long repositoryId, ManifestRecord manifest) throws SQLException {
        if (!manifest.blobs().isEmpty() && (dialect == Dialect.POSTGRESQL
                || !allLinked(c, repositoryId, manifest.blobs()))) {
            // PostgreSQL: the rows are read to be locked. SQLite (one writer, so nothing to lock): only when the
            // count said something is missing, to name it.
            Map<Digest, Long> linked = linkedBlobs(c, repositoryId, manifest.blobs(), forShare());
            for (Digest blob : manifest.blobs()) {
                if (!linked.containsKey(blob)) throw unknownReference("blob", blob);
            }
        }
        if (!manifest.manifests().isEmpty()) {
            Set<Digest> stored = storedManifests(c, repositoryId, manifest.manifests(), forShare());
            for (Digest child : manifest.manifests()) {
                if (!stored.contains(child)) throw unknownReference("manifest", child);
            }
        }
    }

    /**
     * Whether every one of {@code digests} is present and linked to the repository, counted in SQL: this runs while
     * the put holds the write lock, and one number per batch is much cheaper than a row per digest. ({@code || ''}
     * keeps SQLite from walking the index on state instead of probing the listed digests.)
     */
    private static boolean allLinked(Connection c, long repositoryId, Collection<Digest> digests) throws SQLException {
        for (List<Digest> batch : batches(digests)) {
            try (PreparedStatement s = c.prepareStatement("SELECT COUNT(*) FROM blobs b WHERE b.digest IN ("
                    + placeholders(batch.size()) + ") AND b.state || '' = 'present' AND EXISTS (SELECT 1 FROM "
                    + "repository_blobs rb WHERE rb.repository_id = ? AND rb.digest = b.digest)")) {
                for (int i = 0; i < batch.size(); i++) s.setString(i + 1, batch.get(i).toString());
                s.setLong(batch.size() + 1, repositoryId);
                try (ResultSet r = s.executeQuery()) {
                    if (!r.next() || r.getLong(1) != batch.size()) return false;
                }
            }
        }
        return true;
    }

    private static dev.stowage.core.RegistryException unknownReference(String kind, Digest digest) {
        return new dev.stowage.core.RegistryException(dev.stowage.core.ErrorCode.MANIFEST_BLOB_UNKNOWN,
                kind + " unknown to registry: " + digest, Map.of("digest", digest.toString()));
    }

    private static void deleteReferences(Connection c, long repositoryId, Digest parent) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(
                "DELETE FROM manifest_references WHERE repository_id = ? AND parent_digest = ?")) {
            s.setLong(1, repositoryId);
            s.setString(2, parent.toString());
            s.executeUpdate();
        }
    }

    /** child digest -> kind ('blob' or 'manifest'), in the manifest's order. */
    private static Map<String, String> references(ManifestRecord manifest) {
        Map<String, String> references = new LinkedHashMap<>();
        for (Digest blob : manifest.blobs()) references.put(blob.toString(), "blob");
        for (Digest child : manifest.manifests()) references.put(child.toString(), "manifest");
        return references;
    }

    /**
     * A repeated put keeps the stored manifest (and its pushed_at) and makes its reference rows say exactly what
     * this put says. Same digest means same bytes, so usually nothing changes: the rows are compared first and only
     * the difference is written, which keeps re-pushes (common in CI) free of writes and of lock conflicts.
     */
    private static void replaceReferences(Connection c, long repositoryId, ManifestRecord manifest) throws SQLException {
        Map<String, String> wanted = references(manifest);
        Map<String, String> stored = new HashMap<>();
        try (PreparedStatement s = c.prepareStatement("SELECT child_digest, kind FROM manifest_references "
                + "WHERE repository_id = ? AND parent_digest = ?")) {
            s.setLong(1, repositoryId);
            s.setString(2, manifest.digest().toString());
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) stored.put(r.getString(1), r.getString(2));
            }
        }
        List<String> stale = new ArrayList<>();
        stored.forEach((child, kind) -> {
            if (!kind.equals(wanted.get(child))) stale.add(child);
        });
        if (!stale.isEmpty()) {
            try (PreparedStatement s = c.prepareStatement("DELETE FROM manifest_references "
                    + "WHERE repository_id = ? AND parent_digest = ? AND child_digest = ?")) {
                for (String child : stale) {
                    s.setLong(1, repositoryId);
                    s.setString(2, manifest.digest().toString());
                    s.setString(3, child);
                    s.addBatch();
                }
                s.executeBatch();
            }
            stale.forEach(stored::remove);
        }
        Map<String, String> missing = new LinkedHashMap<>(wanted);
        missing.keySet().removeAll(stored.keySet());
        insertReferences(c, repositoryId, manifest.digest(), missing);
    }

    private static void insertReferences(Connection c, long repositoryId, Digest parent, Map<String, String> references)
            throws SQLException {
        if (references.isEmpty()) return;
        try (PreparedStatement s = c.prepareStatement("INSERT INTO manifest_references (repository_id, parent_digest, "
                + "child_digest, kind) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING")) {
            for (Map.Entry<String, String> reference : references.entrySet()) {
                s.setLong(1, repositoryId);
                s.setString(2, parent.toString());
                s.setString(3, reference.getKey());
                s.setString(4, reference.getValue());
                s.addBatch();
            }
            s.executeBatch();
        }
    }

    private static final String MANIFEST_COLUMNS = "m.digest, m.media_type, m.payload, m.artifact_type, m.subject, m.pushed_at";

    private static ManifestRecord manifestOf(ResultSet r) throws SQLException {
        String subject = r.getString(5);
        return new ManifestRecord(Digest.parse(r.getString(1)), r.getString(2), r.getBytes(3), r.getString(4),
                subject == null ? null : Digest.parse(subject), List.of(), List.of(), Instant.ofEpochMilli(r.getLong(6)));
    }

    static final String FIND_MANIFEST_SQL = "SELECT " + MANIFEST_COLUMNS + " FROM repositories r "
            + "JOIN manifests m ON m.repository_id = r.id WHERE r.name = ? AND m.digest = ?";

    static final String FIND_MANIFEST_BY_TAG_SQL = "SELECT " + MANIFEST_COLUMNS + " FROM repositories r "
            + "JOIN tags t ON t.repository_id = r.id "
            + "JOIN manifests m ON m.repository_id = t.repository_id AND m.digest = t.manifest_digest "
            + "WHERE r.name = ? AND t.name = ?";

    @Override
    public Optional<ManifestRecord> findManifest(RepositoryName repository, Digest digest) {
        return findOneManifest(FIND_MANIFEST_SQL, repository, digest.toString());
    }

    @Override
    public Optional<ManifestRecord> findManifestByTag(RepositoryName repository, Tag tag) {
        return findOneManifest(FIND_MANIFEST_BY_TAG_SQL, repository, tag.value());
    }

    @Override
    public Set<Digest> findManifests(RepositoryName repository, Collection<Digest> digests) {
        return read(c -> {
            Optional<Long> repositoryId = repositoryId(c, repository);
            if (repositoryId.isEmpty()) return Set.of();
            return storedManifests(c, repositoryId.get(), digests, "");
        });
    }

    private static Set<Digest> storedManifests(Connection c, long repositoryId, Collection<Digest> digests, String lock)
            throws SQLException {
        Set<Digest> found = new HashSet<>();
        for (List<Digest> batch : batches(digests)) {
            try (PreparedStatement s = c.prepareStatement("SELECT digest FROM manifests WHERE repository_id = ? "
                    + "AND digest IN (" + placeholders(batch.size()) + ")" + lock)) {
                s.setLong(1, repositoryId);
                for (int i = 0; i < batch.size(); i++) s.setString(i + 2, batch.get(i).toString());
                Map<String, Digest> asked = byText(batch);
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) found.add(asked.get(r.getString(1)));
                }
            }
        }
        return found;
    }

    private Optional<ManifestRecord> findOneManifest(String sql, RepositoryName repository, String reference) {
        return read(c -> {
            try (PreparedStatement s = c.prepareStatement(sql)) {
                s.setString(1, repository.value());
                s.setString(2, reference);
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
            // Tags and references also go by ON DELETE CASCADE; said explicitly, so the outcome never depends on
            // whether a connection enforces foreign keys.
            try (PreparedStatement s = c.prepareStatement(
                    "DELETE FROM tags WHERE repository_id = ? AND manifest_digest = ?")) {
                s.setLong(1, repositoryId.get());
                s.setString(2, digest.toString());
                s.executeUpdate();
            }
            deleteReferences(c, repositoryId.get(), digest);
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
            try (PreparedStatement s = c.prepareStatement("UPDATE manifests SET untagged_at = ? WHERE repository_id = "
                    + "(SELECT id FROM repositories WHERE name = ?) AND digest = (SELECT t.manifest_digest FROM tags t "
                    + "JOIN repositories r ON r.id = t.repository_id WHERE r.name = ? AND t.name = ?)")) {
                s.setLong(1, System.currentTimeMillis());
                s.setString(2, repository.value());
                s.setString(3, repository.value());
                s.setString(4, tag.value());
                s.executeUpdate();
            }
            try (PreparedStatement s = c.prepareStatement("DELETE FROM tags WHERE name = ? "
                    + "AND repository_id = (SELECT id FROM repositories WHERE name = ?)")) {
                s.setString(1, tag.value());
                s.setString(2, repository.value());
                return s.executeUpdate() > 0;
            }
        });
    }

    static final String LIST_TAGS_SQL = "SELECT t.name FROM repositories r "
            + "JOIN tags t ON t.repository_id = r.id WHERE r.name = ? AND t.name > ? ORDER BY t.name LIMIT ?";

    @Override
    public List<Tag> listTags(RepositoryName repository, String after, int limit) {
        return read(c -> {
            try (PreparedStatement s = c.prepareStatement(LIST_TAGS_SQL)) {
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
    public List<Image> images(String project) {
        return read(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT r.name, m.digest, m.pushed_at, m.last_pulled_at, t.name "
                    + "FROM repositories r JOIN manifests m ON m.repository_id = r.id "
                    + "LEFT JOIN tags t ON t.repository_id = m.repository_id AND t.manifest_digest = m.digest "
                    + "WHERE " + IN_PROJECT + " AND m.subject IS NULL "
                    + "AND NOT EXISTS (SELECT 1 FROM manifest_references mr WHERE mr.repository_id = m.repository_id "
                    + "AND mr.child_digest = m.digest AND mr.kind = 'manifest') ORDER BY r.name, m.digest, t.name")) {
                setProject(s, 1, project);
                List<Image> out = new ArrayList<>();
                try (ResultSet r = s.executeQuery()) {
                    String lastKey = null;
                    List<String> tags = null;
                    while (r.next()) {
                        String key = r.getString(1) + "@" + r.getString(2);
                        if (!key.equals(lastKey)) {
                            tags = new ArrayList<>();
                            long pulled = r.getLong(4);
                            Instant lastPulled = r.wasNull() ? null : Instant.ofEpochMilli(pulled);
                            out.add(new Image(RepositoryName.of(r.getString(1)), Digest.parse(r.getString(2)), tags,
                                    Instant.ofEpochMilli(r.getLong(3)), lastPulled));
                            lastKey = key;
                        }
                        String tag = r.getString(5);
                        if (tag != null) tags.add(tag);
                    }
                }
                return out;
            }
        });
    }

    /** Repositories of a project: its name, or names under "project/" (up to "project0", '/' + 1, in byte order). */
    private static final String IN_PROJECT = "(r.name = ? OR (r.name > ? AND r.name < ?))";

    private static void setProject(PreparedStatement s, int first, String project) throws SQLException {
        s.setString(first, project);
        s.setString(first + 1, project + "/");
        s.setString(first + 2, project + "0");
    }

    /**
     * Makes the project's usage hold still until this transaction ends: every write that checks it takes this first.
     * SQLite: the write transaction already excludes every other writer (the JVM's lock, BEGIN IMMEDIATE across
     * processes). PostgreSQL: a transaction-scoped advisory lock per project, taken by every node on the database;
     * its waiters then read in READ COMMITTED, each statement seeing what the holder committed.
     */
    private void holdProjectUsage(Connection c, String project) throws SQLException {
        if (dialect == Dialect.SQLITE) return;
        try (PreparedStatement s = c.prepareStatement("SELECT pg_advisory_xact_lock(?, ?)")) {
            s.setInt(1, PROJECT_USAGE_LOCK);
            s.setInt(2, project.hashCode()); // a collision only makes two projects wait for each other
            s.executeQuery().close();
        }
    }

    /** The first key of the project-usage advisory locks, so they cannot collide with other uses of advisory locks. */
    private static final int PROJECT_USAGE_LOCK = 0x5709_0001;

    /** The project as seen inside {@code c}'s transaction; its queries fail as the transaction's statements would. */
    private static ProjectUsage usageSeenBy(Connection c, String project) {
        return new ProjectUsage() {
            @Override
            public dev.stowage.core.governance.Quota.Usage usage() {
                return inTransaction(() -> projectUsage(c, project));
            }

            @Override
            public Set<Digest> held(Collection<Digest> digests) {
                return inTransaction(() -> heldByProject(c, project, digests));
            }

            @Override
            public boolean hasManifest(RepositoryName repository, Digest digest) {
                return inTransaction(() -> {
                    try (PreparedStatement s = c.prepareStatement("SELECT 1 FROM manifests m JOIN repositories r ON "
                            + "r.id = m.repository_id WHERE r.name = ? AND m.digest = ?")) {
                        s.setString(1, repository.value());
                        s.setString(2, digest.toString());
                        try (ResultSet r = s.executeQuery()) {
                            return r.next();
                        }
                    }
                });
            }
        };
    }

    private interface Query<T> {
        T run() throws SQLException;
    }

    private static <T> T inTransaction(Query<T> query) {
        try {
            return query.run();
        } catch (SQLException e) {
            throw new MetadataException("metadata read failed", e);
        }
    }

    @Override
    public dev.stowage.core.governance.Quota.Usage projectUsage(String project) {
        return read(c -> projectUsage(c, project));
    }

    private static dev.stowage.core.governance.Quota.Usage projectUsage(Connection c, String project) throws SQLException {
        long bytes;
        long artifacts;
        // What the project's artifacts hold: each distinct blob a manifest of the project references, and each
        // distinct manifest. Blobs uploaded but in no manifest (a push under way, or one a quota refused) are
        // not counted: the collector removes them if no manifest ever comes.
        try (PreparedStatement s = c.prepareStatement("SELECT COALESCE(SUM(b.size), 0) FROM blobs b WHERE b.state = "
                + "'present' AND EXISTS (SELECT 1 FROM manifest_references mr JOIN repositories r ON r.id = "
                + "mr.repository_id WHERE mr.child_digest = b.digest AND mr.kind = 'blob' AND " + IN_PROJECT + ")")) {
            setProject(s, 1, project);
            try (ResultSet r = s.executeQuery()) {
                r.next();
                bytes = r.getLong(1);
            }
        }
        try (PreparedStatement s = c.prepareStatement("SELECT COALESCE(SUM(size), 0) FROM (SELECT DISTINCT m.digest, "
                + "m.size FROM manifests m JOIN repositories r ON r.id = m.repository_id WHERE " + IN_PROJECT + ") d")) {
            setProject(s, 1, project);
            try (ResultSet r = s.executeQuery()) {
                r.next();
                bytes += r.getLong(1);
            }
        }
        try (PreparedStatement s = c.prepareStatement("SELECT COUNT(*) FROM manifests m JOIN repositories r "
                + "ON r.id = m.repository_id WHERE " + IN_PROJECT)) {
            setProject(s, 1, project);
            try (ResultSet r = s.executeQuery()) {
                r.next();
                artifacts = r.getLong(1);
            }
        }
        return new dev.stowage.core.governance.Quota.Usage(bytes, artifacts);
    }

    @Override
    public Set<Digest> heldByProject(String project, Collection<Digest> digests) {
        return read(c -> heldByProject(c, project, digests));
    }

    private static Set<Digest> heldByProject(Connection c, String project, Collection<Digest> digests) throws SQLException {
        Set<Digest> held = new HashSet<>();
        for (List<Digest> batch : batches(digests)) {
            Map<String, Digest> asked = byText(batch);
            String in = placeholders(batch.size());
            try (PreparedStatement s = c.prepareStatement("SELECT mr.child_digest FROM manifest_references mr JOIN "
                    + "repositories r ON r.id = mr.repository_id WHERE mr.child_digest IN (" + in + ") AND mr.kind = "
                    + "'blob' AND " + IN_PROJECT + " UNION SELECT m.digest FROM manifests m JOIN repositories r ON "
                    + "r.id = m.repository_id WHERE m.digest IN (" + in + ") AND " + IN_PROJECT)) {
                int i = 1;
                for (Digest d : batch) s.setString(i++, d.toString());
                setProject(s, i, project);
                i += 3;
                for (Digest d : batch) s.setString(i++, d.toString());
                setProject(s, i, project);
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) held.add(asked.get(r.getString(1)));
                }
            }
        }
        return held;
    }

    @Override
    public void recordPulls(List<Pull> pulls) {
        write(c -> {
            try (PreparedStatement s = c.prepareStatement("UPDATE manifests SET last_pulled_at = ? WHERE digest = ? "
                    + "AND repository_id = (SELECT id FROM repositories WHERE name = ?) "
                    + "AND (last_pulled_at IS NULL OR last_pulled_at < ?)")) {
                for (Pull pull : pulls) {
                    s.setLong(1, millis(pull.at()));
                    s.setString(2, pull.digest().toString());
                    s.setString(3, pull.repository().value());
                    s.setLong(4, millis(pull.at()));
                    s.addBatch();
                }
                s.executeBatch();
            }
            return null;
        });
    }

    @Override
    public Optional<Instant> lastPulled(RepositoryName repository, Digest digest) {
        return read(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT m.last_pulled_at FROM manifests m JOIN repositories r "
                    + "ON r.id = m.repository_id WHERE r.name = ? AND m.digest = ?")) {
                s.setString(1, repository.value());
                s.setString(2, digest.toString());
                try (ResultSet r = s.executeQuery()) {
                    if (!r.next()) return Optional.empty();
                    long at = r.getLong(1);
                    return r.wasNull() ? Optional.empty() : Optional.of(Instant.ofEpochMilli(at));
                }
            }
        });
    }

    @Override
    public List<Tag> tagsOf(RepositoryName repository, Digest manifest) {
        return read(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT t.name FROM repositories r JOIN tags t "
                    + "ON t.repository_id = r.id WHERE r.name = ? AND t.manifest_digest = ? ORDER BY t.name")) {
                s.setString(1, repository.value());
                s.setString(2, manifest.toString());
                List<Tag> tags = new ArrayList<>();
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) tags.add(Tag.of(r.getString(1)));
                }
                return tags;
            }
        });
    }

    @Override
    public List<Tag> tagsOfImagesUsing(RepositoryName repository, Digest blob) {
        return read(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT DISTINCT t.name FROM repositories r "
                    + "JOIN manifest_references m ON m.repository_id = r.id AND m.child_digest = ? AND m.kind = 'blob' "
                    + "LEFT JOIN manifest_references i ON i.repository_id = r.id AND i.child_digest = m.parent_digest "
                    + "AND i.kind = 'manifest' "
                    + "JOIN tags t ON t.repository_id = r.id AND (t.manifest_digest = m.parent_digest "
                    + "OR t.manifest_digest = i.parent_digest) "
                    + "WHERE r.name = ? ORDER BY t.name")) {
                s.setString(1, blob.toString());
                s.setString(2, repository.value());
                List<Tag> tags = new ArrayList<>();
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) tags.add(Tag.of(r.getString(1)));
                }
                return tags;
            }
        });
    }

    static final String FIND_REFERRERS_SQL = "SELECT " + MANIFEST_COLUMNS + " FROM repositories r "
            + "JOIN manifests m ON m.repository_id = r.id WHERE r.name = ? AND m.subject = ?";

    @Override
    public List<ManifestRecord> findReferrers(RepositoryName repository, Digest subject, Optional<String> artifactType) {
        return read(c -> {
            String sql = FIND_REFERRERS_SQL + (artifactType.isPresent() ? " AND m.artifact_type = ?" : "")
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
