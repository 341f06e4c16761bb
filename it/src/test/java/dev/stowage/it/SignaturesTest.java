package dev.stowage.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stowage.it.support.Clients;
import dev.stowage.it.support.Registry;
import dev.stowage.it.support.ScanImages;
import dev.stowage.it.support.StowageProcess;
import dev.stowage.core.Digest;
import dev.stowage.signatures.SignaturePush;
import dev.stowage.signatures.sigstore.CosignSigning;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static dev.stowage.it.support.Clients.cmd;
import static dev.stowage.it.support.Clients.run;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Signatures and trust end to end on the real server: images and their cosign signatures (tag scheme
 * {@code sha256-<hex>.sig}, made as {@code cosign sign --key} makes them) pushed with skopeo, verified against the
 * project's trust policy, shown through the API and {@code stowage verify}, and enforced on pulls by tag and by digest.
 */
class SignaturesTest {
    static final String PASSWORD = "trust-admin-password";
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir static Path dir;
    static StowageProcess stowage;
    static KeyPair release;
    static KeyPair stranger;
    static String signedDigest;
    static String unsignedDigest;

    @BeforeAll
    static void start() throws Exception {
        StowageProcess.requireStowage("signatures and trust");
        Clients.require("skopeo", "skopeo");
        stowage = StowageProcess.start(dir.resolve("data"), Map.of("STOWAGE_AUTH_ENABLED", "true",
                "STOWAGE_ADMIN_PASSWORD", PASSWORD, "STOWAGE_WEBHOOKS_ALLOWED_NETWORKS", "127.0.0.1/32"));
        HttpResponse<String> created = api("POST", "/api/v1/projects", "{\"name\":\"team\"}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        release = keys();
        stranger = keys();

        HttpResponse<String> policy = api("PUT", "/api/v1/projects/team/trust", policy("enforce"));
        assertThat(policy.statusCode()).as(policy.body()).isEqualTo(200);

        signedDigest = push("signed", release).manifestDigest();
        unsignedDigest = push("unsigned", null).manifestDigest();
        // the signature is verified in the background after its push; every test below starts after it was
        assertThat(awaitSignatures("team/app", "signed").path("status").asText()).isEqualTo("verified");
    }

    @AfterAll
    static void stop() throws Exception {
        if (stowage != null) stowage.close();
    }

    // --- the tests ------------------------------------------------------------------------------------------------

    @Test
    void anImageWithACosignSignatureByATrustedKeyIsVerifiedAndShownWithItsSigner() throws Exception {
        JsonNode status = awaitSignatures("team/app", "signed");
        assertThat(status.path("digest").asText()).isEqualTo(signedDigest);
        assertThat(status.path("status").asText()).as(status.toString()).isEqualTo("verified");
        assertThat(status.path("enforcement").asText()).isEqualTo("enforce");
        assertThat(status.path("signatures")).singleElement().satisfies(s -> {
            assertThat(s.path("kind").asText()).isEqualTo("cosign");
            assertThat(s.path("verified").asBoolean()).isTrue();
            assertThat(s.path("trustedBy").asText()).contains("release");
            assertThat(s.path("signer").path("keyId").asText()).isNotEmpty();
        });
        // the signature skopeo wrote is cosign's tag, which any cosign client finds
        HttpResponse<String> tags = v2("/v2/team/app/tags/list");
        assertThat(tags.body()).contains("sha256-" + signedDigest.substring("sha256:".length()) + ".sig");
    }

    @Test
    void theSignedImageIsPulledByTagAndByDigest() throws Exception {
        pull("team/app:signed", "signed-by-tag").ok();
        pull("team/app@" + signedDigest, "signed-by-digest").ok();
    }

    @Test
    void anUnsignedImageIsRefusedByTagAndByDigestWithTheErrorNamingThePolicy() throws Exception {
        JsonNode status = signatures("team/app", "unsigned");
        assertThat(status.path("status").asText()).isEqualTo("unsigned");
        for (String reference : List.of("unsigned", unsignedDigest)) {
            HttpResponse<String> r = v2("/v2/team/app/manifests/" + reference);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(403);
            JsonNode error = JSON.readTree(r.body()).path("errors").path(0);
            assertThat(error.path("code").asText()).isEqualTo("DENIED");
            assertThat(error.path("message").asText()).isEqualTo("pull refused by the trust policy of project 'team': "
                    + "the image has no signature; see GET /api/v1/repositories/team/app/artifacts/" + unsignedDigest
                    + "/signatures");
            assertThat(error.path("detail").path("refusals").path(0).path("check").asText()).isEqualTo("signatures");
        }
        Clients.Result refused = pull("team/app:unsigned", "unsigned");
        assertThat(refused.exitCode()).isNotZero();
        assertThat(refused.output()).contains("trust policy of project 'team'");
    }

    @Test
    void aSignatureByAKeyNotInThePolicyIsRefusedWithTheReason() throws Exception {
        String digest = push("stranger", stranger).manifestDigest();
        JsonNode status = awaitSignatures("team/app", "stranger");
        assertThat(status.path("status").asText()).as(status.toString()).isEqualTo("unverified");
        String reason = status.path("signatures").path(0).path("reason").asText();
        assertThat(reason).isNotEmpty();
        assertThat(status.path("signatures").path(0).path("verified").asBoolean()).isFalse();

        HttpResponse<String> r = v2("/v2/team/app/manifests/" + digest);
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(JSON.readTree(r.body()).path("errors").path(0).path("message").asText())
                .startsWith("pull refused by the trust policy of project 'team': no signature verified by the trust "
                        + "policy (1 signature: " + reason + ")");
    }

    @Test
    void aSigstoreBundleAttachedBySigstoreCliAsAReferrerVerifiesWithTheTrustedKey() throws Exception {
        Path cli = sigstoreCli();
        // sigstore attach GETs the image manifest before it attaches the bundle, which an enforcing project refuses
        // for an image not yet signed: the project enforces once the image is signed
        assertThat(api("POST", "/api/v1/projects", "{\"name\":\"bundles\"}").statusCode()).isEqualTo(201);
        assertThat(api("PUT", "/api/v1/projects/bundles/trust", policy("audit")).statusCode()).isEqualTo(200);
        ScanImages.Image image = push("bundles/app", "bundled", null);
        byte[] manifest = Files.readAllBytes(dir.resolve("layout-bundles-app-bundled/blobs/sha256/"
                + image.manifestDigest().substring("sha256:".length())));
        assertThat(Digest.sha256Of(manifest).toString()).isEqualTo(image.manifestDigest());
        // a key-based bundle (no Fulcio, no Rekor: made offline) whose message is the image manifest
        java.security.Signature ecdsa = java.security.Signature.getInstance("SHA256withECDSA");
        ecdsa.initSign(release.getPrivate());
        ecdsa.update(manifest);
        Base64.Encoder b64 = Base64.getEncoder();
        String bundle = "{\"mediaType\":\"application/vnd.dev.sigstore.bundle.v0.3+json\",\"verificationMaterial\":"
                + "{\"publicKey\":{\"hint\":\"release\"}},\"messageSignature\":{\"messageDigest\":{\"algorithm\":"
                + "\"SHA2_256\",\"digest\":\"" + b64.encodeToString(java.util.HexFormat.of().parseHex(Digest.sha256Of(manifest).hex())) + "\"},"
                + "\"signature\":\"" + b64.encodeToString(ecdsa.sign()) + "\"}}";
        Path bundleFile = dir.resolve("bundle.sigstore.json");
        Files.writeString(bundleFile, bundle);
        Clients.Result attached = run(cmd(cli.toString(), "attach", "--attestation", bundleFile.toString(),
                "-u", "admin", "-p", PASSWORD, stowage.hostPort() + "/bundles/app@" + image.manifestDigest()));
        assertThat(attached.exitCode()).as(attached.output()).isZero();
        assertThat(api("PUT", "/api/v1/projects/bundles/trust", policy("enforce")).statusCode()).isEqualTo(200);

        JsonNode status = awaitSignatures("bundles/app", "bundled");
        assertThat(status.path("status").asText()).as(status.toString()).isEqualTo("verified");
        assertThat(status.path("signatures")).singleElement().satisfies(s -> {
            assertThat(s.path("kind").asText()).isEqualTo("sigstore-bundle");
            assertThat(s.path("trustedBy").asText()).contains("release");
        });
        pull("bundles/app:bundled", "bundled").ok();
    }

    /** The npm {@code @sigstore/cli}, installed once into it/target (the npm registry is reachable; skipped without npm). */
    static Path sigstoreCli() throws Exception {
        Path prefix = Path.of("target/sigstore-cli").toAbsolutePath();
        Path bin = prefix.resolve("node_modules/.bin/sigstore");
        if (!Files.isExecutable(bin)) {
            org.junit.jupiter.api.Assumptions.assumeTrue(Clients.onPath("npm"), "npm is not installed");
            run(cmd("npm", "install", "--no-audit", "--no-fund", "--prefix", prefix.toString(), "@sigstore/cli@0.10.3")).ok();
        }
        return bin;
    }

    @Test
    void imagesSignedByManagedSigningAreVerifiedWhereThePolicyTrustsManagedSigning() throws Exception {
        assertThat(api("POST", "/api/v1/projects", "{\"name\":\"managed\"}").statusCode()).isEqualTo(201);
        HttpResponse<String> enabled = api("PUT", "/api/v1/projects/managed/signing", "{\"enabled\":true}");
        assertThat(enabled.statusCode()).as(enabled.body()).isEqualTo(200);
        HttpResponse<String> trusting = api("PUT", "/api/v1/projects/managed/trust",
                "{\"enforcement\":\"enforce\",\"trustManagedSigning\":true}");
        assertThat(trusting.statusCode()).as(trusting.body()).isEqualTo(200);
        String digest = push("managed/app", "1.0", null).manifestDigest();

        // managed signing signs on push in cosign's form and Notation's; both verify with the project's managed keys
        JsonNode status = awaitSignatures("managed/app", "1.0", 2);
        assertThat(status.path("status").asText()).as(status.toString()).isEqualTo("verified");
        assertThat(status.path("signatures")).extracting(s -> s.path("kind").asText())
                .containsExactlyInAnyOrder("cosign", "notation-jws");
        assertThat(status.path("signatures")).allSatisfy(s -> assertThat(s.path("verified").asBoolean()).as(s.toString())
                .isTrue());
        pull("managed/app:1.0", "managed").ok();

        // the same signatures, in a policy that does not trust managed signing: refused
        HttpResponse<String> notTrusting = api("PUT", "/api/v1/projects/managed/trust", policy("enforce"));
        assertThat(notTrusting.statusCode()).isEqualTo(200);
        HttpResponse<String> refused = v2("/v2/managed/app/manifests/" + digest);
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(refused.body()).contains("no signature verified by the trust policy (2 signatures: ");
    }

    @Test
    void stowageVerifyExitsZeroForAVerifiedImageAndOneForAnUnsignedOne() throws Exception {
        Clients.Result verified = stowageCli("verify", "--plain-http", stowage.hostPort() + "/team/app:signed");
        assertThat(verified.exitCode()).as(verified.output()).isZero();
        assertThat(verified.output()).contains("team/app@" + signedDigest + ": verified", "cosign  verified",
                "(trusted by ", "release)");
        Clients.Result unsigned = stowageCli("verify", "--plain-http", stowage.hostPort() + "/team/app@" + unsignedDigest);
        assertThat(unsigned.exitCode()).as(unsigned.output()).isEqualTo(1);
        assertThat(unsigned.output()).contains(": unsigned", "no signatures");
    }

    @Test
    void thePolicyIsShownAndChangedThroughTheAdminCliAndBadInputIsA400NamingTheField() throws Exception {
        Clients.Result shown = stowageCli("admin", "--url", stowage.baseUrl(), "--output", "json", "trust", "policy",
                "show", "team");
        assertThat(shown.exitCode()).as(shown.output()).isZero();
        assertThat(shown.output()).contains("\"enforcement\" : \"enforce\"", "\"name\" : \"release\"");

        HttpResponse<String> bad = api("PUT", "/api/v1/projects/team/trust",
                "{\"enforcement\":\"enforce\",\"keys\":[{\"name\":\"x\",\"publicKey\":\"not a key\"}]}");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.body()).contains("keys[0].publicKey is not a PEM public key");
        HttpResponse<String> badRegexp = api("PUT", "/api/v1/projects/team/trust",
                "{\"keyless\":[{\"name\":\"gh\",\"issuer\":\"https://i\",\"subjectRegExp\":\"[\"}]}");
        assertThat(badRegexp.statusCode()).isEqualTo(400);
        assertThat(badRegexp.body()).contains("keyless[0].subjectRegExp is not a regular expression");
        HttpResponse<String> badRoot = api("PUT", "/api/v1/system/sigstore-roots/public-good", "{\"mediaType\":\"x\"}");
        assertThat(badRoot.statusCode()).isEqualTo(400);
        assertThat(badRoot.body()).contains("not a Sigstore trusted root");
        // the policy is unchanged by the refused writes
        assertThat(signatures("team/app", "signed").path("status").asText()).isEqualTo("verified");
    }

    @Test
    void aSigstoreTrustedRootIsInstalledListedReadAndRemovedBySystemAdministrators() throws Exception {
        // the public-good instance's trusted_root.json, the Sigstore format's own test fixture (see its README)
        String root = Files.readString(Path.of("../signatures/src/test/resources/dev/stowage/signatures/sigstore/"
                + "public-good-trusted_root.json"));
        HttpResponse<String> installed = api("PUT", "/api/v1/system/sigstore-roots/public-good", root);
        assertThat(installed.statusCode()).as(installed.body()).isEqualTo(200);
        assertThat(JSON.readTree(api("GET", "/api/v1/system/sigstore-roots", null).body()).path("items"))
                .extracting(i -> i.path("name").asText()).containsExactly("public-good");
        HttpResponse<String> read = api("GET", "/api/v1/system/sigstore-roots/public-good", null);
        assertThat(JSON.readTree(read.body())).isEqualTo(JSON.readTree(root));
        // roots change what keyless signatures verify against; key-based results stay as they were
        assertThat(signatures("team/app", "signed").path("status").asText()).isEqualTo("verified");

        Clients.Result listed = stowageCli("admin", "--url", stowage.baseUrl(), "trust", "roots", "list");
        assertThat(listed.exitCode()).as(listed.output()).isZero();
        assertThat(listed.output()).contains("public-good");
        assertThat(api("DELETE", "/api/v1/system/sigstore-roots/public-good", null).statusCode()).isEqualTo(204);
        assertThat(api("GET", "/api/v1/system/sigstore-roots/public-good", null).statusCode()).isEqualTo(404);
    }

    @Test
    void aProjectWebhookHearsAVerifiedAndAFailedSignatureWithSignerAndReason() throws Exception {
        assertThat(api("POST", "/api/v1/projects", "{\"name\":\"hooked\"}").statusCode()).isEqualTo(201);
        assertThat(api("PUT", "/api/v1/projects/hooked/trust", policy("audit")).statusCode()).isEqualTo(200);
        java.util.concurrent.ConcurrentLinkedQueue<JsonNode> received = new java.util.concurrent.ConcurrentLinkedQueue<>();
        com.sun.net.httpserver.HttpServer receiver = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/signatures", exchange -> {
            received.add(JSON.readTree(exchange.getRequestBody().readAllBytes()));
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        receiver.start();
        try {
            HttpResponse<String> created = api("POST", "/api/v1/projects/hooked/webhooks", "{\"targetUrl\":\"http://127.0.0.1:"
                    + receiver.getAddress().getPort() + "/signatures\",\"events\":[\"SIGNATURE_VERIFIED\",\"SIGNATURE_FAILED\"]}");
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
            String good = push("hooked/app", "good", release).manifestDigest();
            String bad = push("hooked/app", "bad", stranger).manifestDigest();

            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(90);
            while (received.size() < 2 && System.nanoTime() < deadline) Thread.sleep(200);
            assertThat(received).as("one event per signature").hasSize(2);
            JsonNode verified = received.stream().filter(e -> e.path("type").asText()
                    .equals("dev.stowage.signature.verified")).findFirst().orElseThrow();
            assertThat(verified.path("subject").asText()).isEqualTo(good);
            assertThat(verified.path("data").path("repository").asText()).isEqualTo("hooked/app");
            assertThat(verified.path("data").path("kind").asText()).isEqualTo("cosign");
            assertThat(verified.path("data").path("trustedBy").asText()).contains("release");
            assertThat(verified.path("data").path("signer").asText()).isNotEmpty();
            JsonNode failed = received.stream().filter(e -> e.path("type").asText()
                    .equals("dev.stowage.signature.failed")).findFirst().orElseThrow();
            assertThat(failed.path("subject").asText()).isEqualTo(bad);
            assertThat(failed.path("data").path("reason").asText())
                    .isEqualTo(signatures("hooked/app", "bad").path("signatures").path(0).path("reason").asText());
        } finally {
            receiver.stop(0);
        }
    }

    @Test
    void inAuditModeTheUnsignedImageIsPulledAndStillReportedUnsigned() throws Exception {
        HttpResponse<String> audit = api("PUT", "/api/v1/projects/team/trust", policy("audit"));
        assertThat(audit.statusCode()).as(audit.body()).isEqualTo(200);
        try {
            assertThat(v2("/v2/team/app/manifests/unsigned").statusCode()).isEqualTo(200);
            assertThat(signatures("team/app", "unsigned").path("status").asText()).isEqualTo("unsigned");
        } finally {
            assertThat(api("PUT", "/api/v1/projects/team/trust", policy("enforce")).statusCode()).isEqualTo(200);
        }
        assertThat(v2("/v2/team/app/manifests/unsigned").statusCode()).isEqualTo(403);
    }

    // --- helpers --------------------------------------------------------------------------------------------------

    static KeyPair keys() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        return generator.generateKeyPair();
    }

    static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(der) + "\n-----END " + type + "-----\n";
    }

    static String policy(String enforcement) {
        ObjectNode body = JSON.createObjectNode().put("enforcement", enforcement);
        body.putArray("keys").addObject().put("name", "release")
                .put("publicKey", pem("PUBLIC KEY", release.getPublic().getEncoded()));
        return body.toString();
    }

    /**
     * Writes an image unique to {@code tag} and pushes it with skopeo; when {@code signer} is given, signs it as
     * {@code cosign sign --key} does (the Sigstore format's {@code CosignSigning}, byte for byte cosign's manifest and
     * simple-signing payload) and pushes the signature with skopeo too, under cosign's tag {@code sha256-<hex>.sig}.
     * (Debian's skopeo refuses {@code --sign-by-sigstore-private-key}: "Debian-local change: sigstore disabled".)
     */
    static ScanImages.Image push(String tag, KeyPair signer) throws Exception {
        return push("team/app", tag, signer);
    }

    static ScanImages.Image push(String repository, String tag, KeyPair signer) throws Exception {
        Path layout = dir.resolve("layout-" + repository.replace('/', '-') + "-" + tag);
        ScanImages.Image image = ScanImages.writeImage(layout, tag, "amd64",
                List.of(ScanImages.layer(Map.of("etc/image-name", "image " + tag + "\n"))));
        run(cmd("skopeo", "copy", "--dest-tls-verify=false", "--dest-creds", "admin:" + PASSWORD,
                "oci:" + layout + ":" + tag, "docker://" + stowage.hostPort() + "/" + repository + ":" + tag)).ok();
        if (signer != null) {
            SignaturePush signature = CosignSigning.sign(Digest.parse(image.manifestDigest()),
                    stowage.hostPort() + "/" + repository, signer.getPrivate(), signer.getPublic());
            String sigTag = signature.tag().orElseThrow();
            Path sigLayout = dir.resolve("signature-" + repository.replace('/', '-') + "-" + tag);
            writeLayout(sigLayout, sigTag, signature);
            run(cmd("skopeo", "copy", "--dest-tls-verify=false", "--dest-creds", "admin:" + PASSWORD,
                    "oci:" + sigLayout + ":" + sigTag, "docker://" + stowage.hostPort() + "/" + repository + ":" + sigTag)).ok();
        }
        return image;
    }

    /** An OCI image layout holding one manifest (and its blobs) under {@code tag}. */
    static void writeLayout(Path layout, String tag, SignaturePush push) throws Exception {
        Files.createDirectories(layout.resolve("blobs/sha256"));
        Files.writeString(layout.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
        for (Map.Entry<Digest, byte[]> blob : push.blobs().entrySet()) {
            Files.write(layout.resolve("blobs/sha256/" + blob.getKey().hex()), blob.getValue());
        }
        Digest manifest = Digest.sha256Of(push.manifest());
        Files.write(layout.resolve("blobs/sha256/" + manifest.hex()), push.manifest());
        ObjectNode index = JSON.createObjectNode().put("schemaVersion", 2);
        index.putArray("manifests").addObject().put("mediaType", push.mediaType()).put("digest", manifest.toString())
                .put("size", push.manifest().length).putObject("annotations")
                .put("org.opencontainers.image.ref.name", tag);
        Files.writeString(layout.resolve("index.json"), index.toString());
    }

    static Clients.Result pull(String reference, String into) throws Exception {
        return run(cmd("skopeo", "copy", "--src-tls-verify=false", "--src-creds", "admin:" + PASSWORD,
                "docker://" + stowage.hostPort() + "/" + reference, "oci:" + dir.resolve("pulled-" + into) + ":pulled"));
    }

    /** The verification status through the API (computed on the spot when the push's background run is not done). */
    static JsonNode signatures(String repository, String reference) throws Exception {
        HttpResponse<String> r = api("GET", "/api/v1/repositories/" + repository + "/artifacts/" + reference
                + "/signatures", null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    /**
     * The status once the signature pushed last has been verified: verification runs in the background after the push,
     * so until then the image may still show as it was before its signature arrived (polled, for at most 90 s).
     */
    static JsonNode awaitSignatures(String repository, String reference) throws Exception {
        return awaitSignatures(repository, reference, 1);
    }

    static JsonNode awaitSignatures(String repository, String reference, int count) throws Exception {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(90);
        JsonNode status = signatures(repository, reference);
        while (status.path("signatures").size() < count && System.nanoTime() < deadline) {
            Thread.sleep(200);
            status = signatures(repository, reference);
        }
        return status;
    }

    static HttpResponse<String> api(String method, String path, String body) throws Exception {
        return Registry.call(stowage, method, path, "admin", PASSWORD, body);
    }

    /** A registry GET as clients make it: unauthenticated, then with the bearer token the challenge's realm gives. */
    static HttpResponse<String> v2(String path) throws Exception {
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        java.net.http.HttpRequest.Builder request = java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create(stowage.baseUrl() + path))
                .header("Accept", "application/vnd.oci.image.manifest.v1+json,application/vnd.oci.image.index.v1+json");
        HttpResponse<String> first = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        String challenge = first.headers().firstValue("WWW-Authenticate").orElse("");
        if (first.statusCode() != 401 || !challenge.startsWith("Bearer ")) return first;
        Map<String, String> params = new java.util.LinkedHashMap<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\w+)=\"([^\"]*)\"").matcher(challenge);
        while (m.find()) params.put(m.group(1), m.group(2));
        String tokenUrl = params.get("realm") + "?service=" + java.net.URLEncoder.encode(params.getOrDefault("service", ""),
                StandardCharsets.UTF_8) + "&scope=" + java.net.URLEncoder.encode(params.getOrDefault("scope", ""),
                StandardCharsets.UTF_8);
        HttpResponse<String> token = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(tokenUrl))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(("admin:" + PASSWORD)
                        .getBytes(StandardCharsets.UTF_8))).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(token.statusCode()).as(token.body()).isEqualTo(200);
        JsonNode answer = JSON.readTree(token.body());
        String bearer = answer.hasNonNull("token") ? answer.path("token").asText() : answer.path("access_token").asText();
        return http.send(request.header("Authorization", "Bearer " + bearer).build(), HttpResponse.BodyHandlers.ofString());
    }

    static Clients.Result stowageCli(String... args) throws Exception {
        return StowageProcess.run(Map.of("STOWAGE_USER", "admin", "STOWAGE_PASSWORD", PASSWORD), 120, List.of(args));
    }
}
