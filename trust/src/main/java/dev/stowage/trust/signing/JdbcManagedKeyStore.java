package dev.stowage.trust.signing;

import dev.stowage.core.spi.SecretSealer;
import dev.stowage.metadata.JdbcMetadataStore;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Managed signing's store in the metadata database ({@code db/signing}, history {@code flyway_signing_history}).
 * Private keys are sealed with the node's secrets key and bound to their row ({@code table.column:id}), so a sealed
 * key copied into another row does not open; public keys and certificates are PEM.
 */
public final class JdbcManagedKeyStore implements ManagedKeyStore {
    /** Managed signing's own migrations ({@link JdbcMetadataStore#migrate}). */
    public static final String MIGRATIONS = "db/signing";
    private static final String KEY_COLUMNS = "id, project, state, public_key, certificate_chain, created_at, retired_at";

    private final JdbcMetadataStore db;
    private final SecretSealer sealer;

    public JdbcManagedKeyStore(JdbcMetadataStore db, SecretSealer sealer) {
        this.db = db;
        this.sealer = sealer;
        for (String table : List.of("managed_signing_keys", "managed_signing_roots", "managed_signing_settings")) {
            db.ownedByProject(table, "project");
        }
    }

    /** Opens the store on a database, migrating its tables first (for tools and tests; a node migrates at start). */
    public static JdbcManagedKeyStore migrated(JdbcMetadataStore db, SecretSealer sealer) {
        db.migrate("signing", MIGRATIONS);
        return new JdbcManagedKeyStore(db, sealer);
    }

    private static String keyWhere(String id) {
        return "managed_signing_keys.private_key:" + id;
    }

    private static String rootWhere(String project) {
        return "managed_signing_roots.private_key:" + project;
    }

    @Override
    public boolean enabled(String project) {
        return db.read(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT enabled FROM managed_signing_settings WHERE project = ?")) {
                s.setString(1, project);
                try (ResultSet r = s.executeQuery()) {
                    return r.next() && r.getInt(1) == 1;
                }
            }
        });
    }

    @Override
    public Set<String> enabledProjects() {
        return db.read(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT project FROM managed_signing_settings WHERE enabled = 1");
                 ResultSet r = s.executeQuery()) {
                Set<String> out = new HashSet<>();
                while (r.next()) out.add(r.getString(1));
                return out;
            }
        });
    }

    @Override
    public void setEnabled(String project, boolean enabled, Instant now) {
        db.write(c -> {
            try (PreparedStatement s = c.prepareStatement("INSERT INTO managed_signing_settings (project, enabled, updated_at) "
                    + "VALUES (?, ?, ?) ON CONFLICT (project) DO UPDATE SET enabled = excluded.enabled, "
                    + "updated_at = excluded.updated_at")) {
                s.setString(1, project);
                s.setInt(2, enabled ? 1 : 0);
                s.setLong(3, now.toEpochMilli());
                return s.executeUpdate();
            }
        });
    }

    @Override
    public Optional<ProjectRoot> root(String project) {
        return db.read(c -> root(c, project));
    }

    private Optional<ProjectRoot> root(Connection c, String project) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(
                "SELECT private_key, certificate, created_at FROM managed_signing_roots WHERE project = ?")) {
            s.setString(1, project);
            try (ResultSet r = s.executeQuery()) {
                if (!r.next()) return Optional.empty();
                return Optional.of(new ProjectRoot(project, Pem.readPkcs8(sealer.open(r.getString(1), rootWhere(project))),
                        Pem.readCertificates(r.getString(2)).getFirst(), Instant.ofEpochMilli(r.getLong(3))));
            }
        }
    }

    @Override
    public ProjectRoot putRootIfAbsent(ProjectRoot root) {
        return db.write(c -> {
            try (PreparedStatement s = c.prepareStatement("INSERT INTO managed_signing_roots (project, private_key, certificate, "
                    + "created_at) VALUES (?, ?, ?, ?) ON CONFLICT (project) DO NOTHING")) {
                s.setString(1, root.project());
                s.setString(2, sealer.seal(Pem.pkcs8(root.privateKey()), rootWhere(root.project())));
                s.setString(3, Pem.certificates(List.of(root.certificate())));
                s.setLong(4, root.createdAt().toEpochMilli());
                s.executeUpdate();
            }
            return root(c, root.project()).orElseThrow();
        });
    }

    @Override
    public List<ManagedKey> keys(String project) {
        return db.read(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT " + KEY_COLUMNS + " FROM managed_signing_keys WHERE project = ? "
                    + "ORDER BY created_at DESC, id")) {
                s.setString(1, project);
                try (ResultSet r = s.executeQuery()) {
                    List<ManagedKey> out = new ArrayList<>();
                    while (r.next()) out.add(key(r));
                    return out;
                }
            }
        });
    }

    private static ManagedKey key(ResultSet r) throws SQLException {
        long retired = r.getLong(7);
        Optional<Instant> retiredAt = r.wasNull() ? Optional.empty() : Optional.of(Instant.ofEpochMilli(retired));
        return new ManagedKey(r.getString(1), r.getString(2), ManagedKey.State.valueOf(r.getString(3)),
                Pem.readPublicKey(r.getString(4)), Pem.readCertificates(r.getString(5)),
                Instant.ofEpochMilli(r.getLong(6)), retiredAt);
    }

    @Override
    public Optional<SigningKey> activeKey(String project) {
        return db.read(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT " + KEY_COLUMNS + ", private_key FROM managed_signing_keys "
                    + "WHERE project = ? AND state = 'ACTIVE'")) {
                s.setString(1, project);
                try (ResultSet r = s.executeQuery()) {
                    if (!r.next()) return Optional.<SigningKey>empty();
                    ManagedKey key = key(r);
                    return Optional.of(new SigningKey(key, Pem.readPkcs8(sealer.open(r.getString(8), keyWhere(key.id())))));
                }
            }
        });
    }

    @Override
    public boolean addIfNoActiveKey(SigningKey key) {
        return db.write(c -> {
            if (activeId(c, key.key().project()).isPresent()) return false;
            return insert(c, key);
        });
    }

    @Override
    public boolean rotate(String project, String current, SigningKey next, Instant now) {
        return db.write(c -> {
            if (!activeId(c, project).equals(Optional.of(current))) return false;
            try (PreparedStatement s = c.prepareStatement("UPDATE managed_signing_keys SET state = 'RETIRED', retired_at = ? "
                    + "WHERE id = ? AND project = ? AND state = 'ACTIVE'")) {
                s.setLong(1, now.toEpochMilli());
                s.setString(2, current);
                s.setString(3, project);
                if (s.executeUpdate() != 1) return false;
            }
            if (!insert(c, next)) throw new SQLException("the new key of " + project + " was not stored");
            return true;
        });
    }

    private static Optional<String> activeId(Connection c, String project) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(
                "SELECT id FROM managed_signing_keys WHERE project = ? AND state = 'ACTIVE'")) {
            s.setString(1, project);
            try (ResultSet r = s.executeQuery()) {
                return r.next() ? Optional.of(r.getString(1)) : Optional.empty();
            }
        }
    }

    private boolean insert(Connection c, SigningKey signing) throws SQLException {
        ManagedKey key = signing.key();
        if (key.state() != ManagedKey.State.ACTIVE) throw new IllegalArgumentException("a new key is active");
        // ON CONFLICT: two nodes adding a first key at once meet at the one-active index; the loser writes nothing
        try (PreparedStatement s = c.prepareStatement("INSERT INTO managed_signing_keys (id, project, state, private_key, "
                + "public_key, certificate_chain, created_at, retired_at) VALUES (?, ?, 'ACTIVE', ?, ?, ?, ?, NULL) "
                + "ON CONFLICT DO NOTHING")) {
            s.setString(1, key.id());
            s.setString(2, key.project());
            s.setString(3, sealer.seal(Pem.pkcs8(signing.privateKey()), keyWhere(key.id())));
            s.setString(4, Pem.publicKey(key.publicKey()));
            s.setString(5, Pem.certificates(key.chain()));
            s.setLong(6, key.createdAt().toEpochMilli());
            return s.executeUpdate() == 1;
        }
    }
}
