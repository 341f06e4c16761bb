package dev.stowage.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stowage.core.Digest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static dev.stowage.server.AuthenticatedRegistry.JSON;
import static dev.stowage.server.AuthenticatedRegistry.basic;
import static dev.stowage.server.AuthenticatedRegistry.errorCode;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Audit records of pushes, pulls and deletes name the manifest digest, not only the tag a client used (a tag moves);
 * the audit API takes time ranges as instants or as durations back from now, and refuses anything else with 400.
 */
class AuditRecordsTest {
    static final String ADMIN = basic("admin", "adminpw");
    @TempDir Path root;
    AuthenticatedRegistry registry;
    final List<String> auditLines = Collections.synchronizedList(new ArrayList<>());
    String token;

    @BeforeEach
    void start() throws Exception {
        registry = AuthenticatedRegistry.in(root).audit(auditLines::add).admin("admin").user("alice")
                .project("team", false).member("team", "alice", dev.stowage.core.access.Role.GUEST).start();
        token = registry.token("admin", "adminpw", "repository:team/app:pull,push,delete");
    }

    @AfterEach
    void stop() {
        registry.close();
    }

    /** Pushes a small image as {@code team/app:tag}; answers its manifest digest as the registry reported it. */
    String push(String tag) throws Exception {
        byte[] config = ("{\"tag\":\"" + tag + "\"}").getBytes();
        Digest configDigest = Digest.sha256Of(config);
        HttpResponse<String> blob = registry.send(registry.request("/v2/team/app/blobs/uploads/?digest=" + configDigest)
                .header("Authorization", "Bearer " + token).POST(HttpRequest.BodyPublishers.ofByteArray(config)));
        assertThat(blob.statusCode()).as(blob.body()).isEqualTo(201);
        byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":{"
                + "\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + configDigest + "\",\"size\":"
                + config.length + "},\"layers\":[]}").getBytes();
        HttpResponse<String> put = registry.send(registry.request("/v2/team/app/manifests/" + tag)
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/vnd.oci.image.manifest.v1+json")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(manifest)));
        assertThat(put.statusCode()).as(put.body()).isEqualTo(201);
        return put.headers().firstValue("Docker-Content-Digest").orElseThrow();
    }

    /**
     * The audit records of {@code action}, once one is there: an exchange is audited when its answer has been
     * written, which may be a moment after the client has read it.
     */
    JsonNode recordOf(String action) throws Exception {
        for (int attempt = 0; attempt < 100; attempt++) {
            registry.audit.flush();
            JsonNode records = JSON.readTree(audit("action=" + action).body()).path("records");
            if (!records.isEmpty()) return records.get(0);
            Thread.sleep(50);
        }
        throw new AssertionError("no " + action + " record");
    }

    HttpResponse<String> audit(String query) throws Exception {
        return registry.call("GET", "/api/v1/audit?" + query, ADMIN, null);
    }

    @Test
    void aPushByTagRecordsTheTagAndThePushedDigest() throws Exception {
        String digest = push("v1");
        JsonNode push = recordOf("push");
        assertThat(push.path("reference").asText()).isEqualTo("v1");
        assertThat(push.path("digest").asText()).isEqualTo(digest);
    }

    @Test
    void aPullByTagRecordsThePulledDigest() throws Exception {
        String digest = push("v1");
        HttpResponse<String> pull = registry.send(registry.request("/v2/team/app/manifests/v1")
                .header("Authorization", "Bearer " + token).header("Accept", "application/vnd.oci.image.manifest.v1+json"));
        assertThat(pull.statusCode()).isEqualTo(200);
        assertThat(recordOf("pull").path("digest").asText()).isEqualTo(digest);
    }

    @Test
    void aDeleteByTagRecordsTheDigestTheTagNamed() throws Exception {
        String digest = push("v1");
        HttpResponse<String> delete = registry.send(registry.request("/v2/team/app/manifests/v1")
                .header("Authorization", "Bearer " + token).DELETE());
        assertThat(delete.statusCode()).as(delete.body()).isEqualTo(202);
        JsonNode record = recordOf("delete");
        assertThat(record.path("reference").asText()).isEqualTo("v1");
        assertThat(record.path("digest").asText()).isEqualTo(digest);
    }

    @Test
    void sinceAsADurationCountsBackFromNow() throws Exception {
        push("v1");
        recordOf("push");
        assertThat(JSON.readTree(audit("action=push&since=1h").body()).path("records")).hasSize(1);
        assertThat(JSON.readTree(audit("action=push&until=1h").body()).path("records")).isEmpty();
        assertThat(JSON.readTree(audit("action=push&since=7d&until=" + Instant.now().plus(1, ChronoUnit.MINUTES)).body())
                .path("records")).hasSize(1);
    }

    @Test
    void sinceAsAnInstantInTheFutureFindsNothing() throws Exception {
        push("v1");
        recordOf("push");
        String later = URLEncoder.encode(Instant.now().plus(1, ChronoUnit.HOURS).toString(), StandardCharsets.UTF_8);
        HttpResponse<String> r = audit("action=push&since=" + later);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(r.body()).path("records")).isEmpty();
    }

    @Test
    void aSinceThatIsNeitherInstantNorDurationIs400SayingWhatIsAccepted() throws Exception {
        HttpResponse<String> r = audit("since=yesterday");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(errorCode(r)).isEqualTo("UNSUPPORTED");
        assertThat(JSON.readTree(r.body()).path("errors").path(0).path("message").asText())
                .isEqualTo("since must be an ISO-8601 instant (2026-01-31T12:00:00Z) or a duration back from now "
                        + "(24h, 7d, 30m), not 'yesterday'");
    }

    @Test
    void aBadUntilIs400NamingUntil() throws Exception {
        HttpResponse<String> r = audit("until=-5d");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(r.body()).path("errors").path(0).path("message").asText()).startsWith("until must be ");
    }

    @Test
    void aRangeThatEndsBeforeItStartsIs400() throws Exception {
        HttpResponse<String> r = audit("since=1h&until=2h");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(r.body()).path("errors").path(0).path("message").asText())
                .startsWith("since must be before until");
    }

    @Test
    void aRefusalOfSomeoneSignedInNamesThemOnTheAdminApi() throws Exception {
        HttpResponse<String> refused = registry.call("DELETE", "/api/v1/users/admin", basic("alice", "alicepw"), null);
        assertThat(refused.statusCode()).isEqualTo(403);
        JsonNode denied = recordOf("denied");
        assertThat(denied.path("actor").asText()).isEqualTo("alice");
        assertThat(denied.path("outcome").asInt()).isEqualTo(403);
    }

    @Test
    void aRefusalOfATokenHolderNamesThemOnTheRegistry() throws Exception {
        String guestToken = registry.token("alice", "alicepw", "repository:team/app:pull,push");
        HttpResponse<String> refused = registry.send(registry.request("/v2/team/app/blobs/uploads/")
                .header("Authorization", "Bearer " + guestToken).POST(HttpRequest.BodyPublishers.noBody()));
        assertThat(refused.statusCode()).isEqualTo(401);
        JsonNode denied = recordOf("denied");
        assertThat(denied.path("actor").asText()).isEqualTo("alice");
    }
}
