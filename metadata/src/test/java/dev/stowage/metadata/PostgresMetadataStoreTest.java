package dev.stowage.metadata;

import dev.stowage.core.spi.MetadataStore;
import dev.stowage.core.spi.MetadataStoreContract;
import org.junit.jupiter.api.BeforeAll;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The metadata contract on a real PostgreSQL server started by the test run. */
class PostgresMetadataStoreTest extends MetadataStoreContract {
    @BeforeAll
    static void requirePostgres() {
        String reason = PostgresServer.unavailableReason();
        if (reason != null && "true".equals(System.getenv("CI"))) fail(reason);
        assumeTrue(reason == null, reason);
    }

    @Override
    protected MetadataStore newStore() throws Exception {
        return JdbcMetadataStore.open(PostgresServer.shared().newDatabase());
    }
}
