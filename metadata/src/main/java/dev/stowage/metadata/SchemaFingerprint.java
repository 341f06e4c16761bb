package dev.stowage.metadata;

import javax.sql.DataSource;
import java.io.IOException;
import java.io.InputStream;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collections;
import java.util.HexFormat;
import java.util.Optional;
import java.util.TreeMap;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * A cheap check that a migration history has nothing pending: the SHA-256 of every migration script under its location
 * (name and content, in name order), compared with the one stored in {@code schema_fingerprint} after the last
 * migration of that history succeeded. Equal: this exact set of scripts was applied to this database (a schema only
 * moves forward), so Flyway, which takes a noticeable part of a start, is not needed. Anything else (no table yet, no
 * row, another set of scripts, a location that cannot be listed) runs Flyway as before, which also validates.
 */
final class SchemaFingerprint {
    private SchemaFingerprint() {}

    /** The fingerprint of the scripts under {@code classpath:location}, or empty when they cannot be listed here. */
    static Optional<String> of(String location) {
        String path = location.startsWith("classpath:") ? location.substring("classpath:".length()) : location;
        while (path.startsWith("/")) path = path.substring(1);
        if (path.endsWith("/")) path = path.substring(0, path.length() - 1);
        TreeMap<String, byte[]> scripts = new TreeMap<>();
        try {
            ClassLoader loader = SchemaFingerprint.class.getClassLoader();
            for (URL url : Collections.list(loader.getResources(path))) {
                if (url.getProtocol().equals("file")) {
                    Path dir = Path.of(url.toURI());
                    try (Stream<Path> files = Files.list(dir)) {
                        for (Path file : (Iterable<Path>) files::iterator) {
                            if (Files.isRegularFile(file)) scripts.put(file.getFileName().toString(), Files.readAllBytes(file));
                        }
                    }
                } else if (url.getProtocol().equals("jar")) {
                    JarURLConnection connection = (JarURLConnection) url.openConnection();
                    connection.setUseCaches(false);
                    try (JarFile jar = connection.getJarFile()) {
                        String prefix = path + "/";
                        for (JarEntry entry : Collections.list(jar.entries())) {
                            String name = entry.getName();
                            if (entry.isDirectory() || !name.startsWith(prefix) || name.indexOf('/', prefix.length()) >= 0) continue;
                            try (InputStream in = jar.getInputStream(entry)) {
                                scripts.put(name.substring(prefix.length()), in.readAllBytes());
                            }
                        }
                    }
                } else {
                    return Optional.empty();
                }
            }
        } catch (IOException | URISyntaxException | RuntimeException e) {
            return Optional.empty();
        }
        if (scripts.isEmpty()) return Optional.empty();
        MessageDigest sha256;
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        sha256.update(path.getBytes(StandardCharsets.UTF_8));
        scripts.forEach((name, content) -> {
            sha256.update((byte) 0);
            sha256.update(name.getBytes(StandardCharsets.UTF_8));
            sha256.update((byte) 0);
            sha256.update(Long.toString(content.length).getBytes(StandardCharsets.UTF_8));
            sha256.update((byte) 0);
            sha256.update(content);
        });
        return Optional.of(HexFormat.of().formatHex(sha256.digest()));
    }

    /** Whether {@code history} was last migrated with exactly {@code fingerprint}; false when that cannot be read. */
    static boolean matches(DataSource pool, String history, Optional<String> fingerprint) {
        if (fingerprint.isEmpty()) return false;
        try (Connection c = pool.getConnection()) {
            if (!tableExists(c)) return false;
            try (PreparedStatement s = c.prepareStatement("SELECT fingerprint FROM schema_fingerprint WHERE history = ?")) {
                s.setString(1, history);
                try (ResultSet r = s.executeQuery()) {
                    return r.next() && fingerprint.get().equals(r.getString(1));
                }
            }
        } catch (SQLException e) {
            return false;
        }
    }

    /** After a successful migration of {@code history}: its fingerprint, for the next start to compare. */
    static void record(DataSource pool, String history, Optional<String> fingerprint) {
        if (fingerprint.isEmpty()) return;
        try (Connection c = pool.getConnection()) {
            if (!tableExists(c)) return; // a schema before the table's migration: Flyway runs every time, as it did
            try (PreparedStatement s = c.prepareStatement("INSERT INTO schema_fingerprint (history, fingerprint) VALUES (?, ?) "
                    + "ON CONFLICT (history) DO UPDATE SET fingerprint = excluded.fingerprint")) {
                s.setString(1, history);
                s.setString(2, fingerprint.get());
                s.executeUpdate();
            }
            if (!c.getAutoCommit()) c.commit();
        } catch (SQLException e) {
            // Only an optimisation: the next start runs Flyway again.
        }
    }

    private static boolean tableExists(Connection c) throws SQLException {
        try (ResultSet r = c.getMetaData().getTables(null, null, "schema_fingerprint", new String[] {"TABLE"})) {
            return r.next();
        }
    }
}
