package dev.stowage.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stowage.core.access.Account;
import dev.stowage.core.access.Action;
import dev.stowage.core.access.Authentication;
import dev.stowage.core.access.Project;
import dev.stowage.core.access.RegistryPolicy;
import dev.stowage.core.access.RobotAccount;
import dev.stowage.core.access.RobotPermission;
import dev.stowage.core.access.Role;
import dev.stowage.core.service.RegistryService;
import dev.stowage.core.service.ServiceSettings;
import dev.stowage.identity.AccountService;
import dev.stowage.identity.AuthSettings;
import dev.stowage.identity.PasswordHasher;
import dev.stowage.identity.RegistryTokens;
import dev.stowage.identity.SigningKeys;
import dev.stowage.identity.TokenAccessController;
import dev.stowage.identity.TokenGrants;
import dev.stowage.identity.Totp;
import dev.stowage.metadata.JdbcIdentityStore;
import dev.stowage.metadata.JdbcMetadataStore;
import dev.stowage.metadata.MetadataConfig;
import dev.stowage.storage.FileSystemBlobStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Attacks on the admin API as an outside review sent them: registry tokens used as admin credentials, personal
 * access tokens and stale sessions changing credentials, project administrators reaching system robots, and
 * request bodies with overflowing durations or fields of the wrong type.
 */
class AdminApiAttackTest {
    static final PasswordHasher FAST = new PasswordHasher(1024, 1, 1);
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir Path root;
    JdbcMetadataStore metadata;
    JdbcIdentityStore identities;
    RegistryTokens tokens;
    RegistryServer server;
    String base;
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeEach
    void start() throws Exception {
        metadata = JdbcMetadataStore.open(new MetadataConfig("jdbc:sqlite:" + root.resolve("m.db"), "", "", 0));
        identities = new JdbcIdentityStore(metadata);
        Instant now = Instant.now();
        identities.createAccount(new Account("admin", FAST.hash("adminpw".toCharArray()), true, false, now));
        identities.createAccount(new Account("dev", FAST.hash("devpw".toCharArray()), false, false, now));
        identities.createAccount(new Account("guest", FAST.hash("guestpw".toCharArray()), false, false, now));
        identities.createProject(new Project("team", false, now));
        identities.createProject(new Project("alpha", false, now));
        identities.setMember("team", "dev", Role.ADMIN);
        identities.setMember("team", "guest", Role.GUEST);
        AuthSettings auth = new AuthSettings("stowage", Optional.empty(), Duration.ofMinutes(5));
        SigningKeys signingKeys = SigningKeys.shared(identities, Clock.systemUTC(), Duration.ofHours(1));
        tokens = new RegistryTokens(signingKeys, "stowage", "stowage", Duration.ofMinutes(5), Clock.systemUTC());
        RegistryService service = new RegistryService(new FileSystemBlobStore(root.resolve("blobs")), metadata,
                RegistryPolicy.PERMISSIVE, ServiceSettings.DEFAULTS, Clock.systemUTC());
        TokenGrants grants = new TokenGrants(identities, FAST, tokens);
        server = RegistryServer.start(ServerSettings.of("127.0.0.1", 0), service,
                new TokenAccessController(tokens, grants, identities, auth), Optional.of(grants),
                Optional.of(new AccountService(identities, FAST, Clock.systemUTC(), Optional.of(signingKeys))));
        base = "http://127.0.0.1:" + server.port();
    }

    @AfterEach
    void stop() {
        server.close();
        metadata.close();
    }

    HttpResponse<String> call(String method, String path, String authorization, String json) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).method(method,
                json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        if (authorization != null) b.header("Authorization", authorization);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /** A registry token from /token; an empty scope gives a token with {@code access: []}. */
    String registryToken(String user, String password, String scope) throws Exception {
        String query = scope.isEmpty() ? "" : "&scope=" + URLEncoder.encode(scope, StandardCharsets.UTF_8);
        HttpResponse<String> r = call("GET", "/token?service=stowage" + query, basic(user, password), null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body()).path("token").asText();
    }

    String personalAccessToken(String user, String password) throws Exception {
        HttpResponse<String> r = call("POST", "/api/v1/users/" + user + "/tokens", basic(user, password), "{\"name\":\"cli\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        return JSON.readTree(r.body()).path("token").asText();
    }

    /** Enrols and confirms TOTP for dev with the password; answers the secret. */
    String enableTotp() throws Exception {
        HttpResponse<String> enrolled = call("POST", "/api/v1/users/dev/totp", basic("dev", "devpw"), null);
        assertThat(enrolled.statusCode()).as(enrolled.body()).isEqualTo(200);
        String secret = JSON.readTree(enrolled.body()).path("secret").asText();
        HttpResponse<String> confirmed = call("POST", "/api/v1/users/dev/totp/confirm", basic("dev", "devpw"),
                "{\"code\":\"" + Totp.codeAt(secret, Instant.now()) + "\"}");
        assertThat(confirmed.statusCode()).as(confirmed.body()).isEqualTo(204);
        return secret;
    }

    static String errorCode(HttpResponse<String> r) throws Exception {
        return JSON.readTree(r.body()).path("errors").path(0).path("code").asText();
    }

    static String message(HttpResponse<String> r) throws Exception {
        return JSON.readTree(r.body()).path("errors").path(0).path("message").asText();
    }

    // --- registry tokens are not admin credentials --------------------------------------------------------------

    @Test
    void aGuestsPullTokenCannotMintAPersonalAccessToken() throws Exception {
        String pull = registryToken("guest", "guestpw", "repository:team/app:pull");
        HttpResponse<String> r = call("POST", "/api/v1/users/guest/tokens", "Bearer " + pull, "{\"name\":\"forever\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(401);
        assertThat(r.headers().firstValue("WWW-Authenticate")).hasValue("Basic realm=\"stowage\"");
        assertThat(message(r)).contains("registry tokens are not accepted");
        assertThat(identities.accessTokens("guest")).isEmpty();
    }

    @Test
    void anAdminsRegistryTokenWithoutAccessCannotCreateAnAdministrator() throws Exception {
        String empty = registryToken("admin", "adminpw", "");
        HttpResponse<String> r = call("POST", "/api/v1/users", "Bearer " + empty,
                "{\"username\":\"mallory\",\"password\":\"long-enough-pw\",\"systemAdmin\":true}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(401);
        assertThat(identities.findAccount("mallory")).isEmpty();
    }

    @Test
    void aRegistryTokenReadsNothingOnTheAdminApiEither() throws Exception {
        String admin = registryToken("admin", "adminpw", "repository:team/app:pull registry:catalog:*");
        assertThat(call("GET", "/api/v1/users", "Bearer " + admin, null).statusCode()).isEqualTo(401);
    }

    @Test
    void aTotpUsersPullTokenCannotRemoveTheSecondFactor() throws Exception {
        String secret = enableTotp();
        String pull = registryToken("dev", "devpw" + Totp.codeAt(secret, Instant.now().plusSeconds(30)),
                "repository:team/app:pull");
        HttpResponse<String> r = call("DELETE", "/api/v1/users/dev/totp", "Bearer " + pull, null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(401);
        assertThat(identities.findTotp("dev").orElseThrow().enabled()).isTrue();
    }

    // --- changing credentials needs a fresh password proof ------------------------------------------------------

    @Test
    void aPersonalAccessTokenCannotMintAnotherAsBasicPasswordOrAsBearer() throws Exception {
        String pat = personalAccessToken("dev", "devpw");
        for (String authorization : List.of(basic("dev", pat), "Bearer " + pat)) {
            HttpResponse<String> r = call("POST", "/api/v1/users/dev/tokens", authorization, "{\"name\":\"second\"}");
            assertThat(r.statusCode()).as(r.body()).isEqualTo(401);
            assertThat(message(r)).contains("fresh sign-in");
        }
        assertThat(identities.accessTokens("dev")).hasSize(1);
    }

    @Test
    void aPersonalAccessTokenStillReadsAndRevokesWhatItsAccountOwns() throws Exception {
        String pat = personalAccessToken("dev", "devpw");
        for (String authorization : List.of(basic("dev", pat), "Bearer " + pat)) {
            assertThat(call("GET", "/api/v1/users/dev/tokens", authorization, null).statusCode()).isEqualTo(200);
        }
        String id = identities.accessTokens("dev").getFirst().id();
        assertThat(call("DELETE", "/api/v1/users/dev/tokens/" + id, "Bearer " + pat, null).statusCode()).isEqualTo(204);
    }

    @Test
    void aPersonalAccessTokenCannotRemoveOrReplaceTheSecondFactor() throws Exception {
        String secret = enableTotp();
        String pat = personalAccessToken("dev", "devpw" + Totp.codeAt(secret, Instant.now().plusSeconds(30)));
        assertThat(call("DELETE", "/api/v1/users/dev/totp", basic("dev", pat), null).statusCode()).isEqualTo(401);
        assertThat(call("POST", "/api/v1/users/dev/totp", basic("dev", pat), null).statusCode()).isEqualTo(401);
        assertThat(call("POST", "/api/v1/users/dev/totp/confirm", basic("dev", pat), "{\"code\":\"123456\"}").statusCode())
                .isEqualTo(401);
        assertThat(identities.findTotp("dev").orElseThrow().enabled()).isTrue();
    }

    @Test
    void thePasswordWithTheCurrentCodeRemovesTheSecondFactor() throws Exception {
        String secret = enableTotp();
        HttpResponse<String> r = call("DELETE", "/api/v1/users/dev/totp",
                basic("dev", "devpw" + Totp.codeAt(secret, Instant.now().plusSeconds(30))), null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(204);
    }

    @Test
    void anAdministratorsPersonalAccessTokenCannotSetPasswordsOrRobotSecretsButDisablesAccounts() throws Exception {
        String pat = personalAccessToken("admin", "adminpw");
        assertThat(call("POST", "/api/v1/users", basic("admin", pat),
                "{\"username\":\"carol\",\"password\":\"long-enough-pw\"}").statusCode()).isEqualTo(401);
        assertThat(call("PATCH", "/api/v1/users/dev", basic("admin", pat), "{\"password\":\"another-long-pw\"}").statusCode())
                .isEqualTo(401);
        assertThat(call("POST", "/api/v1/robots", basic("admin", pat),
                "{\"name\":\"ci\",\"permissions\":[{\"repository\":\"team/**\",\"actions\":[\"pull\"]}]}").statusCode())
                .isEqualTo(401);
        assertThat(call("POST", "/api/v1/robots", basic("admin", "adminpw"),
                "{\"name\":\"ci\",\"permissions\":[{\"repository\":\"team/**\",\"actions\":[\"pull\"]}]}").statusCode())
                .isEqualTo(201);
        assertThat(call("POST", "/api/v1/robots/robot$ci/rotate", basic("admin", pat), null).statusCode()).isEqualTo(401);
        assertThat(call("POST", "/api/v1/projects/team/robots", basic("admin", pat),
                "{\"name\":\"ci\",\"permissions\":[{\"repository\":\"team/**\",\"actions\":[\"pull\"]}]}").statusCode())
                .isEqualTo(401);
        assertThat(call("PATCH", "/api/v1/users/dev", basic("admin", pat), "{\"disabled\":true}").statusCode()).isEqualTo(200);
    }

    @Test
    void anAdministratorWithASecondFactorSetsAPasswordWithOneCode() throws Exception {
        HttpResponse<String> enrolled = call("POST", "/api/v1/users/admin/totp", basic("admin", "adminpw"), null);
        String secret = JSON.readTree(enrolled.body()).path("secret").asText();
        assertThat(call("POST", "/api/v1/users/admin/totp/confirm", basic("admin", "adminpw"),
                "{\"code\":\"" + Totp.codeAt(secret, Instant.now()) + "\"}").statusCode()).isEqualTo(204);
        HttpResponse<String> r = call("PATCH", "/api/v1/users/dev", basic("admin", "adminpw"
                + Totp.codeAt(secret, Instant.now().plusSeconds(30))), "{\"password\":\"another-long-pw\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }

    @Test
    void anAnonymousPatchOfAUserIsChallengedWhateverItsBody() throws Exception {
        assertThat(call("PATCH", "/api/v1/users/dev", null, "not json").statusCode()).isEqualTo(401);
        assertThat(call("PATCH", "/api/v1/users/dev", null, "{\"password\":\"another-long-pw\"}").statusCode()).isEqualTo(401);
    }

    // --- admin session tokens (what the OIDC callback answers) ---------------------------------------------------

    @Test
    void anAdminSessionTokenWorksOnTheAdminApiButNotOnRegistryRoutesNorTheTokenEndpoint() throws Exception {
        String session = tokens.issueAdminSession("dev", new Authentication(Authentication.Method.IDENTITY_PROVIDER,
                Instant.now())).token();
        assertThat(call("GET", "/api/v1/users/dev/sessions", "Bearer " + session, null).statusCode()).isEqualTo(200);
        HttpResponse<String> created = call("POST", "/api/v1/users/dev/tokens", "Bearer " + session, "{\"name\":\"laptop\"}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);

        HttpResponse<String> registry = call("GET", "/v2/team/app/tags/list", "Bearer " + session, null);
        assertThat(registry.statusCode()).isEqualTo(401);
        assertThat(registry.headers().firstValue("WWW-Authenticate").orElseThrow()).contains("error=\"invalid_token\"");
        assertThat(call("GET", "/v2/", "Bearer " + session, null).statusCode()).isEqualTo(401);
        HttpResponse<String> refresh = http.send(HttpRequest.newBuilder(URI.create(base + "/token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=refresh_token&service=stowage&refresh_token=" + session))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(refresh.statusCode()).isEqualTo(401);
    }

    @Test
    void anAdminSessionOlderThanFiveMinutesReadsButCannotChangeCredentials() throws Exception {
        String stale = tokens.issueAdminSession("dev", new Authentication(Authentication.Method.IDENTITY_PROVIDER,
                Instant.now().minus(Duration.ofMinutes(10)))).token();
        assertThat(call("GET", "/api/v1/users/dev/tokens", "Bearer " + stale, null).statusCode()).isEqualTo(200);
        HttpResponse<String> r = call("POST", "/api/v1/users/dev/tokens", "Bearer " + stale, "{\"name\":\"laptop\"}");
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(message(r)).contains("fresh sign-in");
    }

    @Test
    void anAdminSessionOfADisabledAccountIsRefused() throws Exception {
        String session = tokens.issueAdminSession("dev", new Authentication(Authentication.Method.IDENTITY_PROVIDER,
                Instant.now())).token();
        identities.setDisabled("dev", true);
        assertThat(call("GET", "/api/v1/users/dev/tokens", "Bearer " + session, null).statusCode()).isEqualTo(401);
    }

    // --- system and project robots live in separate name spaces --------------------------------------------------

    @Test
    void aSystemRobotCannotBeNamedLikeAProjectRobot() throws Exception {
        HttpResponse<String> r = call("POST", "/api/v1/robots", basic("admin", "adminpw"),
                "{\"name\":\"team+x\",\"permissions\":[{\"repository\":\"alpha/**\",\"actions\":[\"pull\",\"push\"]}]}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        assertThat(errorCode(r)).isEqualTo("NAME_INVALID");
        assertThat(identities.findRobot("robot$team+x")).isEmpty();
    }

    @Test
    void aSystemRobotMadeBeforeTheFixWithAPlusStaysOutOfTheProjectAdminsReach() throws Exception {
        identities.createRobot(new RobotAccount("robot$team+x", FAST.hash("s".toCharArray()),
                List.of(new RobotPermission("alpha/**", EnumSet.of(Action.PULL, Action.PUSH))), null, false, Instant.now()));
        String dev = basic("dev", "devpw");
        HttpResponse<String> list = call("GET", "/api/v1/projects/team/robots", dev, null);
        assertThat(list.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(list.body())).isEmpty();
        assertThat(call("GET", "/api/v1/projects/team/robots/x", dev, null).statusCode()).isEqualTo(404);
        assertThat(call("POST", "/api/v1/projects/team/robots/x/rotate", dev, null).statusCode()).isEqualTo(404);
        assertThat(call("PATCH", "/api/v1/projects/team/robots/x", dev, "{\"disabled\":true}").statusCode()).isEqualTo(404);
        assertThat(call("DELETE", "/api/v1/projects/team/robots/x", dev, null).statusCode()).isEqualTo(404);
        RobotAccount untouched = identities.findRobot("robot$team+x").orElseThrow();
        assertThat(untouched.disabled()).isFalse();
        assertThat(FAST.verify("s".toCharArray(), untouched.secretHash())).isTrue();
    }

    @Test
    void aProjectRobotIsRecordedWithItsProjectAndListedThere() throws Exception {
        HttpResponse<String> created = call("POST", "/api/v1/projects/team/robots", basic("dev", "devpw"),
                "{\"name\":\"ci\",\"permissions\":[{\"repository\":\"team/**\",\"actions\":[\"pull\"]}]}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        assertThat(identities.findRobot("robot$team+ci").orElseThrow().project()).isEqualTo("team");
        JsonNode list = JSON.readTree(call("GET", "/api/v1/projects/team/robots", basic("dev", "devpw"), null).body());
        assertThat(list).extracting(n -> n.path("name").asText()).containsExactly("robot$team+ci");
    }

    // --- durations and JSON types ---------------------------------------------------------------------------------

    @ParameterizedTest
    @CsvSource({"99999999999999d", "PT9999999999999H", "3651d", "99999999999999999999999d", "-1d", "PT-5H", "0d"})
    void expiriesBeyondTenYearsOverflowingOrNotPositiveAre400(String expiresIn) throws Exception {
        HttpResponse<String> token = call("POST", "/api/v1/users/dev/tokens", basic("dev", "devpw"),
                "{\"name\":\"x\",\"expiresIn\":\"" + expiresIn + "\"}");
        assertThat(token.statusCode()).as(token.body()).isEqualTo(400);
        assertThat(message(token)).contains("expiresIn").contains("3650d");
        HttpResponse<String> robot = call("POST", "/api/v1/robots", basic("admin", "adminpw"),
                "{\"name\":\"ci\",\"expiresIn\":\"" + expiresIn + "\",\"permissions\":[{\"repository\":\"team/**\","
                        + "\"actions\":[\"pull\"]}]}");
        assertThat(robot.statusCode()).as(robot.body()).isEqualTo(400);
        assertThat(message(robot)).contains("expiresIn").contains("3650d");
        assertThat(identities.accessTokens("dev")).isEmpty();
    }

    @Test
    void tenYearsIsTheLongestExpiry() throws Exception {
        HttpResponse<String> r = call("POST", "/api/v1/users/dev/tokens", basic("dev", "devpw"),
                "{\"name\":\"x\",\"expiresIn\":\"3650d\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    }

    @Test
    void anOverflowingGcGraceIs400() throws Exception {
        HttpResponse<String> r = call("POST", "/api/v1/gc", basic("admin", "adminpw"),
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
        HttpResponse<String> r = call(method.trim(), path.trim(), basic("admin", "adminpw"), body.trim());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        assertThat(message(r)).contains(field.trim());
        assertThat(identities.findAccount("carol")).isEmpty();
        assertThat(identities.findAccount("dev").orElseThrow().disabled()).isFalse();
        assertThat(identities.findProject("p")).isEmpty();
        assertThat(identities.findProject("team").orElseThrow().isPublic()).isFalse();
        assertThat(identities.listRobots()).isEmpty();
    }

    @Test
    void aRobotPatchWithAStringForDisabledIs400AndChangesNothing() throws Exception {
        call("POST", "/api/v1/robots", basic("admin", "adminpw"),
                "{\"name\":\"ci\",\"permissions\":[{\"repository\":\"team/**\",\"actions\":[\"pull\"]}]}");
        HttpResponse<String> r = call("PATCH", "/api/v1/robots/robot$ci", basic("admin", "adminpw"), "{\"disabled\":\"yes\"}");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(message(r)).contains("disabled");
        assertThat(identities.findRobot("robot$ci").orElseThrow().disabled()).isFalse();
    }
}
