package dev.stowage.metadata;

import dev.stowage.core.spi.IdentityStore;
import dev.stowage.core.spi.IdentityStoreContract;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;

import java.util.ArrayList;
import java.util.List;

/** The identity contract on a real PostgreSQL started by the test run. */
class PostgresIdentityStoreTest extends IdentityStoreContract {
    private final List<JdbcMetadataStore> opened = new ArrayList<>();

    @BeforeAll
    static void requirePostgres() {
        PostgresServer.assumeAvailable();
    }

    @Override
    protected IdentityStore identityStore() throws Exception {
        JdbcMetadataStore db = JdbcMetadataStore.open(PostgresServer.shared().newDatabase());
        opened.add(db);
        return new JdbcIdentityStore(db);
    }

    @AfterEach
    void close() {
        opened.forEach(JdbcMetadataStore::close);
    }
}
