package dev.stowage.trust.signing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stowage.core.Descriptor;
import dev.stowage.core.Digest;
import dev.stowage.core.MediaTypes;
import dev.stowage.core.Reference;
import dev.stowage.core.RegistryException;
import dev.stowage.core.RepositoryName;
import dev.stowage.core.Tag;
import dev.stowage.core.policy.RunnableImages;
import dev.stowage.core.event.EventPublisher;
import dev.stowage.core.event.RegistryEvent;
import dev.stowage.core.service.BodySource;
import dev.stowage.core.service.RegistryService;
import dev.stowage.core.spi.BlobContent;
import dev.stowage.core.spi.ManifestRecord;
import dev.stowage.core.spi.MetadataStore;
import dev.stowage.signatures.SignatureArtifact;
import dev.stowage.signatures.SignatureMediaTypes;
import dev.stowage.signatures.SignaturePush;
import dev.stowage.signatures.notation.NotationSigning;
import dev.stowage.signatures.sigstore.CosignSigning;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateEncodingException;
import java.time.Clock;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Signs a stored image or index with its project's active managed key, in both forms, pushed through the registry
 * service like any client's signature (so quotas and immutable tags apply and the signatures follow their image through
 * deletion and GC):
 * <ul>
 *   <li>cosign's tag scheme: {@code sha256-<hex>.sig}. When the tag already holds a cosign signature manifest (the
 *   user's own, or ours by an older key), the signature is appended as one more layer, as {@code cosign sign} does,
 *   up to {@link SignatureArtifact#MAX_LAYERS} layers; a tag holding anything else is left alone.</li>
 *   <li>a Notation JWS referrer with the image as its subject.</li>
 * </ul>
 * Idempotent: a form already made with the active key is not made again (a cosign layer whose payload is ours and
 * whose signature the active key verifies; a Notation referrer whose certificate thumbprints name the active leaf).
 * Only what a runtime would run is signed ({@link RunnableImages}): never a signature, SBOM or attestation.
 */
public final class ManagedSigner {
    private static final ObjectMapper JSON = JsonMapper.builder().build();
    private static final String SIGNATURE_ANNOTATION = "dev.cosignproject.cosign/signature";
    private static final String THUMBPRINT_ANNOTATION = "io.cncf.notary.x509chain.thumbprint#S256";
    /** A cosign signature image's config is a few hundred bytes per layer; one far larger is not cosign's. */
    private static final int MAX_CONFIG_BYTES = 64 * 1024;
    /** Another node may append to the same cosign tag at the same moment; a lost update is noticed and redone. */
    private static final int COSIGN_ATTEMPTS = 3;

    /** What became of one form of signature. */
    public enum Status {
        /** Signed now. */
        SIGNED,
        /** The active key had signed it already. */
        ALREADY_SIGNED,
        /** Not signed, by design (not an image, or the cosign tag holds something that is not a cosign signature). */
        SKIPPED,
        /** The registry refused the signature (a quota, an immutable tag); {@code reason} says why. */
        FAILED
    }

    public record FormOutcome(Status status, Optional<Digest> signature, String reason) {
        static FormOutcome of(Status status, Digest signature, String reason) {
            return new FormOutcome(status, Optional.ofNullable(signature), reason);
        }
    }

    /** {@code failure}: the first refusal by the registry, for callers that answer with it. */
    public record Outcome(Digest subject, String keyId, FormOutcome cosign, FormOutcome notation,
                          Optional<RegistryException> failure) {
        public boolean signed() {
            return ok(cosign) && ok(notation);
        }

        private static boolean ok(FormOutcome form) {
            return form.status() == Status.SIGNED || form.status() == Status.ALREADY_SIGNED;
        }
    }

    /** The manifest is not an image or index: nothing of it is signed. */
    public static final class NotSignableException extends IllegalArgumentException {
        NotSignableException(Digest digest, String mediaType) {
            super("artifact " + digest + " (" + mediaType + ") is not an image or index a runtime would run; signatures, "
                    + "SBOMs and attestations are not signed");
        }
    }

    private final RegistryService registry;
    private final MetadataStore metadata;
    private final ManagedKeys keys;
    private final String registryAddress;
    private final Clock clock;
    /**
     * Hears of each signature pushed (as a push by {@link #ACTOR}): signature verification and webhooks learn of them
     * as of any other push; signing on push never signs them back (they are no runnable images).
     */
    private final EventPublisher events;
    /** Whom the audit of these pushes and their events name. */
    public static final String ACTOR = "stowage-signing";
    /** Signing one image twice at once would push two Notation referrers; on one node, signing is one at a time. */
    private final ReentrantLock signing = new ReentrantLock();

    /**
     * @param registryAddress how clients name this registry ({@code registry.example.com}, {@code host:port}): cosign's
     *                        payload names the image by it, and containers/image checks that name on pull
     */
    public ManagedSigner(RegistryService registry, MetadataStore metadata, ManagedKeys keys, String registryAddress,
                         EventPublisher events, Clock clock) {
        this.events = events;
        this.registry = registry;
        this.metadata = metadata;
        this.keys = keys;
        this.registryAddress = registryAddress;
        this.clock = clock;
    }

    /**
     * Signs {@code digest} of {@code repository} (project {@code project}) in both forms.
     *
     * @throws RegistryException     MANIFEST_UNKNOWN when there is no such manifest
     * @throws NotSignableException  when it is not an image or index
     */
    public Outcome sign(String project, RepositoryName repository, Digest digest) {
        ManifestRecord manifest = metadata.findManifest(repository, digest).orElseThrow(() -> new RegistryException(
                dev.stowage.core.ErrorCode.MANIFEST_UNKNOWN, "no artifact " + digest + " in " + repository,
                Map.of("digest", digest.toString())));
        if (!RunnableImages.runnable(manifest)) throw new NotSignableException(digest, manifest.mediaType());
        signing.lock();
        try {
            SigningKey key = keys.activeKey(project);
            RegistryException[] failure = new RegistryException[1];
            FormOutcome cosign = attempt(failure, () -> cosign(repository, digest, key));
            FormOutcome notation = attempt(failure, () -> notation(repository, manifest, key));
            return new Outcome(digest, key.key().id(), cosign, notation, Optional.ofNullable(failure[0]));
        } finally {
            signing.unlock();
        }
    }

    private static FormOutcome attempt(RegistryException[] failure, java.util.function.Supplier<FormOutcome> form) {
        try {
            return form.get();
        } catch (RegistryException e) {
            if (failure[0] == null) failure[0] = e;
            return FormOutcome.of(Status.FAILED, null, e.getMessage());
        }
    }

    // --- cosign -----------------------------------------------------------------------------------------------

    private FormOutcome cosign(RepositoryName repository, Digest subject, SigningKey key) {
        SignaturePush push = CosignSigning.sign(subject, registryAddress + "/" + repository.value(), key.privateKey(),
                key.key().publicKey());
        Tag tag = Tag.of(push.tag().orElseThrow());
        ObjectNode ours = (ObjectNode) read(push.manifest());
        ObjectNode ourLayer = (ObjectNode) ours.path("layers").path(0);
        Digest payloadDigest = Digest.parse(ourLayer.path("digest").asText());
        byte[] payload = push.blobs().get(payloadDigest);
        for (int attempt = 1; ; attempt++) {
            Optional<ManifestRecord> existing = metadata.findManifestByTag(repository, tag);
            Digest pushed;
            if (existing.isEmpty()) {
                pushed = put(repository, push, tag);
            } else {
                JsonNode current = read(existing.get().payload());
                Optional<String> foreign = notCosignSignature(current);
                if (foreign.isPresent()) {
                    return FormOutcome.of(Status.SKIPPED, null, "tag " + tag + " holds " + foreign.get()
                            + ", not a cosign signature; it is left as it is");
                }
                if (signedBy(current, payloadDigest, payload, key.key().publicKey())) {
                    return FormOutcome.of(Status.ALREADY_SIGNED, existing.get().digest(),
                            "the cosign signature " + tag + " has a layer signed by key " + key.key().id());
                }
                if (current.path("layers").size() >= SignatureArtifact.MAX_LAYERS) {
                    return FormOutcome.of(Status.SKIPPED, null, "the cosign signature " + tag + " has "
                            + current.path("layers").size() + " signatures, the most a verifier reads; no more is added");
                }
                pushed = append(repository, tag, existing.get(), (ObjectNode) current.deepCopy(), ourLayer, payloadDigest,
                        payload);
            }
            // a concurrent append (another node, or the user's cosign) may have replaced the tag after our put
            Optional<ManifestRecord> now = metadata.findManifestByTag(repository, tag);
            if (now.isPresent() && signedBy(read(now.get().payload()), payloadDigest, payload, key.key().publicKey())) {
                return FormOutcome.of(Status.SIGNED, pushed, "cosign signature " + tag);
            }
            if (attempt == COSIGN_ATTEMPTS) {
                return FormOutcome.of(Status.SKIPPED, null, "the cosign signature " + tag + " kept changing while it "
                        + "was being signed; sign again");
            }
        }
    }

    /** Why a manifest under a cosign signature tag is not one cosign wrote; empty when it is. */
    private static Optional<String> notCosignSignature(JsonNode manifest) {
        String mediaType = manifest.path("mediaType").asText("");
        if (!mediaType.equals(MediaTypes.OCI_MANIFEST) && !mediaType.equals(MediaTypes.DOCKER_MANIFEST)) {
            return Optional.of("a " + (mediaType.isEmpty() ? "manifest without a media type" : mediaType));
        }
        if (!RunnableImages.IMAGE_CONFIGS.contains(manifest.path("config").path("mediaType").asText(""))) {
            return Optional.of("a manifest whose config is not an image config");
        }
        JsonNode layers = manifest.path("layers");
        if (!layers.isArray()) return Optional.of("a manifest without layers");
        for (JsonNode layer : layers) {
            if (!SignatureMediaTypes.COSIGN_SIMPLE_SIGNING.equals(layer.path("mediaType").asText())) {
                return Optional.of("a layer of type " + layer.path("mediaType").asText() + "");
            }
        }
        return Optional.empty();
    }

    /** Whether a layer carries our payload with a signature {@code key} verifies (ECDSA signatures differ each time). */
    private static boolean signedBy(JsonNode manifest, Digest payloadDigest, byte[] payload, PublicKey key) {
        for (JsonNode layer : manifest.path("layers")) {
            if (!payloadDigest.toString().equals(layer.path("digest").asText())) continue;
            String signature = layer.path("annotations").path(SIGNATURE_ANNOTATION).asText("");
            try {
                Signature verifier = Signature.getInstance("SHA256withECDSA");
                verifier.initVerify(key);
                verifier.update(payload);
                if (verifier.verify(Base64.getDecoder().decode(signature))) return true;
            } catch (GeneralSecurityException | IllegalArgumentException e) {
                // not a signature of this key
            }
        }
        return false;
    }

    /**
     * cosign's {@code mutate.Append}: the layer added to the manifest, its diff id and an empty history entry added to
     * the config, so the result is the signature image cosign itself would push.
     */
    private Digest append(RepositoryName repository, Tag tag, ManifestRecord existing, ObjectNode manifest,
                          ObjectNode layer, Digest payloadDigest, byte[] payload) {
        Digest configDigest = Digest.parse(manifest.path("config").path("digest").asText());
        ObjectNode config = (ObjectNode) read(readBlob(repository, configDigest));
        ObjectNode rootfs = config.has("rootfs") && config.get("rootfs").isObject()
                ? (ObjectNode) config.get("rootfs") : config.putObject("rootfs").put("type", "layers");
        (rootfs.get("diff_ids") instanceof ArrayNode ids ? ids : rootfs.putArray("diff_ids")).add(payloadDigest.toString());
        (config.get("history") instanceof ArrayNode history ? history : config.putArray("history")).addObject()
                .put("created", "0001-01-01T00:00:00Z");
        byte[] newConfig = write(config);
        Digest newConfigDigest = Digest.sha256Of(newConfig);
        ((ObjectNode) manifest.get("config")).put("digest", newConfigDigest.toString()).put("size", newConfig.length);
        ((ArrayNode) manifest.get("layers")).add(layer);
        store(repository, newConfigDigest, newConfig);
        store(repository, payloadDigest, payload);
        byte[] bytes = write(manifest);
        registry.putManifest(repository, new Reference.ByTag(tag), existing.mediaType(), bytes);
        Digest digest = Digest.sha256Of(bytes);
        events.publish(RegistryEvent.pushed(repository, digest, tag, existing.mediaType(), ACTOR));
        return digest;
    }

    private byte[] readBlob(RepositoryName repository, Digest digest) {
        BlobContent content = registry.openBlob(repository, digest);
        if (content.size() > MAX_CONFIG_BYTES) {
            throw new RegistryException(dev.stowage.core.ErrorCode.MANIFEST_INVALID, "the config " + digest
                    + " of the cosign signature is " + content.size() + " bytes; cosign's are far smaller", Map.of());
        }
        try (InputStream in = content.openStream(0, content.size())) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // --- Notation ---------------------------------------------------------------------------------------------

    private FormOutcome notation(RepositoryName repository, ManifestRecord manifest, SigningKey key) {
        String thumbprint;
        try {
            thumbprint = Digest.sha256Of(key.key().leaf().getEncoded()).hex();
        } catch (CertificateEncodingException e) {
            throw new IllegalStateException("the managed leaf certificate cannot be encoded", e);
        }
        Optional<Descriptor> existing = registry.referrers(repository, manifest.digest(),
                        Optional.of(SignatureMediaTypes.NOTATION_SIGNATURE)).stream()
                .filter(d -> d.annotations().getOrDefault(THUMBPRINT_ANNOTATION, "").contains("\"" + thumbprint + "\""))
                .findFirst();
        if (existing.isPresent()) {
            return FormOutcome.of(Status.ALREADY_SIGNED, existing.get().digest(),
                    "a Notation signature by the active key's certificate is a referrer already");
        }
        SignaturePush push = NotationSigning.sign(new Descriptor(manifest.mediaType(), manifest.digest(), manifest.size(),
                null, Map.of()), key.privateKey(), key.key().chain(), clock.instant());
        return FormOutcome.of(Status.SIGNED, put(repository, push, null), "Notation signature referrer");
    }

    // --- pushing ----------------------------------------------------------------------------------------------

    private Digest put(RepositoryName repository, SignaturePush push, Tag tag) {
        push.blobs().forEach((digest, bytes) -> store(repository, digest, bytes));
        Digest digest = Digest.sha256Of(push.manifest());
        registry.putManifest(repository, tag == null ? new Reference.ByDigest(digest) : new Reference.ByTag(tag),
                push.mediaType(), push.manifest());
        events.publish(RegistryEvent.pushed(repository, digest, tag, push.mediaType(), ACTOR));
        return digest;
    }

    private void store(RepositoryName repository, Digest digest, byte[] content) {
        registry.uploadMonolithic(repository, digest, BodySource.of(content));
    }

    private static JsonNode read(byte[] json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] write(JsonNode node) {
        try {
            return JSON.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
