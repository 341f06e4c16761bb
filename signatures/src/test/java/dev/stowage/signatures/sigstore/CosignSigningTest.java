package dev.stowage.signatures.sigstore;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stowage.core.Digest;
import dev.stowage.signatures.SignatureArtifact;
import dev.stowage.signatures.SignatureCheck;
import dev.stowage.signatures.SignaturePush;
import dev.stowage.signatures.TrustMaterial;
import dev.stowage.signatures.TrustPolicy;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CosignSigningTest {
    static final Digest IMAGE = Digest.sha256Of("an image manifest".getBytes(StandardCharsets.UTF_8));
    static final Digest OTHER = Digest.sha256Of("another image manifest".getBytes(StandardCharsets.UTF_8));

    static KeyPair keys(String type) throws Exception {
        return switch (type) {
            case "P-256", "P-384" -> {
                KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
                generator.initialize(new ECGenParameterSpec(type.equals("P-256") ? "secp256r1" : "secp384r1"));
                yield generator.generateKeyPair();
            }
            case "Ed25519" -> KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
            case "RSA" -> {
                KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
                generator.initialize(2048);
                yield generator.generateKeyPair();
            }
            default -> throw new IllegalArgumentException(type);
        };
    }

    static SignatureArtifact artifact(SignaturePush push) {
        return new SignatureArtifact(Digest.sha256Of(push.manifest()), push.mediaType(), null, push.manifest(),
                push.blobs(), SignatureArtifact.Origin.COSIGN_TAG);
    }

    static TrustMaterial trusting(KeyPair keys) {
        return new TrustMaterial(new TrustPolicy(List.of(new TrustPolicy.TrustedKey("project key", keys.getPublic())),
                List.of(), List.of()), List.of());
    }

    @ParameterizedTest
    @ValueSource(strings = {"P-256", "P-384", "Ed25519", "RSA"})
    void aSignatureMadeHereVerifiesWithTheProjectKey(String type) throws Exception {
        KeyPair keys = keys(type);
        SignaturePush push = CosignSigning.sign(IMAGE, "registry.example/team/app", keys.getPrivate(), keys.getPublic());

        List<SignatureCheck> checks = new CosignFormat().verify(artifact(push), IMAGE, trusting(keys), Instant.now());

        assertThat(checks).singleElement().satisfies(check -> {
            assertThat(check.verified()).as(check.reason()).isTrue();
            assertThat(check.trustedBy()).contains("key project key");
            assertThat(check.signer().orElseThrow().keyId()).isEqualTo(Crypto.keyId(keys.getPublic()));
        });
    }

    @Test
    void theSameSignatureDoesNotVerifyForAnotherManifest() throws Exception {
        KeyPair keys = keys("P-256");
        SignaturePush push = CosignSigning.sign(IMAGE, "registry.example/team/app", keys.getPrivate(), keys.getPublic());

        List<SignatureCheck> checks = new CosignFormat().verify(artifact(push), OTHER, trusting(keys), Instant.now());

        assertThat(checks).singleElement().satisfies(check -> {
            assertThat(check.verified()).isFalse();
            assertThat(check.reason()).isEqualTo("signed payload names " + IMAGE + ", not the manifest " + OTHER);
        });
    }

    @Test
    void anotherKeyIsNotInThePolicy() throws Exception {
        KeyPair keys = keys("P-256");
        SignaturePush push = CosignSigning.sign(IMAGE, "registry.example/team/app", keys.getPrivate(), keys.getPublic());

        List<SignatureCheck> checks = new CosignFormat().verify(artifact(push), IMAGE, trusting(keys("P-256")),
                Instant.now());

        assertThat(checks).singleElement().satisfies(check -> {
            assertThat(check.verified()).isFalse();
            assertThat(check.reason()).startsWith("key not in the policy");
        });
    }

    @Test
    void theManifestIsWhatCosignWrites() throws Exception {
        KeyPair keys = keys("P-256");
        SignaturePush push = CosignSigning.sign(IMAGE, "registry.example/team/app", keys.getPrivate(), keys.getPublic());

        assertThat(push.tag()).contains("sha256-" + IMAGE.hex() + ".sig");
        JsonNode manifest = new ObjectMapper().readTree(push.manifest());
        assertThat(manifest.path("schemaVersion").intValue()).isEqualTo(2);
        assertThat(manifest.path("mediaType").textValue()).isEqualTo("application/vnd.oci.image.manifest.v1+json");
        assertThat(manifest.path("config").path("mediaType").textValue()).isEqualTo("application/vnd.oci.image.config.v1+json");
        JsonNode layer = manifest.path("layers").get(0);
        assertThat(layer.path("mediaType").textValue()).isEqualTo("application/vnd.dev.cosign.simplesigning.v1+json");
        byte[] payload = push.blobs().get(Digest.parse(layer.path("digest").textValue()));
        assertThat(new String(payload, StandardCharsets.UTF_8)).isEqualTo(
                "{\"critical\":{\"identity\":{\"docker-reference\":\"registry.example/team/app\"},\"image\":{\"docker-manifest-digest\":\""
                        + IMAGE + "\"},\"type\":\"cosign container image signature\"},\"optional\":null}");
        assertThat(layer.path("size").intValue()).isEqualTo(payload.length);
        byte[] config = push.blobs().get(Digest.parse(manifest.path("config").path("digest").textValue()));
        assertThat(new String(config, StandardCharsets.UTF_8)).isEqualTo(
                "{\"architecture\":\"\",\"created\":\"0001-01-01T00:00:00Z\",\"history\":[{\"created\":\"0001-01-01T00:00:00Z\"}],"
                        + "\"os\":\"\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" + Digest.sha256Of(payload)
                        + "\"]},\"config\":{}}");
        assertThat(layer.path("annotations").path("dev.cosignproject.cosign/signature").textValue()).isNotBlank();
    }

    @Test
    void mismatchedKeysAreRefused() throws Exception {
        assertThatThrownBy(() -> CosignSigning.sign(IMAGE, "r/a", keys("P-256").getPrivate(), keys("P-256").getPublic()))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
