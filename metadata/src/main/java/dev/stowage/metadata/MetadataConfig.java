package dev.stowage.metadata;

/**
 * Where the metadata lives. {@code jdbc:sqlite:<file>} for the embedded default, {@code jdbc:postgresql://...}
 * for a shared database. {@code maxPoolSize} 0 picks a size suited to the database.
 */
public record MetadataConfig(String jdbcUrl, String user, String password, int maxPoolSize) {
    @Override
    public String toString() {
        return "MetadataConfig[jdbcUrl=" + jdbcUrl + ", user=" + user + ", maxPoolSize=" + maxPoolSize + "]";
    }
}
