package dev.stowage.metadata;

import dev.stowage.core.audit.AuditCheckpoint;
import dev.stowage.core.audit.AuditEvent;
import dev.stowage.core.audit.AuditVerification;
import dev.stowage.core.audit.CheckpointKey;
import dev.stowage.core.audit.LastCheckpoint;
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
import java.util.Set;
import java.time.Duration;

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

    CheckpointKey key() throws Exception {
        return CheckpointKey.loadOrCreate(dir.resolve("audit-checkpoint.key"));
    }

    /** The whole chain walked, noting the hash at the anchor's sequence, and what the anchor says about it. */
    Optional<String> disagreement(AuditCheckpoint anchor) {
        AuditVerification.Chain chain = AuditVerification.walk(store, 0, AuditRecord.GENESIS, Set.of(anchor.sequence()));
        assertThat(chain.intact()).as(chain.problem()).isTrue();
        return AuditVerification.disagreement(chain, anchor);
    }

    /** Recomputes every hash after an edit, as anyone who can write the database can. */
    void recomputeChain() throws Exception {
        String previous = AuditRecord.GENESIS;
        for (AuditRecord r : store.query(0, 1000, Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty())) {
            AuditRecord again = AuditRecord.chain(r.sequence(), r.event(), previous);
            execute("UPDATE audit_log SET previous_hash = '" + previous + "', hash = '" + again.hash() + "' WHERE sequence = "
                    + r.sequence());
            previous = again.hash();
        }
    }

    @Test
    void removingTheLastRecordsIsFoundAgainstACheckpoint() throws Exception {
        store.append(List.of(event("alice", "push", "a", 201), event("bob", "pull", "a", 200), event("carol", "pull", "a", 200)));
        AuditCheckpoint checkpoint = key().sign(3, store.head().orElseThrow().hash(), Instant.now());
        execute("DELETE FROM audit_log WHERE sequence > 1");
        assertThat(AuditTrail.verify(store).intact()).isTrue(); // the chain alone cannot tell
        assertThat(disagreement(checkpoint)).hasValueSatisfying(p -> assertThat(p)
                .contains("is at record 3 but the trail ends at 1: records 2..3 were removed"));
    }

    @Test
    void removingOnlyTheLastRecordIsFoundAgainstACheckpoint() throws Exception {
        store.append(List.of(event("alice", "push", "a", 201), event("bob", "pull", "a", 200)));
        AuditCheckpoint checkpoint = key().sign(2, store.head().orElseThrow().hash(), Instant.now());
        execute("DELETE FROM audit_log WHERE sequence = 2");
        assertThat(disagreement(checkpoint)).hasValueSatisfying(p -> assertThat(p)
                .endsWith("is at record 2 but the trail ends at 1: record 2 was removed"));
    }

    @Test
    void aRecomputedChainIsFoundAgainstACheckpoint() throws Exception {
        store.append(List.of(event("alice", "push", "a", 201), event("bob", "pull", "a", 200), event("carol", "pull", "a", 200)));
        AuditCheckpoint checkpoint = key().sign(3, store.head().orElseThrow().hash(), Instant.now());
        execute("UPDATE audit_log SET actor = 'mallory' WHERE sequence = 2");
        recomputeChain();
        assertThat(AuditTrail.verify(store).intact()).isTrue(); // the chain alone cannot tell
        assertThat(disagreement(checkpoint)).hasValueSatisfying(p -> assertThat(p).startsWith("record 3 has hash "));
    }

    @Test
    void anIntactTrailAgreesWithItsCheckpointAndRecordsAfterIt() throws Exception {
        store.append(List.of(event("alice", "push", "a", 201), event("bob", "pull", "a", 200)));
        AuditCheckpoint checkpoint = key().sign(2, store.head().orElseThrow().hash(), Instant.now());
        store.append(List.of(event("carol", "pull", "a", 200)));
        assertThat(disagreement(checkpoint)).isEmpty();
    }

    @Test
    void aCheckpointSignedByAnotherKeyIsNotTrusted() throws Exception {
        store.append(List.of(event("alice", "push", "a", 201)));
        CheckpointKey mine = key();
        CheckpointKey forger = CheckpointKey.loadOrCreate(dir.resolve("forger.key"));
        AuditCheckpoint forged = forger.sign(1, store.head().orElseThrow().hash(), Instant.now());
        assertThat(AuditVerification.signer(forged, List.of(mine.publicKey()))).isEmpty();
        AuditCheckpoint relabelled = new AuditCheckpoint(forged.sequence(), forged.hash(), forged.at(), mine.id(),
                forged.signature());
        assertThat(AuditVerification.signer(relabelled, List.of(mine.publicKey()))).isEmpty();
        assertThat(AuditVerification.signer(mine.sign(1, forged.hash(), Instant.now()), List.of(mine.publicKey()))).isPresent();
    }

    @Test
    void aCheckpointLineRoundTripsThroughItsJson() throws Exception {
        AuditCheckpoint checkpoint = key().sign(7, "ab".repeat(32), Instant.parse("2026-01-02T03:04:05.678Z"));
        AuditCheckpoint parsed = AuditCheckpoint.parse("2026-01-02 INFO AuditTrail - audit checkpoint: " + checkpoint.toJson());
        assertThat(parsed).isEqualTo(checkpoint);
        assertThat(CheckpointKey.verifies(parsed, key().publicKey())).isTrue();
    }

    @Test
    void theKeyFileIsCreatedOwnerOnlyAndLoadsAgain() throws Exception {
        CheckpointKey created = key();
        assertThat(java.nio.file.Files.getPosixFilePermissions(dir.resolve("audit-checkpoint.key")))
                .containsExactlyInAnyOrder(java.nio.file.attribute.PosixFilePermission.OWNER_READ,
                        java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
        assertThat(key().id()).isEqualTo(created.id());
        assertThat(CheckpointKey.readPublicKeys(dir.resolve("audit-checkpoint.key"))).containsExactly(created.publicKey());
    }

    @Test
    void theTrailSignsCheckpointsEveryNRecordsAndOnCloseToStreamAndDatabase() throws Exception {
        List<String> lines = new ArrayList<>();
        CheckpointKey key = key();
        try (AuditTrail trail = new AuditTrail(store, lines::add, 50,
                Optional.of(new AuditTrail.Checkpoints(key, Duration.ofHours(1), 3)))) {
            for (int i = 0; i < 3; i++) trail.record(event("u" + i, "pull", "r", 200));
            trail.flush();
            trail.record(event("late", "pull", "r", 200));
        }
        List<AuditCheckpoint> stored = store.checkpoints(10);
        assertThat(stored).extracting(AuditCheckpoint::sequence).contains(4L);
        assertThat(stored).allMatch(c -> CheckpointKey.verifies(c, key.publicKey()));
        assertThat(lines.getLast()).startsWith("{\"kind\":\"checkpoint\",\"sequence\":4,");
    }

    @Test
    void identicalPullsWaitingToBeWrittenAreOneRecordWithTheirCount() throws Exception {
        try (AuditTrail trail = new AuditTrail(store, null, 60_000)) {
            for (int i = 0; i < 1000; i++) {
                trail.record(new AuditEvent(Instant.ofEpochMilli(1_700_000_000_000L + i), "alice", "10.0.0.1", "docker/27",
                        "pull", "team/app", "latest", 200, "", "sha256:aa"));
            }
            trail.record(event("alice", "push", "team/app", 201));
            trail.record(event("bob", "pull", "team/app", 200));
            trail.record(event("alice", "pull", "team/app", 404));
            trail.record(event("alice", "pull", "team/app", 200));
            trail.flush();
            trail.record(event("alice", "pull", "team/app", 200));
            trail.flush();
        }
        List<AuditRecord> records = store.query(0, 100, Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty());
        assertThat(records).extracting(r -> r.event().actor() + " " + r.event().action() + " " + r.event().outcome()
                + " " + r.event().detail()).containsExactly(
                "alice pull 200 repeated 1000 times, the last at 2023-11-14T22:13:20.999Z",
                "alice push 201 ",
                "bob pull 200 ",
                "alice pull 404 ",
                "alice pull 200 ", // another digest: another record
                "alice pull 200 "); // after the flush: a record of its own
        assertThat(records.getFirst().event().at()).isEqualTo(Instant.ofEpochMilli(1_700_000_000_000L));
        assertThat(records).allMatch(AuditRecord::isIntact);
    }

    @Test
    void theTrailSignsNoCheckpointOverATamperedChain() throws Exception {
        CheckpointKey key = key();
        AuditTrail.Checkpoints every = new AuditTrail.Checkpoints(key, Duration.ofHours(1), 1000);
        try (AuditTrail trail = new AuditTrail(store, null, 50, Optional.of(every))) {
            trail.record(event("alice", "pull", "r", 200));
            trail.flush();
            assertThat(trail.checkpoint()).isPresent();
            trail.record(event("bob", "pull", "r", 200));
            trail.flush();
            execute("UPDATE audit_log SET actor = 'mallory' WHERE sequence = 2");
            assertThat(trail.checkpoint()).isEmpty();
        }
    }

    @Test
    void pushRecordsKeepTheirDigest() {
        AuditEvent push = new AuditEvent(Instant.ofEpochMilli(1_700_000_000_000L), "alice", "10.0.0.1", "docker", "push",
                "a", "v1", 201, "", "sha256:" + "1".repeat(64));
        store.append(List.of(push));
        AuditRecord stored = store.head().orElseThrow();
        assertThat(stored.event().digest()).isEqualTo("sha256:" + "1".repeat(64));
        assertThat(stored.isIntact()).isTrue();
        assertThat(AuditTrail.toJson(stored)).contains("\"digest\":\"sha256:111");
    }

    AuditTrail.Checkpoints remembering(CheckpointKey key) {
        return new AuditTrail.Checkpoints(key, Duration.ofHours(1), 1000, Optional.of(dir.resolve("audit-checkpoint.last")));
    }

    @Test
    void theTrailKeepsItsLastCheckpointOwnerOnlyOutsideTheDatabase() throws Exception {
        CheckpointKey key = key();
        try (AuditTrail trail = new AuditTrail(store, null, 50, Optional.of(remembering(key)))) {
            trail.record(event("alice", "pull", "r", 200));
            trail.flush();
            trail.checkpoint();
            trail.record(event("bob", "pull", "r", 200));
        }
        Path file = dir.resolve("audit-checkpoint.last");
        AuditCheckpoint kept = LastCheckpoint.read(file).orElseThrow();
        assertThat(kept.sequence()).isEqualTo(2);
        assertThat(kept.hash()).isEqualTo(store.head().orElseThrow().hash());
        assertThat(CheckpointKey.verifies(kept, key.publicKey())).isTrue();
        assertThat(java.nio.file.Files.getPosixFilePermissions(file))
                .isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    }

    @Test
    void aTrailThatLostRecordsItHadSignedSignsNoCheckpointOverTheReusedSequences() throws Exception {
        CheckpointKey key = key();
        try (AuditTrail trail = new AuditTrail(store, null, 50, Optional.of(remembering(key)))) {
            for (int i = 0; i < 5; i++) trail.record(event("u" + i, "pull", "r", 200));
        }
        execute("DELETE FROM audit_log WHERE sequence > 3");
        execute("DELETE FROM audit_checkpoint WHERE sequence > 3");
        try (AuditTrail restarted = new AuditTrail(store, null, 50, Optional.of(remembering(key)))) {
            for (int i = 0; i < 4; i++) restarted.record(event("new" + i, "pull", "r", 200));
            restarted.flush();
            assertThat(restarted.checkpoint()).isEmpty();
        }
        assertThat(store.head().orElseThrow().sequence()).isEqualTo(7);
        assertThat(store.checkpoints(10)).extracting(AuditCheckpoint::sequence).doesNotContain(7L);
        assertThat(LastCheckpoint.read(dir.resolve("audit-checkpoint.last")).orElseThrow().sequence()).isEqualTo(5);
    }

    @Test
    void aTrailThatStillHoldsItsLastSignedRecordSignsOnFromThere() throws Exception {
        CheckpointKey key = key();
        try (AuditTrail trail = new AuditTrail(store, null, 50, Optional.of(remembering(key)))) {
            trail.record(event("alice", "pull", "r", 200));
        }
        try (AuditTrail restarted = new AuditTrail(store, null, 50, Optional.of(remembering(key)))) {
            restarted.record(event("bob", "pull", "r", 200));
            restarted.flush();
            assertThat(restarted.checkpoint()).map(AuditCheckpoint::sequence).contains(2L);
        }
    }

    @Test
    void checkpointsGoingBackOrDisagreeingOnASequenceContradictEachOther() throws Exception {
        CheckpointKey key = key();
        AuditCheckpoint at5 = key.sign(5, "a".repeat(64), Instant.ofEpochSecond(1));
        AuditCheckpoint at3 = key.sign(3, "b".repeat(64), Instant.ofEpochSecond(2));
        AuditCheckpoint otherAt5 = key.sign(5, "c".repeat(64), Instant.ofEpochSecond(3));
        assertThat(AuditVerification.contradictions(List.of(at3, at5))).isEmpty();
        assertThat(AuditVerification.contradictions(List.of(at5, at3))).singleElement().asString()
                .contains("is at record 3, after the checkpoint signed at " + at5.at() + " at record 5: checkpoints went back");
        assertThat(AuditVerification.contradictions(List.of(at3, at5, otherAt5))).singleElement().asString()
                .startsWith("two checkpoints for record 5 disagree");
    }
}
