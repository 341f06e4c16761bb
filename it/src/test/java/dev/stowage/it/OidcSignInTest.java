package dev.stowage.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stowage.it.support.Clients;
import dev.stowage.it.support.StowageProcess;
import dev.stowage.it.support.TestImages;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.CookieManager;
import java.net.CookiePolicy;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static dev.stowage.it.support.Clients.cmd;
import static dev.stowage.it.support.Clients.run;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * People sign in through a real OpenID Connect provider (NAV's mock-oauth2-server, run by the test): the
 * authorization-code flow through a browser-like client that keeps cookies and follows redirects, accounts made
 * from the ID token's claims, groups mapped to project roles, and the session used for the CLI.
 */
class OidcSignInTest {
    static final String PASSWORD = "it-admin-password";
    static final String ISSUER_ID = "corp";
    static final ObjectMapper JSON = new ObjectMapper();
    @TempDir static Path dir;
    static MockOAuth2Server provider;
    static StowageProcess stowage;

    @BeforeAll
    static void start() throws Exception {
        StowageProcess.requireStowage("OIDC sign-in");
        provider = new MockOAuth2Server();
        provider.start();
        stowage = StowageProcess.start(dir.resolve("data"), Map.of("STOWAGE_AUTH_ENABLED", "true",
                "STOWAGE_ADMIN_PASSWORD", PASSWORD,
                "STOWAGE_OIDC_ISSUER", provider.issuerUrl(ISSUER_ID).toString(),
                "STOWAGE_OIDC_CLIENT_ID", "stowage",
                "STOWAGE_OIDC_CLIENT_SECRET", "client-secret",
                "STOWAGE_OIDC_ADMIN_GROUP", "registry-admins",
                "STOWAGE_OIDC_GROUP_ROLES", "devs=team:developer, leads=team:admin, devs=tools:guest"));
        for (String project : List.of("team", "tools", "ops")) {
            assertThat(admin("POST", "/api/v1/projects", "{\"name\":\"" + project + "\"}").statusCode()).isEqualTo(201);
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (stowage != null) stowage.close();
        if (provider != null) provider.shutdown();
    }

    /** The provider's next sign-in is this user, with these groups. */
    static void nextUser(String subject, String username, List<String> groups) {
        provider.enqueueCallback(new DefaultOAuth2TokenCallback(ISSUER_ID, subject, "JWT", List.of("stowage"),
                Map.of("preferred_username", username, "groups", groups, "email", username + "@example.com"), 3600));
    }

    static HttpClient browser() {
        return HttpClient.newBuilder().cookieHandler(new CookieManager(null, CookiePolicy.ACCEPT_ALL))
                .followRedirects(HttpClient.Redirect.NORMAL).version(HttpClient.Version.HTTP_1_1).build();
    }

    static HttpResponse<String> signIn(HttpClient browser) throws Exception {
        return browser.send(HttpRequest.newBuilder(URI.create(stowage.baseUrl() + "/auth/oidc/login")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> admin(String method, String path, String body) throws Exception {
        return call(method, path, body, "Basic " + Base64.getEncoder().encodeToString(("admin:" + PASSWORD).getBytes()));
    }

    static HttpResponse<String> call(String method, String path, String body, String authorization) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(stowage.baseUrl() + path))
                .header("Authorization", authorization)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) request.header("Content-Type", "application/json");
        return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    static String role(String project, String username) throws Exception {
        for (JsonNode m : JSON.readTree(admin("GET", "/api/v1/projects/" + project + "/members", null).body())) {
            if (m.path("username").asText().equals(username)) return m.path("role").asText();
        }
        return "none";
    }

    @Test
    void firstSignInCreatesTheAccountFromClaimsAndMapsGroupsToRoles() throws Exception {
        nextUser("sub-alice", "Alice", List.of("devs", "unmapped"));
        HttpResponse<String> answer = signIn(browser());
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        assertThat(answer.headers().firstValue("Cache-Control")).contains("no-store");
        JsonNode session = JSON.readTree(answer.body());
        assertThat(session.path("username").asText()).isEqualTo("alice");
        assertThat(session.path("systemAdmin").asBoolean()).isFalse();
        assertThat(session.path("groups")).extracting(JsonNode::asText).containsExactly("devs", "unmapped");
        assertThat(role("team", "alice")).isEqualTo("developer");
        assertThat(role("tools", "alice")).isEqualTo("guest");
        assertThat(role("ops", "alice")).isEqualTo("none");

        JsonNode user = JSON.readTree(admin("GET", "/api/v1/users/alice", null).body());
        assertThat(user.path("disabled").asBoolean()).isFalse();
        // The audit trail is written in batches off the request path: wait for the batch, as a SIEM would.
        JsonNode audit;
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        do {
            audit = JSON.readTree(admin("GET", "/api/v1/audit?action=sign-in&actor=alice", null).body());
            if (audit.path("records").size() >= 1) break;
            Thread.sleep(100);
        } while (System.nanoTime() < deadline);
        assertThat(audit.path("records").size()).isGreaterThanOrEqualTo(1);
        assertThat(audit.path("records").get(0).path("detail").asText()).startsWith("oidc");
    }

    @Test
    void theSessionMakesAPersonalAccessTokenThatSkopeoPushesWithWithinTheMappedRole() throws Exception {
        Clients.require("skopeo", "skopeo");
        nextUser("sub-carol", "carol", List.of("devs"));
        JsonNode session = JSON.readTree(signIn(browser()).body());
        HttpResponse<String> created = call("POST", "/api/v1/users/carol/tokens", "{\"name\":\"laptop\"}",
                "Bearer " + session.path("token").asText());
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        String pat = JSON.readTree(created.body()).path("token").asText();

        Path layout = dir.resolve("carol");
        TestImages.writeImage(layout, "v1", "amd64", "oidc carol");
        run(cmd("skopeo", "copy", "--dest-tls-verify=false", "--dest-creds", "carol:" + pat, "oci:" + layout + ":v1",
                "docker://" + stowage.hostPort() + "/team/app:v1")).ok();
        var intoOps = run(cmd("skopeo", "copy", "--dest-tls-verify=false", "--dest-creds", "carol:" + pat,
                "oci:" + layout + ":v1", "docker://" + stowage.hostPort() + "/ops/app:v1"));
        assertThat(intoOps.exitCode()).isNotZero();

        // Leaving the group at the provider takes the role away at the next sign-in.
        nextUser("sub-carol", "carol", List.of());
        assertThat(signIn(browser()).statusCode()).isEqualTo(200);
        assertThat(role("team", "carol")).isEqualTo("none");
        var afterwards = run(cmd("skopeo", "copy", "--dest-tls-verify=false", "--dest-creds", "carol:" + pat,
                "oci:" + layout + ":v1", "docker://" + stowage.hostPort() + "/team/app:v2"));
        assertThat(afterwards.exitCode()).isNotZero();
    }

    @Test
    void theAdminGroupMakesSystemAdministratorsAndAdministratorGrantsAreLeftAlone() throws Exception {
        nextUser("sub-dana", "dana", List.of("registry-admins"));
        assertThat(JSON.readTree(signIn(browser()).body()).path("systemAdmin").asBoolean()).isTrue();
        assertThat(admin("PUT", "/api/v1/projects/ops/members/dana", "{\"role\":\"maintainer\"}").statusCode()).isEqualTo(200);

        nextUser("sub-dana", "dana", List.of("leads"));
        JsonNode again = JSON.readTree(signIn(browser()).body());
        assertThat(again.path("systemAdmin").asBoolean()).isFalse();
        assertThat(role("team", "dana")).isEqualTo("admin");
        assertThat(role("ops", "dana")).isEqualTo("maintainer");
    }

    @Test
    void aProviderUserNeverTakesOverALocalAccountOfTheSameName() throws Exception {
        assertThat(admin("POST", "/api/v1/users", "{\"username\":\"erin\",\"password\":\"a-long-local-password\"}")
                .statusCode()).isEqualTo(201);
        nextUser("sub-erin", "erin", List.of("registry-admins"));
        HttpResponse<String> answer = signIn(browser());
        assertThat(answer.statusCode()).isEqualTo(403);
        assertThat(JSON.readTree(answer.body()).path("errors").get(0).path("message").asText()).contains("another account");
        assertThat(JSON.readTree(admin("GET", "/api/v1/users/erin", null).body()).path("systemAdmin").asBoolean()).isFalse();
    }

    @Test
    void aCallbackWithoutTheBrowsersStateOrWithAnotherStateIsRefused() throws Exception {
        HttpClient plain = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        var noCookie = plain.send(HttpRequest.newBuilder(URI.create(stowage.baseUrl()
                + "/auth/oidc/callback?code=abc&state=xyz")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(noCookie.statusCode()).isEqualTo(401);
        assertThat(noCookie.body()).contains("UNAUTHORIZED");

        // A real sign-in started, then the callback arrives with a state the browser never had.
        HttpClient browser = HttpClient.newBuilder().cookieHandler(new CookieManager(null, CookiePolicy.ACCEPT_ALL))
                .followRedirects(HttpClient.Redirect.NEVER).version(HttpClient.Version.HTTP_1_1).build();
        var login = browser.send(HttpRequest.newBuilder(URI.create(stowage.baseUrl() + "/auth/oidc/login")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(login.statusCode()).isEqualTo(302);
        String location = login.headers().firstValue("Location").orElseThrow();
        assertThat(location).startsWith(provider.issuerUrl(ISSUER_ID).toString()).contains("code_challenge=")
                .contains("nonce=").contains("client_id=stowage");
        assertThat(login.headers().firstValue("Set-Cookie").orElseThrow()).containsIgnoringCase("HttpOnly").contains("SameSite=Lax");
        var forged = browser.send(HttpRequest.newBuilder(URI.create(stowage.baseUrl()
                + "/auth/oidc/callback?code=abc&state=" + URLEncoder.encode("forged", StandardCharsets.UTF_8))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(forged.statusCode()).isEqualTo(401);
        assertThat(forged.body()).contains("state does not match");

        var refused = browser.send(HttpRequest.newBuilder(URI.create(stowage.baseUrl()
                + "/auth/oidc/callback?error=access_denied")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(refused.statusCode()).isEqualTo(401);
        assertThat(refused.body()).contains("access_denied");
    }

    @Test
    void theRefreshTokenWorksUntilItsSessionIsRevoked() throws Exception {
        nextUser("sub-frank", "frank", List.of("devs"));
        JsonNode session = JSON.readTree(signIn(browser()).body());
        String refresh = session.path("refresh_token").asText();
        String form = "grant_type=refresh_token&service=stowage&scope=repository:team/app:pull&refresh_token=" + refresh;
        assertThat(token(form).statusCode()).isEqualTo(200);

        String bearer = "Bearer " + session.path("token").asText();
        JsonNode sessions = JSON.readTree(call("GET", "/api/v1/users/frank/sessions", null, bearer).body());
        assertThat(sessions).hasSize(1);
        assertThat(sessions.get(0).path("client").asText()).isEqualTo("oidc");
        String id = sessions.get(0).path("id").asText();
        assertThat(call("DELETE", "/api/v1/users/frank/sessions/" + id, null, bearer).statusCode()).isEqualTo(204);
        assertThat(token(form).statusCode()).isEqualTo(401);
    }

    static HttpResponse<String> token(String form) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(stowage.baseUrl() + "/token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
