package dev.stowage.trust;

import dev.stowage.core.Digest;
import dev.stowage.core.spi.ManifestRecord;
import dev.stowage.core.ErrorCode;
import dev.stowage.core.MediaTypes;
import dev.stowage.core.Reference;
import dev.stowage.core.RegistryException;
import dev.stowage.core.RepositoryName;
import dev.stowage.core.event.RegistryEvent;
import dev.stowage.core.policy.ImagePolicy;
import dev.stowage.core.service.BodySource;
import dev.stowage.core.service.RegistryService;
import dev.stowage.core.service.ServiceSettings;
import dev.stowage.metadata.JdbcMetadataStore;
import dev.stowage.metadata.MetadataConfig;
import dev.stowage.signatures.SignatureArtifact;
import dev.stowage.signatures.SignatureCheck;
import dev.stowage.signatures.SignatureMediaTypes;
import dev.stowage.signatures.SignaturePush;
import dev.stowage.signatures.SignatureVerifier;
import dev.stowage.signatures.TrustPolicy;
import dev.stowage.signatures.notation.NotationCertificates;
import dev.stowage.signatures.notation.NotationSigning;
import dev.stowage.signatures.sigstore.CosignSigning;
import dev.stowage.signatures.sigstore.SigstoreTrustedRoots;
import dev.stowage.storage.FileSystemBlobStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The trust capability on real parts: the SQLite metadata store, the filesystem blob store, the registry service with
 * the pull check in its image policy, and cosign signatures made by the Sigstore format's own signer.
 */
class TrustServiceTest {
    private static final RepositoryName REPO = RepositoryName.of("team/app");
    @TempDir Path dir;
    private FileSystemBlobStore blobs;
    private JdbcMetadataStore metadata;
    private JdbcTrustStore store;
    private TrustPolicies policies;
    private TrustImageCheck check;
    private RegistryService registry;
    private TrustService trust;
    private final List<RegistryEvent> events = new ArrayList<>();
    private final AtomicInteger blobReads = new AtomicInteger();
    private TrustPolicy managed = TrustPolicy.NONE;
    private final KeyPair ci = keys();
    private final KeyPair stranger = keys();

    @BeforeEach
    void start() throws Exception {
        blobs = new FileSystemBlobStore(dir.resolve("blobs"));
        metadata = JdbcMetadataStore.open(MetadataConfig.sqlite(dir.resolve("stowage.db")));
        store = JdbcTrustStore.migrated(metadata);
        policies = new TrustPolicies(store, project -> managed, SigstoreTrustedRoots::parse, Clock.systemUTC());
        check = new TrustImageCheck(policies, store);
        registry = new RegistryService(blobs, metadata, new ImagePolicy(List.of(check)), ServiceSettings.DEFAULTS,
                Clock.systemUTC());
        TrustService.BlobReader reader = TrustService.reader(registry::openBlob);
        trust = new TrustService(store, policies, metadata, (repository, digest, max) -> {
            blobReads.incrementAndGet();
            return reader.read(repository, digest, max);
        }, SignatureVerifier.standard(), events::add, check::resultChanged, Clock.systemUTC());
        check.verifyWith(trust::current);
    }

    @AfterEach
    void stop() throws Exception {
        metadata.close();
        blobs.close();
    }

    static KeyPair keys() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            return generator.generateKeyPair();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static String pem(KeyPair keys) {
        return "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(keys.getPublic().getEncoded()) + "\n-----END PUBLIC KEY-----\n";
    }

    private void policy(String enforcement, boolean trustManaged) {
        String json = "{\"enforcement\":\"" + enforcement + "\",\"trustManagedSigning\":" + trustManaged
                + ",\"keys\":[{\"name\":\"ci\",\"publicKey\":" + quote(pem(ci)) + "}]}";
        store.putPolicy("team", ProjectTrustPolicy.parse(json).toJsonText(), Clock.systemUTC().instant());
        policies.reload();
        check.forgetAll();
    }

    private static String quote(String s) {
        return "\"" + s.replace("\n", "\\n") + "\"";
    }

    private Digest blob(byte[] content) {
        Digest digest = Digest.sha256Of(content);
        registry.uploadMonolithic(REPO, digest, BodySource.of(content));
        return digest;
    }

    private Digest image(String tag) {
        byte[] layer = ("layer of " + tag).getBytes(StandardCharsets.UTF_8);
        Digest layerDigest = blob(layer);
        byte[] config = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]},"
                + "\"created\":\"" + tag + "\"}").getBytes(StandardCharsets.UTF_8);
        Digest configDigest = blob(config);
        byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"config\":{"
                + "\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + configDigest
                + "\",\"size\":" + config.length + "},\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\","
                + "\"digest\":\"" + layerDigest + "\",\"size\":" + layer.length + "}]}").getBytes(StandardCharsets.UTF_8);
        registry.putManifest(REPO, Reference.parse(tag), MediaTypes.OCI_MANIFEST, manifest);
        return Digest.sha256Of(manifest);
    }

    /** Pushes a cosign signature of {@code subject} made with {@code keys}, as cosign would, and tells the service. */
    private Digest sign(Digest subject, KeyPair keys) {
        SignaturePush push = CosignSigning.sign(subject, "registry.test/team/app", keys.getPrivate(), keys.getPublic());
        push.blobs().values().forEach(this::blob);
        String tag = push.tag().orElseThrow();
        registry.putManifest(REPO, Reference.parse(tag), push.mediaType(), push.manifest());
        Digest digest = Digest.sha256Of(push.manifest());
        trust.pushed(REPO, digest, Optional.of(tag));
        return digest;
    }

    private RegistryException refusedPull(String reference) {
        RegistryException e = (RegistryException) org.assertj.core.api.Assertions.catchThrowable(
                () -> registry.getManifest(REPO, Reference.parse(reference)));
        assertThat(e).as("pull of " + reference + " refused").isNotNull();
        return e;
    }

    @Test
    void anUnsignedImageIsRefusedInAnEnforcingProjectByTagAndByDigest() {
        policy("enforce", false);
        Digest image = image("1.0");
        trust.pushed(REPO, image, Optional.of("1.0"));
        assertThat(store.result(REPO, image).orElseThrow().status()).isEqualTo(VerificationResult.Status.UNSIGNED);

        for (String reference : List.of("1.0", image.toString())) {
            RegistryException e = refusedPull(reference);
            assertThat(e.code()).isEqualTo(ErrorCode.DENIED);
            assertThat(e.getMessage()).isEqualTo("pull refused by the trust policy of project 'team': the image has no "
                    + "signature; see GET /api/v1/repositories/team/app/artifacts/" + image + "/signatures");
        }
    }

    @Test
    void aSignatureByATrustedKeyVerifiesTheImageAndLetsItBePulled() {
        policy("enforce", false);
        Digest image = image("1.0");
        Digest signature = sign(image, ci);

        VerificationResult result = store.result(REPO, image).orElseThrow();
        assertThat(result.status()).isEqualTo(VerificationResult.Status.VERIFIED);
        assertThat(result.checks()).singleElement().satisfies(c -> {
            assertThat(c.verified()).isTrue();
            assertThat(c.artifact()).isEqualTo(signature);
            assertThat(c.trustedBy()).hasValueSatisfying(t -> assertThat(t).contains("ci"));
        });
        assertThat(registry.getManifest(REPO, Reference.parse("1.0")).digest()).isEqualTo(image);
        assertThat(events).singleElement().satisfies(e -> {
            assertThat(e.type()).isEqualTo(RegistryEvent.Type.SIGNATURE_VERIFIED);
            assertThat(e.digest()).isEqualTo(image.toString());
            assertThat(e.data()).containsEntry("kind", "cosign").containsKey("signer");
            assertThat((String) e.data().get("trustedBy")).contains("ci");
        });
        // verified again with nothing changed: no new event
        trust.verify(REPO, image);
        assertThat(events).hasSize(1);
    }

    @Test
    void aSignaturePushedBeforeItsImageCountsWhenTheImageArrives() {
        policy("enforce", false);
        // the image's manifest is known before it is pushed (its digest is its content)
        Digest image = Digest.sha256Of(imageManifestOf("2.0"));
        sign(image, ci);
        assertThat(store.result(REPO, image)).isEmpty();

        Digest pushed = image("2.0");
        assertThat(pushed).isEqualTo(image);
        trust.pushed(REPO, image, Optional.of("2.0"));
        assertThat(store.result(REPO, image).orElseThrow().status()).isEqualTo(VerificationResult.Status.VERIFIED);
    }

    private byte[] imageManifestOf(String tag) {
        // what image(tag) pushes, without pushing it
        byte[] layer = ("layer of " + tag).getBytes(StandardCharsets.UTF_8);
        byte[] config = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]},"
                + "\"created\":\"" + tag + "\"}").getBytes(StandardCharsets.UTF_8);
        return ("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"config\":{"
                + "\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + Digest.sha256Of(config)
                + "\",\"size\":" + config.length + "},\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\","
                + "\"digest\":\"" + Digest.sha256Of(layer) + "\",\"size\":" + layer.length + "}]}").getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aSignatureByAKeyNotInThePolicyIsRefusedWithTheReason() {
        policy("enforce", false);
        Digest image = image("1.0");
        sign(image, stranger);

        VerificationResult result = store.result(REPO, image).orElseThrow();
        assertThat(result.status()).isEqualTo(VerificationResult.Status.UNVERIFIED);
        String reason = result.checks().getFirst().reason();
        assertThat(reason).isNotBlank();
        RegistryException e = refusedPull("1.0");
        assertThat(e.getMessage()).startsWith("pull refused by the trust policy of project 'team': no signature "
                + "verified by the trust policy (1 signature: " + reason + ")");
        assertThat(events).singleElement().satisfies(ev -> {
            assertThat(ev.type()).isEqualTo(RegistryEvent.Type.SIGNATURE_FAILED);
            assertThat(ev.data()).containsEntry("reason", reason);
        });
    }

    @Test
    void aRefusedPullIsAllowedAsSoonAsASignatureArrives() {
        policy("enforce", false);
        Digest image = image("1.0");
        trust.pushed(REPO, image, Optional.of("1.0"));
        refusedPull("1.0"); // the refusal's facts are cached now
        assertThat(check.decidesWithoutBlocking(REPO, metadata.findManifest(REPO, image).orElseThrow())).isTrue();

        sign(image, ci);
        assertThat(registry.getManifest(REPO, Reference.parse("1.0")).digest()).isEqualTo(image);
    }

    @Test
    void aPlatformImageIsCoveredByTheVerifiedIndexThatListsIt() {
        policy("enforce", false);
        Digest platform = image("amd64");
        byte[] manifest = metadata.findManifest(REPO, platform).orElseThrow().payload();
        byte[] index = ("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_INDEX + "\",\"manifests\":[{\"mediaType\":\""
                + MediaTypes.OCI_MANIFEST + "\",\"digest\":\"" + platform + "\",\"size\":" + manifest.length
                + ",\"platform\":{\"architecture\":\"amd64\",\"os\":\"linux\"}}]}").getBytes(StandardCharsets.UTF_8);
        registry.putManifest(REPO, Reference.parse("1.0"), MediaTypes.OCI_INDEX, index);
        Digest indexDigest = Digest.sha256Of(index);
        refusedPull(platform.toString());
        refusedPull("1.0");

        sign(indexDigest, ci);
        assertThat(registry.getManifest(REPO, Reference.parse("1.0")).digest()).isEqualTo(indexDigest);
        assertThat(registry.getManifest(REPO, Reference.parse(platform.toString())).digest()).isEqualTo(platform);
    }

    /** A Notation signature (JWS, as notation writes it) of {@code image} pushed as a referrer, and the service told. */
    private Digest notationSign(Digest image, NotationCertificates.Issued leaf) {
        long size = metadata.findManifest(REPO, image).orElseThrow().size();
        SignaturePush push = NotationSigning.sign(new dev.stowage.core.Descriptor(MediaTypes.OCI_MANIFEST, image, size, null,
                Map.of()), leaf.key(), leaf.chain(), Instant.now());
        push.blobs().values().forEach(this::blob);
        Digest digest = Digest.sha256Of(push.manifest());
        registry.putManifest(REPO, Reference.parse(digest.toString()), push.mediaType(), push.manifest());
        trust.pushed(REPO, digest, Optional.empty());
        return digest;
    }

    private void trustStorePolicy(X509Certificate root, String identity) throws Exception {
        String pem = "-----BEGIN CERTIFICATE-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(root.getEncoded()) + "\n-----END CERTIFICATE-----\n";
        String json = "{\"enforcement\":\"enforce\",\"trustStores\":[{\"name\":\"corp\",\"certificates\":" + quote(pem)
                + ",\"trustedIdentities\":[" + quote(identity) + "]}]}";
        store.putPolicy("team", ProjectTrustPolicy.parse(json).toJsonText(), Instant.now());
        policies.reload();
        check.forgetAll();
    }

    @Test
    void aNotationSignatureReferrerIsVerifiedByTheTrustStoreAndItsTrustedIdentities() throws Exception {
        NotationCertificates.Issued root = NotationCertificates.projectRoot("team", Instant.now().minusSeconds(3600),
                Duration.ofDays(1));
        NotationCertificates.Issued leaf = NotationCertificates.signingLeaf(root, "team", Instant.now().minusSeconds(3600),
                Duration.ofDays(1));
        String subject = "x509.subject: " + leaf.certificate().getSubjectX500Principal().getName();
        trustStorePolicy(root.certificate(), subject);
        Digest image = image("1.0");
        Digest signature = notationSign(image, leaf);

        VerificationResult result = store.result(REPO, image).orElseThrow();
        assertThat(result.status()).as(result.toString()).isEqualTo(VerificationResult.Status.VERIFIED);
        assertThat(result.checks()).singleElement().satisfies(c -> {
            assertThat(c.kind()).isEqualTo(dev.stowage.signatures.SignatureKind.NOTATION_JWS);
            assertThat(c.artifact()).isEqualTo(signature);
        });
        assertThat(registry.getManifest(REPO, Reference.parse("1.0")).digest()).isEqualTo(image);

        // the same signature, by a subject the policy does not name: refused, and the reason says so
        trustStorePolicy(root.certificate(), "x509.subject: CN=someone else,O=Elsewhere");
        RegistryException e = refusedPull("1.0");
        assertThat(e.getMessage()).contains("no signature verified by the trust policy (1 signature: ")
                .contains("not a trusted identity");
    }

    @Test
    void auditModeNeverRefusesButStillKnowsWhy() {
        policy("audit", false);
        Digest image = image("1.0");
        assertThat(registry.getManifest(REPO, Reference.parse("1.0")).digest()).isEqualTo(image);
        ManifestRecord manifest = metadata.findManifest(REPO, image).orElseThrow();
        assertThat(check.refusal(REPO, manifest))
                .hasValueSatisfying(r -> assertThat(r.message()).contains("the image has no signature"));
        // the one evaluation reports it as a warning (admission reviews show it), never as a refusal
        dev.stowage.core.policy.ImageVerdict verdict = new dev.stowage.core.policy.ImagePolicy(List.of(check))
                .evaluate(REPO, manifest);
        assertThat(verdict.allowed()).isTrue();
        assertThat(verdict.warnings()).singleElement()
                .satisfies(w -> assertThat(w.message()).contains("the image has no signature"));
        policy("off", false);
        assertThat(new dev.stowage.core.policy.ImagePolicy(List.of(check)).evaluate(REPO, manifest).warnings()).isEmpty();
    }

    @Test
    void managedSigningKeysAreTrustedOnlyWhereThePolicySaysSo() {
        managed = new TrustPolicy(List.of(new TrustPolicy.TrustedKey("managed-1", stranger.getPublic())), List.of(), List.of());
        policy("enforce", false);
        Digest image = image("1.0");
        sign(image, stranger);
        assertThat(store.result(REPO, image).orElseThrow().status()).isEqualTo(VerificationResult.Status.UNVERIFIED);

        policy("enforce", true);
        // the stored result predates the policy: the pull verifies again with the policy in force
        assertThat(registry.getManifest(REPO, Reference.parse("1.0")).digest()).isEqualTo(image);
        assertThat(store.result(REPO, image).orElseThrow().checks().getFirst().trustedBy())
                .hasValueSatisfying(t -> assertThat(t).contains("managed-1"));
    }

    @Test
    void aDeletedSignatureNoLongerCounts() {
        policy("enforce", false);
        Digest image = image("1.0");
        Digest signature = sign(image, ci);
        assertThat(store.result(REPO, image).orElseThrow().status()).isEqualTo(VerificationResult.Status.VERIFIED);

        registry.deleteManifest(REPO, Reference.parse(signature.toString()));
        trust.deleted(REPO, Optional.of(signature), Optional.empty());
        assertThat(store.result(REPO, image).orElseThrow().status()).isEqualTo(VerificationResult.Status.UNSIGNED);
        refusedPull("1.0");
    }

    @Test
    void aFloodOfSignatureReferrersIsCheckedOnlyUpToTheBound() {
        policy("enforce", false);
        Digest image = image("1.0");
        byte[] empty = "{}".getBytes(StandardCharsets.UTF_8);
        Digest config = blob(empty);
        int flood = SignatureVerifier.MAX_ARTIFACTS + 6;
        for (int i = 0; i < flood; i++) {
            byte[] referrer = ("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"artifactType\":\""
                    + SignatureMediaTypes.NOTATION_SIGNATURE + "\",\"config\":{\"mediaType\":\"application/vnd.oci.empty.v1+json\","
                    + "\"digest\":\"" + config + "\",\"size\":2},\"layers\":[],\"subject\":{\"mediaType\":\""
                    + MediaTypes.OCI_MANIFEST + "\",\"digest\":\"" + image + "\",\"size\":1},\"annotations\":{\"n\":\"" + i
                    + "\"}}").getBytes(StandardCharsets.UTF_8);
            registry.putManifest(REPO, Reference.parse(Digest.sha256Of(referrer).toString()), MediaTypes.OCI_MANIFEST, referrer);
        }
        VerificationResult result = trust.verify(REPO, image).orElseThrow();
        assertThat(result.checks()).hasSize(SignatureVerifier.MAX_ARTIFACTS + 1);
        assertThat(result.checks().getLast().reason()).isEqualTo("not checked, with 5 more: only "
                + SignatureVerifier.MAX_ARTIFACTS + " signature artifacts of one image are verified");
        assertThat(result.status()).isEqualTo(VerificationResult.Status.UNVERIFIED);
    }

    /** Signature-looking referrers of {@code image} that verify nothing, as someone who may push could push them. */
    private void junkReferrers(Digest image, int count, String label) {
        Digest config = blob("{}".getBytes(StandardCharsets.UTF_8));
        for (int i = 0; i < count; i++) {
            byte[] referrer = ("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"artifactType\":\""
                    + SignatureMediaTypes.NOTATION_SIGNATURE + "\",\"config\":{\"mediaType\":\"application/vnd.oci.empty.v1+json\","
                    + "\"digest\":\"" + config + "\",\"size\":2},\"layers\":[],\"subject\":{\"mediaType\":\""
                    + MediaTypes.OCI_MANIFEST + "\",\"digest\":\"" + image + "\",\"size\":1},\"annotations\":{\"n\":\"" + label
                    + i + "\"}}").getBytes(StandardCharsets.UTF_8);
            Digest digest = Digest.sha256Of(referrer);
            registry.putManifest(REPO, Reference.parse(digest.toString()), MediaTypes.OCI_MANIFEST, referrer);
            trust.pushed(REPO, digest, Optional.empty());
        }
    }

    @Test
    void junkSignaturesPushedBeforeOrAfterATrustedOneCannotBuryItUnderTheBound() throws Exception {
        NotationCertificates.Issued root = NotationCertificates.projectRoot("team", Instant.now().minusSeconds(3600),
                Duration.ofDays(1));
        NotationCertificates.Issued leaf = NotationCertificates.signingLeaf(root, "team", Instant.now().minusSeconds(3600),
                Duration.ofDays(1));
        trustStorePolicy(root.certificate(), "*");
        Digest image = image("1.0");
        junkReferrers(image, SignatureVerifier.MAX_ARTIFACTS + 2, "before");

        Digest signature = notationSign(image, leaf);
        assertThat(store.result(REPO, image).orElseThrow().status()).isEqualTo(VerificationResult.Status.VERIFIED);

        junkReferrers(image, SignatureVerifier.MAX_ARTIFACTS + 2, "after");
        VerificationResult result = trust.verify(REPO, image).orElseThrow();
        assertThat(result.status()).as(result.toString()).isEqualTo(VerificationResult.Status.VERIFIED);
        assertThat(result.checks()).filteredOn(SignatureCheck::verified).extracting(SignatureCheck::artifact)
                .containsExactly(signature);
        assertThat(registry.getManifest(REPO, Reference.parse("1.0")).digest()).isEqualTo(image);
    }

    @Test
    void aSignatureLayerLargerThanTheBoundIsNeverRead() {
        policy("enforce", false);
        Digest image = image("1.0");
        byte[] big = new byte[SignatureArtifact.MAX_BLOB_BYTES + 1];
        Digest bigDigest = blob(big);
        byte[] config = "{}".getBytes(StandardCharsets.UTF_8);
        Digest configDigest = blob(config);
        byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"config\":{\"mediaType\":"
                + "\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + configDigest + "\",\"size\":2},\"layers\":[{"
                + "\"mediaType\":\"" + SignatureMediaTypes.COSIGN_SIMPLE_SIGNING + "\",\"digest\":\"" + bigDigest + "\",\"size\":"
                + big.length + ",\"annotations\":{\"dev.cosignproject.cosign/signature\":\"AAAA\"}}]}")
                .getBytes(StandardCharsets.UTF_8);
        String tag = SignatureMediaTypes.cosignSignatureTag(image);
        registry.putManifest(REPO, Reference.parse(tag), MediaTypes.OCI_MANIFEST, manifest);
        blobReads.set(0);
        trust.pushed(REPO, Digest.sha256Of(manifest), Optional.of(tag));

        assertThat(blobReads.get()).isZero();
        VerificationResult result = store.result(REPO, image).orElseThrow();
        assertThat(result.status()).isEqualTo(VerificationResult.Status.UNVERIFIED);
        assertThat(result.checks()).singleElement().satisfies(c -> assertThat(c.verified()).isFalse());
    }

    @Test
    void signaturesAndOtherReferrersAreNotThemselvesChecked() {
        policy("enforce", false);
        Digest image = image("1.0");
        Digest signature = sign(image, ci);
        // the signature manifest is not a runnable image: pulling it (as verifiers do) is never refused
        assertThat(registry.getManifest(REPO, Reference.parse(signature.toString())).digest()).isEqualTo(signature);
        assertThat(store.result(REPO, signature)).isEmpty();
    }

    @Test
    void signaturesThatSignEachOtherAreNotVerifiedOnPush() {
        policy("enforce", false);
        Digest image = image("1.0");
        Digest first = sign(image, ci);
        // a signature of the signature manifest, in cosign's scheme: pushed, it verifies nothing (its subject is no image)
        Digest second = sign(first, ci);
        Digest third = sign(second, ci);
        assertThat(store.result(REPO, first)).isEmpty();
        assertThat(store.result(REPO, second)).isEmpty();
        assertThat(store.result(REPO, third)).isEmpty();
        assertThat(store.result(REPO, image).orElseThrow().status()).isEqualTo(VerificationResult.Status.VERIFIED);
        // asked for, a signature's own signatures are verified like any artifact's
        assertThat(trust.verify(REPO, first).orElseThrow().status()).isEqualTo(VerificationResult.Status.VERIFIED);
    }

    @Test
    void aPolicyThatIsNotValidNamesTheField() {
        assertThatThrownBy(() -> ProjectTrustPolicy.parse("{\"keys\":[{\"name\":\"ci\",\"publicKey\":\"nope\"}]}"))
                .hasMessage("keys[0].publicKey is not a PEM public key (-----BEGIN PUBLIC KEY-----)");
        assertThatThrownBy(() -> ProjectTrustPolicy.parse("{\"keyless\":[{\"name\":\"gh\",\"issuer\":\"https://i\","
                + "\"subjectRegExp\":\"(\"}]}")).hasMessageStartingWith("keyless[0].subjectRegExp is not a regular expression");
        assertThatThrownBy(() -> ProjectTrustPolicy.parse("{\"enforcement\":\"sometimes\"}"))
                .hasMessage("enforcement must be off, audit or enforce");
        assertThatThrownBy(() -> ProjectTrustPolicy.parse("{\"trustStores\":[{\"name\":\"corp\",\"certificates\":"
                + "\"-----BEGIN CERTIFICATE-----\\nAAAA\\n-----END CERTIFICATE-----\",\"trustedIdentities\":[\"*\"]}]}"))
                .hasMessageStartingWith("trustStores[0].certificates is not a list of PEM certificates");
        assertThatThrownBy(() -> ProjectTrustPolicy.parse("{\"keys\":[{\"name\":\"a\",\"publicKey\":" + quote(pem(ci))
                + "},{\"name\":\"a\",\"publicKey\":" + quote(pem(ci)) + "}]}"))
                .hasMessage("keys[1].name 'a' is used twice in the policy");
        assertThatThrownBy(() -> ProjectTrustPolicy.parse("{\"keys\":[],\"extra\":1}"))
                .hasMessageStartingWith("extra is not a field here");
    }

    @Test
    void aPolicyRoundTripsThroughItsStoredForm() {
        ProjectTrustPolicy policy = ProjectTrustPolicy.parse("{\"enforcement\":\"enforce\",\"keys\":[{\"name\":\"ci\","
                + "\"publicKey\":" + quote(pem(ci)) + "}],\"keyless\":[{\"name\":\"gh\",\"issuer\":\"https://token.actions."
                + "githubusercontent.com\",\"subjectRegExp\":\"https://github.com/org/.+\"}]}");
        ProjectTrustPolicy again = ProjectTrustPolicy.parse(policy.toJsonText());
        assertThat(again.toJsonText()).isEqualTo(policy.toJsonText());
        assertThat(again.trustPolicy().keys().getFirst().key()).isEqualTo(ci.getPublic());
        assertThat(again.trustPolicy().identities().getFirst().matches("https://token.actions.githubusercontent.com",
                "https://github.com/org/repo/.github/workflows/release.yml@refs/heads/main")).isTrue();
        assertThat(Map.of("e", again.enforcement())).containsEntry("e", Enforcement.ENFORCE);
    }
}
