package dev.stowage.metadata;

import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;

import static org.assertj.core.api.Assertions.assertThat;

/** Delivery logs written before issue 8 kept receivers' answers and exact connection errors; the upgrade drops them. */
class WebhookLogMigrationTest {
    @TempDir Path dir;

    @Test
    void anUpgradeKeepsOnlyTheStatusOfEarlierAttempts() throws Exception {
        String url = "jdbc:sqlite:" + dir.resolve("old.db");
        Flyway.configure().dataSource(url, "", "").locations("classpath:db/migration/sqlite").target("15").load().migrate();
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            s.execute("INSERT INTO webhooks VALUES ('h', 'team', 'http://127.0.0.1:8080/', 'PUSH', 's', 1, 0)");
            s.execute("INSERT INTO webhook_deliveries VALUES ('d', 'h', 'e', 'PUSH', X'00', 'FAILED', 4, 0, 500,"
                    + " 'HTTP 500: root:x:0:0:root', 0, 0, NULL)");
            s.execute("INSERT INTO webhook_attempts VALUES ('d', 1, 0, 0, 'ConnectException: Connection refused', 3)");
            s.execute("INSERT INTO webhook_attempts VALUES ('d', 2, 0, 0, 'no answer within PT20S', 20000)");
            s.execute("INSERT INTO webhook_attempts VALUES ('d', 3, 0, 0, 'the webhook is disabled', 0)");
            s.execute("INSERT INTO webhook_attempts VALUES ('d', 4, 0, 500, 'HTTP 500: root:x:0:0:root', 5)");
        }

        try (JdbcMetadataStore db = JdbcMetadataStore.open(new MetadataConfig(url, "", "", 0))) {
            JdbcWebhookStore store = new JdbcWebhookStore(db);
            assertThat(store.findDelivery("d").orElseThrow().lastError()).isEqualTo("HTTP 500");
            assertThat(store.attempts("d")).extracting(a -> a.error())
                    .containsExactly("connection failed", "connection failed", "the webhook is disabled", "HTTP 500");
        }
    }
}
