package dev.stowage.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stowage.core.access.Role;
import dev.stowage.identity.Totp;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;

import static dev.stowage.server.AuthenticatedRegistry.JSON;
import static dev.stowage.server.AuthenticatedRegistry.basic;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * An account's whole life over real HTTP: what a person sees and changes of their own account ({@code /api/v1/me}),
 * and deletion by an administrator, after which none of the account's credentials works and a later account of the
 * same name inherits nothing.
 */
class AccountLifecycleTest {
    static final String INVALID = "invalid username or password";

    @TempDir Path root;
    AuthenticatedRegistry registry;

    @BeforeEach
    void start() throws Exception {
        registry = AuthenticatedRegistry.in(root).admin("admin").admin("root").user("dev").user("guest")
                .project("team", false).project("alpha", false)
                .member("team", "dev", Role.ADMIN).member("alpha", "dev", Role.DEVELOPER).member("team", "guest", Role.GUEST)
                .start();
    }

    @AfterEach
    void stop() {
        registry.close();
    }

    static String message(HttpResponse<String> r) throws Exception {
        return JSON.readTree(r.body()).path("errors").path(0).path("message").asText();
    }

    String personalAccessToken(String user) throws Exception {
        HttpResponse<String> r = registry.call("POST", "/api/v1/users/" + user + "/tokens", basic(user, user + "pw"),
                "{\"name\":\"laptop\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        return JSON.readTree(r.body()).path("token").asText();
    }

    /** A refresh token from the OAuth2 password grant, as docker login gets one. */
    String refreshToken(String user, String password) throws Exception {
        HttpResponse<String> r = registry.send(registry.request("/token").POST(HttpRequest.BodyPublishers.ofString(
                "grant_type=password&username=" + user + "&password=" + password + "&access_type=offline&service=stowage")));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body()).path("refresh_token").asText();
    }

    HttpResponse<String> refresh(String refreshToken) throws Exception {
        return registry.send(registry.request("/token").POST(HttpRequest.BodyPublishers.ofString(
                "grant_type=refresh_token&service=stowage&refresh_token=" + refreshToken)));
    }

    HttpResponse<String> tagsWith(String registryToken) throws Exception {
        return registry.send(registry.request("/v2/team/app/tags/list").header("Authorization", "Bearer " + registryToken));
    }

    HttpResponse<String> deleteDev() throws Exception {
        return registry.call("DELETE", "/api/v1/users/dev", basic("admin", "adminpw"), null);
    }

    // --- deleting users ---------------------------------------------------------------------------------------------

    @Test
    void aSystemAdministratorDeletesAUser() throws Exception {
        assertThat(deleteDev().statusCode()).isEqualTo(204);

        assertThat(registry.call("GET", "/api/v1/users/dev", basic("admin", "adminpw"), null).statusCode()).isEqualTo(404);
        assertThat(registry.call("GET", "/api/v1/projects/team/members", basic("admin", "adminpw"), null).body())
                .doesNotContain("\"dev\"");
    }

    @Test
    void deletingAnUnknownUserIs404() throws Exception {
        HttpResponse<String> r = registry.call("DELETE", "/api/v1/users/nobody", basic("admin", "adminpw"), null);
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(message(r)).isEqualTo("user not found: nobody");
    }

    @Test
    void deletingAUserNeedsAFreshPasswordNotAPersonalAccessToken() throws Exception {
        String pat = personalAccessToken("admin");
        HttpResponse<String> r = registry.call("DELETE", "/api/v1/users/dev", basic("admin", pat), null);
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(message(r)).contains("fresh sign-in");
        assertThat(registry.call("GET", "/api/v1/users/dev", basic("admin", "adminpw"), null).statusCode()).isEqualTo(200);
    }

    @Test
    void onlySystemAdministratorsDeleteUsers() throws Exception {
        HttpResponse<String> r = registry.call("DELETE", "/api/v1/users/guest", basic("dev", "devpw"), null);
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(registry.call("GET", "/api/v1/users/guest", basic("admin", "adminpw"), null).statusCode()).isEqualTo(200);
    }

    @Test
    void anAdministratorCannotDeleteTheirOwnAccount() throws Exception {
        HttpResponse<String> r = registry.call("DELETE", "/api/v1/users/admin", basic("admin", "adminpw"), null);
        assertThat(r.statusCode()).isEqualTo(409);
        assertThat(message(r)).isEqualTo("you cannot delete your own account (admin): another system administrator has to");
    }

    @Test
    void anotherAdministratorCanBeDeletedWhileOneRemains() throws Exception {
        assertThat(registry.call("DELETE", "/api/v1/users/root", basic("admin", "adminpw"), null).statusCode()).isEqualTo(204);
    }

    @Test
    void aDeletedUsersPasswordStopsWorkingAtOnceThoughItWasJustVerified() throws Exception {
        registry.token("dev", "devpw", "repository:team/app:pull"); // the verified-credential cache now knows it
        assertThat(deleteDev().statusCode()).isEqualTo(204);

        HttpResponse<String> r = registry.tokenResponse("dev", "devpw", "repository:team/app:pull");
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(message(r)).startsWith(INVALID);
    }

    @Test
    void aDeletedUsersPersonalAccessTokenStopsWorkingAtOnce() throws Exception {
        String pat = personalAccessToken("dev");
        assertThat(registry.call("GET", "/api/v1/me", basic("dev", pat), null).statusCode()).isEqualTo(200);
        assertThat(deleteDev().statusCode()).isEqualTo(204);

        assertThat(registry.call("GET", "/api/v1/me", basic("dev", pat), null).statusCode()).isEqualTo(401);
        assertThat(registry.call("GET", "/api/v1/me", "Bearer " + pat, null).statusCode()).isEqualTo(401);
        assertThat(registry.tokenResponse("dev", pat, "repository:team/app:pull").statusCode()).isEqualTo(401);
    }

    @Test
    void aDeletedUsersRegistryTokenStopsWorkingAtOnce() throws Exception {
        String token = registry.token("dev", "devpw", "repository:team/app:pull");
        assertThat(tagsWith(token).statusCode()).isEqualTo(404); // allowed: the repository has no tags yet
        assertThat(deleteDev().statusCode()).isEqualTo(204);

        HttpResponse<String> r = tagsWith(token);
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(message(r)).isEqualTo("token revoked; sign in again");
        assertThat(r.headers().firstValue("WWW-Authenticate").orElse("")).contains("error=\"invalid_token\"");
    }

    @Test
    void aDeletedUsersRefreshTokenStopsWorkingAtOnce() throws Exception {
        String refresh = refreshToken("dev", "devpw");
        assertThat(deleteDev().statusCode()).isEqualTo(204);

        HttpResponse<String> r = refresh(refresh);
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(message(r)).isEqualTo("token revoked; sign in again");
    }

    @Test
    void aDisabledUsersRegistryTokenStopsWorkingAtOnce() throws Exception {
        String token = registry.token("dev", "devpw", "repository:team/app:pull");
        assertThat(registry.call("PATCH", "/api/v1/users/dev", basic("admin", "adminpw"), "{\"disabled\":true}").statusCode())
                .isEqualTo(200);

        HttpResponse<String> r = tagsWith(token);
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(message(r)).isEqualTo("account disabled: dev cannot sign in until an administrator enables it again");
    }

    @Test
    void aLaterUserOfTheSameNameInheritsNothing() throws Exception {
        String pat = personalAccessToken("dev");
        String token = registry.token("dev", "devpw", "repository:team/app:pull");
        String refresh = refreshToken("dev", "devpw");
        assertThat(registry.call("POST", "/api/v1/users/dev/totp", basic("dev", "devpw"), null).statusCode()).isEqualTo(200);
        assertThat(deleteDev().statusCode()).isEqualTo(204);

        HttpResponse<String> created = registry.call("POST", "/api/v1/users", basic("admin", "adminpw"),
                "{\"username\":\"dev\",\"password\":\"the-new-devs-password\"}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);

        JsonNode me = JSON.readTree(registry.call("GET", "/api/v1/me", basic("dev", "the-new-devs-password"), null).body());
        assertThat(me.path("projects").size()).isZero();
        assertThat(me.path("totpEnrolled").asBoolean()).isFalse();
        assertThat(registry.call("GET", "/api/v1/me/tokens", basic("dev", "the-new-devs-password"), null).body()).isEqualTo("[]");
        assertThat(registry.call("GET", "/api/v1/me", basic("dev", pat), null).statusCode()).isEqualTo(401);
        assertThat(tagsWith(token).statusCode()).isEqualTo(401);
        assertThat(refresh(refresh).statusCode()).isEqualTo(401);
        assertThat(registry.tokenResponse("dev", "devpw", "").statusCode()).isEqualTo(401);
    }

    // --- one's own account -------------------------------------------------------------------------------------------

    @Test
    void everySignedInUserSeesTheirOwnAccountAndProjects() throws Exception {
        HttpResponse<String> r = registry.call("GET", "/api/v1/me", basic("dev", "devpw"), null);
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode me = JSON.readTree(r.body());
        assertThat(me.path("username").asText()).isEqualTo("dev");
        assertThat(me.path("systemAdmin").asBoolean()).isFalse();
        assertThat(Instant.parse(me.path("createdAt").asText())).isBefore(Instant.now().plusSeconds(1));
        assertThat(me.path("totpEnrolled").asBoolean()).isFalse();
        assertThat(me.path("projects").toString())
                .isEqualTo("[{\"project\":\"alpha\",\"role\":\"developer\"},{\"project\":\"team\",\"role\":\"admin\"}]");
    }

    @Test
    void theOwnAccountShowsAConfirmedSecondFactor() throws Exception {
        String secret = JSON.readTree(registry.call("POST", "/api/v1/users/guest/totp", basic("guest", "guestpw"), null).body())
                .path("secret").asText();
        assertThat(registry.call("POST", "/api/v1/users/guest/totp/confirm", basic("guest", "guestpw"),
                "{\"code\":\"" + Totp.codeAt(secret, Instant.now()) + "\"}").statusCode()).isEqualTo(204);
        String next = Totp.codeAt(secret, Instant.now().plusSeconds(30));

        JsonNode me = JSON.readTree(registry.call("GET", "/api/v1/me", basic("guest", "guestpw" + next), null).body());
        assertThat(me.path("totpEnrolled").asBoolean()).isTrue();
    }

    @Test
    void anonymousCallersHaveNoOwnAccount() throws Exception {
        assertThat(registry.call("GET", "/api/v1/me", null, null).statusCode()).isEqualTo(401);
        assertThat(registry.call("GET", "/api/v1/me/tokens", null, null).statusCode()).isEqualTo(401);
    }

    @Test
    void robotsHaveNoOwnAccountNorPassword() throws Exception {
        HttpResponse<String> created = registry.call("POST", "/api/v1/robots", basic("admin", "adminpw"),
                "{\"name\":\"ci\",\"permissions\":[{\"repository\":\"team/**\",\"actions\":[\"pull\"]}]}");
        String secret = JSON.readTree(created.body()).path("secret").asText();

        assertThat(registry.call("GET", "/api/v1/me", basic("robot$ci", secret), null).statusCode()).isEqualTo(403);
        assertThat(registry.call("PUT", "/api/v1/me/password", basic("robot$ci", secret),
                "{\"currentPassword\":\"" + secret + "\",\"newPassword\":\"a-long-new-password\"}").statusCode()).isEqualTo(403);
    }

    @Test
    void theOwnTokensAreListedWithoutSecrets() throws Exception {
        String pat = personalAccessToken("guest");
        personalAccessToken("dev");

        HttpResponse<String> r = registry.call("GET", "/api/v1/me/tokens", basic("guest", "guestpw"), null);
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode tokens = JSON.readTree(r.body());
        assertThat(tokens.size()).isEqualTo(1);
        assertThat(tokens.path(0).path("name").asText()).isEqualTo("laptop");
        assertThat(r.body()).doesNotContain(pat.substring(pat.lastIndexOf('_') + 1)).doesNotContain("secret");
    }

    @Test
    void aUserRevokesTheirOwnTokenWithoutBeingAnAdministrator() throws Exception {
        personalAccessToken("guest");
        String id = JSON.readTree(registry.call("GET", "/api/v1/me/tokens", basic("guest", "guestpw"), null).body())
                .path(0).path("id").asText();
        assertThat(registry.call("DELETE", "/api/v1/users/guest/tokens/" + id, basic("guest", "guestpw"), null).statusCode())
                .isEqualTo(204);
        assertThat(registry.call("GET", "/api/v1/me/tokens", basic("guest", "guestpw"), null).body()).isEqualTo("[]");
    }

    HttpResponse<String> changePassword(String authorization, String current, String next) throws Exception {
        return registry.call("PUT", "/api/v1/me/password", authorization,
                "{\"currentPassword\":\"" + current + "\",\"newPassword\":\"" + next + "\"}");
    }

    @Test
    void aUserChangesTheirOwnPassword() throws Exception {
        assertThat(changePassword(basic("guest", "guestpw"), "guestpw", "a-long-new-password").statusCode()).isEqualTo(204);

        assertThat(registry.tokenResponse("guest", "guestpw", "").statusCode()).isEqualTo(401);
        assertThat(registry.tokenResponse("guest", "a-long-new-password", "").statusCode()).isEqualTo(200);
    }

    @Test
    void aPasswordChangeEndsTheOtherSessions() throws Exception {
        String refresh = refreshToken("guest", "guestpw");
        assertThat(changePassword(basic("guest", "guestpw"), "guestpw", "a-long-new-password").statusCode()).isEqualTo(204);

        HttpResponse<String> r = refresh(refresh);
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(message(r)).isEqualTo("token revoked; sign in again");
    }

    @Test
    void aPasswordChangeNeedsTheCurrentPassword() throws Exception {
        HttpResponse<String> r = changePassword(basic("guest", "guestpw"), "not-the-password", "a-long-new-password");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(message(r)).isEqualTo("currentPassword is not this account's password");
        assertThat(registry.tokenResponse("guest", "guestpw", "").statusCode()).isEqualTo(200);
    }

    @Test
    void aNewPasswordFollowsTheAdminApisRules() throws Exception {
        HttpResponse<String> r = changePassword(basic("guest", "guestpw"), "guestpw", "short");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(message(r)).isEqualTo("passwords need at least 12 characters");
    }

    @Test
    void aPasswordChangeNeedsAFreshSignInNotAPersonalAccessToken() throws Exception {
        String pat = personalAccessToken("guest");
        HttpResponse<String> r = changePassword(basic("guest", pat), "guestpw", "a-long-new-password");
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(registry.tokenResponse("guest", "guestpw", "").statusCode()).isEqualTo(200);
    }

    @Test
    void aPasswordChangeTakesOnlyItsTwoFields() throws Exception {
        HttpResponse<String> r = registry.call("PUT", "/api/v1/me/password", basic("guest", "guestpw"),
                "{\"currentPassword\":\"guestpw\",\"newPassword\":\"a-long-new-password\",\"username\":\"dev\"}");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(registry.tokenResponse("dev", "devpw", "").statusCode()).isEqualTo(200);
    }
}
