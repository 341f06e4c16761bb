package dev.stowage.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stowage.it.support.Clients;
import dev.stowage.it.support.Registry;
import dev.stowage.it.support.StowageProcess;
import dev.stowage.it.support.TestImages;
import land.oras.ContainerRef;
import land.oras.ManifestDescriptor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * Managed signing on the real server: a project turned on with {@code stowage admin signing enable}, images pushed with
 * skopeo, both signatures seen as a client sees them (the cosign tag with {@code skopeo list-tags}, the Notation
 * referrer with the ORAS SDK through the referrers API), and the cosign signature verified outside Stowage's code with
 * the public key the API publishes (the signature image pulled with skopeo, the payload's claims read, the signature
 * checked with openssl), refused with a key that is not the project's; across a rotation the retired key still
 * verifies what it signed and the new key what was signed after.
 */
class ManagedSigningTest {
    static final String PASSWORD = "signing-admin-password";
    static final ObjectMapper JSON = new ObjectMapper();
    static final String NOTATION = "application/vnd.cncf.notary.signature";

    @TempDir static Path dir;
    static StowageProcess stowage;

    @BeforeAll
    static void start() throws Exception {
        StowageProcess.requireStowage("managed signing");
        Clients.require("skopeo", "skopeo");
        TestImages.requireBusybox();
        stowage = StowageProcess.start(dir.resolve("data"), Map.of("STOWAGE_AUTH_ENABLED", "true",
                "STOWAGE_ADMIN_PASSWORD", PASSWORD));
        createProject("team");
        createProject("plain");
    }

    @AfterAll
    static void stop() throws Exception {
        if (stowage != null) stowage.close();
    }

    @Test
    void pushedImagesAreSignedInBothFormsAndTheCosignSignatureVerifiesWithThePublishedKeyAcrossARotation()
            throws Exception {
        JsonNode enabled = json(admin("signing", "enable", "team").ok());
        assertThat(enabled.path("enabled").asBoolean()).isTrue();
        String firstKey = enabled.path("activeKey").asText();
        assertThat(firstKey).hasSize(64);
        assertThat(json(admin("signing", "show", "plain").ok()).path("enabled").asBoolean()).isFalse();

        TestImages.Image image = pushImage("team/app", "1.0", "signed one");
        String sigTag = cosignTag(image.manifestDigest());
        awaitSigned("team/app", image.manifestDigest());
        assertThat(listTags("team/app")).contains("1.0", sigTag);
        List<ManifestDescriptor> referrers = notationReferrers("team/app", image.manifestDigest());
        assertThat(referrers).hasSize(1);

        // the published key: PEM public key, certificate chain, no private key anywhere in the answer
        JsonNode keys = json(admin("signing", "keys", "team").ok());
        assertThat(keys.path("items")).hasSize(1);
        JsonNode key = keys.path("items").path(0);
        assertThat(key.path("id").asText()).isEqualTo(firstKey);
        assertThat(key.path("state").asText()).isEqualTo("ACTIVE");
        assertThat(key.path("publicKey").asText()).startsWith("-----BEGIN PUBLIC KEY-----");
        assertThat(key.path("certificateChain").asText().split("BEGIN CERTIFICATE")).hasSize(3);
        assertThat(keys.path("trustStore").path("trustedIdentities").toString()).contains("CN=team signing");
        assertThat(keys.toString()).doesNotContainIgnoringCase("private");
        Path firstPublicKey = Files.writeString(dir.resolve("first.pub"), key.path("publicKey").asText());

        // verified outside Stowage (skopeo, openssl) with the published key, and not with a key that is not the project's
        assertThat(cosignLayersVerified("team/app", image.manifestDigest(), firstPublicKey, "first")).isEqualTo(1);
        Path otherKey = otherPublicKey();
        assertThat(cosignLayersVerified("team/app", image.manifestDigest(), otherKey, "other")).isZero();
        // an unsigned project's push gets no signature
        pushImage("plain/app", "1.0", "never signed");
        assertThat(listTags("plain/app")).containsExactly("1.0");

        // pushing the same image again adds no signature
        run(cmd("skopeo", "copy", "--dest-tls-verify=false", "--dest-creds", "admin:" + PASSWORD,
                "oci:" + dir.resolve("layout-team-app-1.0") + ":1.0", "docker://" + stowage.hostPort() + "/team/app:again")).ok();
        assertThat(json(run(cmd("skopeo", "inspect", "--tls-verify=false", "--creds", "admin:" + PASSWORD,
                "docker://" + stowage.hostPort() + "/team/app:again")).ok()).path("Digest").asText())
                .isEqualTo(image.manifestDigest());
        assertThat(json(admin("signing", "sign", "team/app", "1.0").ok()).path("cosign").path("status").asText())
                .isEqualTo("ALREADY_SIGNED");
        assertThat(notationReferrers("team/app", image.manifestDigest())).hasSize(1);

        // rotation: a new active key; the retired one stays published and still verifies what it signed
        JsonNode rotated = json(admin("signing", "rotate", "team").ok());
        assertThat(rotated.path("state").asText()).isEqualTo("ACTIVE");
        assertThat(rotated.path("id").asText()).isNotEqualTo(firstKey);
        JsonNode afterRotation = json(admin("signing", "keys", "team").ok());
        assertThat(afterRotation.path("items")).hasSize(2);
        assertThat(afterRotation.path("items").path(1).path("state").asText()).isEqualTo("RETIRED");
        assertThat(afterRotation.path("items").path(1).path("publicKey").asText()).isEqualTo(key.path("publicKey").asText());
        Path secondPublicKey = Files.writeString(dir.resolve("second.pub"), rotated.path("publicKey").asText());
        TestImages.Image later = pushImage("team/app", "2.0", "signed after rotation");
        awaitSigned("team/app", later.manifestDigest());
        assertThat(cosignLayersVerified("team/app", later.manifestDigest(), secondPublicKey, "new")).isEqualTo(1);
        assertThat(cosignLayersVerified("team/app", later.manifestDigest(), firstPublicKey, "new-by-old")).isZero();
        // signing the old image now appends the new key's signature to its cosign manifest; the old one still verifies
        assertThat(json(admin("signing", "sign", "team/app", "1.0").ok()).path("cosign").path("status").asText())
                .isEqualTo("SIGNED");
        assertThat(cosignLayersVerified("team/app", image.manifestDigest(), firstPublicKey, "old-after")).isEqualTo(1);
        assertThat(cosignLayersVerified("team/app", image.manifestDigest(), secondPublicKey, "new-after")).isEqualTo(1);
        assertThat(notationReferrers("team/app", image.manifestDigest())).hasSize(2);
    }

    @Test
    void signingOnDemandAndTheRoutesRefusalsSpeakJson() throws Exception {
        createProject("later");
        TestImages.Image image = pushImage("later/app", "1.0", "pushed before signing was on");
        assertThat(listTags("later/app")).containsExactly("1.0");
        JsonNode signed = json(admin("signing", "sign", "later/app", "1.0").ok());
        assertThat(signed.path("digest").asText()).isEqualTo(image.manifestDigest());
        assertThat(signed.path("cosign").path("status").asText()).isEqualTo("SIGNED");
        assertThat(signed.path("notation").path("status").asText()).isEqualTo("SIGNED");
        assertThat(listTags("later/app")).contains(cosignTag(image.manifestDigest()));
        assertThat(notationReferrers("later/app", image.manifestDigest())).hasSize(1);

        // a signature is not signed
        HttpResponse<String> signature = api("POST", "/api/v1/repositories/later/app/artifacts/"
                + cosignTag(image.manifestDigest()) + "/sign", null);
        assertThat(signature.statusCode()).as(signature.body()).isEqualTo(400);
        assertThat(JSON.readTree(signature.body()).path("errors").path(0).path("message").asText())
                .contains("not an image or index");
        HttpResponse<String> missing = api("POST", "/api/v1/repositories/later/app/artifacts/nope/sign", null);
        assertThat(missing.statusCode()).isEqualTo(404);
        HttpResponse<String> badBody = api("PUT", "/api/v1/projects/later/signing", "{\"enabled\":\"yes\"}");
        assertThat(badBody.statusCode()).as(badBody.body()).isEqualTo(400);
        HttpResponse<String> unknownField = api("PUT", "/api/v1/projects/later/signing", "{\"enabled\":true,\"key\":1}");
        assertThat(unknownField.statusCode()).as(unknownField.body()).isEqualTo(400);
        HttpResponse<String> noProject = api("GET", "/api/v1/projects/nosuch/signing/keys", null);
        assertThat(noProject.statusCode()).isEqualTo(404);
        // callers without valid credentials change nothing
        HttpResponse<String> anonymous = Registry.call(stowage, "POST", "/api/v1/projects/later/signing/keys/rotate",
                null, null, null);
        assertThat(anonymous.statusCode()).isEqualTo(401);
        // the operations are in the OpenAPI document
        String openapi = Registry.call(stowage, "GET", "/api/v1/openapi.json", null, null, null).body();
        assertThat(openapi).contains("getProjectSigningKeys", "rotateProjectSigningKey", "signArtifact", "putProjectSigning");
    }

    // --- helpers ----------------------------------------------------------------------------------------------

    /**
     * How many of the cosign signature's layers {@code key} verifies, checked outside Stowage's code: the signature image
     * copied with skopeo (as any client pulls it) to an OCI layout, each layer's simple-signing payload checked to name
     * {@code reference}'s digest (cosign's claim check), and its {@code dev.cosignproject.cosign/signature} verified
     * with {@code openssl dgst -sha256 -verify} and the PEM key the API published: the check {@code cosign verify --key}
     * makes. (containers/image's own sigstoreSigned verification is what this should be, but Debian builds skopeo and
     * podman with sigstore disabled: "Debian-local change: sigstore disabled".)
     */
    static int cosignLayersVerified(String repository, String digest, Path key, String name) throws Exception {
        Path layout = dir.resolve("signature-" + name);
        run(cmd("skopeo", "copy", "--insecure-policy", "--src-tls-verify=false", "--src-creds", "admin:" + PASSWORD,
                "docker://" + stowage.hostPort() + "/" + repository + ":" + cosignTag(digest), "oci:" + layout + ":sig")).ok();
        JsonNode index = JSON.readTree(layout.resolve("index.json").toFile());
        JsonNode manifest = JSON.readTree(blob(layout, index.path("manifests").path(0).path("digest").asText()));
        int verified = 0;
        int n = 0;
        for (JsonNode layer : manifest.path("layers")) {
            assertThat(layer.path("mediaType").asText()).isEqualTo("application/vnd.dev.cosign.simplesigning.v1+json");
            byte[] payload = blob(layout, layer.path("digest").asText());
            assertThat(JSON.readTree(payload).path("critical").path("image").path("docker-manifest-digest").asText())
                    .isEqualTo(digest);
            assertThat(JSON.readTree(payload).path("critical").path("identity").path("docker-reference").asText())
                    .isEqualTo(stowage.hostPort() + "/" + repository);
            Path payloadFile = Files.write(dir.resolve(name + "-payload-" + n), payload);
            Path signatureFile = Files.write(dir.resolve(name + "-signature-" + n++), Base64.getDecoder()
                    .decode(layer.path("annotations").path("dev.cosignproject.cosign/signature").asText()));
            Clients.Result openssl = run(cmd("openssl", "dgst", "-sha256", "-verify", key.toString(), "-signature",
                    signatureFile.toString(), payloadFile.toString()));
            if (openssl.exitCode() == 0 && openssl.output().contains("Verified OK")) verified++;
        }
        return verified;
    }

    static byte[] blob(Path layout, String digest) throws Exception {
        return Files.readAllBytes(layout.resolve("blobs/sha256/" + digest.substring("sha256:".length())));
    }

    static Path otherPublicKey() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        String pem = "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes())
                .encodeToString(generator.generateKeyPair().getPublic().getEncoded()) + "\n-----END PUBLIC KEY-----\n";
        return Files.writeString(dir.resolve("other.pub"), pem);
    }

    /** Signing is asynchronous: waits until both signatures are there (bounded; the assertions follow). */
    static void awaitSigned(String repository, String digest) throws Exception {
        for (int i = 0; i < 600; i++) {
            if (listTags(repository).contains(cosignTag(digest)) && !notationReferrers(repository, digest).isEmpty()) return;
            Thread.sleep(100);
        }
        throw new AssertionError(repository + "@" + digest + " was not signed; server log:\n" + stowage.log());
    }

    static String cosignTag(String digest) {
        return digest.replace(':', '-') + ".sig";
    }

    static List<String> listTags(String repository) throws Exception {
        Clients.Result r = run(cmd("skopeo", "list-tags", "--tls-verify=false", "--creds", "admin:" + PASSWORD,
                "docker://" + stowage.hostPort() + "/" + repository)).ok();
        JsonNode tags = json(r).path("Tags");
        List<String> out = new ArrayList<>();
        tags.forEach(t -> out.add(t.asText()));
        return out;
    }

    static List<ManifestDescriptor> notationReferrers(String repository, String digest) {
        land.oras.Registry oras = land.oras.Registry.builder().insecure().defaults("admin", PASSWORD).build();
        return oras.getReferrers(ContainerRef.parse(stowage.hostPort() + "/" + repository + "@" + digest), null)
                .getManifests().stream().filter(d -> NOTATION.equals(d.getArtifactType())).toList();
    }

    static TestImages.Image pushImage(String repository, String tag, String marker) throws Exception {
        Path layout = dir.resolve("layout-" + repository.replace('/', '-') + "-" + tag);
        TestImages.Image image = TestImages.writeImage(layout, tag, "amd64", marker);
        run(cmd("skopeo", "copy", "--dest-tls-verify=false", "--dest-creds", "admin:" + PASSWORD,
                "oci:" + layout + ":" + tag, "docker://" + stowage.hostPort() + "/" + repository + ":" + tag)).ok();
        return image;
    }

    static void createProject(String name) throws Exception {
        HttpResponse<String> r = api("POST", "/api/v1/projects", "{\"name\":\"" + name + "\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    }

    static Clients.Result admin(String... args) throws Exception {
        return stowage.adminJson(Map.of("STOWAGE_PASSWORD", PASSWORD), args);
    }

    static JsonNode json(Clients.Result r) throws Exception {
        return r.json();
    }

    static HttpResponse<String> api(String method, String path, String body) throws Exception {
        return Registry.call(stowage, method, path, "admin", PASSWORD, body);
    }
}
