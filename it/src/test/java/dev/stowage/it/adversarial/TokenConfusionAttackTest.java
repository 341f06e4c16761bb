package dev.stowage.it.adversarial;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stowage.identity.Totp;
import org.junit.jupiter.api.Test;

import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.Base64;

import static dev.stowage.it.adversarial.Target.expect;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tokens used for what they were not issued for: registry tokens on the admin API, tokens that mint credentials,
 * refresh tokens as access tokens, tampered and forged JWTs, tokens of one repository on another, robots of one
 * name space posing as the other's.
 */
class TokenConfusionAttackTest extends AttackTest {
    @Test
    void aGuestsRegistryTokenCannotMintAPersonalAccessToken() throws Exception {
        String pull = target.token("gwen", Target.PASSWORD, "repository:beta/app:pull");
        HttpResponse<String> r = target.bearerCall(pull, "POST", "/api/v1/users/gwen/tokens", "{\"name\":\"forever\"}");
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(target.bearerCall(pull, "GET", "/api/v1/users/gwen/tokens", null).statusCode()).isEqualTo(401);
        assertThat(target.basicCall("gwen", Target.PASSWORD, "GET", "/api/v1/users/gwen/tokens", null).body())
                .doesNotContain("forever");
    }

    @Test
    void anAdminsScopelessRegistryTokenIsNotAnAdminCredential() throws Exception {
        String token = target.token("admin", Target.ADMIN_PASSWORD);
        assertThat(Target.claims(token).path("access")).isEmpty();
        HttpResponse<String> r = target.bearerCall(token, "POST", "/api/v1/users",
                "{\"username\":\"mallory\",\"password\":\"" + Target.PASSWORD + "\",\"systemAdmin\":true}");
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(target.admin("GET", "/api/v1/users/mallory", null).statusCode()).isEqualTo(404);
        for (String path : new String[] {"/api/v1/users", "/api/v1/projects", "/api/v1/audit", "/api/v1/keys", "/api/v1/robots"}) {
            assertThat(target.bearerCall(token, "GET", path, null).statusCode()).as(path).isEqualTo(401);
        }
    }

    @Test
    void aTotpUsersPullTokenCannotRemoveTheirSecondFactor() throws Exception {
        expect(201, target.admin("POST", "/api/v1/users", "{\"username\":\"tina\",\"password\":\"" + Target.PASSWORD + "\"}"));
        awayFromAStepBoundary();
        Instant now = Instant.now();
        HttpResponse<String> enrolled = expect(200, target.basicCall("tina", Target.PASSWORD, "POST", "/api/v1/users/tina/totp", null));
        String secret = Target.JSON.readTree(enrolled.body()).path("secret").asText();
        expect(204, target.basicCall("tina", Target.PASSWORD, "POST", "/api/v1/users/tina/totp/confirm",
                "{\"code\":\"" + Totp.codeAt(secret, now.minusSeconds(30)) + "\"}"));
        String pull = target.token("tina", Target.PASSWORD + Totp.codeAt(secret, now), "repository:pub/app:pull");

        assertThat(target.bearerCall(pull, "DELETE", "/api/v1/users/tina/totp", null).statusCode()).isEqualTo(401);
        // The second factor is still required: the password alone gets no token.
        HttpResponse<String> withoutCode = Target.send(target.request("/token?service=stowage")
                .header("Authorization", Target.basic("tina", Target.PASSWORD)).GET());
        assertThat(withoutCode.statusCode()).isEqualTo(401);
        // With the password and a fresh code the owner may remove it.
        expect(204, target.basicCall("tina", Target.PASSWORD + Totp.codeAt(secret, now.plusSeconds(30)), "DELETE",
                "/api/v1/users/tina/totp", null));
    }

    @Test
    void aPersonalAccessTokenCannotMintAnotherOrChangeThePassword() throws Exception {
        expect(201, target.admin("POST", "/api/v1/users", "{\"username\":\"pat\",\"password\":\"" + Target.PASSWORD + "\"}"));
        HttpResponse<String> created = expect(201, target.basicCall("pat", Target.PASSWORD, "POST", "/api/v1/users/pat/tokens",
                "{\"name\":\"laptop\",\"expiresIn\":\"30d\"}"));
        String pat = Target.JSON.readTree(created.body()).path("token").asText();
        assertThat(pat).startsWith("stowage_pat_");
        // The token works where it stands in for the password: docker login.
        expect(200, Target.send(target.request("/token?service=stowage&scope=repository:pub/app:pull")
                .header("Authorization", Target.basic("pat", pat)).GET()));
        // It does not mint credentials.
        assertThat(target.basicCall("pat", pat, "POST", "/api/v1/users/pat/tokens", "{\"name\":\"forever\"}").statusCode())
                .isIn(401, 403);
        assertThat(target.basicCall("pat", pat, "POST", "/api/v1/users/pat/totp", null).statusCode()).isIn(401, 403);
    }

    @Test
    void aRefreshTokenIsNotAnAccessToken() throws Exception {
        HttpResponse<String> r = expect(200, Target.send(target.request("/token").header("Content-Type",
                "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString("grant_type=password&username=gus"
                + "&password=" + URLEncoder.encode(Target.PASSWORD, StandardCharsets.UTF_8)
                + "&access_type=offline&client_id=docker&service=stowage&scope=repository:gamma/app:pull"))));
        String refresh = Target.JSON.readTree(r.body()).path("refresh_token").asText();
        assertThat(refresh).isNotEmpty();
        assertThat(target.bearer(refresh, "GET", "/v2/gamma/app/tags/list", null, null).statusCode()).isEqualTo(401);
        assertThat(target.bearerCall(refresh, "GET", "/api/v1/users/gus/tokens", null).statusCode()).isEqualTo(401);
    }

    @Test
    void aTokenForOneRepositoryDoesNotOpenAnother() throws Exception {
        String token = target.token("gus", Target.PASSWORD, "repository:gamma/app:pull,push");
        HttpResponse<String> r = target.bearer(token, "POST", "/v2/gamma/other/blobs/uploads/", null, null);
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.headers().firstValue("WWW-Authenticate").orElseThrow()).contains("insufficient_scope");
    }

    @Test
    void wildcardAndForeignScopesAreNotGranted() throws Exception {
        String token = target.token("gus", Target.PASSWORD, "repository:alpha/app:*", "repository:gamma/app:*,delete",
                "registry:catalog:*", "repository:*:pull", "repository:gamma/*:pull");
        String access = Target.claims(token).path("access").toString();
        assertThat(access).doesNotContain("alpha", "catalog", "\"*\"", "delete");
    }

    @Test
    void aTamperedTokenIsRefused() throws Exception {
        String token = target.token("gus", Target.PASSWORD, "repository:gamma/app:pull");
        String[] parts = token.split("\\.");
        ObjectNode claims = (ObjectNode) Target.claims(token);
        claims.putArray("access").addObject().put("type", "repository").put("name", "alpha/app").putArray("actions").add("pull");
        String forgedPayload = b64(Target.JSON.writeValueAsBytes(claims));
        assertRefused(parts[0] + "." + forgedPayload + "." + parts[2], "payload changed, signature kept");
        assertRefused(b64("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes()) + "." + forgedPayload + ".", "alg none");
        assertRefused(parts[0] + "." + forgedPayload, "no signature");
        assertRefused(b64("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes()) + "." + forgedPayload + "." + b64(new byte[32]), "HS256");
        // A well-formed ES256 token signed by the attacker's own key under the registry's key id.
        var generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        var pair = generator.generateKeyPair();
        String header = new String(Base64.getUrlDecoder().decode(parts[0]), StandardCharsets.UTF_8);
        String signingInput = b64(header.getBytes(StandardCharsets.UTF_8)) + "." + forgedPayload;
        Signature es256 = Signature.getInstance("SHA256withECDSAinP1363Format");
        es256.initSign(pair.getPrivate());
        es256.update(signingInput.getBytes(StandardCharsets.US_ASCII));
        assertRefused(signingInput + "." + b64(es256.sign()), "own key, registry's kid");
    }

    @Test
    void systemRobotsCannotBeNamedIntoAProjectsRobotSpace() throws Exception {
        HttpResponse<String> r = target.admin("POST", "/api/v1/robots",
                "{\"name\":\"gamma+x\",\"permissions\":[{\"repository\":\"alpha/**\",\"actions\":[\"pull\"]}]}");
        assertThat(r.statusCode()).isEqualTo(400);
        expect(201, target.admin("POST", "/api/v1/robots",
                "{\"name\":\"deployer\",\"permissions\":[{\"repository\":\"alpha/**\",\"actions\":[\"pull\"]}]}"));
        expect(200, target.admin("PUT", "/api/v1/projects/gamma/members/gus", "{\"role\":\"admin\"}"));
        try {
            HttpResponse<String> robots = expect(200, target.basicCall("gus", Target.PASSWORD, "GET", "/api/v1/projects/gamma/robots", null));
            assertThat(robots.body()).doesNotContain("deployer", "alpha");
            // A project robot's permissions stay inside its project.
            HttpResponse<String> outside = target.basicCall("gus", Target.PASSWORD, "POST", "/api/v1/projects/gamma/robots",
                    "{\"name\":\"ci\",\"permissions\":[{\"repository\":\"alpha/**\",\"actions\":[\"pull\"]}]}");
            assertThat(outside.statusCode()).isIn(400, 403);
            assertThat(target.basicCall("gus", Target.PASSWORD, "POST", "/api/v1/robots/robot$deployer/rotate", null).statusCode())
                    .isEqualTo(403);
        } finally {
            expect(200, target.admin("PUT", "/api/v1/projects/gamma/members/gus", "{\"role\":\"developer\"}"));
        }
    }

    private static void assertRefused(String token, String what) throws Exception {
        HttpResponse<String> r = target.bearer(token, "GET", "/v2/alpha/app/tags/list", null, null);
        assertThat(r.statusCode()).as(what).isEqualTo(401);
        assertThat(target.bearerCall(token, "GET", "/api/v1/users", null).statusCode()).as(what).isEqualTo(401);
    }

    private static String b64(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** TOTP codes of this step and the ones beside it must stay valid while the test uses them. */
    private static void awayFromAStepBoundary() throws InterruptedException {
        long intoStep = Instant.now().getEpochSecond() % 30;
        if (intoStep > 22) Thread.sleep((31 - intoStep) * 1000);
    }
}
