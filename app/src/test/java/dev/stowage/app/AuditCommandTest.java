package dev.stowage.app;

import dev.stowage.core.audit.AuditEvent;
import dev.stowage.core.audit.AuditTrail;
import dev.stowage.core.audit.CheckpointKey;
import dev.stowage.core.audit.LastCheckpoint;
import dev.stowage.metadata.JdbcAuditStore;
import dev.stowage.metadata.JdbcMetadataStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The node's checkpoint key and 'stowage audit verify' against every anchor the node kept outside the database. */
class AuditCommandTest {
    @TempDir Path dir;

    private StowageConfig config(String... more) throws Exception {
        Map<String, String> env = new java.util.HashMap<>(Map.of("STOWAGE_STORAGE_PATH", dir.resolve("data").toString()));
        for (int i = 0; i < more.length; i += 2) env.put(more[i], more[i + 1]);
        return StowageConfig.load(null, env);
    }

    private JdbcMetadataStore database() throws Exception {
        StowageConfig settings = config();
        DataDirectory.prepare(settings, w -> {});
        return AuditCommand.openMetadata(settings);
    }

    private static AuditEvent event(String actor) {
        return new AuditEvent(Instant.ofEpochMilli(1_700_000_000_000L), actor, "10.0.0.1", "docker", "pull", "r", "v1", 200, "");
    }

    /** What someone with write access to the database does, beside the running store. */
    private void sql(JdbcMetadataStore db, String statement) throws Exception {
        try (Connection c = java.sql.DriverManager.getConnection(config().jdbcUrl()); Statement s = c.createStatement()) {
            s.execute(statement);
        }
    }

    /** Records written by a server with the node's key (remembering its last checkpoint or not); the stream lines. */
    private List<String> serve(JdbcMetadataStore db, boolean remember, String... actors) throws Exception {
        Path keyFile = config().auditCheckpointKeyFile();
        List<String> lines = new ArrayList<>();
        AuditTrail.Checkpoints checkpoints = new AuditTrail.Checkpoints(CheckpointKey.loadOrCreate(keyFile),
                Duration.ofHours(1), 1000, remember ? Optional.of(LastCheckpoint.besideKey(keyFile)) : Optional.empty());
        try (AuditTrail trail = new AuditTrail(new JdbcAuditStore(db), lines::add, 50, Optional.of(checkpoints))) {
            for (String actor : actors) trail.record(event(actor));
        }
        return lines;
    }

    private record Run(int exitCode, String output) {}

    private Run verify(String... options) {
        PrintStream original = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true));
        try {
            List<String> args = new ArrayList<>(List.of("audit", "verify", "--data", dir.resolve("data").toString()));
            args.addAll(List.of(options));
            int code = Main.commandLine().execute(args.toArray(String[]::new));
            return new Run(code, out.toString());
        } finally {
            System.setOut(original);
        }
    }

    @Test
    void aStreamWhoseCheckpointsGoBackAfterARestartIsTampering() throws Exception {
        Path stream = dir.resolve("audit.jsonl");
        try (JdbcMetadataStore db = database()) {
            List<String> lines = new ArrayList<>(serve(db, false, "a", "b", "c", "d", "e"));
            sql(db, "DELETE FROM audit_log WHERE sequence > 3");
            sql(db, "DELETE FROM audit_checkpoint WHERE sequence > 3");
            lines.addAll(serve(db, false, "x")); // a server without memory signs 4 over the reused 4
            Files.write(stream, lines);
        }
        Run run = verify("--checkpoint", stream.toString());
        assertThat(run.exitCode()).as(run.output()).isEqualTo(1);
        assertThat(run.output()).contains("audit trail BROKEN: the checkpoint signed at ")
                .contains("is at record 5 but the trail ends at 4: record 5 was removed")
                .contains("is at record 4, after the checkpoint signed at ")
                .doesNotContain("audit trail intact");
    }

    @Test
    void aStreamWithTwoCheckpointsForOneRecordThatDisagreeIsTampering() throws Exception {
        Path stream = dir.resolve("audit.jsonl");
        try (JdbcMetadataStore db = database()) {
            List<String> lines = new ArrayList<>(serve(db, false, "a", "b", "c", "d", "e"));
            sql(db, "DELETE FROM audit_log WHERE sequence > 3");
            sql(db, "DELETE FROM audit_checkpoint WHERE sequence > 3");
            lines.addAll(serve(db, false, "x", "y"));
            Files.write(stream, lines);
        }
        Run run = verify("--checkpoint", stream.toString());
        assertThat(run.exitCode()).as(run.output()).isEqualTo(1);
        assertThat(run.output()).contains("audit trail BROKEN: record 5 has hash ")
                .contains("audit trail BROKEN: two checkpoints for record 5 disagree");
    }

    @Test
    void removedSignedRecordsAreFoundWithoutOptionsByTheNodesLastCheckpoint() throws Exception {
        try (JdbcMetadataStore db = database()) {
            serve(db, true, "a", "b", "c", "d", "e");
            sql(db, "DELETE FROM audit_log WHERE sequence > 3");
            sql(db, "DELETE FROM audit_checkpoint WHERE sequence > 3");
        }
        Run run = verify();
        assertThat(run.exitCode()).as(run.output()).isEqualTo(1);
        assertThat(run.output()).contains("is at record 5 but the trail ends at 3: records 4..5 were removed");
    }

    @Test
    void anEmptyTrailOfANodeThatHasACheckpointKeyIsRemovedRecords() throws Exception {
        try (JdbcMetadataStore db = database()) {
            serve(db, false, "a", "b");
            sql(db, "DELETE FROM audit_log");
            sql(db, "DELETE FROM audit_checkpoint");
        }
        Run run = verify();
        assertThat(run.exitCode()).as(run.output()).isEqualTo(1);
        assertThat(run.output()).contains("audit trail BROKEN: the trail is empty, but this node has a checkpoint key");
    }

    @Test
    void aCheckpointKeyOthersMayReadIsRefusedWithTheChmodThatFixesIt() throws Exception {
        Path key = dir.resolve("keys/audit.key");
        Files.createDirectories(key.getParent());
        CheckpointKey.loadOrCreate(key);
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--"));
        StowageConfig settings = config("STOWAGE_AUDIT_CHECKPOINT_KEY_FILE", key.toString());
        assertThatThrownBy(() -> AuditCommand.checkpoints(settings)).isInstanceOf(ConfigException.class)
                .hasMessage(key + " is open to other users (mode 0644) (run: chmod 600 " + key
                        + "; or set storage.allowLoosePermissions: true to accept it)");
        StowageConfig allowed = config("STOWAGE_AUDIT_CHECKPOINT_KEY_FILE", key.toString(),
                "STOWAGE_STORAGE_ALLOW_LOOSE_PERMISSIONS", "true");
        assertThat(AuditCommand.checkpoints(allowed).key().id()).isEqualTo(CheckpointKey.load(key).id());
    }
}
