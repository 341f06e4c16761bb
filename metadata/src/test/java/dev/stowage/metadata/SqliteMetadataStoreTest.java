package dev.stowage.metadata;

import dev.stowage.core.spi.MetadataStore;
import dev.stowage.core.spi.MetadataStoreContract;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/** The metadata contract on the embedded SQLite database. */
class SqliteMetadataStoreTest extends MetadataStoreContract {
    @TempDir Path dir;

    @Override
    protected MetadataStore newStore() {
        return JdbcMetadataStore.open(new MetadataConfig("jdbc:sqlite:" + dir.resolve("meta.db"), "", "", 0));
    }
}
