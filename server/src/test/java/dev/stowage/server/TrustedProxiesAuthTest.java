package dev.stowage.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stowage.core.access.Project;
import dev.stowage.identity.CredentialVerifier;
import dev.stowage.identity.LoginThrottle;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static dev.stowage.server.AuthenticatedRegistry.JSON;
import static dev.stowage.server.AuthenticatedRegistry.basic;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Behind a trusted proxy, the signed-in side sees the forwarded client too: the Bearer challenge's realm, the audit
 * trail, per-project allowlists and the per-address sign-in throttle. 127.0.0.1 (the test client) is the proxy.
 */
class TrustedProxiesAuthTest {
    @TempDir Path root;
    AuthenticatedRegistry registry;
    final List<String> auditLines = Collections.synchronizedList(new ArrayList<>());

    void start(String trustedProxies) throws Exception {
        registry = AuthenticatedRegistry.in(root)
                .network(NetworkPolicy.of(List.of(), 0, 0).trustingProxies(List.of(trustedProxies)))
                .signIns(CredentialVerifier.Settings.defaults(), new LoginThrottle.Settings(0, 2, Duration.ofMinutes(5)))
                .audit(auditLines::add)
                .admin("admin").user("dev")
                .start();
        registry.identities.createProject(new Project("fenced", true, Instant.now(), "10.0.0.0/8"));
    }

    @AfterEach
    void stop() {
        if (registry != null) registry.close();
    }

    HttpResponse<String> get(String path, String... headers) throws Exception {
        var request = registry.request(path);
        if (headers.length > 0) request.headers(headers);
        return registry.send(request);
    }

    @Test
    void theChallengeRealmUsesTheForwardedSchemeAndHost() throws Exception {
        start("127.0.0.1/32");
        HttpResponse<String> r = get("/v2/", "X-Forwarded-Proto", "https", "X-Forwarded-Host", "registry.example.com");
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.headers().firstValue("WWW-Authenticate"))
                .hasValue("Bearer realm=\"https://registry.example.com/token\",service=\"stowage\"");
    }

    @Test
    void theChallengeRealmUsesForwardedProtoAndHost() throws Exception {
        start("127.0.0.1/32");
        HttpResponse<String> r = get("/v2/", "Forwarded", "for=192.0.2.1;proto=https;host=\"registry.example.com:8443\"");
        assertThat(r.headers().firstValue("WWW-Authenticate"))
                .hasValue("Bearer realm=\"https://registry.example.com:8443/token\",service=\"stowage\"");
    }

    @Test
    void aForwardedElementWithoutForStillGivesProtoAndHost() throws Exception {
        start("127.0.0.1/32");
        HttpResponse<String> r = get("/v2/", "Forwarded", "PROTO=https;Host=registry.example.com");
        assertThat(r.headers().firstValue("WWW-Authenticate"))
                .hasValue("Bearer realm=\"https://registry.example.com/token\",service=\"stowage\"");
    }

    @Test
    void ofSeveralForwardedSchemesAndHostsTheNearestProxysCount() throws Exception {
        start("127.0.0.1/32");
        HttpResponse<String> r = get("/v2/", "X-Forwarded-Proto", "http, https", "X-Forwarded-Host",
                "client-said.example.com, registry.example.com");
        assertThat(r.headers().firstValue("WWW-Authenticate"))
                .hasValue("Bearer realm=\"https://registry.example.com/token\",service=\"stowage\"");
    }

    @Test
    void anUntrustedPeerCannotChangeTheRealm() throws Exception {
        start("10.255.0.1/32");
        HttpResponse<String> r = get("/v2/", "X-Forwarded-Proto", "https", "X-Forwarded-Host", "evil.example.com");
        assertThat(r.headers().firstValue("WWW-Authenticate"))
                .hasValue("Bearer realm=\"http://127.0.0.1:" + registry.port() + "/token\",service=\"stowage\"");
    }

    @Test
    void aForwardedHostThatIsNoHostIsIgnored() throws Exception {
        start("127.0.0.1/32");
        HttpResponse<String> r = get("/v2/", "X-Forwarded-Host", "evil.example.com\",scope=\"x", "X-Forwarded-Proto", "gopher");
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.headers().firstValue("WWW-Authenticate"))
                .hasValue("Bearer realm=\"http://127.0.0.1:" + registry.port() + "/token\",service=\"stowage\"");
    }

    @Test
    void aProjectsAllowlistSeesTheForwardedClient() throws Exception {
        start("127.0.0.1/32");
        assertThat(get("/v2/fenced/app/tags/list", "X-Forwarded-For", "10.1.2.3").statusCode()).isEqualTo(404);
        assertThat(get("/v2/fenced/app/tags/list", "X-Forwarded-For", "192.0.2.7").statusCode()).isEqualTo(403);
    }

    @Test
    void theAuditTrailRecordsTheForwardedClient() throws Exception {
        start("127.0.0.1/32");
        get("/token?service=stowage", "Authorization", basic("dev", "devpw"), "X-Forwarded-For", "192.0.2.44");
        JsonNode signIn = auditRecord("sign-in");
        assertThat(signIn.path("source").asText()).isEqualTo("192.0.2.44");
    }

    @Test
    void theSignInThrottleCountsFailuresPerForwardedClient() throws Exception {
        start("127.0.0.1/32");
        for (int i = 0; i < 2; i++) {
            assertThat(get("/token?service=stowage", "Authorization", basic("dev", "wrong"), "X-Forwarded-For", "192.0.2.1")
                    .statusCode()).isEqualTo(401);
        }
        assertThat(get("/token?service=stowage", "Authorization", basic("dev", "devpw"), "X-Forwarded-For", "192.0.2.1")
                .statusCode()).isEqualTo(429);
        assertThat(get("/token?service=stowage", "Authorization", basic("dev", "devpw"), "X-Forwarded-For", "192.0.2.2")
                .statusCode()).isEqualTo(200);
    }

    /** The first audit record of {@code action}; an exchange is audited just after its answer is written. */
    private JsonNode auditRecord(String action) throws Exception {
        while (true) {
            registry.audit.flush();
            synchronized (auditLines) {
                for (String line : auditLines) {
                    JsonNode record = JSON.readTree(line);
                    if (record.path("action").asText().equals(action)) return record;
                }
            }
            Thread.sleep(50);
        }
    }
}
