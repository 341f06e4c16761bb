package dev.stowage.scanner;

import dev.stowage.core.Digest;
import dev.stowage.core.RepositoryName;
import dev.stowage.metadata.JdbcMetadataStore;
import dev.stowage.scanning.vuln.Severity;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The scanner's tables in the metadata database, through its pool and write path. Claiming a job is one write: select
 * the oldest due row ({@code FOR UPDATE SKIP LOCKED} on PostgreSQL, so nodes take different rows), then move its
 * {@code next_attempt_at} to the end of the lease; the lease end is the claim's fencing token when the job finishes.
 */
public final class JdbcScanStore implements ScanStore {
    /** The scanner's own migrations ({@link JdbcMetadataStore#migrate}), run before the store is used. */
    public static final String MIGRATIONS = "db/scanner";

    /** An allowlist entry without expiry (every real expiry, 1970 to 9999, is a smaller number of milliseconds). */
    private static final long NEVER = Long.MAX_VALUE;

    private final JdbcMetadataStore db;
    private final boolean postgres;

    public JdbcScanStore(JdbcMetadataStore db) {
        this.db = db;
        this.postgres = db.dialect().equals("postgresql");
        db.ownedByProject("scan_project_policies", "project");
        db.ownedByProject("scan_allowlist", "scope");
    }

    /** Opens the store on a database, migrating its tables first (for tools and tests; a node migrates at start). */
    public static JdbcScanStore migrated(JdbcMetadataStore db) {
        db.migrate("scanner", MIGRATIONS);
        return new JdbcScanStore(db);
    }

    // --- vulnerability data ------------------------------------------------------------------------------

    @Override
    public Map<String, String> documentHashes(String source) {
        return db.read(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT id, sha256 FROM vuln_records WHERE source = ?")) {
                s.setString(1, source);
                Map<String, String> out = new HashMap<>();
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) out.put(r.getString(1), r.getString(2));
                }
                return out;
            }
        });
    }

    @Override
    public void putDocuments(String source, List<VulnerabilityDocument> documents, Instant now) {
        if (documents.isEmpty()) return;
        db.write(c -> {
            try (PreparedStatement s = c.prepareStatement("INSERT INTO vuln_records (id, source, modified, sha256, document, "
                    + "imported_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET source = excluded.source, "
                    + "modified = excluded.modified, sha256 = excluded.sha256, document = excluded.document, "
                    + "imported_at = excluded.imported_at")) {
                for (VulnerabilityDocument d : documents) {
                    s.setString(1, d.id());
                    s.setString(2, source);
                    s.setLong(3, d.modified().toEpochMilli());
                    s.setString(4, d.sha256());
                    s.setBytes(5, d.document());
                    s.setLong(6, now.toEpochMilli());
                    s.addBatch();
                }
                s.executeBatch();
            }
            return null;
        });
    }

    @Override
    public void removeDocuments(String source, List<String> ids) {
        if (ids.isEmpty()) return;
        db.write(c -> {
            try (PreparedStatement s = c.prepareStatement("DELETE FROM vuln_records WHERE source = ? AND id = ?")) {
                for (String id : ids) {
                    s.setString(1, source);
                    s.setString(2, id);
                    s.addBatch();
                }
                s.executeBatch();
            }
            return null;
        });
    }

    @Override
    public Generation finishImport(String source, String origin, Instant newestModified, boolean changed, Instant now) {
        return db.write(c -> {
            int count;
            try (PreparedStatement s = c.prepareStatement("SELECT COUNT(*) FROM vuln_records WHERE source = ?")) {
                s.setString(1, source);
                try (ResultSet r = s.executeQuery()) {
                    r.next();
                    count = r.getInt(1);
                }
            }
            try (PreparedStatement s = c.prepareStatement("INSERT INTO vuln_sources (source, origin, imported_at, "
                    + "newest_modified, records) VALUES (?, ?, ?, ?, ?) ON CONFLICT (source) DO UPDATE SET "
                    + "origin = excluded.origin, imported_at = excluded.imported_at, "
                    + "newest_modified = excluded.newest_modified, records = excluded.records")) {
                s.setString(1, source);
                s.setString(2, origin);
                s.setLong(3, now.toEpochMilli());
                s.setLong(4, newestModified.toEpochMilli());
                s.setInt(5, count);
                s.executeUpdate();
            }
            if (changed) {
                try (PreparedStatement s = c.prepareStatement(
                        "UPDATE vuln_generation SET generation = generation + 1, changed_at = ? WHERE id = 1")) {
                    s.setLong(1, now.toEpochMilli());
                    s.executeUpdate();
                }
            }
            return generation(c);
        });
    }

    @Override
    public void forEachDocument(Consumer<byte[]> document) {
        db.read(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT document FROM vuln_records")) {
                s.setFetchSize(500);
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) document.accept(r.getBytes(1));
                }
            }
            return null;
        });
    }

    @Override
    public List<SourceStatus> sources() {
        return db.read(c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "SELECT source, origin, imported_at, newest_modified, records FROM vuln_sources ORDER BY source")) {
                List<SourceStatus> out = new ArrayList<>();
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        out.add(new SourceStatus(r.getString(1), r.getString(2), Instant.ofEpochMilli(r.getLong(3)),
                                Instant.ofEpochMilli(r.getLong(4)), r.getInt(5)));
                    }
                }
                return out;
            }
        });
    }

    @Override
    public Generation generation() {
        return db.read(JdbcScanStore::generation);
    }

    private static Generation generation(Connection c) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT generation, changed_at FROM vuln_generation WHERE id = 1");
             ResultSet r = s.executeQuery()) {
            r.next();
            return new Generation(r.getLong(1), Instant.ofEpochMilli(r.getLong(2)));
        }
    }

    // --- inventories and reports -------------------------------------------------------------------------

    @Override
    public void putInventory(Digest manifest, byte[] gzippedJson, Instant now) {
        db.write(c -> {
            try (PreparedStatement s = c.prepareStatement("INSERT INTO scan_inventories (manifest_digest, inventory, "
                    + "created_at) VALUES (?, ?, ?) ON CONFLICT (manifest_digest) DO UPDATE SET "
                    + "inventory = excluded.inventory, created_at = excluded.created_at")) {
                s.setString(1, manifest.toString());
                s.setBytes(2, gzippedJson);
                s.setLong(3, now.toEpochMilli());
                s.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public Optional<byte[]> inventory(Digest manifest) {
        return db.read(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT inventory FROM scan_inventories WHERE manifest_digest = ?")) {
                s.setString(1, manifest.toString());
                try (ResultSet r = s.executeQuery()) {
                    return r.next() ? Optional.of(r.getBytes(1)) : Optional.empty();
                }
            }
        });
    }

    @Override
    public void putReport(StoredReport report) {
        db.write(c -> {
            try (PreparedStatement s = c.prepareStatement("INSERT INTO scan_reports (manifest_digest, repository, status, "
                    + "scanner, db_generation, critical, high, medium, low, unknown, report, error, updated_at) "
                    + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (manifest_digest) DO UPDATE SET "
                    + "repository = excluded.repository, status = excluded.status, scanner = excluded.scanner, db_generation = excluded.db_generation, "
                    + "critical = excluded.critical, high = excluded.high, medium = excluded.medium, low = excluded.low, "
                    + "unknown = excluded.unknown, report = excluded.report, error = excluded.error, "
                    + "updated_at = excluded.updated_at")) {
                s.setString(1, report.manifest().toString());
                s.setString(2, report.repository().value());
                s.setString(3, report.status().name());
                s.setString(4, report.scanner());
                s.setLong(5, report.generation());
                SeverityCounts n = report.counts();
                s.setInt(6, n.critical());
                s.setInt(7, n.high());
                s.setInt(8, n.medium());
                s.setInt(9, n.low());
                s.setInt(10, n.unknown());
                s.setBytes(11, report.report().orElse(null));
                s.setString(12, report.error());
                s.setLong(13, report.updatedAt().toEpochMilli());
                s.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public void markStatus(RepositoryName repository, Digest manifest, Status status, Instant now) {
        db.write(c -> {
            try (PreparedStatement s = c.prepareStatement("INSERT INTO scan_reports (manifest_digest, repository, status, "
                    + "scanner, db_generation, critical, high, medium, low, unknown, report, error, updated_at) "
                    + "VALUES (?, ?, ?, '', -1, 0, 0, 0, 0, 0, NULL, '', ?) ON CONFLICT (manifest_digest) DO UPDATE SET "
                    + "status = excluded.status, updated_at = excluded.updated_at")) {
                s.setString(1, manifest.toString());
                s.setString(2, repository.value());
                s.setString(3, status.name());
                s.setLong(4, now.toEpochMilli());
                s.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public Optional<StoredReport> report(Digest manifest) {
        return db.read(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT status, scanner, db_generation, critical, high, medium, "
                    + "low, unknown, report, error, updated_at, repository FROM scan_reports WHERE manifest_digest = ?")) {
                s.setString(1, manifest.toString());
                try (ResultSet r = s.executeQuery()) {
                    if (!r.next()) return Optional.empty();
                    return Optional.of(new StoredReport(manifest, RepositoryName.of(r.getString(12)),
                            Status.valueOf(r.getString(1)), r.getString(2),
                            r.getLong(3), new SeverityCounts(r.getInt(4), r.getInt(5), r.getInt(6), r.getInt(7),
                            r.getInt(8)), Optional.ofNullable(r.getBytes(9)), r.getString(10),
                            Instant.ofEpochMilli(r.getLong(11))));
                }
            }
        });
    }

    @Override
    public List<Behind> reportsBehind(long generation, Optional<Digest> after, int limit) {
        return db.read(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT r.repository, r.manifest_digest, "
                    + "i.manifest_digest IS NOT NULL FROM scan_reports r "
                    + "LEFT JOIN scan_inventories i ON i.manifest_digest = r.manifest_digest "
                    + "WHERE r.status = 'COMPLETED' AND r.scanner = 'stowage' AND r.db_generation >= 0 "
                    + "AND r.db_generation < ? AND r.manifest_digest > ? ORDER BY r.manifest_digest LIMIT ?")) {
                s.setLong(1, generation);
                s.setString(2, after.map(Digest::toString).orElse(""));
                s.setInt(3, limit);
                List<Behind> out = new ArrayList<>();
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        out.add(new Behind(RepositoryName.of(r.getString(1)), Digest.parse(r.getString(2)), r.getBoolean(3)));
                    }
                }
                return out;
            }
        });
    }

    @Override
    public boolean claimRematch(Instant now, Duration leaseFor) {
        return db.write(c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "UPDATE vuln_generation SET rematch_lease_until = ? WHERE id = 1 AND rematch_lease_until < ?")) {
                s.setLong(1, now.plus(leaseFor).toEpochMilli());
                s.setLong(2, now.toEpochMilli());
                return s.executeUpdate() == 1;
            }
        });
    }

    @Override
    public void releaseRematch() {
        db.write(c -> {
            try (PreparedStatement s = c.prepareStatement("UPDATE vuln_generation SET rematch_lease_until = 0 WHERE id = 1")) {
                return s.executeUpdate();
            }
        });
    }

    // --- the queue ---------------------------------------------------------------------------------------

    @Override
    public boolean enqueue(RepositoryName repository, Digest manifest, String reason, Instant now) {
        return db.write(c -> {
            try (PreparedStatement s = c.prepareStatement("INSERT INTO scan_jobs (repository, manifest_digest, reason, "
                    + "attempts, next_attempt_at, created_at) VALUES (?, ?, ?, 0, ?, ?) "
                    + "ON CONFLICT (repository, manifest_digest) DO NOTHING")) {
                s.setString(1, repository.value());
                s.setString(2, manifest.toString());
                s.setString(3, reason);
                s.setLong(4, now.toEpochMilli());
                s.setLong(5, now.toEpochMilli());
                return s.executeUpdate() == 1;
            }
        });
    }

    @Override
    public Optional<Job> claim(Instant now, Duration leaseFor) {
        return db.write(c -> {
            Job due;
            try (PreparedStatement s = c.prepareStatement("SELECT repository, manifest_digest, reason, attempts FROM scan_jobs "
                    + "WHERE next_attempt_at <= ? ORDER BY next_attempt_at, created_at LIMIT 1"
                    + (postgres ? " FOR UPDATE SKIP LOCKED" : ""))) {
                s.setLong(1, now.toEpochMilli());
                try (ResultSet r = s.executeQuery()) {
                    if (!r.next()) return Optional.<Job>empty();
                    due = new Job(RepositoryName.of(r.getString(1)), Digest.parse(r.getString(2)), r.getString(3),
                            r.getInt(4) + 1, now.plus(leaseFor));
                }
            }
            try (PreparedStatement s = c.prepareStatement("UPDATE scan_jobs SET attempts = ?, next_attempt_at = ? "
                    + "WHERE repository = ? AND manifest_digest = ?")) {
                s.setInt(1, due.attempts());
                s.setLong(2, due.leaseUntil().toEpochMilli());
                s.setString(3, due.repository().value());
                s.setString(4, due.manifest().toString());
                s.executeUpdate();
            }
            return Optional.of(due);
        });
    }

    @Override
    public void finish(Job job) {
        db.write(c -> {
            try (PreparedStatement s = c.prepareStatement("DELETE FROM scan_jobs WHERE repository = ? AND manifest_digest = ? "
                    + "AND next_attempt_at = ? AND attempts = ?")) {
                s.setString(1, job.repository().value());
                s.setString(2, job.manifest().toString());
                s.setLong(3, job.leaseUntil().toEpochMilli());
                s.setInt(4, job.attempts());
                return s.executeUpdate();
            }
        });
    }

    @Override
    public void retry(Job job, Instant next) {
        db.write(c -> {
            try (PreparedStatement s = c.prepareStatement("UPDATE scan_jobs SET next_attempt_at = ? WHERE repository = ? "
                    + "AND manifest_digest = ? AND next_attempt_at = ? AND attempts = ?")) {
                s.setLong(1, next.toEpochMilli());
                s.setString(2, job.repository().value());
                s.setString(3, job.manifest().toString());
                s.setLong(4, job.leaseUntil().toEpochMilli());
                s.setInt(5, job.attempts());
                return s.executeUpdate();
            }
        });
    }

    @Override
    public int queued() {
        return db.read(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT COUNT(*) FROM scan_jobs"); ResultSet r = s.executeQuery()) {
                r.next();
                return r.getInt(1);
            }
        });
    }

    // --- policies ----------------------------------------------------------------------------------------

    @Override
    public Optional<ProjectScanPolicy> policy(String project) {
        return Optional.ofNullable(policies(project).get(project));
    }

    @Override
    public Map<String, ProjectScanPolicy> policies() {
        return policies(null);
    }

    private Map<String, ProjectScanPolicy> policies(String only) {
        return db.read(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT project, scan_on_push, prevent_severity, prevent_unscanned "
                    + "FROM scan_project_policies" + (only == null ? "" : " WHERE project = ?"))) {
                if (only != null) s.setString(1, only);
                Map<String, ProjectScanPolicy> out = new LinkedHashMap<>();
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        String severity = r.getString(3);
                        out.put(r.getString(1), new ProjectScanPolicy(r.getInt(2) == 1,
                                severity.isEmpty() ? Optional.empty() : Optional.of(Severity.valueOf(severity)),
                                r.getInt(4) == 1));
                    }
                }
                return out;
            }
        });
    }

    @Override
    public void putPolicy(String project, ProjectScanPolicy policy, Instant now) {
        db.write(c -> {
            try (PreparedStatement s = c.prepareStatement("INSERT INTO scan_project_policies (project, scan_on_push, "
                    + "prevent_severity, prevent_unscanned, updated_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (project) "
                    + "DO UPDATE SET scan_on_push = excluded.scan_on_push, prevent_severity = excluded.prevent_severity, "
                    + "prevent_unscanned = excluded.prevent_unscanned, updated_at = excluded.updated_at")) {
                s.setString(1, project);
                s.setInt(2, policy.scanOnPush() ? 1 : 0);
                s.setString(3, policy.preventSeverity().map(Enum::name).orElse(""));
                s.setInt(4, policy.preventUnscanned() ? 1 : 0);
                s.setLong(5, now.toEpochMilli());
                s.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public List<AllowlistEntry> allowlist(String scope) {
        return db.read(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT vulnerability, expires_at, comment FROM scan_allowlist "
                    + "WHERE scope = ? ORDER BY vulnerability")) {
                s.setString(1, scope);
                List<AllowlistEntry> out = new ArrayList<>();
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        long expires = r.getLong(2);
                        out.add(new AllowlistEntry(r.getString(1), expires == NEVER ? Optional.empty()
                                : Optional.of(Instant.ofEpochMilli(expires)), r.getString(3)));
                    }
                }
                return out;
            }
        });
    }

    @Override
    public void replaceAllowlist(String scope, List<AllowlistEntry> entries) {
        db.write(c -> {
            try (PreparedStatement s = c.prepareStatement("DELETE FROM scan_allowlist WHERE scope = ?")) {
                s.setString(1, scope);
                s.executeUpdate();
            }
            try (PreparedStatement s = c.prepareStatement(
                    "INSERT INTO scan_allowlist (scope, vulnerability, expires_at, comment) VALUES (?, ?, ?, ?)")) {
                for (AllowlistEntry e : entries) {
                    s.setString(1, scope);
                    s.setString(2, e.vulnerability());
                    s.setLong(3, e.expiresAt().map(Instant::toEpochMilli).orElse(NEVER));
                    s.setString(4, e.comment());
                    s.addBatch();
                }
                s.executeBatch();
            }
            return null;
        });
    }
}
