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
import java.util.Base64;

import static dev.stowage.server.AuthenticatedRegistry.JSON;
import static dev.stowage.server.AuthenticatedRegistry.basic;
import static org.assertj.core.api.Assertions.assertThat;

/** The Docker token flow over real HTTP: challenges, the token endpoint, and what each token may do. */
class TokenAuthTest {
    @TempDir Path root;
    AuthenticatedRegistry registry;

    @BeforeEach
    void start() throws Exception {
        registry = AuthenticatedRegistry.in(root).admin("admin").user("dev").user("guest")
                .project("team", false).project("public", true)
                .member("team", "dev", Role.DEVELOPER).member("team", "guest", Role.GUEST)
                .start();
    }

    @AfterEach
    void stop() {
        registry.close();
    }

    HttpResponse<String> pushBlob(String repo, String bearer) throws Exception {
        byte[] data = ("blob of " + repo).getBytes();
        HttpRequest.Builder b = registry.request("/v2/" + repo + "/blobs/uploads/?digest=" + Digest.sha256Of(data))
                .POST(HttpRequest.BodyPublishers.ofByteArray(data));
        if (bearer != null) b.header("Authorization", "Bearer " + bearer);
        return registry.send(b);
    }

    /** Asks /token for a pull of team/app with these credentials (without the service parameter). */
    HttpResponse<String> signInForPull(String user, String secret) throws Exception {
        return registry.send(registry.request("/token?scope=repository:team/app:pull").header("Authorization", basic(user, secret)));
    }

    @Test
    void versionCheckWithoutATokenIsChallenged() throws Exception {
        HttpResponse<String> r = registry.send(registry.request("/v2/"));
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.headers().firstValue("WWW-Authenticate")).hasValue(
                "Bearer realm=\"http://127.0.0.1:" + registry.port() + "/token\",service=\"stowage\"");
        assertThat(JSON.readTree(r.body()).path("errors").path(0).path("code").asText()).isEqualTo("UNAUTHORIZED");
    }

    @Test
    void developerTokenPushesToItsProject() throws Exception {
        String token = registry.token("dev", "devpw", "repository:team/app:pull,push");
        assertThat(pushBlob("team/app", token).statusCode()).isEqualTo(201);
        HttpResponse<String> ping = registry.send(registry.request("/v2/").header("Authorization", "Bearer " + token));
        assertThat(ping.statusCode()).isEqualTo(200);
    }

    @Test
    void guestAskingForPushGetsOnlyPull() throws Exception {
        String token = registry.token("guest", "guestpw", "repository:team/app:pull,push");
        String payload = new String(Base64.getUrlDecoder().decode(token.split("\\.")[1]));
        assertThat(JSON.readTree(payload).path("access").path(0).path("actions").toString()).isEqualTo("[\"pull\"]");
        HttpResponse<String> r = pushBlob("team/app", token);
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.headers().firstValue("WWW-Authenticate").orElseThrow())
                .contains("scope=\"repository:team/app:pull,push\"").contains("error=\"insufficient_scope\"");
    }

    @Test
    void tokenForOneRepositoryDoesNotOpenAnother() throws Exception {
        String token = registry.token("dev", "devpw", "repository:team/app:pull,push");
        assertThat(pushBlob("team/other", token).statusCode()).isEqualTo(401);
    }

    @Test
    void nonMemberGetsNoActionsOnAPrivateProject() throws Exception {
        String token = registry.token("guest", "guestpw", "repository:elsewhere/app:pull");
        String payload = new String(Base64.getUrlDecoder().decode(token.split("\\.")[1]));
        assertThat(JSON.readTree(payload).path("access").toString()).isEqualTo("[]");
    }

    @Test
    void anonymousPullsPublicButNotPrivateRepositoriesAndCannotTellPrivateFromMissing() throws Exception {
        String admin = registry.token("admin", "adminpw", "repository:public/app:pull,push repository:team/app:pull,push");
        assertThat(pushBlob("public/app", admin).statusCode()).isEqualTo(201);
        assertThat(pushBlob("team/app", admin).statusCode()).isEqualTo(201);
        Digest publicBlob = Digest.sha256Of("blob of public/app".getBytes());
        Digest privateBlob = Digest.sha256Of("blob of team/app".getBytes());
        assertThat(registry.send(registry.request("/v2/public/app/blobs/" + publicBlob)).statusCode()).isEqualTo(200);
        HttpResponse<String> existing = registry.send(registry.request("/v2/team/app/blobs/" + privateBlob));
        HttpResponse<String> missing = registry.send(registry.request("/v2/team/nothing/blobs/" + privateBlob));
        assertThat(existing.statusCode()).isEqualTo(401);
        assertThat(missing.statusCode()).isEqualTo(401);
        assertThat(existing.body()).isEqualTo(missing.body());
        assertThat(registry.send(registry.request("/v2/public/app/blobs/uploads/").POST(HttpRequest.BodyPublishers.noBody())).statusCode())
                .isEqualTo(401);
    }

    @Test
    void anonymousTokenForAPublicProjectGrantsPull() throws Exception {
        String token = registry.token(null, null, "repository:public/app:pull,push");
        String payload = new String(Base64.getUrlDecoder().decode(token.split("\\.")[1]));
        assertThat(JSON.readTree(payload).path("access").path(0).path("actions").toString()).isEqualTo("[\"pull\"]");
    }

    @Test
    void wrongPasswordUnknownUserAndMalformedHeadersAre401() throws Exception {
        for (String header : new String[] {"Basic " + Base64.getEncoder().encodeToString("dev:wrong".getBytes()),
                "Basic " + Base64.getEncoder().encodeToString("nobody:x".getBytes()), "Basic !!!", "Digest abc"}) {
            HttpResponse<String> r = registry.send(registry.request("/token?scope=repository:team/app:pull").header("Authorization", header));
            assertThat(r.statusCode()).as(header).isEqualTo(401);
            assertThat(JSON.readTree(r.body()).path("errors").path(0).path("code").asText()).isEqualTo("UNAUTHORIZED");
        }
    }

    @Test
    void forgedAndGarbageTokensAreChallengedAsInvalid() throws Exception {
        String token = registry.token("dev", "devpw", "repository:team/app:pull");
        String forged = token.substring(0, token.length() - 4) + "AAAA";
        for (String bearer : new String[] {forged, "garbage", ""}) {
            HttpResponse<String> r = registry.send(registry.request("/v2/team/app/tags/list").header("Authorization", "Bearer " + bearer));
            assertThat(r.statusCode()).as(bearer).isEqualTo(401);
        }
    }

    @Test
    void oauthPasswordGrantIssuesAToken() throws Exception {
        HttpResponse<String> r = registry.send(registry.request("/token").header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=password&username=dev&password=devpw&service=stowage"
                        + "&scope=repository%3Ateam%2Fapp%3Apull&client_id=test")));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(r.body()).path("access_token").asText()).isNotEmpty();
        HttpResponse<String> bad = registry.send(registry.request("/token").POST(HttpRequest.BodyPublishers.ofString(
                "grant_type=password&username=dev&password=nope")));
        assertThat(bad.statusCode()).isEqualTo(401);
    }

    @Test
    void onlySystemAdminsListTheCatalog() throws Exception {
        String admin = registry.token("admin", "adminpw", "registry:catalog:*");
        assertThat(registry.send(registry.request("/v2/_catalog").header("Authorization", "Bearer " + admin)).statusCode()).isEqualTo(200);
        String dev = registry.token("dev", "devpw", "registry:catalog:*");
        assertThat(registry.send(registry.request("/v2/_catalog").header("Authorization", "Bearer " + dev)).statusCode()).isEqualTo(401);
    }

    HttpResponse<String> admin(String method, String path, String user, String password, String json) throws Exception {
        return registry.call(method, path, user == null ? null : basic(user, password), json);
    }

    @Test
    void adminCreatesAUserAProjectAndAMembershipThatThenPushes() throws Exception {
        assertThat(admin("POST", "/api/v1/users", "admin", "adminpw", "{\"username\":\"carol\",\"password\":\"long-enough-pw\"}")
                .statusCode()).isEqualTo(201);
        assertThat(admin("POST", "/api/v1/projects", "admin", "adminpw", "{\"name\":\"carols\"}").statusCode()).isEqualTo(201);
        assertThat(admin("PUT", "/api/v1/projects/carols/members/carol", "admin", "adminpw", "{\"role\":\"developer\"}")
                .statusCode()).isEqualTo(200);
        String token = registry.token("carol", "long-enough-pw", "repository:carols/app:pull,push");
        assertThat(pushBlob("carols/app", token).statusCode()).isEqualTo(201);
        HttpResponse<String> members = admin("GET", "/api/v1/projects/carols/members", "admin", "adminpw", null);
        assertThat(members.body()).isEqualTo("[{\"username\":\"carol\",\"role\":\"developer\"}]");
    }

    @Test
    void adminApiRefusesAnonymousNonAdminsAndBadInput() throws Exception {
        HttpResponse<String> anonymous = admin("GET", "/api/v1/users", null, null, null);
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(anonymous.headers().firstValue("WWW-Authenticate")).hasValue("Basic realm=\"stowage\"");
        assertThat(admin("GET", "/api/v1/users", "dev", "devpw", null).statusCode()).isEqualTo(403);
        assertThat(admin("GET", "/api/v1/users", "dev", "wrong", null).statusCode()).isEqualTo(401);
        assertThat(admin("POST", "/api/v1/users", "admin", "adminpw", "{\"username\":\"dev\",\"password\":\"long-enough-pw\"}")
                .statusCode()).isEqualTo(409);
        assertThat(admin("POST", "/api/v1/users", "admin", "adminpw", "{\"username\":\"x\",\"password\":\"short\"}")
                .statusCode()).isEqualTo(400);
        assertThat(admin("POST", "/api/v1/users", "admin", "adminpw", "not json").statusCode()).isEqualTo(400);
        assertThat(admin("POST", "/api/v1/projects", "admin", "adminpw", "{\"name\":\"Bad/Name\"}").statusCode()).isEqualTo(400);
        assertThat(admin("PUT", "/api/v1/projects/team/members/dev", "admin", "adminpw", "{\"role\":\"owner\"}").statusCode())
                .isEqualTo(400);
    }

    @Test
    void projectAdminsManageTheirOwnProjectOnly() throws Exception {
        admin("PUT", "/api/v1/projects/team/members/dev", "admin", "adminpw", "{\"role\":\"admin\"}");
        assertThat(admin("PUT", "/api/v1/projects/team/members/guest", "dev", "devpw", "{\"role\":\"maintainer\"}").statusCode())
                .isEqualTo(200);
        assertThat(admin("PATCH", "/api/v1/projects/public", "dev", "devpw", "{\"public\":false}").statusCode()).isEqualTo(403);
        assertThat(admin("POST", "/api/v1/projects", "dev", "devpw", "{\"name\":\"mine\"}").statusCode()).isEqualTo(403);
    }

    @Test
    void disabledAccountsCannotGetTokens() throws Exception {
        assertThat(admin("PATCH", "/api/v1/users/dev", "admin", "adminpw", "{\"disabled\":true}").statusCode()).isEqualTo(200);
        HttpResponse<String> r = signInForPull("dev", "devpw");
        assertThat(r.statusCode()).isEqualTo(401);
    }

    @Test
    void robotAccountsPushWhereTheirPermissionsSayAndTheirSecretsRotate() throws Exception {
        HttpResponse<String> created = admin("POST", "/api/v1/robots", "admin", "adminpw",
                "{\"name\":\"ci\",\"permissions\":[{\"repository\":\"team/**\",\"actions\":[\"pull\",\"push\"]}],\"expiresIn\":\"30d\"}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        String secret = JSON.readTree(created.body()).path("secret").asText();
        assertThat(JSON.readTree(created.body()).path("name").asText()).isEqualTo("robot$ci");

        String token = registry.token("robot$ci", secret, "repository:team/app/sub:pull,push");
        assertThat(pushBlob("team/app/sub", token).statusCode()).isEqualTo(201);
        String elsewhere = registry.token("robot$ci", secret, "repository:public/app:pull,push");
        String payload = new String(Base64.getUrlDecoder().decode(elsewhere.split("\\.")[1]));
        assertThat(JSON.readTree(payload).path("access").path(0).path("actions").toString()).isEqualTo("[\"pull\"]");
        assertThat(admin("GET", "/api/v1/users", "robot$ci", secret, null).statusCode()).isEqualTo(403);

        String rotated = JSON.readTree(admin("POST", "/api/v1/robots/robot$ci/rotate", "admin", "adminpw", null).body())
                .path("secret").asText();
        assertThat(signInForPull("robot$ci", secret).statusCode()).isEqualTo(401);
        assertThat(registry.token("robot$ci", rotated, "repository:team/app:pull")).isNotEmpty();

        admin("PATCH", "/api/v1/robots/robot$ci", "admin", "adminpw", "{\"disabled\":true}");
        assertThat(signInForPull("robot$ci", rotated).statusCode()).isEqualTo(401);
        assertThat(admin("DELETE", "/api/v1/robots/robot$ci", "admin", "adminpw", null).statusCode()).isEqualTo(204);
    }

    @Test
    void expiredRobotsCannotSignIn() throws Exception {
        HttpResponse<String> created = admin("POST", "/api/v1/robots", "admin", "adminpw",
                "{\"name\":\"short\",\"permissions\":[{\"repository\":\"team/*\",\"actions\":[\"pull\"]}],\"expiresIn\":\"1s\"}");
        String secret = JSON.readTree(created.body()).path("secret").asText();
        assertThat(registry.token("robot$short", secret, "repository:team/app:pull")).isNotEmpty();
        Thread.sleep(1200);
        assertThat(signInForPull("robot$short", secret).statusCode()).isEqualTo(401);
    }

    @Test
    void personalAccessTokensStandInForThePasswordUntilRevoked() throws Exception {
        HttpResponse<String> created = admin("POST", "/api/v1/users/dev/tokens", "dev", "devpw", "{\"name\":\"laptop\",\"expiresIn\":\"30d\"}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        String pat = JSON.readTree(created.body()).path("token").asText();
        String id = JSON.readTree(created.body()).path("id").asText();
        assertThat(pat).startsWith("stowage_pat_" + id + "_");
        assertThat(pushBlob("team/app", registry.token("dev", pat, "repository:team/app:pull,push")).statusCode()).isEqualTo(201);
        assertThat(admin("GET", "/api/v1/users/dev/tokens", "dev", "devpw", null).body()).contains("laptop").doesNotContain(pat);
        assertThat(admin("POST", "/api/v1/users/dev/tokens", "guest", "guestpw", "{\"name\":\"x\"}").statusCode()).isEqualTo(403);
        HttpResponse<String> wrongUser = signInForPull("guest", pat);
        assertThat(wrongUser.statusCode()).isEqualTo(401);
        assertThat(admin("DELETE", "/api/v1/users/dev/tokens/" + id, "dev", "devpw", null).statusCode()).isEqualTo(204);
        HttpResponse<String> revoked = signInForPull("dev", pat);
        assertThat(revoked.statusCode()).isEqualTo(401);
    }

    @Test
    void openApiDocumentIsServedAndDescribesEveryAdminRoute() throws Exception {
        // The document describes the routes of the capabilities a node has: here all of them, as the application has.
        HttpResponse<String> r;
        try (AuthenticatedRegistry full = AuthenticatedRegistry.in(java.nio.file.Files.createDirectories(root.resolve("full")))
                .admin("admin").governance().quotas(event -> { }).audit(line -> { })
                .webhooks(dev.stowage.webhooks.WebhookSettings.defaults()).start()) {
            r = full.send(full.request("/api/v1/openapi.json"));
        }
        assertThat(r.statusCode()).isEqualTo(200);
        var paths = JSON.readTree(r.body()).path("paths");
        for (String path : new String[] {"/token", "/api/v1/users", "/api/v1/users/{username}", "/api/v1/users/{username}/tokens",
                "/api/v1/users/{username}/tokens/{id}", "/api/v1/projects", "/api/v1/projects/{name}",
                "/api/v1/projects/{name}/members", "/api/v1/projects/{name}/members/{username}", "/api/v1/robots",
                "/api/v1/robots/{name}", "/api/v1/robots/{name}/rotate", "/api/v1/audit", "/api/v1/users/{username}/sessions",
                "/api/v1/users/{username}/sessions/{id}", "/api/v1/projects/{name}/robots", "/api/v1/projects/{name}/robots/{robot}",
                "/api/v1/projects/{name}/robots/{robot}/rotate", "/auth/oidc/login", "/auth/oidc/callback", "/api/v1/gc",
                "/api/v1/projects/{name}/immutable-rules", "/api/v1/projects/{name}/immutable-rules/{id}",
                "/api/v1/repositories/{repository}/tag-mutability",
                "/api/v1/projects/{name}/retention", "/api/v1/projects/{name}/retention/run", "/api/v1/projects/{name}/quota",
                "/api/v1/me", "/api/v1/me/tokens", "/api/v1/me/password", "/api/v1/projects/{name}/webhooks/{id}/rotate-secret"}) {
            assertThat(paths.has(path)).as(path).isTrue();
        }
        assertThat(JSON.readTree(r.body()).path("openapi").asText()).startsWith("3.1");
    }

    @Test
    void aSecondFactorIsRequiredOnceConfirmedAndAccessTokensStillWork() throws Exception {
        JsonNode enrollment = JSON.readTree(admin("POST", "/api/v1/users/dev/totp", "dev", "devpw", null).body());
        String secret = enrollment.path("secret").asText();
        assertThat(enrollment.path("uri").asText()).startsWith("otpauth://totp/Stowage:dev?secret=" + secret);
        assertThat(admin("POST", "/api/v1/users/dev/totp/confirm", "dev", "devpw", "{\"code\":\"000000\"}").statusCode())
                .isIn(400, 204); // 204 only if 000000 happened to be the code
        String pat = JSON.readTree(admin("POST", "/api/v1/users/dev/tokens", "dev", "devpw", "{\"name\":\"cli\"}").body())
                .path("token").asText();
        String code = dev.stowage.identity.Totp.codeAt(secret, java.time.Instant.now());
        assertThat(admin("POST", "/api/v1/users/dev/totp/confirm", "dev", "devpw", "{\"code\":\"" + code + "\"}").statusCode())
                .isEqualTo(204);

        HttpResponse<String> passwordOnly = signInForPull("dev", "devpw");
        assertThat(passwordOnly.statusCode()).isEqualTo(401);
        assertThat(passwordOnly.body()).contains("second factor");
        // the confirmation used the current step; the next step's code is within the accepted drift
        String next = dev.stowage.identity.Totp.codeAt(secret, java.time.Instant.now().plusSeconds(30));
        assertThat(registry.token("dev", "devpw" + next, "repository:team/app:pull")).isNotEmpty();
        HttpResponse<String> replay = signInForPull("dev", "devpw" + next);
        assertThat(replay.statusCode()).isEqualTo(401);
        assertThat(registry.token("dev", pat, "repository:team/app:pull")).isNotEmpty();
    }

    @Test
    void offlinePasswordGrantGivesARefreshTokenThatGetsNewAccessTokens() throws Exception {
        HttpResponse<String> first = registry.send(registry.request("/token").POST(HttpRequest.BodyPublishers.ofString(
                "grant_type=password&username=dev&password=devpw&access_type=offline&service=stowage&client_id=docker"
                        + "&scope=repository%3Ateam%2Fapp%3Apull")));
        assertThat(first.statusCode()).isEqualTo(200);
        String refresh = JSON.readTree(first.body()).path("refresh_token").asText();
        assertThat(refresh).isNotEmpty();
        HttpResponse<String> renewed = registry.send(registry.request("/token").POST(HttpRequest.BodyPublishers.ofString(
                "grant_type=refresh_token&refresh_token=" + refresh + "&service=stowage&scope=repository%3Ateam%2Fapp%3Apull,push")));
        assertThat(renewed.statusCode()).isEqualTo(200);
        String access = JSON.readTree(renewed.body()).path("access_token").asText();
        assertThat(pushBlob("team/app", access).statusCode()).isEqualTo(201);
        // A refresh token is not an access token, and an access token is not a refresh token.
        HttpResponse<String> asAccess = registry.send(registry.request("/v2/team/app/tags/list").header("Authorization", "Bearer " + refresh));
        assertThat(asAccess.statusCode()).isEqualTo(401);
        HttpResponse<String> asRefresh = registry.send(registry.request("/token").POST(HttpRequest.BodyPublishers.ofString(
                "grant_type=refresh_token&refresh_token=" + access)));
        assertThat(asRefresh.statusCode()).isEqualTo(401);
        admin("PATCH", "/api/v1/users/dev", "admin", "adminpw", "{\"disabled\":true}");
        HttpResponse<String> disabled = registry.send(registry.request("/token").POST(HttpRequest.BodyPublishers.ofString(
                "grant_type=refresh_token&refresh_token=" + refresh)));
        assertThat(disabled.statusCode()).isEqualTo(401);
    }

    String refreshTokenFor(String user, String password) throws Exception {
        HttpResponse<String> r = registry.send(registry.request("/token").header("User-Agent", "docker/27.5.1 go/go1.22")
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=password&username=" + user + "&password=" + password
                        + "&access_type=offline&service=stowage&client_id=docker&scope=repository%3Ateam%2Fapp%3Apull")));
        assertThat(r.statusCode()).isEqualTo(200);
        return JSON.readTree(r.body()).path("refresh_token").asText();
    }

    int refresh(String refreshToken) throws Exception {
        return registry.send(registry.request("/token").POST(HttpRequest.BodyPublishers.ofString(
                "grant_type=refresh_token&service=stowage&refresh_token=" + refreshToken))).statusCode();
    }

    @Test
    void eachSignInIsASessionItsOwnerCanListAndRevokeOneByOne() throws Exception {
        String laptop = refreshTokenFor("dev", "devpw");
        String desktop = refreshTokenFor("dev", "devpw");
        JsonNode sessions = JSON.readTree(admin("GET", "/api/v1/users/dev/sessions", "dev", "devpw", null).body());
        assertThat(sessions).hasSize(2);
        assertThat(sessions.get(0).path("client").asText()).isEqualTo("docker/27.5.1 go/go1.22");
        assertThat(admin("GET", "/api/v1/users/dev/sessions", "guest", "guestpw", null).statusCode()).isEqualTo(403);

        String laptopId = JSON.readTree(new String(Base64.getUrlDecoder().decode(laptop.split("\\.")[1]))).path("jti").asText();
        assertThat(admin("DELETE", "/api/v1/users/guest/sessions/" + laptopId, "guest", "guestpw", null).statusCode()).isEqualTo(404);
        assertThat(admin("DELETE", "/api/v1/users/dev/sessions/" + laptopId, "dev", "devpw", null).statusCode()).isEqualTo(204);
        assertThat(refresh(laptop)).isEqualTo(401);
        assertThat(refresh(desktop)).isEqualTo(200);
        JsonNode after = JSON.readTree(admin("GET", "/api/v1/users/dev/sessions", "dev", "devpw", null).body());
        assertThat(after).extracting(n -> n.path("revokedAt").isNull()).containsExactlyInAnyOrder(true, false);
    }

    @Test
    void signingOutEverywhereAndChangingThePasswordEndEverySession() throws Exception {
        String first = refreshTokenFor("dev", "devpw");
        HttpResponse<String> all = admin("DELETE", "/api/v1/users/dev/sessions", "dev", "devpw", null);
        assertThat(JSON.readTree(all.body()).path("revoked").asInt()).isEqualTo(1);
        assertThat(refresh(first)).isEqualTo(401);

        String second = refreshTokenFor("dev", "devpw");
        assertThat(refresh(second)).isEqualTo(200);
        assertThat(admin("PATCH", "/api/v1/users/dev", "admin", "adminpw", "{\"password\":\"a-brand-new-password\"}")
                .statusCode()).isEqualTo(200);
        assertThat(refresh(second)).isEqualTo(401);
    }

    @Test
    void projectAdminsManageRobotsOfTheirProjectThatReachOnlyIt() throws Exception {
        admin("PUT", "/api/v1/projects/team/members/dev", "admin", "adminpw", "{\"role\":\"admin\"}");
        HttpResponse<String> outside = admin("POST", "/api/v1/projects/team/robots", "dev", "devpw",
                "{\"name\":\"ci\",\"permissions\":[{\"repository\":\"public/**\",\"actions\":[\"push\"]}]}");
        assertThat(outside.statusCode()).isEqualTo(400); // a mistake in the request, not a lack of rights
        assertThat(outside.body()).contains("may only name its repositories");
        HttpResponse<String> created = admin("POST", "/api/v1/projects/team/robots", "dev", "devpw",
                "{\"name\":\"ci\",\"permissions\":[{\"repository\":\"team/**\",\"actions\":[\"pull\",\"push\"]}]}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        assertThat(created.headers().firstValue("Location")).contains("/api/v1/projects/team/robots/ci");
        assertThat(JSON.readTree(created.body()).path("name").asText()).isEqualTo("robot$team+ci");
        String secret = JSON.readTree(created.body()).path("secret").asText();
        assertThat(pushBlob("team/app", registry.token("robot$team+ci", secret, "repository:team/app:pull,push")).statusCode())
                .isEqualTo(201);

        // Other projects' admins and members without the admin role see nothing of it.
        assertThat(admin("GET", "/api/v1/projects/team/robots", "guest", "guestpw", null).statusCode()).isEqualTo(403);
        assertThat(admin("GET", "/api/v1/projects/public/robots/ci", "dev", "devpw", null).statusCode()).isEqualTo(403);
        assertThat(JSON.readTree(admin("GET", "/api/v1/projects/team/robots", "dev", "devpw", null).body()))
                .extracting(n -> n.path("name").asText()).containsExactly("robot$team+ci");

        String rotated = JSON.readTree(admin("POST", "/api/v1/projects/team/robots/ci/rotate", "dev", "devpw", null).body())
                .path("secret").asText();
        assertThat(signInForPull("robot$team+ci", secret).statusCode()).isEqualTo(401);
        assertThat(registry.token("robot$team+ci", rotated, "repository:team/app:pull")).isNotEmpty();
        assertThat(admin("PATCH", "/api/v1/projects/team/robots/ci", "dev", "devpw", "{\"disabled\":true}").statusCode())
                .isEqualTo(200);
        assertThat(admin("DELETE", "/api/v1/projects/team/robots/ci", "dev", "devpw", null).statusCode()).isEqualTo(204);
        assertThat(admin("GET", "/api/v1/projects/team/robots/ci", "dev", "devpw", null).statusCode()).isEqualTo(404);
    }

    @Test
    void projectNetworkAllowlistsRefuseOtherAddresses() throws Exception {
        assertThat(admin("PATCH", "/api/v1/projects/public", "admin", "adminpw", "{\"allowedNetworks\":\"10.0.0.0/8\"}")
                .statusCode()).isEqualTo(200);
        assertThat(admin("PATCH", "/api/v1/projects/team", "admin", "adminpw", "{\"allowedNetworks\":\"not-a-net\"}")
                .statusCode()).isEqualTo(400);
        Thread.sleep(5200); // the access check caches projects for five seconds
        HttpResponse<String> refused = registry.send(registry.request("/v2/public/app/tags/list"));
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(refused.body()).contains("DENIED");
        String token = registry.token("dev", "devpw", "repository:team/app:pull,push");
        assertThat(pushBlob("team/app", token).statusCode()).isEqualTo(201);
        admin("PATCH", "/api/v1/projects/public", "admin", "adminpw", "{\"allowedNetworks\":\"127.0.0.0/8, 10.0.0.0/8\"}");
    }

    @Test
    void signingKeyRotationKeepsEarlierTokensValid() throws Exception {
        String before = registry.token("dev", "devpw", "repository:team/app:pull,push");
        JsonNode keys = JSON.readTree(admin("GET", "/api/v1/keys", "admin", "adminpw", null).body());
        String old = keys.path("active").path(0).asText();
        HttpResponse<String> rotated = admin("POST", "/api/v1/keys/rotate", "admin", "adminpw", null);
        assertThat(rotated.statusCode()).isEqualTo(200);
        String current = JSON.readTree(rotated.body()).path("current").asText();
        assertThat(current).isNotEqualTo(old);
        assertThat(JSON.readTree(rotated.body()).path("active").toString()).contains(current).contains(old);
        assertThat(pushBlob("team/app", before).statusCode()).isEqualTo(201);
        String after = registry.token("dev", "devpw", "repository:team/app:pull,push");
        String kid = JSON.readTree(new String(Base64.getUrlDecoder().decode(after.split("\\.")[0]))).path("kid").asText();
        assertThat(kid).isEqualTo(current);
        assertThat(admin("POST", "/api/v1/keys/rotate", "dev", "devpw", null).statusCode()).isEqualTo(403);
    }
}
