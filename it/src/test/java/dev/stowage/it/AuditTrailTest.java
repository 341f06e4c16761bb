package dev.stowage.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stowage.core.audit.AuditCheckpoint;
import dev.stowage.core.audit.AuditEvent;
import dev.stowage.core.audit.AuditRecord;
import dev.stowage.core.audit.CheckpointKey;
import dev.stowage.it.support.Clients;
import dev.stowage.it.support.StowageProcess;
import dev.stowage.it.support.TestImages;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static dev.stowage.it.support.Clients.cmd;
import static dev.stowage.it.support.Clients.run;
import static org.assertj.core.api.Assertions.assertThat;

/** Real pushes, pulls, sign-ins and refusals end up in a queryable, streamed, tamper-evident audit trail. */
class AuditTrailTest {
    static final String PASSWORD = "audit-admin-password";
    static final ObjectMapper JSON = new ObjectMapper();
    @TempDir Path dir;

    @Test
    void clientActivityIsAuditedStreamedAndVerifiable() throws Exception {
        Clients.require("skopeo", "skopeo");
        TestImages.requireBusybox();
        Path stream = dir.resolve("audit.jsonl");
        Path data = dir.resolve("data");
        try (StowageProcess stowage = StowageProcess.start(data, Map.of("STOWAGE_AUTH_ENABLED", "true",
                "STOWAGE_ADMIN_PASSWORD", PASSWORD, "STOWAGE_AUDIT_STREAM", stream.toString()))) {
            // No repository outside a project: the one pushed to is created first.
            assertThat(dev.stowage.it.support.Registry.call(stowage, "POST", "/api/v1/projects", "admin", PASSWORD,
                    "{\"name\":\"audit\"}").statusCode()).isEqualTo(201);
            Path layout = dir.resolve("layout");
            TestImages.Image image = TestImages.writeImage(layout, "v1", "amd64", "audited");
            String ref = "docker://" + stowage.hostPort() + "/audit/app:v1";
            run(cmd("skopeo", "copy", "--dest-tls-verify=false", "--dest-creds", "admin:" + PASSWORD, "oci:" + layout + ":v1", ref)).ok();
            run(cmd("skopeo", "inspect", "--tls-verify=false", "--creds", "admin:" + PASSWORD, ref)).ok();
            run(cmd("skopeo", "inspect", "--tls-verify=false", "--creds", "admin:wrong", ref));
            run(cmd("skopeo", "inspect", "--tls-verify=false", "--no-creds", ref));
            Thread.sleep(600); // the trail writes in batches every 200 ms

            HttpClient http = HttpClient.newHttpClient();
            String basic = "Basic " + Base64.getEncoder().encodeToString(("admin:" + PASSWORD).getBytes());
            JsonNode all = JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(stowage.baseUrl() + "/api/v1/audit?limit=1000"))
                    .header("Authorization", basic).build(), HttpResponse.BodyHandlers.ofString()).body());
            List<String> actions = new ArrayList<>();
            all.path("records").forEach(r -> actions.add(r.path("action").asText() + ":" + r.path("actor").asText() + ":"
                    + r.path("outcome").asInt()));
            assertThat(actions).contains("push:admin:201", "pull:admin:200", "sign-in:admin:200", "sign-in::401");
            assertThat(actions).anyMatch(a -> a.startsWith("denied::401"));
            JsonNode push = JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(stowage.baseUrl()
                    + "/api/v1/audit?action=push&repository=audit/app")).header("Authorization", basic).build(),
                    HttpResponse.BodyHandlers.ofString()).body()).path("records").path(0);
            assertThat(push.path("reference").asText()).isEqualTo("v1");
            assertThat(push.path("digest").asText()).isEqualTo(image.manifestDigest());
            assertThat(push.path("userAgent").asText()).contains("skopeo");
            assertThat(push.path("source").asText()).isEqualTo("127.0.0.1");
            assertThat(image.manifestDigest()).startsWith("sha256:");
            assertThat(Files.readAllLines(stream)).hasSizeGreaterThanOrEqualTo(all.path("records").size());
        }

        var verify = StowageProcess.run(Map.of(), 120, List.of("audit", "verify", "--data", data.toString()));
        assertThat(verify.exitCode()).as(verify.output()).isZero();
        assertThat(verify.output()).contains("audit trail intact");

        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + data.resolve("stowage.db"));
             Statement s = c.createStatement()) {
            s.executeUpdate("UPDATE audit_log SET actor = 'nobody' WHERE sequence = 2");
        }
        var tampered = StowageProcess.run(Map.of(), 120, List.of("audit", "verify", "--data", data.toString()));
        assertThat(tampered.exitCode()).isEqualTo(1);
        assertThat(tampered.output()).contains("BROKEN");
    }

    // --- anchoring: signed checkpoints ----------------------------------------------------------------------

    /**
     * Runs a registry that records some sign-ins (good and bad) and stops it cleanly, which signs a checkpoint of
     * the head to the stream, the log and the database; answers the checkpoint's stream line.
     */
    String runAndStop(Path data, Path stream) throws Exception {
        try (StowageProcess stowage = StowageProcess.start(data, Map.of("STOWAGE_AUTH_ENABLED", "true",
                "STOWAGE_ADMIN_PASSWORD", PASSWORD, "STOWAGE_AUDIT_STREAM", stream.toString()))) {
            HttpClient http = HttpClient.newHttpClient();
            for (String password : List.of(PASSWORD, "wrong", PASSWORD, "wrong-again", PASSWORD)) {
                String basic = "Basic " + Base64.getEncoder().encodeToString(("admin:" + password).getBytes());
                http.send(HttpRequest.newBuilder(URI.create(stowage.baseUrl() + "/token?service=stowage"))
                        .header("Authorization", basic).build(), HttpResponse.BodyHandlers.discarding());
            }
            stowage.close();
            assertThat(stowage.log()).contains("audit checkpoint: sequence ");
        }
        List<String> checkpoints = Files.readAllLines(stream).stream().filter(l -> l.contains("\"kind\":\"checkpoint\"")).toList();
        assertThat(checkpoints).isNotEmpty();
        return checkpoints.getLast();
    }

    Clients.Result stowage(String... args) throws Exception {
        return stowageWith(Map.of(), args);
    }

    Clients.Result stowageWith(Map<String, String> env, String... args) throws Exception {
        return StowageProcess.run(env, 120, List.of(args));
    }

    void sql(Path data, String statement) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + data.resolve("stowage.db"));
             Statement s = c.createStatement()) {
            s.executeUpdate(statement);
        }
    }

    @Test
    void anIntactTrailVerifiesAgainstItsSignedCheckpoints() throws Exception {
        Path data = dir.resolve("data");
        Path stream = dir.resolve("audit.jsonl");
        String checkpoint = runAndStop(data, stream);
        long sequence = AuditCheckpoint.parse(checkpoint).sequence();

        var fromDatabase = stowage("audit", "verify", "--data", data.toString());
        assertThat(fromDatabase.exitCode()).as(fromDatabase.output()).isZero();
        assertThat(fromDatabase.output()).contains("records 1.." + sequence + " anchored by checkpoint at ");
        var fromStream = stowage("audit", "verify", "--data", data.toString(), "--checkpoint", stream.toString());
        assertThat(fromStream.exitCode()).as(fromStream.output()).isZero();
        var publicKey = stowage("audit", "public-key", "--data", data.toString());
        Files.writeString(dir.resolve("node.pem"), publicKey.output());
        var withKey = stowage("audit", "verify", "--data", data.toString(), "--checkpoint", checkpoint,
                "--public-key", dir.resolve("node.pem").toString());
        assertThat(withKey.exitCode()).as(withKey.output()).isZero();
    }

    @Test
    void removingTheLastRecordsIsFoundAgainstTheCheckpoint() throws Exception {
        Path data = dir.resolve("data");
        Path stream = dir.resolve("audit.jsonl");
        long sequence = AuditCheckpoint.parse(runAndStop(data, stream)).sequence();
        sql(data, "DELETE FROM audit_log WHERE sequence > " + (sequence - 2));

        var verify = stowage("audit", "verify", "--data", data.toString(), "--checkpoint", stream.toString());
        assertThat(verify.exitCode()).as(verify.output()).isEqualTo(1);
        assertThat(verify.output()).contains("but the trail ends at " + (sequence - 2) + ": records " + (sequence - 1)
                + ".." + sequence + " were removed");
        var fromDatabase = stowage("audit", "verify", "--data", data.toString());
        assertThat(fromDatabase.exitCode()).as(fromDatabase.output()).isEqualTo(1);
    }

    @Test
    void aRestartAfterTheLastRecordsWereRemovedAlarmsAndSignsNothingOverTheReusedSequences() throws Exception {
        Path data = dir.resolve("data");
        Path stream = dir.resolve("audit.jsonl");
        long sequence = AuditCheckpoint.parse(runAndStop(data, stream)).sequence();
        sql(data, "DELETE FROM audit_log WHERE sequence > " + (sequence - 3));
        sql(data, "DELETE FROM audit_checkpoint WHERE sequence > " + (sequence - 3));

        try (StowageProcess stowage = StowageProcess.start(data, Map.of("STOWAGE_AUTH_ENABLED", "true",
                "STOWAGE_ADMIN_PASSWORD", PASSWORD, "STOWAGE_AUDIT_STREAM", stream.toString(),
                "STOWAGE_AUDIT_CHECKPOINT_RECORDS", "2"))) {
            HttpClient http = HttpClient.newHttpClient();
            for (int i = 0; i < 8; i++) {
                http.send(HttpRequest.newBuilder(URI.create(stowage.baseUrl() + "/token?service=stowage"))
                        .header("Authorization", "Basic " + Base64.getEncoder().encodeToString("admin:wrong".getBytes()))
                        .build(), HttpResponse.BodyHandlers.discarding());
            }
            stowage.close();
            String log = stowage.log();
            String restart = log.substring(log.lastIndexOf("audit checkpoints signed with key"));
            assertThat(restart).contains("ERROR AuditTrail the audit trail lost or changed records since checkpoint " + sequence)
                    .doesNotContain("audit checkpoint: sequence ");
        }
        var fromStream = stowage("audit", "verify", "--data", data.toString(), "--checkpoint", stream.toString());
        assertThat(fromStream.exitCode()).as(fromStream.output()).isEqualTo(1);
        assertThat(fromStream.output()).contains("audit trail BROKEN: record " + sequence + " has hash ");
        var plain = stowage("audit", "verify", "--data", data.toString());
        assertThat(plain.exitCode()).as(plain.output()).isEqualTo(1);
    }

    @Test
    void aRecomputedChainIsFoundByTheSignedCheckpoint() throws Exception {
        Path data = dir.resolve("data");
        Path stream = dir.resolve("audit.jsonl");
        long sequence = AuditCheckpoint.parse(runAndStop(data, stream)).sequence();
        // What anyone who can write the database can do: edit a record, recompute every hash after it, and drop the
        // database's copies of the checkpoints.
        sql(data, "UPDATE audit_log SET actor = 'nobody' WHERE sequence = 2");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + data.resolve("stowage.db"));
             PreparedStatement select = c.prepareStatement("SELECT sequence, at, actor, source_address, user_agent, action, "
                     + "repository, reference, outcome, detail, digest FROM audit_log ORDER BY sequence");
             PreparedStatement update = c.prepareStatement("UPDATE audit_log SET previous_hash = ?, hash = ? WHERE sequence = ?");
             ResultSet r = select.executeQuery()) {
            String previous = AuditRecord.GENESIS;
            while (r.next()) {
                AuditRecord again = AuditRecord.chain(r.getLong(1), new AuditEvent(Instant.ofEpochMilli(r.getLong(2)),
                        r.getString(3), r.getString(4), r.getString(5), r.getString(6), r.getString(7), r.getString(8),
                        r.getInt(9), r.getString(10), r.getString(11)), previous);
                update.setString(1, previous);
                update.setString(2, again.hash());
                update.setLong(3, again.sequence());
                update.executeUpdate();
                previous = again.hash();
            }
        }
        sql(data, "DELETE FROM audit_checkpoint");
        // the node's own last checkpoint, kept beside its key, is not in the database
        var fromNode = stowage("audit", "verify", "--data", data.toString());
        assertThat(fromNode.exitCode()).as(fromNode.output()).isEqualTo(1);
        assertThat(fromNode.output()).contains("audit trail BROKEN: record " + sequence + " has hash ");

        var verify = stowage("audit", "verify", "--data", data.toString(), "--checkpoint", stream.toString());
        assertThat(verify.exitCode()).as(verify.output()).isEqualTo(1);
        assertThat(verify.output()).contains("audit trail BROKEN: record " + sequence + " has hash ");
    }

    @Test
    void aCheckpointSignedByAnotherKeyIsRefused() throws Exception {
        Path data = dir.resolve("data");
        Path stream = dir.resolve("audit.jsonl");
        AuditCheckpoint genuine = AuditCheckpoint.parse(runAndStop(data, stream));
        CheckpointKey forger = CheckpointKey.loadOrCreate(dir.resolve("forger.key"));
        String forged = forger.sign(genuine.sequence(), genuine.hash(), Instant.now()).toJson();

        var verify = stowage("audit", "verify", "--data", data.toString(), "--checkpoint", forged);
        assertThat(verify.exitCode()).as(verify.output()).isEqualTo(1);
        assertThat(verify.output()).contains("checkpoint REFUSED: the checkpoint at record " + genuine.sequence()
                + " (key " + forger.id() + ") is not signed by a trusted key");
    }

    @Test
    void anExportedHeadFindsRecordsRemovedAfterIt() throws Exception {
        Path data = dir.resolve("data");
        long sequence = AuditCheckpoint.parse(runAndStop(data, dir.resolve("audit.jsonl"))).sequence();
        var head = stowage("audit", "head", "--data", data.toString());
        assertThat(head.exitCode()).as(head.output()).isZero();
        Path kept = dir.resolve("head.json");
        Files.writeString(kept, head.output());
        assertThat(stowage("audit", "verify", "--data", data.toString(), "--head", kept.toString()).exitCode()).isZero();

        sql(data, "DELETE FROM audit_log WHERE sequence = " + sequence);
        var verify = stowage("audit", "verify", "--data", data.toString(), "--head", kept.toString());
        assertThat(verify.exitCode()).as(verify.output()).isEqualTo(1);
        assertThat(verify.output()).contains("exported head is at record " + sequence);
    }

    /** The records of an audit query's JSON answer, after the command line the output starts with. */
    static JsonNode records(Clients.Result r) throws Exception {
        return JSON.readTree(r.output().substring(r.output().indexOf('{'))).path("records");
    }

    @Test
    void adminAuditTakesTimeRangesAsInstantsOrDurationsBackFromNow() throws Exception {
        try (StowageProcess stowage = StowageProcess.start(dir.resolve("data"), Map.of("STOWAGE_AUTH_ENABLED", "true",
                "STOWAGE_ADMIN_PASSWORD", PASSWORD))) {
            String basic = "Basic " + Base64.getEncoder().encodeToString(("admin:" + PASSWORD).getBytes());
            HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(stowage.baseUrl() + "/token?service=stowage"))
                    .header("Authorization", basic).build(), HttpResponse.BodyHandlers.discarding());
            Thread.sleep(600); // the trail writes in batches every 200 ms
            Map<String, String> env = Map.of("STOWAGE_PASSWORD", PASSWORD);
            String url = stowage.baseUrl();

            var lastDay = stowageWith(env, "admin", "--url", url, "-o", "json", "audit", "--action", "sign-in", "--since", "24h");
            assertThat(lastDay.exitCode()).as(lastDay.output()).isZero();
            assertThat(records(lastDay)).isNotEmpty();
            var beforeAnHourAgo = stowageWith(env, "admin", "--url", url, "-o", "json", "audit", "--action", "sign-in", "--until", "1h");
            assertThat(beforeAnHourAgo.exitCode()).as(beforeAnHourAgo.output()).isZero();
            assertThat(records(beforeAnHourAgo)).isEmpty();
            var bad = stowageWith(env, "admin", "--url", url, "audit", "--since", "yesterday");
            assertThat(bad.exitCode()).isEqualTo(1);
            assertThat(bad.output()).contains("since must be an ISO-8601 instant (2026-01-31T12:00:00Z) or a duration "
                    + "back from now (24h, 7d, 30m), not 'yesterday'");
        }
    }
}
