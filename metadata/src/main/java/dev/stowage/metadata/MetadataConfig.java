package dev.stowage.metadata;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where the metadata lives. {@code jdbc:sqlite:<file>} for the embedded default, {@code jdbc:postgresql://...}
 * for a database shared by several nodes. {@code user} and {@code password} may be null or empty (SQLite ignores
 * them). {@code maxPoolSize} 0 picks a size suited to the database ({@link #DEFAULT_SQLITE_POOL_SIZE},
 * {@link #DEFAULT_POSTGRESQL_POOL_SIZE}).
 */
public record MetadataConfig(String jdbcUrl, String user, String password, int maxPoolSize) {
    /** Readers run in parallel under WAL and writers queue in-process, so a few connections are plenty. */
    public static final int DEFAULT_SQLITE_POOL_SIZE = 8;
    /** Per node; a PostgreSQL server shared by N nodes sees N times this many connections. */
    public static final int DEFAULT_POSTGRESQL_POOL_SIZE = 16;

    public MetadataConfig {
        Objects.requireNonNull(jdbcUrl, "jdbcUrl");
        if (maxPoolSize < 0) throw new IllegalArgumentException("maxPoolSize must be >= 0 (0 = default): " + maxPoolSize);
    }

    /** The embedded database in {@code file}, default pool size. */
    public static MetadataConfig sqlite(Path file) {
        return new MetadataConfig("jdbc:sqlite:" + file.toAbsolutePath(), null, null, 0);
    }

    @Override
    public String toString() {
        int query = jdbcUrl.indexOf('?');
        return "MetadataConfig[jdbcUrl=" + (query < 0 ? jdbcUrl : jdbcUrl.substring(0, query) + "?...") + ", user=" + user
                + ", maxPoolSize=" + maxPoolSize + "]";
    }
}
