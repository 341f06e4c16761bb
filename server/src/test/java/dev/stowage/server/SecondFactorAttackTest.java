package dev.stowage.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stowage.identity.Totp;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static dev.stowage.server.AuthenticatedRegistry.JSON;
import static dev.stowage.server.AuthenticatedRegistry.basic;
import static dev.stowage.server.AuthenticatedRegistry.errorCode;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Findings F1 and F9 of the red-team review: a TOTP account's sign-in must not tell a right password with a wrong
 * code from a wrong password, and starting a new enrollment must never switch a confirmed second factor off.
 */
class SecondFactorAttackTest {
    static final String GENERIC = "invalid username or password (accounts with a second factor append the current "
            + "6-digit code to the password, or use a personal access token)";

    @TempDir Path root;
    AuthenticatedRegistry registry;
    /** dev's confirmed TOTP secret; no code of it has been used yet. */
    String secret;

    @BeforeEach
    void start() throws Exception {
        registry = AuthenticatedRegistry.in(root).admin("admin").user("dev").project("public", true).start();
        secret = Totp.newSecret();
        registry.identities.setTotp("dev", secret, true);
    }

    @AfterEach
    void stop() {
        registry.close();
    }

    /** The code of the step {@code steps} away from now (-1, 0 and 1 are accepted, each once, in increasing order). */
    String code(String totpSecret, int steps) {
        return Totp.codeAt(totpSecret, Instant.now().plusSeconds(30L * steps));
    }

    /** A code no step near now has: the one of ten minutes from now. */
    String wrongCode() {
        String wrong = code(secret, 20);
        for (int step = -1; step <= 1; step++) if (wrong.equals(code(secret, step))) return code(secret, 21);
        return wrong;
    }

    HttpResponse<String> token(String user, String password) throws Exception {
        return registry.tokenResponse(user, password, "repository:public/app:pull");
    }

    HttpResponse<String> admin(String method, String path, String user, String password) throws Exception {
        return registry.call(method, path, basic(user, password), null);
    }

    /** Everything a client can compare between two answers but the date. */
    static Map<String, Object> answer(HttpResponse<String> r) {
        Map<String, Object> all = new TreeMap<>();
        all.put(":status", r.statusCode());
        all.put(":body", r.body());
        r.headers().map().forEach((name, values) -> {
            if (!name.equalsIgnoreCase("date")) all.put(name.toLowerCase(), values);
        });
        return all;
    }

    @Test
    void theTokenEndpointAnswersAWrongMissingOrReplayedCodeExactlyAsAWrongPassword() throws Exception {
        assertThat(token("dev", "devpw" + code(secret, -1)).statusCode()).isEqualTo(200);
        HttpResponse<String> wrongPassword = token("dev", "wrong-password" + code(secret, 0));
        assertThat(wrongPassword.statusCode()).isEqualTo(401);
        assertThat(errorCode(wrongPassword)).isEqualTo("UNAUTHORIZED");
        assertThat(JSON.readTree(wrongPassword.body()).path("errors").path(0).path("message").asText()).isEqualTo(GENERIC);
        for (String rightPasswordBadCode : List.of("devpw" + wrongCode(), "devpw", "devpw" + code(secret, -1))) {
            assertThat(answer(token("dev", rightPasswordBadCode))).as(rightPasswordBadCode).isEqualTo(answer(wrongPassword));
        }
    }

    @Test
    void theAdminApiAnswersAWrongMissingOrReplayedCodeExactlyAsAWrongPassword() throws Exception {
        assertThat(admin("GET", "/api/v1/users/dev/tokens", "dev", "devpw" + code(secret, -1)).statusCode()).isEqualTo(200);
        HttpResponse<String> wrongPassword = admin("GET", "/api/v1/users/dev/tokens", "dev", "wrong-password" + code(secret, 0));
        assertThat(wrongPassword.statusCode()).isEqualTo(401);
        assertThat(JSON.readTree(wrongPassword.body()).path("errors").path(0).path("message").asText()).isEqualTo(GENERIC);
        for (String rightPasswordBadCode : List.of("devpw" + wrongCode(), "devpw", "devpw" + code(secret, -1))) {
            assertThat(answer(admin("GET", "/api/v1/users/dev/tokens", "dev", rightPasswordBadCode))).as(rightPasswordBadCode)
                    .isEqualTo(answer(wrongPassword));
        }
    }

    @Test
    void anAccountWithoutASecondFactorGetsTheSameGenericAnswerSoNoOneLearnsWhichAccountsHaveOne() throws Exception {
        HttpResponse<String> plain = token("admin", "wrong-password");
        HttpResponse<String> withFactor = token("dev", "wrong-password");
        assertThat(answer(plain)).isEqualTo(answer(withFactor));
    }

    @Test
    void aRightPasswordWithAWrongCodeStillCountsAsAFailedSignIn() throws Exception {
        for (int i = 0; i < 5; i++) assertThat(token("dev", "devpw" + wrongCode()).statusCode()).isEqualTo(401);
        HttpResponse<String> next = token("dev", "devpw" + code(secret, 0));
        assertThat(next.statusCode()).as(next.body()).isEqualTo(429);
        assertThat(errorCode(next)).isEqualTo("TOOMANYREQUESTS");
    }

    @Test
    void startingANewEnrollmentWhileAFactorIsConfirmedIsRefusedWith409AndTheFactorStaysRequired() throws Exception {
        HttpResponse<String> restart = admin("POST", "/api/v1/users/dev/totp", "dev", "devpw" + code(secret, -1));
        assertThat(restart.statusCode()).as(restart.body()).isEqualTo(409);
        assertThat(errorCode(restart)).isEqualTo("CONFLICT");
        assertThat(JSON.readTree(restart.body()).path("errors").path(0).path("message").asText())
                .contains("remove").contains("DELETE");
        assertThat(token("dev", "devpw").statusCode()).isEqualTo(401);
        assertThat(token("dev", "devpw" + code(secret, 0)).statusCode()).isEqualTo(200);
    }

    @Test
    void aSystemAdministratorCannotSwitchAUsersConfirmedFactorOffByEnrollingAgain() throws Exception {
        HttpResponse<String> restart = admin("POST", "/api/v1/users/dev/totp", "admin", "adminpw");
        assertThat(restart.statusCode()).as(restart.body()).isEqualTo(409);
        assertThat(errorCode(restart)).isEqualTo("CONFLICT");
        assertThat(token("dev", "devpw").statusCode()).isEqualTo(401);
    }

    @Test
    void afterRemovingTheFactorWithPasswordAndCodeANewEnrollmentStartsAndMayBeRestartedUntilConfirmed() throws Exception {
        assertThat(admin("DELETE", "/api/v1/users/dev/totp", "dev", "devpw" + code(secret, -1)).statusCode()).isEqualTo(204);
        JsonNode first = JSON.readTree(admin("POST", "/api/v1/users/dev/totp", "dev", "devpw").body());
        HttpResponse<String> again = admin("POST", "/api/v1/users/dev/totp", "dev", "devpw");
        assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
        String second = JSON.readTree(again.body()).path("secret").asText();
        assertThat(second).isNotEqualTo(first.path("secret").asText());
        HttpResponse<String> confirm = registry.call("POST", "/api/v1/users/dev/totp/confirm", basic("dev", "devpw"),
                "{\"code\":\"" + code(second, 0) + "\"}");
        assertThat(confirm.statusCode()).as(confirm.body()).isEqualTo(204);
        assertThat(token("dev", "devpw").statusCode()).isEqualTo(401);
        assertThat(token("dev", "devpw" + code(second, 1)).statusCode()).isEqualTo(200);
    }
}
