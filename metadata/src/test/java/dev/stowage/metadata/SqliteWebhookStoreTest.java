package dev.stowage.metadata;

import dev.stowage.core.spi.WebhookStore;
import dev.stowage.core.spi.WebhookStoreContract;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The webhook contract on the embedded SQLite database. */
class SqliteWebhookStoreTest extends WebhookStoreContract {
    @TempDir Path dir;
    private final List<JdbcMetadataStore> opened = new ArrayList<>();

    @Override
    protected WebhookStore webhookStore() {
        JdbcMetadataStore db = JdbcMetadataStore.open(MetadataConfig.sqlite(dir.resolve("m" + opened.size() + ".db")));
        opened.add(db);
        return new JdbcWebhookStore(db);
    }

    @AfterEach
    void close() {
        opened.forEach(JdbcMetadataStore::close);
    }
}
