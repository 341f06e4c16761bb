package dev.stowage.metadata;

import dev.stowage.core.spi.IdentityStore;
import dev.stowage.core.spi.IdentityStoreContract;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The identity contract on the embedded SQLite database. */
class SqliteIdentityStoreTest extends IdentityStoreContract {
    @TempDir Path dir;
    private final List<JdbcMetadataStore> opened = new ArrayList<>();

    @Override
    protected IdentityStore identityStore() {
        JdbcMetadataStore db = JdbcMetadataStore.open(new MetadataConfig("jdbc:sqlite:" + dir.resolve("m" + opened.size() + ".db"), "", "", 0));
        opened.add(db);
        return new JdbcIdentityStore(db);
    }

    @AfterEach
    void close() {
        opened.forEach(JdbcMetadataStore::close);
    }
}
