package dev.stowage.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
            assertThat(push.path("userAgent").asText()).contains("skopeo");
            assertThat(push.path("source").asText()).isEqualTo("127.0.0.1");
            assertThat(image.manifestDigest()).startsWith("sha256:");
            assertThat(Files.readAllLines(stream)).hasSizeGreaterThanOrEqualTo(all.path("records").size());
        }

        String java = ProcessHandle.current().info().command().orElse("java");
        var verify = Clients.run(List.of(java, "-jar", StowageProcess.jar().toString(), "audit", "verify", "--data", data.toString()),
                Map.of(), 120);
        assertThat(verify.exitCode()).as(verify.output()).isZero();
        assertThat(verify.output()).contains("audit trail intact");

        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + data.resolve("stowage.db"));
             Statement s = c.createStatement()) {
            s.executeUpdate("UPDATE audit_log SET actor = 'nobody' WHERE sequence = 2");
        }
        var tampered = Clients.run(List.of(java, "-jar", StowageProcess.jar().toString(), "audit", "verify", "--data",
                data.toString()), Map.of(), 120);
        assertThat(tampered.exitCode()).isEqualTo(1);
        assertThat(tampered.output()).contains("BROKEN");
    }
}
