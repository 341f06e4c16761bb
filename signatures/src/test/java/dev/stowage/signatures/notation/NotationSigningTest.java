package dev.stowage.signatures.notation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stowage.core.Descriptor;
import dev.stowage.core.Digest;
import dev.stowage.core.MediaTypes;
import dev.stowage.signatures.SignaturePush;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class NotationSigningTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");

    @Test
    void projectCertificatesAreShapedAsTheNotaryProjectRequires() throws Exception {
        NotationCertificates.Issued root = NotationCertificates.projectRoot("acme", T0, Duration.ofDays(3650));
        NotationCertificates.Issued leaf = NotationCertificates.signingLeaf(root, "acme", T0, Duration.ofDays(365));
        X509Certificate ca = root.certificate();
        X509Certificate signing = leaf.certificate();

        assertThat(ca.getBasicConstraints()).isGreaterThanOrEqualTo(0);
        assertThat(ca.getKeyUsage()[5]).as("keyCertSign").isTrue();
        assertThat(ca.getCriticalExtensionOIDs()).contains("2.5.29.19", "2.5.29.15");
        assertThat(signing.getBasicConstraints()).isEqualTo(-1);
        assertThat(signing.getKeyUsage()[0]).as("digitalSignature").isTrue();
        assertThat(signing.getKeyUsage()[5]).as("keyCertSign").isFalse();
        assertThat(signing.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.3");
        assertThat(signing.getSubjectX500Principal().getName()).isEqualTo("CN=acme signing,OU=acme,O=Stowage");
        assertThat(signing.getIssuerX500Principal()).isEqualTo(ca.getSubjectX500Principal());
        signing.verify(ca.getPublicKey());
        assertThat(leaf.chain()).containsExactly(signing, ca);
    }

    @Test
    void signatureManifestIsTheOneNotationWrites() throws Exception {
        NotationCertificates.Issued root = NotationCertificates.projectRoot("acme", T0, Duration.ofDays(3650));
        NotationCertificates.Issued leaf = NotationCertificates.signingLeaf(root, "acme", T0, Duration.ofDays(365));
        byte[] image = "{\"schemaVersion\":2}".getBytes(StandardCharsets.UTF_8);
        Descriptor subject = new Descriptor(MediaTypes.OCI_MANIFEST, Digest.sha256Of(image), image.length, null, Map.of());

        SignaturePush push = NotationSigning.sign(subject, leaf.key(), leaf.chain(), T0.plusSeconds(60));

        assertThat(push.tag()).isEmpty();
        assertThat(push.mediaType()).isEqualTo(MediaTypes.OCI_MANIFEST);
        JsonNode manifest = JSON.readTree(push.manifest());
        assertThat(manifest.get("schemaVersion").asInt()).isEqualTo(2);
        assertThat(manifest.get("artifactType").asText()).isEqualTo("application/vnd.cncf.notary.signature");
        assertThat(manifest.get("config").get("mediaType").asText()).isEqualTo("application/vnd.oci.empty.v1+json");
        assertThat(manifest.get("config").get("digest").asText())
                .isEqualTo("sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a");
        assertThat(manifest.get("config").get("data").asText()).isEqualTo("e30=");
        assertThat(manifest.get("layers")).hasSize(1);
        JsonNode layer = manifest.get("layers").get(0);
        assertThat(layer.get("mediaType").asText()).isEqualTo("application/jose+json");
        Digest envelopeDigest = Digest.parse(layer.get("digest").asText());
        assertThat(push.blobs()).containsKey(envelopeDigest);
        assertThat(layer.get("size").asLong()).isEqualTo(push.blobs().get(envelopeDigest).length);
        assertThat(push.blobs().get(Digest.parse(manifest.get("config").get("digest").asText()))).isEqualTo("{}".getBytes());
        assertThat(manifest.get("subject").get("digest").asText()).isEqualTo(subject.digest().toString());
        assertThat(manifest.get("subject").get("size").asLong()).isEqualTo(image.length);
        assertThat(manifest.get("annotations").get("org.opencontainers.image.created").asText()).isEqualTo("2025-01-01T00:01:00Z");
        JsonNode thumbprints = JSON.readTree(manifest.get("annotations").get("io.cncf.notary.x509chain.thumbprint#S256").asText());
        assertThat(thumbprints).hasSize(2);
        assertThat(thumbprints.get(0).asText()).isEqualTo(Digest.sha256Of(leaf.certificate().getEncoded()).hex());

        JsonNode envelope = JSON.readTree(push.blobs().get(envelopeDigest));
        JsonNode header = JSON.readTree(Base64.getUrlDecoder().decode(envelope.get("protected").asText()));
        assertThat(header.get("alg").asText()).isEqualTo("ES256");
        assertThat(header.get("cty").asText()).isEqualTo("application/vnd.cncf.notary.payload.v1+json");
        assertThat(header.get("io.cncf.notary.signingScheme").asText()).isEqualTo("notary.x509");
        assertThat(header.get("io.cncf.notary.signingTime").asText()).isEqualTo("2025-01-01T00:01:00Z");
        assertThat(header.get("crit").get(0).asText()).isEqualTo("io.cncf.notary.signingScheme");
        JsonNode payload = JSON.readTree(Base64.getUrlDecoder().decode(envelope.get("payload").asText()));
        assertThat(payload.get("targetArtifact").get("digest").asText()).isEqualTo(subject.digest().toString());
        assertThat(envelope.get("header").get("x5c")).hasSize(2);
    }
}
