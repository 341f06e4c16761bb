package dev.stowage.metadata;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Real databases of either kind for store tests that run on both: {@code sqlite} (an embedded file under the test's
 * directory) or {@code postgresql} (a fresh database on the shared server; the test is skipped, with the reason, where
 * PostgreSQL cannot run). Closes what it opened.
 */
public final class TestDatabases implements AutoCloseable {
    private final Path dir;
    private final List<JdbcMetadataStore> opened = new ArrayList<>();

    public TestDatabases(Path dir) {
        this.dir = dir;
    }

    public JdbcMetadataStore open(String kind) throws Exception {
        MetadataConfig config;
        if (kind.equals("postgresql")) {
            assumeTrue(PostgresServer.unavailableReason() == null, PostgresServer.unavailableReason());
            config = PostgresServer.shared().newDatabase();
        } else {
            config = MetadataConfig.sqlite(dir.resolve("m" + opened.size() + ".db"));
        }
        JdbcMetadataStore db = JdbcMetadataStore.open(config);
        opened.add(db);
        return db;
    }

    @Override
    public void close() {
        opened.forEach(JdbcMetadataStore::close);
    }
}
