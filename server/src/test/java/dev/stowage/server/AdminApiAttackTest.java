package dev.stowage.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stowage.core.access.Action;
import dev.stowage.core.access.Authentication;
import dev.stowage.core.access.RobotAccount;
import dev.stowage.core.access.RobotPermission;
import dev.stowage.core.access.Role;
import dev.stowage.identity.Totp;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;

import static dev.stowage.server.AuthenticatedRegistry.FAST;
import static dev.stowage.server.AuthenticatedRegistry.JSON;
import static dev.stowage.server.AuthenticatedRegistry.basic;
import static dev.stowage.server.AuthenticatedRegistry.errorCode;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Attacks on the admin API as an outside review sent them: registry tokens used as admin credentials, personal
 * access tokens and stale sessions changing credentials, project administrators reaching system robots, and
 * request bodies with overflowing durations or fields of the wrong type.
 */
class AdminApiAttackTest {
    @TempDir Path root;
    AuthenticatedRegistry registry;

    @BeforeEach
    void start() throws Exception {
        registry = AuthenticatedRegistry.in(root).admin("admin").user("dev").user("guest")
                .project("team", false).project("alpha", false)
                .member("team", "dev", Role.ADMIN).member("team", "guest", Role.GUEST)
                .start();
    }

    @AfterEach
    void stop() {
        registry.close();
    }

    String personalAccessToken(String user, String password) throws Exception {
        HttpResponse<String> r = registry.call("POST", "/api/v1/users/" + user + "/tokens", basic(user, password), "{\"name\":\"cli\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        return JSON.readTree(r.body()).path("token").asText();
    }

    /** Enrols and confirms TOTP for dev with the password; answers the secret. */
    String enableTotp() throws Exception {
        HttpResponse<String> enrolled = registry.call("POST", "/api/v1/users/dev/totp", basic("dev", "devpw"), null);
        assertThat(enrolled.statusCode()).as(enrolled.body()).isEqualTo(200);
        String secret = JSON.readTree(enrolled.body()).path("secret").asText();
        HttpResponse<String> confirmed = registry.call("POST", "/api/v1/users/dev/totp/confirm", basic("dev", "devpw"),
                "{\"code\":\"" + Totp.codeAt(secret, Instant.now()) + "\"}");
        assertThat(confirmed.statusCode()).as(confirmed.body()).isEqualTo(204);
        return secret;
    }

    static String message(HttpResponse<String> r) throws Exception {
        return JSON.readTree(r.body()).path("errors").path(0).path("message").asText();
    }

    // --- registry tokens are not admin credentials --------------------------------------------------------------

    @Test
    void aGuestsPullTokenCannotMintAPersonalAccessToken() throws Exception {
        String pull = registry.token("guest", "guestpw", "repository:team/app:pull");
        HttpResponse<String> r = registry.call("POST", "/api/v1/users/guest/tokens", "Bearer " + pull, "{\"name\":\"forever\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(401);
        assertThat(r.headers().firstValue("WWW-Authenticate")).hasValue("Basic realm=\"stowage\"");
        assertThat(message(r)).contains("registry tokens are not accepted");
        assertThat(registry.identities.accessTokens("guest")).isEmpty();
    }

    @Test
    void anAdminsRegistryTokenWithoutAccessCannotCreateAnAdministrator() throws Exception {
        String empty = registry.token("admin", "adminpw", "");
        HttpResponse<String> r = registry.call("POST", "/api/v1/users", "Bearer " + empty,
                "{\"username\":\"mallory\",\"password\":\"long-enough-pw\",\"systemAdmin\":true}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(401);
        assertThat(registry.identities.findAccount("mallory")).isEmpty();
    }

    @Test
    void aRegistryTokenReadsNothingOnTheAdminApiEither() throws Exception {
        String admin = registry.token("admin", "adminpw", "repository:team/app:pull registry:catalog:*");
        assertThat(registry.call("GET", "/api/v1/users", "Bearer " + admin, null).statusCode()).isEqualTo(401);
    }

    @Test
    void aTotpUsersPullTokenCannotRemoveTheSecondFactor() throws Exception {
        String secret = enableTotp();
        String pull = registry.token("dev", "devpw" + Totp.codeAt(secret, Instant.now().plusSeconds(30)),
                "repository:team/app:pull");
        HttpResponse<String> r = registry.call("DELETE", "/api/v1/users/dev/totp", "Bearer " + pull, null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(401);
        assertThat(registry.identities.findTotp("dev").orElseThrow().enabled()).isTrue();
    }

    // --- changing credentials needs a fresh password proof ------------------------------------------------------

    @Test
    void aPersonalAccessTokenCannotMintAnotherAsBasicPasswordOrAsBearer() throws Exception {
        String pat = personalAccessToken("dev", "devpw");
        for (String authorization : List.of(basic("dev", pat), "Bearer " + pat)) {
            HttpResponse<String> r = registry.call("POST", "/api/v1/users/dev/tokens", authorization, "{\"name\":\"second\"}");
            assertThat(r.statusCode()).as(r.body()).isEqualTo(401);
            assertThat(message(r)).contains("fresh sign-in");
        }
        assertThat(registry.identities.accessTokens("dev")).hasSize(1);
    }

    @Test
    void aPersonalAccessTokenStillReadsAndRevokesWhatItsAccountOwns() throws Exception {
        String pat = personalAccessToken("dev", "devpw");
        for (String authorization : List.of(basic("dev", pat), "Bearer " + pat)) {
            assertThat(registry.call("GET", "/api/v1/users/dev/tokens", authorization, null).statusCode()).isEqualTo(200);
        }
        String id = registry.identities.accessTokens("dev").getFirst().id();
        assertThat(registry.call("DELETE", "/api/v1/users/dev/tokens/" + id, "Bearer " + pat, null).statusCode()).isEqualTo(204);
    }

    @Test
    void aPersonalAccessTokenCannotRemoveOrReplaceTheSecondFactor() throws Exception {
        String secret = enableTotp();
        String pat = personalAccessToken("dev", "devpw" + Totp.codeAt(secret, Instant.now().plusSeconds(30)));
        assertThat(registry.call("DELETE", "/api/v1/users/dev/totp", basic("dev", pat), null).statusCode()).isEqualTo(401);
        assertThat(registry.call("POST", "/api/v1/users/dev/totp", basic("dev", pat), null).statusCode()).isEqualTo(401);
        assertThat(registry.call("POST", "/api/v1/users/dev/totp/confirm", basic("dev", pat), "{\"code\":\"123456\"}").statusCode())
                .isEqualTo(401);
        assertThat(registry.identities.findTotp("dev").orElseThrow().enabled()).isTrue();
    }

    @Test
    void thePasswordWithTheCurrentCodeRemovesTheSecondFactor() throws Exception {
        String secret = enableTotp();
        HttpResponse<String> r = registry.call("DELETE", "/api/v1/users/dev/totp",
                basic("dev", "devpw" + Totp.codeAt(secret, Instant.now().plusSeconds(30))), null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(204);
    }

    @Test
    void anAdministratorsPersonalAccessTokenCannotSetPasswordsOrRobotSecretsButDisablesAccounts() throws Exception {
        String pat = personalAccessToken("admin", "adminpw");
        assertThat(registry.call("POST", "/api/v1/users", basic("admin", pat),
                "{\"username\":\"carol\",\"password\":\"long-enough-pw\"}").statusCode()).isEqualTo(401);
        assertThat(registry.call("PATCH", "/api/v1/users/dev", basic("admin", pat), "{\"password\":\"another-long-pw\"}").statusCode())
                .isEqualTo(401);
        assertThat(registry.call("POST", "/api/v1/robots", basic("admin", pat),
                "{\"name\":\"ci\",\"permissions\":[{\"repository\":\"team/**\",\"actions\":[\"pull\"]}]}").statusCode())
                .isEqualTo(401);
        assertThat(registry.call("POST", "/api/v1/robots", basic("admin", "adminpw"),
                "{\"name\":\"ci\",\"permissions\":[{\"repository\":\"team/**\",\"actions\":[\"pull\"]}]}").statusCode())
                .isEqualTo(201);
        assertThat(registry.call("POST", "/api/v1/robots/robot$ci/rotate", basic("admin", pat), null).statusCode()).isEqualTo(401);
        assertThat(registry.call("POST", "/api/v1/projects/team/robots", basic("admin", pat),
                "{\"name\":\"ci\",\"permissions\":[{\"repository\":\"team/**\",\"actions\":[\"pull\"]}]}").statusCode())
                .isEqualTo(401);
        assertThat(registry.call("PATCH", "/api/v1/users/dev", basic("admin", pat), "{\"disabled\":true}").statusCode()).isEqualTo(200);
    }

    @Test
    void anAdministratorWithASecondFactorSetsAPasswordWithOneCode() throws Exception {
        HttpResponse<String> enrolled = registry.call("POST", "/api/v1/users/admin/totp", basic("admin", "adminpw"), null);
        String secret = JSON.readTree(enrolled.body()).path("secret").asText();
        assertThat(registry.call("POST", "/api/v1/users/admin/totp/confirm", basic("admin", "adminpw"),
                "{\"code\":\"" + Totp.codeAt(secret, Instant.now()) + "\"}").statusCode()).isEqualTo(204);
        HttpResponse<String> r = registry.call("PATCH", "/api/v1/users/dev", basic("admin", "adminpw"
                + Totp.codeAt(secret, Instant.now().plusSeconds(30))), "{\"password\":\"another-long-pw\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }

    @Test
    void anAnonymousPatchOfAUserIsChallengedWhateverItsBody() throws Exception {
        assertThat(registry.call("PATCH", "/api/v1/users/dev", null, "not json").statusCode()).isEqualTo(401);
        assertThat(registry.call("PATCH", "/api/v1/users/dev", null, "{\"password\":\"another-long-pw\"}").statusCode()).isEqualTo(401);
    }

    // --- admin session tokens (what the OIDC callback answers) ---------------------------------------------------

    @Test
    void anAdminSessionTokenWorksOnTheAdminApiButNotOnRegistryRoutesNorTheTokenEndpoint() throws Exception {
        String session = registry.tokens.issueAdminSession("dev", new Authentication(Authentication.Method.IDENTITY_PROVIDER,
                Instant.now())).token();
        assertThat(registry.call("GET", "/api/v1/users/dev/sessions", "Bearer " + session, null).statusCode()).isEqualTo(200);
        HttpResponse<String> created = registry.call("POST", "/api/v1/users/dev/tokens", "Bearer " + session, "{\"name\":\"laptop\"}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);

        HttpResponse<String> tagsList = registry.call("GET", "/v2/team/app/tags/list", "Bearer " + session, null);
        assertThat(tagsList.statusCode()).isEqualTo(401);
        assertThat(tagsList.headers().firstValue("WWW-Authenticate").orElseThrow()).contains("error=\"invalid_token\"");
        assertThat(registry.call("GET", "/v2/", "Bearer " + session, null).statusCode()).isEqualTo(401);
        HttpResponse<String> refresh = registry.send(registry.request("/token")
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=refresh_token&service=stowage&refresh_token=" + session)));
        assertThat(refresh.statusCode()).isEqualTo(401);
    }

    @Test
    void anAdminSessionOlderThanFiveMinutesReadsButCannotChangeCredentials() throws Exception {
        String stale = registry.tokens.issueAdminSession("dev", new Authentication(Authentication.Method.IDENTITY_PROVIDER,
                Instant.now().minus(Duration.ofMinutes(10)))).token();
        assertThat(registry.call("GET", "/api/v1/users/dev/tokens", "Bearer " + stale, null).statusCode()).isEqualTo(200);
        HttpResponse<String> r = registry.call("POST", "/api/v1/users/dev/tokens", "Bearer " + stale, "{\"name\":\"laptop\"}");
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(message(r)).contains("fresh sign-in");
    }

    @Test
    void anAdminSessionOfADisabledAccountIsRefused() throws Exception {
        String session = registry.tokens.issueAdminSession("dev", new Authentication(Authentication.Method.IDENTITY_PROVIDER,
                Instant.now())).token();
        registry.identities.setDisabled("dev", true);
        assertThat(registry.call("GET", "/api/v1/users/dev/tokens", "Bearer " + session, null).statusCode()).isEqualTo(401);
    }

    // --- system and project robots live in separate name spaces --------------------------------------------------

    @Test
    void aSystemRobotCannotBeNamedLikeAProjectRobot() throws Exception {
        HttpResponse<String> r = registry.call("POST", "/api/v1/robots", basic("admin", "adminpw"),
                "{\"name\":\"team+x\",\"permissions\":[{\"repository\":\"alpha/**\",\"actions\":[\"pull\",\"push\"]}]}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        assertThat(errorCode(r)).isEqualTo("NAME_INVALID");
        assertThat(registry.identities.findRobot("robot$team+x")).isEmpty();
    }

    @Test
    void aSystemRobotMadeBeforeTheFixWithAPlusStaysOutOfTheProjectAdminsReach() throws Exception {
        registry.identities.createRobot(new RobotAccount("robot$team+x", FAST.hash("s".toCharArray()),
                List.of(new RobotPermission("alpha/**", EnumSet.of(Action.PULL, Action.PUSH))), null, false, Instant.now()));
        String dev = basic("dev", "devpw");
        HttpResponse<String> list = registry.call("GET", "/api/v1/projects/team/robots", dev, null);
        assertThat(list.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(list.body())).isEmpty();
        assertThat(registry.call("GET", "/api/v1/projects/team/robots/x", dev, null).statusCode()).isEqualTo(404);
        assertThat(registry.call("POST", "/api/v1/projects/team/robots/x/rotate", dev, null).statusCode()).isEqualTo(404);
        assertThat(registry.call("PATCH", "/api/v1/projects/team/robots/x", dev, "{\"disabled\":true}").statusCode()).isEqualTo(404);
        assertThat(registry.call("DELETE", "/api/v1/projects/team/robots/x", dev, null).statusCode()).isEqualTo(404);
        RobotAccount untouched = registry.identities.findRobot("robot$team+x").orElseThrow();
        assertThat(untouched.disabled()).isFalse();
        assertThat(FAST.verify("s".toCharArray(), untouched.secretHash())).isTrue();
    }

    @Test
    void aProjectRobotIsRecordedWithItsProjectAndListedThere() throws Exception {
        HttpResponse<String> created = registry.call("POST", "/api/v1/projects/team/robots", basic("dev", "devpw"),
                "{\"name\":\"ci\",\"permissions\":[{\"repository\":\"team/**\",\"actions\":[\"pull\"]}]}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        assertThat(registry.identities.findRobot("robot$team+ci").orElseThrow().project()).isEqualTo("team");
        JsonNode list = JSON.readTree(registry.call("GET", "/api/v1/projects/team/robots", basic("dev", "devpw"), null).body());
        assertThat(list).extracting(n -> n.path("name").asText()).containsExactly("robot$team+ci");
    }

    // --- durations and JSON types ---------------------------------------------------------------------------------

    @ParameterizedTest
    @CsvSource({"99999999999999d", "PT9999999999999H", "3651d", "99999999999999999999999d", "-1d", "PT-5H", "0d"})
    void expiriesBeyondTenYearsOverflowingOrNotPositiveAre400(String expiresIn) throws Exception {
        HttpResponse<String> token = registry.call("POST", "/api/v1/users/dev/tokens", basic("dev", "devpw"),
                "{\"name\":\"x\",\"expiresIn\":\"" + expiresIn + "\"}");
        assertThat(token.statusCode()).as(token.body()).isEqualTo(400);
        assertThat(message(token)).contains("expiresIn").contains("3650d");
        HttpResponse<String> robot = registry.call("POST", "/api/v1/robots", basic("admin", "adminpw"),
                "{\"name\":\"ci\",\"expiresIn\":\"" + expiresIn + "\",\"permissions\":[{\"repository\":\"team/**\","
                        + "\"actions\":[\"pull\"]}]}");
        assertThat(robot.statusCode()).as(robot.body()).isEqualTo(400);
        assertThat(message(robot)).contains("expiresIn").contains("3650d");
        assertThat(registry.identities.accessTokens("dev")).isEmpty();
    }

    @Test
    void tenYearsIsTheLongestExpiry() throws Exception {
        HttpResponse<String> r = registry.call("POST", "/api/v1/users/dev/tokens", basic("dev", "devpw"),
                "{\"name\":\"x\",\"expiresIn\":\"3650d\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    }

    @Test
    void anOverflowingGcGraceIs400() throws Exception {
        HttpResponse<String> r = registry.call("POST", "/api/v1/gc", basic("admin", "adminpw"),
                "{\"dryRun\":true,\"grace\":\"99999999999999999999d\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        assertThat(message(r)).contains("grace");
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @CsvSource(delimiter = '|', value = {
            "POST | /api/v1/gc | {\"dryRun\":\"yes\"} | dryRun",
            "POST | /api/v1/gc | {\"dryRun\":true,\"untagged\":1} | untagged",
            "POST | /api/v1/gc | {\"grace\":3600} | grace",
            "POST | /api/v1/users | {\"username\":\"carol\",\"password\":\"long-enough-pw\",\"systemAdmin\":1} | systemAdmin",
            "POST | /api/v1/users | {\"username\":\"carol\",\"password\":\"long-enough-pw\",\"systemAdmin\":\"true\"} | systemAdmin",
            "POST | /api/v1/users | {\"username\":[\"carol\"],\"password\":\"long-enough-pw\"} | username",
            "PATCH | /api/v1/users/dev | {\"disabled\":\"false\"} | disabled",
            "PATCH | /api/v1/users/dev | {\"disabled\":null} | disabled",
            "PATCH | /api/v1/users/dev | {\"password\":123456789012345} | password",
            "POST | /api/v1/projects | {\"name\":\"p\",\"public\":\"true\"} | public",
            "PATCH | /api/v1/projects/team | {\"public\":1} | public",
            "PATCH | /api/v1/projects/team | {\"allowedNetworks\":[\"10.0.0.0/8\"]} | allowedNetworks",
            "PUT | /api/v1/projects/team/members/guest | {\"role\":1} | role",
            "POST | /api/v1/robots | {\"name\":\"ci\",\"permissions\":[{\"repository\":\"team/**\",\"actions\":\"pull\"}]} | actions",
            "POST | /api/v1/robots | {\"name\":\"ci\",\"permissions\":[{\"repository\":\"team/**\",\"actions\":[1]}]} | actions",
            "POST | /api/v1/robots | {\"name\":\"ci\",\"permissions\":[{\"repository\":[\"team/**\"],\"actions\":[\"pull\"]}]} | repository",
            "POST | /api/v1/robots | {\"name\":\"ci\",\"permissions\":[\"team/**=pull\"]} | permissions",
            "POST | /api/v1/robots | {\"name\":\"ci\",\"expiresIn\":90,\"permissions\":[{\"repository\":\"team/**\",\"actions\":[\"pull\"]}]} | expiresIn",
            "POST | /api/v1/users/dev/tokens | {\"name\":\"x\",\"expiresIn\":30} | expiresIn",
            "POST | /api/v1/users/dev/totp/confirm | {\"code\":123456} | code",
    })
    void fieldsOfTheWrongTypeAreRefusedByName(String method, String path, String body, String field) throws Exception {
        HttpResponse<String> r = registry.call(method.trim(), path.trim(), basic("admin", "adminpw"), body.trim());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        assertThat(message(r)).contains(field.trim());
        assertThat(registry.identities.findAccount("carol")).isEmpty();
        assertThat(registry.identities.findAccount("dev").orElseThrow().disabled()).isFalse();
        assertThat(registry.identities.findProject("p")).isEmpty();
        assertThat(registry.identities.findProject("team").orElseThrow().isPublic()).isFalse();
        assertThat(registry.identities.listRobots()).isEmpty();
    }

    @Test
    void aRobotPatchWithAStringForDisabledIs400AndChangesNothing() throws Exception {
        registry.call("POST", "/api/v1/robots", basic("admin", "adminpw"),
                "{\"name\":\"ci\",\"permissions\":[{\"repository\":\"team/**\",\"actions\":[\"pull\"]}]}");
        HttpResponse<String> r = registry.call("PATCH", "/api/v1/robots/robot$ci", basic("admin", "adminpw"), "{\"disabled\":\"yes\"}");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(message(r)).contains("disabled");
        assertThat(registry.identities.findRobot("robot$ci").orElseThrow().disabled()).isFalse();
    }
}
