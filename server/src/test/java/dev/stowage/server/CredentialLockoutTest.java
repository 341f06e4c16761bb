package dev.stowage.server;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static dev.stowage.server.AuthenticatedRegistry.JSON;
import static dev.stowage.server.AuthenticatedRegistry.basic;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Finding F4 of the red-team review: sending wrong secrets for a robot's or a user's name must not keep its
 * unguessable credentials (robot secrets, personal access tokens) or its owner's recently verified password out.
 * The attacker signs in from 127.0.0.1 (the test's HTTP client); the owner from 127.0.0.2 (a socket bound to it).
 */
class CredentialLockoutTest {
    @TempDir Path root;
    AuthenticatedRegistry registry;

    @BeforeEach
    void start() throws Exception {
        registry = AuthenticatedRegistry.in(root).admin("admin").user("dev").project("public", true).start();
    }

    @AfterEach
    void stop() {
        registry.close();
    }

    /** A token request from 127.0.0.1: its status. */
    int attackerSignsIn(String user, String secret) throws Exception {
        return registry.tokenResponse(user, secret, "repository:public/app:pull").statusCode();
    }

    /** A token request from another client address, 127.0.0.2: its status line's code. */
    int ownerSignsIn(String user, String secret) throws IOException {
        try (Socket socket = new Socket()) {
            socket.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.2"), 0));
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), registry.port()), 5_000);
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET /token?service=stowage&scope=repository:public/app:pull HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Authorization: " + basic(user, secret) + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = socket.getInputStream();
            String response = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return Integer.parseInt(response.split(" ", 3)[1]);
        }
    }

    String robotSecret(String name) throws Exception {
        HttpResponse<String> created = registry.call("POST", "/api/v1/robots", basic("admin", "adminpw"),
                "{\"name\":\"" + name + "\",\"permissions\":[{\"repository\":\"public/**\",\"actions\":[\"pull\"]}]}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        return JSON.readTree(created.body()).path("secret").asText();
    }

    String personalAccessToken(String user) throws Exception {
        HttpResponse<String> created = registry.call("POST", "/api/v1/users/" + user + "/tokens",
                basic(user, user + "pw"), "{\"name\":\"ci\"}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        return JSON.readTree(created.body()).path("token").asText();
    }

    @Test
    void wrongSecretsForARobotAreRefusedAs401AndNeverKeepItsRightSecretOut() throws Exception {
        String secret = robotSecret("ci");
        for (int i = 0; i < 10; i++) assertThat(attackerSignsIn("robot$ci", "wrong-secret-" + i)).isEqualTo(401);
        assertThat(ownerSignsIn("robot$ci", secret)).isEqualTo(200);
        assertThat(attackerSignsIn("robot$ci", secret)).isEqualTo(200);
    }

    @Test
    void wrongSecretsForAPersonalAccessTokenNeverKeepTheRightTokenOut() throws Exception {
        String pat = personalAccessToken("dev");
        String forged = pat.substring(0, pat.lastIndexOf('_') + 1) + "wrong-secret-";
        for (int i = 0; i < 10; i++) assertThat(attackerSignsIn("dev", forged + i)).isEqualTo(401);
        assertThat(ownerSignsIn("dev", pat)).isEqualTo(200);
    }

    @Test
    void wrongPasswordsForAUserNeverKeepTheirPersonalAccessTokenOut() throws Exception {
        String pat = personalAccessToken("dev");
        for (int i = 0; i < 10; i++) attackerSignsIn("dev", "wrong-password-" + i);
        assertThat(attackerSignsIn("dev", "wrong-password")).isEqualTo(429);
        assertThat(ownerSignsIn("dev", pat)).isEqualTo(200);
    }

    @Test
    void anOwnerResendingTheirRecentlyVerifiedPasswordGetsTokensWhileAnAttackerFailsOnTheAccount() throws Exception {
        assertThat(ownerSignsIn("dev", "devpw")).isEqualTo(200);
        for (int i = 0; i < 10; i++) attackerSignsIn("dev", "wrong-password-" + i);
        for (int i = 0; i < 3; i++) assertThat(ownerSignsIn("dev", "devpw")).isEqualTo(200);
        assertThat(attackerSignsIn("dev", "wrong-password")).isEqualTo(429);
    }
}
