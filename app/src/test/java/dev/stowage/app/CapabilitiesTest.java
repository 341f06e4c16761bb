package dev.stowage.app;

import dev.stowage.metadata.JdbcMetadataStore;
import dev.stowage.metadata.MetadataConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The registered capabilities, and a capability's migrations beside the core schema. */
class CapabilitiesTest {
    @TempDir Path dir;

    @Test
    void everyCapabilityHasItsOwnLowercaseName() {
        List<String> names = Capabilities.all().stream().map(Capability::name).toList();
        assertThat(names).containsExactly("accounts", "projects", "robots", "governance", "webhooks", "scanner", "signing", "trust", "admission");
        assertThat(names).allMatch(n -> n.matches("[a-z][a-z0-9_]*")).doesNotHaveDuplicates();
    }

    @Test
    void aCapabilitysMigrationsAreVersionedInItsOwnHistoryAndAppliedOnce() throws Exception {
        String url = "jdbc:sqlite:" + dir.resolve("m.db");
        try (JdbcMetadataStore metadata = JdbcMetadataStore.open(new MetadataConfig(url, "", "", 0))) {
            metadata.migrate("capabilitytest", "db/capabilitytest");
            metadata.migrate("capabilitytest", "db/capabilitytest");
        }
        try (Connection c = DriverManager.getConnection(url)) {
            assertThat(rows(c, "SELECT version FROM flyway_capabilitytest_history WHERE success = 1 ORDER BY installed_rank"))
                    .containsExactly("0", "1"); // the baseline over the core schema, then its own V1
            assertThat(rows(c, "SELECT name FROM sqlite_master WHERE name = 'capabilitytest_note'")).hasSize(1);
            // The core history does not hear of it.
            assertThat(rows(c, "SELECT script FROM flyway_schema_history WHERE script LIKE '%notes%'")).isEmpty();
        }
    }

    private static List<String> rows(Connection c, String sql) throws Exception {
        List<String> out = new ArrayList<>();
        try (ResultSet r = c.createStatement().executeQuery(sql)) {
            while (r.next()) out.add(r.getString(1));
        }
        return out;
    }

    @Test
    void aScanWorkerLowersItsOwnOsPriorityAndNoOtherThreads() throws Exception {
        String before = niceOfThisThread();
        java.util.concurrent.atomic.AtomicReference<String> worker = new java.util.concurrent.atomic.AtomicReference<>();
        Thread t = Thread.ofPlatform().start(() -> {
            if (ScannerCapability.lowerOsPriority()) worker.set(niceOfThisThread());
        });
        t.join();
        assertThat(worker.get()).isEqualTo("19");
        assertThat(niceOfThisThread()).isEqualTo(before);
    }

    /** Field 19 of /proc/thread-self/stat (after the parenthesised command name). */
    private static String niceOfThisThread() {
        try {
            String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/thread-self/stat"));
            return stat.substring(stat.lastIndexOf(')') + 2).split(" ")[16];
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
