package dev.stowage.trust.signing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stowage.core.Descriptor;
import dev.stowage.core.Digest;
import dev.stowage.core.MediaTypes;
import dev.stowage.core.Reference;
import dev.stowage.core.RegistryException;
import dev.stowage.core.RepositoryName;
import dev.stowage.core.Tag;
import dev.stowage.core.event.RegistryEvent;
import dev.stowage.core.governance.ImmutableTagPolicy;
import dev.stowage.core.service.BodySource;
import dev.stowage.core.service.RegistryService;
import dev.stowage.core.service.ServiceSettings;
import dev.stowage.core.spi.ManifestRecord;
import dev.stowage.core.spi.SecretSealer;
import dev.stowage.core.access.Project;
import dev.stowage.metadata.JdbcGovernanceStore;
import dev.stowage.metadata.JdbcIdentityStore;
import dev.stowage.metadata.JdbcMetadataStore;
import dev.stowage.metadata.MetadataConfig;
import dev.stowage.signatures.SignatureArtifact;
import dev.stowage.signatures.SignatureCheck;
import dev.stowage.signatures.SignatureMediaTypes;
import dev.stowage.signatures.SignaturePush;
import dev.stowage.signatures.TrustMaterial;
import dev.stowage.signatures.TrustPolicy;
import dev.stowage.signatures.notation.NotationCertificates;
import dev.stowage.signatures.notation.NotationFormat;
import dev.stowage.signatures.sigstore.CosignFormat;
import dev.stowage.signatures.sigstore.CosignSigning;
import dev.stowage.storage.FileSystemBlobStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Managed signing on the real registry service (SQLite, filesystem blobs), its signatures verified with the real cosign
 * and Notation verifiers of the signatures module against {@link ManagedKeys#of} as the trust capability gets it.
 */
class ManagedSignerTest {
    private static final RepositoryName REPO = RepositoryName.of("team/app");
    private static final ObjectMapper JSON = new ObjectMapper();
    @TempDir Path dir;
    private FileSystemBlobStore blobs;
    private JdbcMetadataStore metadata;
    private JdbcGovernanceStore governance;
    private RegistryService registry;
    private ManagedKeys keys;
    private ManagedSigner signer;
    private final List<dev.stowage.core.event.RegistryEvent> published = new java.util.concurrent.CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        blobs = new FileSystemBlobStore(dir.resolve("blobs"));
        metadata = JdbcMetadataStore.open(MetadataConfig.sqlite(dir.resolve("stowage.db")));
        governance = new JdbcGovernanceStore(metadata);
        new JdbcIdentityStore(metadata).createProject(new Project("team", false, Instant.now()));
        registry = new RegistryService(blobs, metadata, new ImmutableTagPolicy(governance, metadata),
                ServiceSettings.DEFAULTS, Clock.systemUTC());
        keys = new ManagedKeys(JdbcManagedKeyStore.migrated(metadata, SecretSealer.withKey(SecretSealer.newKey())),
                Clock.systemUTC());
        signer = new ManagedSigner(registry, metadata, keys, "registry.test", published::add, Clock.systemUTC());
    }

    @AfterEach
    void stop() throws Exception {
        metadata.close();
        blobs.close();
    }

    @Test
    void anImageIsSignedInBothFormsAndBothVerifyWithTheProjectsManagedTrust() throws Exception {
        Digest image = pushImage("1.0");
        ManagedSigner.Outcome outcome = signer.sign("team", REPO, image);
        assertThat(outcome.signed()).isTrue();
        assertThat(outcome.cosign().status()).isEqualTo(ManagedSigner.Status.SIGNED);
        assertThat(outcome.notation().status()).isEqualTo(ManagedSigner.Status.SIGNED);

        ManifestRecord cosign = cosignManifest(image).orElseThrow();
        assertThat(outcome.cosign().signature()).contains(cosign.digest());
        assertThat(verifyCosign(cosign, image, keys.of("team"))).singleElement()
                .satisfies(check -> assertThat(check.verified()).as(check.reason()).isTrue());
        // the payload names the image by the configured registry address, as containers/image checks it
        JsonNode layer = JSON.readTree(cosign.payload()).path("layers").path(0);
        assertThat(new String(blob(Digest.parse(layer.path("digest").asText())), StandardCharsets.UTF_8))
                .contains("\"docker-reference\":\"registry.test/team/app\"", image.toString());

        List<Descriptor> referrers = notationReferrers(image);
        assertThat(referrers).singleElement().satisfies(d -> assertThat(outcome.notation().signature()).contains(d.digest()));
        assertThat(verifyNotation(referrers.getFirst(), image, keys.of("team"))).singleElement()
                .satisfies(check -> assertThat(check.verified()).as(check.reason()).isTrue());
        // both pushes are announced like any push, so verification and webhooks hear of them
        assertThat(published).extracting(e -> e.type(), e -> e.digest(), e -> e.actor()).containsExactlyInAnyOrder(
                org.assertj.core.api.Assertions.tuple(dev.stowage.core.event.RegistryEvent.Type.PUSH,
                        cosign.digest().toString(), ManagedSigner.ACTOR),
                org.assertj.core.api.Assertions.tuple(dev.stowage.core.event.RegistryEvent.Type.PUSH,
                        referrers.getFirst().digest().toString(), ManagedSigner.ACTOR));

        // another project's keys do not verify them
        keys.activeKey("other");
        assertThat(verifyCosign(cosign, image, keys.of("other"))).noneMatch(SignatureCheck::verified);
        assertThat(verifyNotation(referrers.getFirst(), image, keys.of("other"))).noneMatch(SignatureCheck::verified);
    }

    @Test
    void signingAgainAddsNothingAndAfterRotationOldAndNewSignaturesBothVerify() throws Exception {
        Digest image = pushImage("1.0");
        signer.sign("team", REPO, image);
        ManifestRecord first = cosignManifest(image).orElseThrow();

        ManagedSigner.Outcome again = signer.sign("team", REPO, image);
        assertThat(again.cosign().status()).isEqualTo(ManagedSigner.Status.ALREADY_SIGNED);
        assertThat(again.notation().status()).isEqualTo(ManagedSigner.Status.ALREADY_SIGNED);
        assertThat(cosignManifest(image).orElseThrow().digest()).isEqualTo(first.digest());
        assertThat(notationReferrers(image)).hasSize(1);

        ManagedKey rotated = keys.rotate("team");
        ManagedSigner.Outcome afterRotation = signer.sign("team", REPO, image);
        assertThat(afterRotation.keyId()).isEqualTo(rotated.id());
        assertThat(afterRotation.cosign().status()).isEqualTo(ManagedSigner.Status.SIGNED);
        ManifestRecord appended = cosignManifest(image).orElseThrow();
        assertThat(JSON.readTree(appended.payload()).path("layers")).hasSize(2);
        // the config grew as cosign's mutate.Append grows it
        JsonNode config = JSON.readTree(blob(Digest.parse(JSON.readTree(appended.payload()).path("config").path("digest").asText())));
        assertThat(config.path("rootfs").path("diff_ids")).hasSize(2);
        assertThat(config.path("history")).hasSize(2);
        assertThat(verifyCosign(appended, image, keys.of("team"))).hasSize(2)
                .allSatisfy(check -> assertThat(check.verified()).as(check.reason()).isTrue());
        List<Descriptor> referrers = notationReferrers(image);
        assertThat(referrers).hasSize(2);
        for (Descriptor referrer : referrers) {
            assertThat(verifyNotation(referrer, image, keys.of("team"))).singleElement()
                    .satisfies(check -> assertThat(check.verified()).as(check.reason()).isTrue());
        }
        // an image pushed after the rotation is signed by the new key only, and verifies as well
        Digest later = pushImage("2.0");
        signer.sign("team", REPO, later);
        assertThat(verifyCosign(cosignManifest(later).orElseThrow(), later, keys.of("team")))
                .singleElement().satisfies(check -> assertThat(check.signer().orElseThrow().keyId()).isEqualTo(rotated.id()));
    }

    @Test
    void aUsersOwnCosignSignatureIsKeptAndOursAppendedToIt() throws Exception {
        Digest image = pushImage("1.0");
        KeyPair user = NotationCertificates.newEcKeyPair();
        SignaturePush own = CosignSigning.sign(image, "registry.test/team/app", user.getPrivate(), user.getPublic());
        own.blobs().forEach((d, b) -> registry.uploadMonolithic(REPO, d, BodySource.of(b)));
        registry.putManifest(REPO, new Reference.ByTag(Tag.of(own.tag().orElseThrow())), own.mediaType(), own.manifest());

        assertThat(signer.sign("team", REPO, image).cosign().status()).isEqualTo(ManagedSigner.Status.SIGNED);
        ManifestRecord both = cosignManifest(image).orElseThrow();
        TrustPolicy userAndManaged = new TrustPolicy(List.of(new TrustPolicy.TrustedKey("user", user.getPublic()),
                keys.of("team").keys().getFirst()), List.of(), List.of());
        assertThat(verifyCosign(both, image, userAndManaged)).hasSize(2)
                .allSatisfy(check -> assertThat(check.verified()).as(check.reason()).isTrue());
    }

    @Test
    void signaturesSbomsAndOtherArtifactsAreNeverSignedAndAForeignManifestUnderTheTagIsLeftAlone() throws Exception {
        Digest image = pushImage("1.0");
        signer.sign("team", REPO, image);
        Digest cosign = cosignManifest(image).orElseThrow().digest();
        assertThatThrownBy(() -> signer.sign("team", REPO, cosign)).isInstanceOf(ManagedSigner.NotSignableException.class);
        Digest notation = notationReferrers(image).getFirst().digest();
        assertThatThrownBy(() -> signer.sign("team", REPO, notation)).isInstanceOf(ManagedSigner.NotSignableException.class);
        assertThatThrownBy(() -> signer.sign("team", REPO, Digest.sha256Of(new byte[]{1})))
                .isInstanceOf(RegistryException.class).hasMessageContaining("no artifact");

        Digest other = pushImage("2.0");
        Digest unrelated = pushImage("3.0"); // an image, not a signature, under other's signature tag
        registry.putManifest(REPO, new Reference.ByTag(Tag.of(SignatureMediaTypes.cosignSignatureTag(other))),
                MediaTypes.OCI_MANIFEST, metadata.findManifest(REPO, unrelated).orElseThrow().payload());
        ManagedSigner.Outcome outcome = signer.sign("team", REPO, other);
        assertThat(outcome.cosign().status()).isEqualTo(ManagedSigner.Status.SKIPPED);
        assertThat(outcome.cosign().reason()).contains("not a cosign signature");
        assertThat(cosignManifest(other).orElseThrow().digest()).isEqualTo(unrelated);
        assertThat(outcome.notation().status()).isEqualTo(ManagedSigner.Status.SIGNED);
    }

    @Test
    void anImmutableSignatureTagIsARefusalReportedNotThrown() throws Exception {
        Digest image = pushImage("1.0");
        signer.sign("team", REPO, image);
        governance.addImmutableRule("team", """
                {"scope_selectors":{"repository":[{"kind":"doublestar","decoration":"repoMatches","pattern":"**"}]},
                 "tag_selectors":[{"kind":"doublestar","decoration":"matches","pattern":"*.sig"}]}""", Instant.now());
        keys.rotate("team");
        ManagedSigner.Outcome outcome = signer.sign("team", REPO, image);
        assertThat(outcome.cosign().status()).isEqualTo(ManagedSigner.Status.FAILED);
        assertThat(outcome.failure()).isPresent();
        assertThat(outcome.notation().status()).isEqualTo(ManagedSigner.Status.SIGNED);
        assertThat(JSON.readTree(cosignManifest(image).orElseThrow().payload()).path("layers")).hasSize(1);
    }

    @Test
    void pushesToProjectsThatSignAreSignedByTheListenerAndOthersAreNot() throws Exception {
        SignOnPush onPush = new SignOnPush(keys.store());
        onPush.signWith(signer);
        keys.store().setEnabled("team", true, Instant.now());
        onPush.reload();
        Digest signed = pushImage("1.0");
        RepositoryName elsewhere = RepositoryName.of("other/app");
        Digest unsigned = pushImage(elsewhere, "1.0");
        onPush.publish(RegistryEvent.pushed(REPO, signed, Tag.of("1.0"), MediaTypes.OCI_MANIFEST, "alice"));
        onPush.publish(RegistryEvent.pushed(elsewhere, unsigned, Tag.of("1.0"), MediaTypes.OCI_MANIFEST, "alice"));
        // the signature the listener pushes is itself pushed through the service: no event, so nothing signs it;
        // and an event for a signature manifest (a user's cosign push) is not signed either
        assertThat(onPush.drain(60, TimeUnit.SECONDS)).isTrue();
        assertThat(cosignManifest(signed)).isPresent();
        assertThat(notationReferrers(signed)).hasSize(1);
        assertThat(metadata.findManifestByTag(elsewhere, Tag.of(SignatureMediaTypes.cosignSignatureTag(unsigned)))).isEmpty();
        assertThat(registry.referrers(elsewhere, unsigned, Optional.empty())).isEmpty();
    }

    // --- helpers ----------------------------------------------------------------------------------------------

    private Digest pushImage(String tag) throws Exception {
        return pushImage(REPO, tag);
    }

    /** An image with one (random) layer and its config; the registry never reads layers, signing neither. */
    private Digest pushImage(RepositoryName repository, String tag) throws Exception {
        byte[] layer = UUID.randomUUID().toString().getBytes(StandardCharsets.UTF_8);
        byte[] config = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\""
                + Digest.sha256Of(layer) + "\"]}}").getBytes(StandardCharsets.UTF_8);
        registry.uploadMonolithic(repository, Digest.sha256Of(layer), BodySource.of(layer));
        registry.uploadMonolithic(repository, Digest.sha256Of(config), BodySource.of(config));
        byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"config\":{\"mediaType\":"
                + "\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + Digest.sha256Of(config) + "\",\"size\":"
                + config.length + "},\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\","
                + "\"digest\":\"" + Digest.sha256Of(layer) + "\",\"size\":" + layer.length + "}]}")
                .getBytes(StandardCharsets.UTF_8);
        return registry.putManifest(repository, new Reference.ByTag(Tag.of(tag)), MediaTypes.OCI_MANIFEST, manifest).digest();
    }

    private Optional<ManifestRecord> cosignManifest(Digest image) {
        return metadata.findManifestByTag(REPO, Tag.of(SignatureMediaTypes.cosignSignatureTag(image)));
    }

    private List<Descriptor> notationReferrers(Digest image) {
        return registry.referrers(REPO, image, Optional.of(SignatureMediaTypes.NOTATION_SIGNATURE));
    }

    private byte[] blob(Digest digest) throws Exception {
        var content = registry.openBlob(REPO, digest);
        try (InputStream in = content.openStream(0, content.size())) {
            return in.readAllBytes();
        }
    }

    private SignatureArtifact artifact(ManifestRecord manifest, SignatureArtifact.Origin origin) throws Exception {
        Map<Digest, byte[]> referenced = new HashMap<>();
        JsonNode json = JSON.readTree(manifest.payload());
        Digest config = Digest.parse(json.path("config").path("digest").asText());
        referenced.put(config, blob(config));
        for (JsonNode layer : json.path("layers")) {
            Digest d = Digest.parse(layer.path("digest").asText());
            referenced.put(d, blob(d));
        }
        return new SignatureArtifact(manifest.digest(), manifest.mediaType(), manifest.artifactType(), manifest.payload(),
                referenced, origin);
    }

    private List<SignatureCheck> verifyCosign(ManifestRecord manifest, Digest image, TrustPolicy trust) throws Exception {
        return new CosignFormat().verify(artifact(manifest, SignatureArtifact.Origin.COSIGN_TAG), image,
                new TrustMaterial(trust, List.of()), Instant.now());
    }

    private List<SignatureCheck> verifyNotation(Descriptor referrer, Digest image, TrustPolicy trust) throws Exception {
        NotationFormat format = new NotationFormat();
        SignatureArtifact artifact = artifact(metadata.findManifest(REPO, referrer.digest()).orElseThrow(),
                SignatureArtifact.Origin.REFERRER);
        assertThat(format.recognises(artifact)).isTrue();
        return format.verify(artifact, image, new TrustMaterial(trust, List.of()), Instant.now());
    }
}
