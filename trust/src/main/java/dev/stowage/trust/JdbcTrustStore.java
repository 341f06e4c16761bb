package dev.stowage.trust;

import dev.stowage.core.Digest;
import dev.stowage.core.RepositoryName;
import dev.stowage.metadata.JdbcMetadataStore;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The trust capability's tables in the metadata database, through its pool and write path. */
public final class JdbcTrustStore implements TrustStore {
    /** The capability's own migrations ({@link JdbcMetadataStore#migrate}). */
    public static final String MIGRATIONS = "db/trust";

    private final JdbcMetadataStore db;

    public JdbcTrustStore(JdbcMetadataStore db) {
        this.db = db;
        // a project made later under the same name inherits neither the policy nor the results
        db.ownedByProject("trust_policies", "project");
        db.ownedByProject("trust_results", "project");
    }

    /** Opens the store on a database, migrating its tables first (for tools and tests; a node migrates at start). */
    public static JdbcTrustStore migrated(JdbcMetadataStore db) {
        db.migrate("trust", MIGRATIONS);
        return new JdbcTrustStore(db);
    }

    // --- policies -----------------------------------------------------------------------------------------------

    @Override
    public Map<String, StoredPolicy> policies() {
        return db.read(c -> policies(c, null));
    }

    @Override
    public Optional<StoredPolicy> policy(String project) {
        return db.read(c -> Optional.ofNullable(policies(c, project).get(project)));
    }

    private static Map<String, StoredPolicy> policies(Connection c, String only) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT project, document, version, updated_at FROM trust_policies"
                + (only == null ? "" : " WHERE project = ?"))) {
            if (only != null) s.setString(1, only);
            Map<String, StoredPolicy> out = new LinkedHashMap<>();
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    out.put(r.getString(1), new StoredPolicy(r.getString(1), r.getString(2), r.getLong(3),
                            Instant.ofEpochMilli(r.getLong(4))));
                }
            }
            return out;
        }
    }

    @Override
    public StoredPolicy putPolicy(String project, String document, Instant now) {
        return db.write(c -> {
            try (PreparedStatement s = c.prepareStatement("INSERT INTO trust_policies (project, document, version, "
                    + "updated_at) VALUES (?, ?, 1, ?) ON CONFLICT (project) DO UPDATE SET document = excluded.document, "
                    + "version = trust_policies.version + 1, updated_at = excluded.updated_at")) {
                s.setString(1, project);
                s.setString(2, document);
                s.setLong(3, now.toEpochMilli());
                s.executeUpdate();
            }
            return policies(c, project).get(project);
        });
    }

    // --- roots --------------------------------------------------------------------------------------------------

    @Override
    public List<StoredRoot> roots() {
        return db.read(c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "SELECT name, document, installed_at FROM trust_sigstore_roots ORDER BY name")) {
                List<StoredRoot> out = new ArrayList<>();
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) out.add(new StoredRoot(r.getString(1), r.getString(2), Instant.ofEpochMilli(r.getLong(3))));
                }
                return out;
            }
        });
    }

    @Override
    public void putRoot(String name, String document, Instant now) {
        db.write(c -> {
            try (PreparedStatement s = c.prepareStatement("INSERT INTO trust_sigstore_roots (name, document, installed_at) "
                    + "VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET document = excluded.document, "
                    + "installed_at = excluded.installed_at")) {
                s.setString(1, name);
                s.setString(2, document);
                s.setLong(3, now.toEpochMilli());
                s.executeUpdate();
            }
            raiseRootsGeneration(c);
            return null;
        });
    }

    @Override
    public boolean deleteRoot(String name) {
        return db.write(c -> {
            int removed;
            try (PreparedStatement s = c.prepareStatement("DELETE FROM trust_sigstore_roots WHERE name = ?")) {
                s.setString(1, name);
                removed = s.executeUpdate();
            }
            if (removed > 0) raiseRootsGeneration(c);
            return removed > 0;
        });
    }

    private static void raiseRootsGeneration(Connection c) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(
                "UPDATE trust_roots_generation SET generation = generation + 1 WHERE id = 1")) {
            s.executeUpdate();
        }
    }

    @Override
    public long rootsGeneration() {
        return db.read(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT generation FROM trust_roots_generation WHERE id = 1");
                 ResultSet r = s.executeQuery()) {
                r.next();
                return r.getLong(1);
            }
        });
    }

    // --- results ------------------------------------------------------------------------------------------------

    @Override
    public void putResult(VerificationResult result) {
        db.write(c -> {
            try (PreparedStatement s = c.prepareStatement("INSERT INTO trust_results (repository, manifest_digest, project, "
                    + "status, checks, policy_version, roots_version, computed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
                    + "ON CONFLICT (repository, manifest_digest) DO UPDATE SET status = excluded.status, "
                    + "checks = excluded.checks, policy_version = excluded.policy_version, "
                    + "roots_version = excluded.roots_version, computed_at = excluded.computed_at")) {
                s.setString(1, result.repository().value());
                s.setString(2, result.manifest().toString());
                s.setString(3, result.repository().project());
                s.setString(4, result.status().name());
                s.setString(5, VerificationResult.checksJson(result.checks()));
                s.setLong(6, result.policyVersion());
                s.setLong(7, result.rootsVersion());
                s.setLong(8, result.computedAt().toEpochMilli());
                s.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public Optional<VerificationResult> result(RepositoryName repository, Digest manifest) {
        return db.read(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT status, checks, policy_version, roots_version, computed_at "
                    + "FROM trust_results WHERE repository = ? AND manifest_digest = ?")) {
                s.setString(1, repository.value());
                s.setString(2, manifest.toString());
                try (ResultSet r = s.executeQuery()) {
                    if (!r.next()) return Optional.empty();
                    return Optional.of(new VerificationResult(repository, manifest,
                            VerificationResult.Status.valueOf(r.getString(1)), VerificationResult.parseChecks(r.getString(2)),
                            r.getLong(3), r.getLong(4), Instant.ofEpochMilli(r.getLong(5))));
                }
            }
        });
    }

    @Override
    public void deleteResult(RepositoryName repository, Digest manifest) {
        db.write(c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "DELETE FROM trust_results WHERE repository = ? AND manifest_digest = ?")) {
                s.setString(1, repository.value());
                s.setString(2, manifest.toString());
                s.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public List<ResultKey> results(Optional<String> project, Optional<ResultKey> after, int limit) {
        return db.read(c -> {
            StringBuilder sql = new StringBuilder("SELECT repository, manifest_digest FROM trust_results WHERE 1 = 1");
            if (project.isPresent()) sql.append(" AND project = ?");
            if (after.isPresent()) sql.append(" AND (repository > ? OR (repository = ? AND manifest_digest > ?))");
            sql.append(" ORDER BY repository, manifest_digest LIMIT ?");
            try (PreparedStatement s = c.prepareStatement(sql.toString())) {
                int i = 1;
                if (project.isPresent()) s.setString(i++, project.get());
                if (after.isPresent()) {
                    s.setString(i++, after.get().repository().value());
                    s.setString(i++, after.get().repository().value());
                    s.setString(i++, after.get().manifest().toString());
                }
                s.setInt(i, limit);
                List<ResultKey> out = new ArrayList<>();
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) out.add(new ResultKey(RepositoryName.of(r.getString(1)), Digest.parse(r.getString(2))));
                }
                return out;
            }
        });
    }

    @Override
    public List<Digest> resultsCiting(RepositoryName repository, Digest artifact, int limit) {
        return db.read(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT manifest_digest FROM trust_results WHERE repository = ? "
                    + "AND checks LIKE ? ORDER BY manifest_digest LIMIT ?")) {
                s.setString(1, repository.value());
                s.setString(2, "%\"" + artifact + "\"%"); // digests hold no LIKE wildcard
                s.setInt(3, limit);
                List<Digest> out = new ArrayList<>();
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) out.add(Digest.parse(r.getString(1)));
                }
                return out;
            }
        });
    }

    /** Reads the registry's own reference table (parent index -> child manifest); it never writes it. */
    @Override
    public List<Digest> indexesListing(RepositoryName repository, Digest manifest, int limit) {
        return db.read(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT mr.parent_digest FROM manifest_references mr "
                    + "JOIN repositories r ON r.id = mr.repository_id WHERE r.name = ? AND mr.child_digest = ? "
                    + "AND mr.kind = 'manifest' ORDER BY mr.parent_digest LIMIT ?")) {
                s.setString(1, repository.value());
                s.setString(2, manifest.toString());
                s.setInt(3, limit);
                List<Digest> out = new ArrayList<>();
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) out.add(Digest.parse(r.getString(1)));
                }
                return out;
            }
        });
    }
}
