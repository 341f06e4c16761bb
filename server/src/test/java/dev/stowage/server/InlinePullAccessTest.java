package dev.stowage.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stowage.core.Digest;
import dev.stowage.core.access.Role;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import static dev.stowage.server.AuthenticatedRegistry.JSON;
import static dev.stowage.server.AuthenticatedRegistry.basic;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The pull hot path with authentication on: a cached manifest is answered on the event loop once the token was
 * verified before, and every refusal the ordinary check makes still holds there. Each case first warms the caches
 * with pulls that succeed (the later ones answered inline), then changes what the decision depends on, then pulls.
 */
class InlinePullAccessTest {
    @TempDir Path root;
    AuthenticatedRegistry registry;
    List<String> auditLines = new ArrayList<>();

    /** The system clock until a test moves it on: the clock tokens are issued and verified by. */
    static final class MovableClock extends Clock {
        volatile Duration ahead = Duration.ZERO;

        @Override public ZoneId getZone() { return ZoneOffset.UTC; }
        @Override public Clock withZone(ZoneId zone) { return this; }
        @Override public Instant instant() { return Instant.now().plus(ahead); }
    }

    final MovableClock clock = new MovableClock();

    @BeforeEach
    void start() throws Exception {
        start(AuthenticatedRegistry.in(root));
    }

    /** The registry of every case, started from {@code builder} (a test with other key settings starts its own). */
    void start(AuthenticatedRegistry.Builder builder) throws Exception {
        if (registry != null) registry.close();
        registry = builder.admin("admin").user("dev").audit(auditLines::add)
                .project("team", false).project("public", true)
                .member("team", "dev", Role.DEVELOPER).member("public", "dev", Role.DEVELOPER)
                .tokenClock(clock).start();
        String push = registry.token("admin", "adminpw", "repository:team/app:pull,push");
        push("team/app", push);
        push("team/other", registry.token("admin", "adminpw", "repository:team/other:pull,push"));
        push("public/app", registry.token("admin", "adminpw", "repository:public/app:pull,push"));
    }

    @AfterEach
    void stop() {
        registry.close();
    }

    void push(String repository, String token) throws Exception {
        byte[] config = ("{\"repository\":\"" + repository + "\"}").getBytes();
        Digest configDigest = Digest.sha256Of(config);
        assertThat(registry.send(registry.request("/v2/" + repository + "/blobs/uploads/?digest=" + configDigest)
                .header("Authorization", "Bearer " + token).POST(HttpRequest.BodyPublishers.ofByteArray(config))).statusCode())
                .isEqualTo(201);
        byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":{"
                + "\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + configDigest + "\",\"size\":"
                + config.length + "},\"layers\":[]}").getBytes();
        assertThat(registry.send(registry.request("/v2/" + repository + "/manifests/v1")
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/vnd.oci.image.manifest.v1+json")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(manifest))).statusCode()).isEqualTo(201);
    }

    HttpResponse<String> pull(String repository, String token) throws Exception {
        HttpRequest.Builder request = registry.request("/v2/" + repository + "/manifests/v1")
                .header("Accept", "application/vnd.oci.image.manifest.v1+json");
        if (token != null) request.header("Authorization", "Bearer " + token);
        return registry.send(request);
    }

    /** Pulls until one was answered inline (the first ones warm the manifest and token caches). */
    void warm(String repository, String token) throws Exception {
        long before = registry.server.inlineAnswers();
        for (int i = 0; i < 20 && registry.server.inlineAnswers() == before; i++) {
            assertThat(pull(repository, token).statusCode()).isEqualTo(200);
        }
        assertThat(registry.server.inlineAnswers()).as("a pull answered on the event loop").isGreaterThan(before);
    }

    HttpResponse<String> admin(String method, String path, String json) throws Exception {
        return registry.call(method, path, basic("admin", "adminpw"), json);
    }

    @Test
    void aTokenForOneRepositoryIsRefusedForAnotherWhoseManifestIsCached() throws Exception {
        String other = registry.token("dev", "devpw", "repository:team/other:pull");
        warm("team/other", other);
        String token = registry.token("dev", "devpw", "repository:team/app:pull");
        warm("team/app", token);
        HttpResponse<String> refused = pull("team/other", token);
        assertThat(refused.statusCode()).isEqualTo(401);
        assertThat(refused.headers().firstValue("WWW-Authenticate").orElseThrow()).contains("error=\"insufficient_scope\"");
    }

    @Test
    void aDisabledAccountsTokenIsRefusedAtOnce() throws Exception {
        String token = registry.token("dev", "devpw", "repository:team/app:pull");
        warm("team/app", token);
        assertThat(admin("PATCH", "/api/v1/users/dev", "{\"disabled\":true}").statusCode()).isEqualTo(200);
        assertThat(pull("team/app", token).statusCode()).isEqualTo(401);
        assertThat(admin("PATCH", "/api/v1/users/dev", "{\"disabled\":false}").statusCode()).isEqualTo(200);
        assertThat(pull("team/app", token).statusCode()).isEqualTo(200);
    }

    @Test
    void aDeletedAccountsTokenIsRefusedAtOnce() throws Exception {
        String token = registry.token("dev", "devpw", "repository:team/app:pull");
        warm("team/app", token);
        assertThat(admin("DELETE", "/api/v1/users/dev", null).statusCode()).isEqualTo(204);
        assertThat(pull("team/app", token).statusCode()).isEqualTo(401);
    }

    @Test
    void aDisabledRobotsTokenIsRefusedAtOnce() throws Exception {
        HttpResponse<String> created = admin("POST", "/api/v1/robots",
                "{\"name\":\"ci\",\"permissions\":[{\"repository\":\"team/**\",\"actions\":[\"pull\"]}],\"expiresIn\":\"30d\"}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        String token = registry.token("robot$ci", JSON.readTree(created.body()).path("secret").asText(),
                "repository:team/app:pull");
        warm("team/app", token);
        assertThat(admin("PATCH", "/api/v1/robots/robot$ci", "{\"disabled\":true}").statusCode()).isEqualTo(200);
        assertThat(pull("team/app", token).statusCode()).isEqualTo(401);
    }

    @Test
    void aTokenWhoseKeyWasRotatedOutIsRefusedOnceTheKeyNoLongerVerifies() throws Exception {
        start(AuthenticatedRegistry.in(java.nio.file.Files.createDirectories(root.resolve("no-grace"))).keyGrace(Duration.ZERO));
        String token = registry.token("dev", "devpw", "repository:team/app:pull");
        warm("team/app", token);
        assertThat(admin("POST", "/api/v1/keys/rotate", null).statusCode()).isEqualTo(200);
        HttpResponse<String> refused = pull("team/app", token);
        assertThat(refused.statusCode()).isEqualTo(401);
        assertThat(refused.headers().firstValue("WWW-Authenticate").orElseThrow()).contains("error=\"invalid_token\"");
        warm("team/app", registry.token("dev", "devpw", "repository:team/app:pull")); // the new key's tokens are kept
    }

    @Test
    void anExpiredTokenIsRefused() throws Exception {
        String token = registry.token("dev", "devpw", "repository:team/app:pull");
        warm("team/app", token);
        clock.ahead = Duration.ofMinutes(6); // past its 5 minutes and the leeway for clock skew
        HttpResponse<String> refused = pull("team/app", token);
        assertThat(refused.statusCode()).isEqualTo(401);
        assertThat(JSON.readTree(refused.body()).path("errors").path(0).path("message").asText()).contains("expired");
    }

    @Test
    void aForgedOrAlteredTokenIsNeverTakenFromTheCache() throws Exception {
        String token = registry.token("dev", "devpw", "repository:team/app:pull");
        warm("team/app", token);
        String[] parts = token.split("\\.");
        String otherSignature = registry.token("dev", "devpw", "repository:team/other:pull").split("\\.")[2];
        assertThat(pull("team/app", parts[0] + "." + parts[1] + "." + otherSignature).statusCode()).isEqualTo(401);
        assertThat(pull("team/app", token + "x").statusCode()).isEqualTo(401);
    }

    @Test
    void anonymousPullsOfAPublicProjectAreAnsweredInlineAndOfAPrivateOneRefused() throws Exception {
        warm("public/app", null);
        warm("team/app", registry.token("dev", "devpw", "repository:team/app:pull"));
        HttpResponse<String> refused = pull("team/app", null);
        assertThat(refused.statusCode()).isEqualTo(401);
        assertThat(refused.headers().firstValue("WWW-Authenticate").orElseThrow()).contains("scope=\"repository:team/app:pull\"");
    }

    @Test
    void aProjectMadePrivateRefusesAnonymousPullsAtOnce() throws Exception {
        warm("public/app", null);
        assertThat(admin("PATCH", "/api/v1/projects/public", "{\"public\":false}").statusCode()).isEqualTo(200);
        assertThat(pull("public/app", null).statusCode()).isEqualTo(401);
        assertThat(pull("public/app", registry.token("dev", "devpw", "repository:public/app:pull")).statusCode())
                .isEqualTo(200);
    }

    @Test
    void aPullAnsweredInlineIsAuditedUnderItsUser() throws Exception {
        warm("team/app", registry.token("dev", "devpw", "repository:team/app:pull"));
        registry.audit.flush();
        JsonNode records = JSON.readTree(registry.call("GET", "/api/v1/audit?action=pull", basic("admin", "adminpw"), null)
                .body()).path("records");
        assertThat(records).isNotEmpty();
        records.forEach(r -> assertThat(r.path("actor").asText()).isEqualTo("dev"));
    }
}
