package dev.stowage.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stowage.core.access.AccessToken;
import dev.stowage.core.access.Action;
import dev.stowage.core.access.Authentication;
import dev.stowage.core.access.RobotAccount;
import dev.stowage.core.access.RobotPermission;
import dev.stowage.core.access.Role;
import dev.stowage.core.access.Scope;
import dev.stowage.identity.RegistryTokens;
import dev.stowage.identity.SigningKeys;
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
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import static dev.stowage.server.AuthenticatedRegistry.FAST;
import static dev.stowage.server.AuthenticatedRegistry.JSON;
import static dev.stowage.server.AuthenticatedRegistry.basic;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a caller is told when a credential does not work: the one generic sentence for wrong or unknown credentials
 * (no account enumeration), and, only once the secret or the token's signature is proven, what is wrong and what to
 * do, on the token endpoint (in the shapes docker and OAuth2 clients show), the registry routes and the admin API.
 * Also: a malformed robot permission is a 400 saying what is wrong, not a 403.
 */
class CredentialMessagesTest {
    static final String INVALID = "invalid username or password (accounts with a second factor append the current 6-digit "
            + "code to the password, or use a personal access token)";
    static final Instant LAST_YEAR = Instant.now().minus(Duration.ofDays(365)).truncatedTo(ChronoUnit.MILLIS);

    @TempDir Path root;
    AuthenticatedRegistry registry;

    @BeforeEach
    void start() throws Exception {
        registry = AuthenticatedRegistry.in(root).admin("admin").user("dev").user("off")
                .project("team", false).project("alpha", false).member("team", "dev", Role.ADMIN)
                .start();
        registry.identities.setDisabled("off", true);
        robot("robot$old", LAST_YEAR, false);
        robot("robot$stopped", null, true);
    }

    @AfterEach
    void stop() {
        registry.close();
    }

    void robot(String name, Instant expiresAt, boolean disabled) {
        registry.identities.createRobot(new RobotAccount(name, FAST.hash((name + "-secret").toCharArray()),
                List.of(new RobotPermission("team/**", EnumSet.of(Action.PULL))), expiresAt, disabled, LAST_YEAR));
    }

    static String message(HttpResponse<String> r) throws Exception {
        return JSON.readTree(r.body()).path("errors").path(0).path("message").asText();
    }

    /** The same sentence in every shape a client reads: errors[0].message, details (docker), error_description. */
    static void assertTokenRefusal(HttpResponse<String> r, String sentence) throws Exception {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(401);
        JsonNode body = JSON.readTree(r.body());
        assertThat(body.path("errors").path(0).path("code").asText()).isEqualTo("UNAUTHORIZED");
        assertThat(body.path("errors").path(0).path("message").asText()).isEqualTo(sentence);
        assertThat(body.path("details").asText()).isEqualTo(sentence);
        assertThat(body.path("error").asText()).isEqualTo("invalid_grant");
        assertThat(body.path("error_description").asText()).isEqualTo(sentence);
    }

    HttpResponse<String> passwordGrant(String user, String password) throws Exception {
        return registry.send(registry.request("/token").POST(HttpRequest.BodyPublishers.ofString(
                "grant_type=password&service=stowage&username=" + java.net.URLEncoder.encode(user, "UTF-8") + "&password=" + password)));
    }

    // --- wrong credentials: one answer for all ----------------------------------------------------------------------

    @Test
    void anUnknownUserGetsTheGenericAnswer() throws Exception {
        assertTokenRefusal(registry.tokenResponse("nobody", "whatever-pw", ""), INVALID);
    }

    @Test
    void aWrongPasswordGetsTheGenericAnswer() throws Exception {
        assertTokenRefusal(registry.tokenResponse("dev", "wrong", ""), INVALID);
    }

    @Test
    void aDisabledAccountWithAWrongPasswordGetsTheGenericAnswer() throws Exception {
        assertTokenRefusal(registry.tokenResponse("off", "wrong", ""), INVALID);
    }

    @Test
    void anExpiredRobotWithAWrongSecretGetsTheGenericAnswer() throws Exception {
        assertTokenRefusal(registry.tokenResponse("robot$old", "wrong", ""), INVALID);
    }

    @Test
    void anUnknownRobotGetsTheGenericAnswer() throws Exception {
        assertTokenRefusal(registry.tokenResponse("robot$nobody", "robot$nobody-secret", ""), INVALID);
    }

    // --- genuine credentials that cannot be used: say why ------------------------------------------------------------

    @Test
    void anExpiredRobotIsToldWhenItExpiredAndWhatToDo() throws Exception {
        assertTokenRefusal(registry.tokenResponse("robot$old", "robot$old-secret", ""), "robot account robot$old expired on "
                + LAST_YEAR + "; rotate it with a new expiresIn or recreate it");
    }

    @Test
    void anExpiredRobotIsToldSoOnThePasswordGrantToo() throws Exception {
        assertTokenRefusal(passwordGrant("robot$old", "robot$old-secret"), "robot account robot$old expired on "
                + LAST_YEAR + "; rotate it with a new expiresIn or recreate it");
    }

    @Test
    void aDisabledRobotIsToldItIsDisabled() throws Exception {
        assertTokenRefusal(registry.tokenResponse("robot$stopped", "robot$stopped-secret", ""),
                "robot account robot$stopped is disabled; an administrator can enable it again");
    }

    @Test
    void aDisabledAccountWithItsPasswordIsToldItIsDisabled() throws Exception {
        assertTokenRefusal(registry.tokenResponse("off", "offpw", ""),
                "account disabled: off cannot sign in until an administrator enables it again");
    }

    @Test
    void aDisabledAccountWithASecondFactorTellsNothingToAPasswordWithoutItsCode() throws Exception {
        registry.identities.setTotp("off", dev.stowage.identity.Totp.newSecret(), true);
        assertTokenRefusal(registry.tokenResponse("off", "offpw", ""), INVALID);
    }

    @Test
    void aDisabledAccountIsToldSoOnTheAdminApiToo() throws Exception {
        HttpResponse<String> r = registry.call("GET", "/api/v1/me", basic("off", "offpw"), null);
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(message(r)).isEqualTo("account disabled: off cannot sign in until an administrator enables it again");
    }

    @Test
    void anExpiredPersonalAccessTokenIsToldItExpired() throws Exception {
        registry.identities.createAccessToken(new AccessToken("0123456789ab", "dev", "laptop",
                FAST.hash("s3cret".toCharArray()), LAST_YEAR, LAST_YEAR));
        String pat = AccessToken.PREFIX + "0123456789ab_s3cret";

        assertTokenRefusal(registry.tokenResponse("dev", pat, ""),
                "personal access token laptop expired on " + LAST_YEAR + "; create a new one");
        HttpResponse<String> admin = registry.call("GET", "/api/v1/me", "Bearer " + pat, null);
        assertThat(admin.statusCode()).isEqualTo(401);
        assertThat(message(admin)).isEqualTo("personal access token laptop expired on " + LAST_YEAR + "; create a new one");
    }

    @Test
    void aPersonalAccessTokenWithAWrongSecretGetsTheGenericAnswer() throws Exception {
        registry.identities.createAccessToken(new AccessToken("0123456789ab", "dev", "laptop",
                FAST.hash("s3cret".toCharArray()), LAST_YEAR, LAST_YEAR));
        assertTokenRefusal(registry.tokenResponse("dev", AccessToken.PREFIX + "0123456789ab_guess", ""), INVALID);
    }

    String refreshToken() throws Exception {
        HttpResponse<String> r = registry.send(registry.request("/token").POST(HttpRequest.BodyPublishers.ofString(
                "grant_type=password&username=dev&password=devpw&access_type=offline&service=stowage")));
        return JSON.readTree(r.body()).path("refresh_token").asText();
    }

    HttpResponse<String> refresh(String token) throws Exception {
        return registry.send(registry.request("/token").POST(HttpRequest.BodyPublishers.ofString(
                "grant_type=refresh_token&service=stowage&refresh_token=" + token)));
    }

    @Test
    void aRevokedSessionIsToldToSignInAgain() throws Exception {
        String refresh = refreshToken();
        assertThat(registry.call("DELETE", "/api/v1/users/dev/sessions", basic("dev", "devpw"), null).statusCode()).isEqualTo(200);

        assertTokenRefusal(refresh(refresh), "token revoked; sign in again");
    }

    @Test
    void aForgedRefreshTokenGetsNoExplanation() throws Exception {
        String refresh = refreshToken();
        String forged = refresh.substring(0, refresh.lastIndexOf('.') + 1) + "AAAA";
        HttpResponse<String> r = refresh(forged);
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(message(r)).isEqualTo("invalid token: bad signature");
    }

    /** Tokens as this registry signs them, but issued by a clock an hour behind: expired now. */
    RegistryTokens anHourAgo() {
        Clock past = Clock.fixed(Instant.now().minus(Duration.ofHours(1)), ZoneOffset.UTC);
        return new RegistryTokens(SigningKeys.shared(registry.identities, Clock.systemUTC(), Duration.ofHours(1)),
                "stowage", "stowage", Duration.ofMinutes(5), past);
    }

    @Test
    void anExpiredRegistryTokenIsToldItExpired() throws Exception {
        String expired = anHourAgo().issue("dev", List.of(new Scope("repository", "team/app", Set.of("pull")))).token();
        HttpResponse<String> r = registry.send(registry.request("/v2/team/app/tags/list").header("Authorization", "Bearer " + expired));
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(message(r)).isEqualTo("token expired; ask for a new one (sign in again)");
        assertThat(r.headers().firstValue("WWW-Authenticate").orElse("")).contains("error=\"invalid_token\"");
    }

    @Test
    void anExpiredAdminSessionIsToldToSignInAgain() throws Exception {
        String expired = anHourAgo().issueAdminSession("dev",
                new Authentication(Authentication.Method.IDENTITY_PROVIDER, Instant.now().minus(Duration.ofHours(1)))).token();
        HttpResponse<String> r = registry.call("GET", "/api/v1/me", "Bearer " + expired, null);
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(message(r)).isEqualTo("token expired; sign in again");
    }

    @Test
    void aRegistryTokenOfARobotDisabledSinceStopsAtOnce() throws Exception {
        robot("robot$ci", null, false);
        String token = registry.token("robot$ci", "robot$ci-secret", "repository:team/app:pull");
        registry.call("PATCH", "/api/v1/robots/robot$ci", basic("admin", "adminpw"), "{\"disabled\":true}");

        HttpResponse<String> r = registry.send(registry.request("/v2/team/app/tags/list").header("Authorization", "Bearer " + token));
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(message(r)).isEqualTo("robot account robot$ci is disabled; an administrator can enable it again");
    }

    @Test
    void rotatingWithANewExpiryRenewsAnExpiredRobot() throws Exception {
        HttpResponse<String> r = registry.call("POST", "/api/v1/robots/robot$old/rotate", basic("admin", "adminpw"),
                "{\"expiresIn\":\"30d\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode rotated = JSON.readTree(r.body());
        assertThat(Instant.parse(rotated.path("expiresAt").asText())).isAfter(Instant.now().plus(Duration.ofDays(29)));

        assertThat(registry.tokenResponse("robot$old", rotated.path("secret").asText(), "").statusCode()).isEqualTo(200);
    }

    // --- validation is 400, not 403 ----------------------------------------------------------------------------------

    HttpResponse<String> projectRobot(String pattern) throws Exception {
        return registry.call("POST", "/api/v1/projects/team/robots", basic("dev", "devpw"),
                "{\"name\":\"ci\",\"permissions\":[{\"repository\":\"" + pattern + "\",\"actions\":[\"pull\"]}]}");
    }

    @Test
    void aProjectRobotNamingAnotherProjectIsA400SayingSo() throws Exception {
        HttpResponse<String> r = projectRobot("alpha/**");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(message(r)).isEqualTo("permissions[0].repository: a robot of project team may only name its repositories "
                + "(team/...), not alpha/**");
    }

    @Test
    void aMalformedProjectRobotPatternIsA400SayingWhatIsWrong() throws Exception {
        HttpResponse<String> r = projectRobot("team/App");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(message(r)).isEqualTo("permissions[0].repository: permission pattern team/App: 'App' is not a repository "
                + "path component (lowercase a-z 0-9 . _ - and the wildcards * and **)");
    }

    @Test
    void aSystemRobotPatternWithAnEmptyComponentIsA400() throws Exception {
        HttpResponse<String> r = registry.call("POST", "/api/v1/robots", basic("admin", "adminpw"),
                "{\"name\":\"ci\",\"permissions\":[{\"repository\":\"team//app\",\"actions\":[\"pull\"]}]}");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(message(r)).isEqualTo("permissions[0].repository: permission pattern team//app: empty path component "
                + "(write team/** or team/app)");
    }
}
