package dev.stowage.metadata;

import dev.stowage.core.audit.AuditEvent;
import dev.stowage.core.audit.AuditRecord;
import dev.stowage.core.audit.AuditTrail;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class JdbcAuditStoreTest {
    @TempDir Path dir;
    JdbcMetadataStore db;
    JdbcAuditStore store;

    @BeforeEach
    void open() {
        db = JdbcMetadataStore.open(new MetadataConfig("jdbc:sqlite:" + dir.resolve("m.db"), "", "", 0));
        store = new JdbcAuditStore(db);
    }

    @AfterEach
    void close() {
        db.close();
    }

    static AuditEvent event(String actor, String action, String repository, int outcome) {
        return new AuditEvent(Instant.ofEpochMilli(1_700_000_000_000L), actor, "10.0.0.1", "docker/27", action, repository,
                "latest", outcome, "");
    }

    void execute(String sql) throws Exception {
        try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    @Test
    void appendsChainAcrossBatchesAndVerify() {
        List<AuditRecord> first = store.append(List.of(event("alice", "push", "team/app", 201), event("", "pull", "team/app", 200)));
        List<AuditRecord> second = store.append(List.of(event("bob", "delete", "team/app", 202)));
        assertThat(first.getFirst().previousHash()).isEqualTo(AuditRecord.GENESIS);
        assertThat(second.getFirst().previousHash()).isEqualTo(first.getLast().hash());
        assertThat(second.getFirst().sequence()).isEqualTo(3);
        AuditTrail.VerifyResult result = AuditTrail.verify(store);
        assertThat(result.intact()).isTrue();
        assertThat(result.verified()).isEqualTo(3);
    }

    @Test
    void queriesFilterAndPage() {
        List<AuditEvent> events = new ArrayList<>();
        for (int i = 0; i < 10; i++) events.add(event(i % 2 == 0 ? "alice" : "bob", i < 5 ? "push" : "pull", "r" + (i % 3), 200));
        store.append(events);
        assertThat(store.query(0, 100, Optional.of("alice"), Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty())).hasSize(5);
        assertThat(store.query(0, 100, Optional.of("bob"), Optional.of("pull"), Optional.empty(), Optional.empty(),
                Optional.empty())).extracting(AuditRecord::sequence).containsExactly(6L, 8L, 10L);
        assertThat(store.query(7, 2, Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty())).extracting(AuditRecord::sequence).containsExactly(8L, 9L);
    }

    @Test
    void anAlteredRecordIsFound() throws Exception {
        store.append(List.of(event("alice", "push", "a", 201), event("bob", "pull", "a", 200), event("carol", "pull", "a", 200)));
        execute("UPDATE audit_log SET actor = 'mallory' WHERE sequence = 2");
        AuditTrail.VerifyResult result = AuditTrail.verify(store);
        assertThat(result.intact()).isFalse();
        assertThat(result.firstBadSequence()).isEqualTo(2);
    }

    @Test
    void aDeletedRecordIsFound() throws Exception {
        store.append(List.of(event("alice", "push", "a", 201), event("bob", "pull", "a", 200), event("carol", "pull", "a", 200)));
        execute("DELETE FROM audit_log WHERE sequence = 2");
        assertThat(AuditTrail.verify(store).intact()).isFalse();
    }

    @Test
    void theTrailWritesQueuedEventsInOrderAndStreamsJsonLines() {
        List<String> lines = new ArrayList<>();
        try (AuditTrail trail = new AuditTrail(store, lines::add, 50)) {
            for (int i = 0; i < 100; i++) trail.record(event("u" + i, "pull", "r", 200));
        }
        assertThat(lines).hasSize(100);
        assertThat(lines.getFirst()).contains("\"sequence\":1").contains("\"actor\":\"u0\"");
        assertThat(store.query(99, 10, Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty()).getFirst().event().actor()).isEqualTo("u99");
        assertThat(AuditTrail.verify(store).intact()).isTrue();
    }
}
