package dev.stowage.metadata;

import dev.stowage.core.spi.WebhookStore;
import dev.stowage.core.spi.WebhookStoreContract;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;

import java.util.ArrayList;
import java.util.List;

/** The webhook contract on a real PostgreSQL started by the test run. */
class PostgresWebhookStoreTest extends WebhookStoreContract {
    private final List<JdbcMetadataStore> opened = new ArrayList<>();

    @BeforeAll
    static void requirePostgres() {
        PostgresServer.assumeAvailable();
    }

    @Override
    protected WebhookStore webhookStore() throws Exception {
        JdbcMetadataStore db = JdbcMetadataStore.open(PostgresServer.shared().newDatabase());
        opened.add(db);
        return new JdbcWebhookStore(db);
    }

    @AfterEach
    void close() {
        opened.forEach(JdbcMetadataStore::close);
    }
}
