package dev.stowage.scanner;

import dev.stowage.core.spi.SecretSealer;
import dev.stowage.metadata.JdbcMetadataStore;
import dev.stowage.scanning.external.AdapterAuthentication;
import dev.stowage.scanning.external.ScannerAdapterRegistration;

import java.net.URI;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Scanner adapters in the metadata database ({@code V2__scanner_adapters.sql}). Secrets are sealed like webhook
 * secrets (they must stay readable: Stowage sends them to the adapter), bound to their row, so a sealed value copied
 * to another row does not open.
 */
public final class JdbcScannerAdapterStore implements ScannerAdapterStore {
    private static final String COLUMNS = "name, url, auth, secret, skip_tls_verify, description, created_at, updated_at";

    private final JdbcMetadataStore db;
    private final SecretSealer sealer;

    public JdbcScannerAdapterStore(JdbcMetadataStore db, SecretSealer sealer) {
        this.db = db;
        this.sealer = sealer;
        db.ownedByProject("scanner_project_choice", "project");
    }

    private static String secretWhere(String name) {
        return "scanner_adapters.secret:" + name;
    }

    @Override
    public List<StoredAdapter> adapters() {
        return db.read(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT " + COLUMNS + " FROM scanner_adapters ORDER BY name");
                 ResultSet r = s.executeQuery()) {
                List<StoredAdapter> out = new ArrayList<>();
                while (r.next()) out.add(adapter(r));
                return out;
            }
        });
    }

    @Override
    public Optional<StoredAdapter> adapter(String name) {
        return db.read(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT " + COLUMNS + " FROM scanner_adapters WHERE name = ?")) {
                s.setString(1, name);
                try (ResultSet r = s.executeQuery()) {
                    return r.next() ? Optional.of(adapter(r)) : Optional.<StoredAdapter>empty();
                }
            }
        });
    }

    private StoredAdapter adapter(ResultSet r) throws SQLException {
        String name = r.getString(1);
        AdapterAuthentication.Scheme scheme = AdapterAuthentication.Scheme.valueOf(r.getString(3));
        String secret = sealer.open(r.getString(4), secretWhere(name));
        return new StoredAdapter(new ScannerAdapterRegistration(name, URI.create(r.getString(2)),
                new AdapterAuthentication(scheme, secret), r.getInt(5) == 1), r.getString(6),
                Instant.ofEpochMilli(r.getLong(7)), Instant.ofEpochMilli(r.getLong(8)));
    }

    @Override
    public boolean add(StoredAdapter a) {
        return db.write(c -> {
            try (PreparedStatement s = c.prepareStatement("INSERT INTO scanner_adapters (" + COLUMNS
                    + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO NOTHING")) {
                bind(s, a);
                return s.executeUpdate() == 1;
            }
        });
    }

    @Override
    public boolean update(StoredAdapter a) {
        return db.write(c -> {
            try (PreparedStatement s = c.prepareStatement("UPDATE scanner_adapters SET url = ?, auth = ?, secret = ?, "
                    + "skip_tls_verify = ?, description = ?, updated_at = ? WHERE name = ?")) {
                ScannerAdapterRegistration reg = a.registration();
                s.setString(1, reg.url().toString());
                s.setString(2, reg.auth().scheme().name());
                s.setString(3, sealer.seal(reg.auth().secret(), secretWhere(reg.name())));
                s.setInt(4, reg.skipTlsVerify() ? 1 : 0);
                s.setString(5, a.description());
                s.setLong(6, a.updatedAt().toEpochMilli());
                s.setString(7, reg.name());
                return s.executeUpdate() == 1;
            }
        });
    }

    private void bind(PreparedStatement s, StoredAdapter a) throws SQLException {
        ScannerAdapterRegistration reg = a.registration();
        s.setString(1, reg.name());
        s.setString(2, reg.url().toString());
        s.setString(3, reg.auth().scheme().name());
        s.setString(4, sealer.seal(reg.auth().secret(), secretWhere(reg.name())));
        s.setInt(5, reg.skipTlsVerify() ? 1 : 0);
        s.setString(6, a.description());
        s.setLong(7, a.createdAt().toEpochMilli());
        s.setLong(8, a.updatedAt().toEpochMilli());
    }

    @Override
    public Deletion delete(String name) {
        return db.write(c -> {
            if (defaultScanner(c).equals(name)) return Deletion.IS_DEFAULT;
            if (!projectsChoosing(c, name).isEmpty()) return Deletion.CHOSEN_BY_PROJECTS;
            try (PreparedStatement s = c.prepareStatement("DELETE FROM scanner_adapters WHERE name = ?")) {
                s.setString(1, name);
                return s.executeUpdate() == 1 ? Deletion.DELETED : Deletion.UNKNOWN;
            }
        });
    }

    @Override
    public String defaultScanner() {
        return db.read(JdbcScannerAdapterStore::defaultScanner);
    }

    private static String defaultScanner(Connection c) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT scanner FROM scanner_default WHERE id = 1");
             ResultSet r = s.executeQuery()) {
            return r.next() ? r.getString(1) : ScannerAdapters.BUILT_IN;
        }
    }

    @Override
    public boolean setDefault(String name) {
        return db.write(c -> {
            if (!name.equals(ScannerAdapters.BUILT_IN) && !exists(c, name)) return false;
            try (PreparedStatement s = c.prepareStatement("UPDATE scanner_default SET scanner = ? WHERE id = 1")) {
                s.setString(1, name);
                s.executeUpdate();
            }
            return true;
        });
    }

    private static boolean exists(Connection c, String name) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT 1 FROM scanner_adapters WHERE name = ?")) {
            s.setString(1, name);
            try (ResultSet r = s.executeQuery()) {
                return r.next();
            }
        }
    }

    @Override
    public Optional<String> projectScanner(String project) {
        return db.read(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT scanner FROM scanner_project_choice WHERE project = ?")) {
                s.setString(1, project);
                try (ResultSet r = s.executeQuery()) {
                    return r.next() ? Optional.of(r.getString(1)) : Optional.<String>empty();
                }
            }
        });
    }

    @Override
    public boolean setProjectScanner(String project, Optional<String> name, Instant now) {
        return db.write(c -> {
            if (name.isEmpty()) {
                try (PreparedStatement s = c.prepareStatement("DELETE FROM scanner_project_choice WHERE project = ?")) {
                    s.setString(1, project);
                    s.executeUpdate();
                }
                return true;
            }
            if (!name.get().equals(ScannerAdapters.BUILT_IN) && !exists(c, name.get())) return false;
            try (PreparedStatement s = c.prepareStatement("INSERT INTO scanner_project_choice (project, scanner, updated_at) "
                    + "VALUES (?, ?, ?) ON CONFLICT (project) DO UPDATE SET scanner = excluded.scanner, "
                    + "updated_at = excluded.updated_at")) {
                s.setString(1, project);
                s.setString(2, name.get());
                s.setLong(3, now.toEpochMilli());
                s.executeUpdate();
            }
            return true;
        });
    }

    @Override
    public List<String> projectsChoosing(String name) {
        return db.read(c -> projectsChoosing(c, name));
    }

    private static List<String> projectsChoosing(Connection c, String name) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(
                "SELECT project FROM scanner_project_choice WHERE scanner = ? ORDER BY project")) {
            s.setString(1, name);
            List<String> out = new ArrayList<>();
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) out.add(r.getString(1));
            }
            return out;
        }
    }
}
