package dev.stowage.trust;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.stowage.core.CompanionTags;
import dev.stowage.core.Digest;
import dev.stowage.core.MediaTypes;
import dev.stowage.core.RepositoryName;
import dev.stowage.core.Tag;
import dev.stowage.core.event.EventPublisher;
import dev.stowage.core.event.RegistryEvent;
import dev.stowage.core.event.TimeOrderedIds;
import dev.stowage.core.policy.RunnableImages;
import dev.stowage.core.spi.BlobContent;
import dev.stowage.core.spi.ManifestRecord;
import dev.stowage.core.spi.MetadataStore;
import dev.stowage.signatures.SignatureArtifact;
import dev.stowage.signatures.SignatureCheck;
import dev.stowage.signatures.SignatureKind;
import dev.stowage.signatures.SignatureMediaTypes;
import dev.stowage.signatures.SignatureVerifier;
import dev.stowage.signatures.TrustMaterial;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Finds a manifest's signatures (OCI referrers that may carry one, and cosign's {@code sha256-<hex>.sig} / {@code .att}
 * tags in the same repository), reads them within bounds, verifies them against the project's trust material, stores
 * the result and publishes an event per signature whose verdict is new. Pushes, deletions, policy and root changes
 * and requests call it; it blocks (SQL, blob reads), so callers run it off the event loop.
 */
public final class TrustService {
    private static final Logger LOG = LoggerFactory.getLogger(TrustService.class);
    private static final ObjectMapper JSON = JsonMapper.builder().build();
    /** How many stored results one policy or root change re-verifies (the rest are re-verified when pulled). */
    static final int MAX_REVERIFY = 50_000;
    /** Indexes listing one platform manifest that are looked at. */
    static final int MAX_INDEXES = 16;

    /** Reads a blob of a repository whole; answers empty when it is absent or larger than {@code max} bytes. */
    @FunctionalInterface
    public interface BlobReader {
        Optional<byte[]> read(RepositoryName repository, Digest digest, int max);
    }

    /** Told when a stored result changed (the pull check forgets what it cached). */
    @FunctionalInterface
    public interface ResultListener {
        void changed(RepositoryName repository, Digest manifest, boolean index);
    }

    private final TrustStore store;
    private final TrustPolicies policies;
    private final MetadataStore metadata;
    private final BlobReader blobs;
    private final SignatureVerifier verifier;
    private final EventPublisher events;
    private final ResultListener listener;
    private final Clock clock;

    public TrustService(TrustStore store, TrustPolicies policies, MetadataStore metadata, BlobReader blobs,
                        SignatureVerifier verifier, EventPublisher events, ResultListener listener, Clock clock) {
        this.store = store;
        this.policies = policies;
        this.metadata = metadata;
        this.blobs = blobs;
        this.verifier = verifier;
        this.events = events;
        this.listener = listener;
        this.clock = clock;
    }

    public TrustStore store() { return store; }

    public TrustPolicies policies() { return policies; }

    /** A blob reader over the registry's blob content (bounded: the size is checked before a byte is read). */
    public static BlobReader reader(java.util.function.BiFunction<RepositoryName, Digest, BlobContent> open) {
        return (repository, digest, max) -> {
            try {
                BlobContent content = open.apply(repository, digest);
                if (content.size() > max) return Optional.empty();
                try (InputStream in = content.openStream(0, content.size())) {
                    return Optional.of(in.readNBytes(max + 1)).filter(b -> b.length <= max);
                }
            } catch (IOException | RuntimeException e) {
                return Optional.empty();
            }
        };
    }

    /** The digest a cosign signature or attestation tag ({@code sha256-<hex>.sig}, {@code .att}) names, if it is one. */
    public static Optional<Digest> cosignSubject(String tag) {
        if (tag == null || !(tag.endsWith(".sig") || tag.endsWith(".att"))) return Optional.empty();
        return CompanionTags.subjectOf(tag);
    }

    // --- triggers -------------------------------------------------------------------------------------------------

    /**
     * A manifest was pushed: an image is verified; a signature artifact re-verifies its subject (its {@code subject}
     * field, or the digest its cosign tag names). A signature whose image is not there yet is found when it arrives.
     */
    public void pushed(RepositoryName repository, Digest digest, Optional<String> tag) {
        Optional<Digest> cosignSubject = tag.flatMap(TrustService::cosignSubject);
        if (cosignSubject.isPresent()) {
            verifyImage(repository, cosignSubject.get(), Optional.of(digest));
            return;
        }
        Optional<ManifestRecord> manifest = metadata.findManifest(repository, digest);
        if (manifest.isEmpty()) return;
        ManifestRecord m = manifest.get();
        if (m.subject() != null && SignatureMediaTypes.mayCarrySignatures(m.artifactType())) {
            verifyImage(repository, m.subject(), Optional.of(digest));
        } else if (RunnableImages.runnable(m)) {
            verify(repository, digest);
        }
    }

    /**
     * Verifies the subject of a signature that arrived when it is an image: a signature of a signature (or of an SBOM)
     * is verified when someone asks, never on push, so signatures pointing at each other cost one verification each.
     */
    private void verifyImage(RepositoryName repository, Digest subject, Optional<Digest> arrived) {
        metadata.findManifest(repository, subject).filter(RunnableImages::runnable)
                .ifPresent(m -> verify(repository, subject, arrived));
    }

    /**
     * A manifest or tag was deleted: its own result goes; a deleted cosign tag or signature manifest re-verifies what
     * it signed.
     */
    public void deleted(RepositoryName repository, Optional<Digest> digest, Optional<String> tag) {
        Optional<Digest> cosignSubject = tag.flatMap(TrustService::cosignSubject);
        if (cosignSubject.isPresent()) {
            verifyImage(repository, cosignSubject.get(), Optional.empty());
            return;
        }
        if (digest.isEmpty() || tag.isPresent()) return; // a tag moved or removed: the manifest and its result stay
        if (metadata.findManifest(repository, digest.get()).isPresent()) return;
        store.deleteResult(repository, digest.get());
        listener.changed(repository, digest.get(), true);
        for (Digest subject : store.resultsCiting(repository, digest.get(), SignatureVerifier.MAX_ARTIFACTS)) {
            verify(repository, subject);
        }
    }

    /** Re-verifies the stored results of a project (every project when empty), oldest keys first, bounded. */
    public int reverify(Optional<String> project) {
        int done = 0;
        Optional<TrustStore.ResultKey> after = Optional.empty();
        while (done < MAX_REVERIFY) {
            List<TrustStore.ResultKey> page = store.results(project, after, 200);
            if (page.isEmpty()) break;
            for (TrustStore.ResultKey key : page) {
                try {
                    verify(key.repository(), key.manifest());
                } catch (RuntimeException e) {
                    LOG.warn("re-verification of {}@{} failed: {}", key.repository(), key.manifest(), e.getMessage());
                }
                done++;
            }
            after = Optional.of(page.getLast());
        }
        return done;
    }

    /** The stored result if it was computed with the policy and roots in force, else a new one. */
    public Optional<VerificationResult> current(RepositoryName repository, Digest manifest) {
        Optional<VerificationResult> stored = store.result(repository, manifest);
        if (stored.isPresent() && fresh(stored.get())) return stored;
        return verify(repository, manifest);
    }

    public boolean fresh(VerificationResult result) {
        return result.policyVersion() == policies.of(result.repository().project()).version()
                && result.rootsVersion() == policies.rootsGeneration();
    }

    // --- verification ---------------------------------------------------------------------------------------------

    /** Verifies every signature of the manifest now and stores the result; empty when the manifest is not there. */
    public Optional<VerificationResult> verify(RepositoryName repository, Digest digest) {
        return verify(repository, digest, Optional.empty());
    }

    /**
     * As {@link #verify(RepositoryName, Digest)}; {@code arrived} is the signature artifact whose push asked for it. It,
     * and the artifacts that verified last time, are read before the others: a developer who pushes junk signatures to
     * bury a trusted one under the bound cannot, since each artifact is verified when it arrives and a verified one
     * keeps its place.
     */
    private Optional<VerificationResult> verify(RepositoryName repository, Digest digest, Optional<Digest> arrived) {
        Optional<ManifestRecord> manifest = metadata.findManifest(repository, digest);
        if (manifest.isEmpty()) return Optional.empty();
        String project = repository.project();
        TrustPolicies.InForce inForce = policies.of(project);
        long rootsVersion = policies.rootsGeneration();
        TrustMaterial material = policies.material(project);
        Instant now = clock.instant();
        Optional<VerificationResult> before = store.result(repository, digest);
        java.util.Set<Digest> first = new java.util.HashSet<>();
        arrived.ifPresent(first::add);
        before.ifPresent(b -> b.checks().stream().filter(SignatureCheck::verified).map(SignatureCheck::artifact)
                .forEach(first::add));
        List<SignatureCheck> checks = checks(repository, digest, material, now, first);
        VerificationResult result = new VerificationResult(repository, digest, VerificationResult.statusOf(checks), checks,
                inForce.version(), rootsVersion, now);
        store.putResult(result);
        listener.changed(repository, digest, MediaTypes.isIndex(manifest.get().mediaType()));
        publishNew(repository, digest, before.map(VerificationResult::checks).orElse(List.of()), checks);
        return Optional.of(result);
    }

    /**
     * Only the first {@link SignatureVerifier#MAX_ARTIFACTS} artifacts have their blobs read; the rest go to the verifier
     * bare, which reports them as not checked in one line. An artifact no format recognises is reported here (the
     * verifier passes over it).
     */
    private List<SignatureCheck> checks(RepositoryName repository, Digest subject, TrustMaterial material, Instant now,
                                        java.util.Set<Digest> first) {
        List<Found> found = new ArrayList<>(find(repository, subject));
        found.sort(java.util.Comparator.comparingInt(f -> first.contains(f.manifest().digest()) ? 0 : 1));
        List<SignatureCheck> unrecognised = new ArrayList<>();
        List<SignatureArtifact> recognised = new ArrayList<>();
        int read = 0;
        for (Found f : found) {
            SignatureArtifact artifact = bare(f); // formats recognise an artifact by its manifest, before any blob
            if (verifier.formatOf(artifact).isEmpty()) {
                if (unrecognised.size() < SignatureVerifier.MAX_ARTIFACTS) {
                    unrecognised.add(SignatureCheck.failed(SignatureKind.likelyOf(artifact), artifact.digest(),
                            Optional.empty(), "not checked: no verifier for this signature format (" + artifact.mediaType()
                                    + (artifact.artifactType() == null ? "" : ", artifact type " + artifact.artifactType())
                                    + ")"));
                }
                continue;
            }
            recognised.add(read++ < SignatureVerifier.MAX_ARTIFACTS ? load(repository, f) : artifact);
        }
        List<SignatureCheck> checks = new ArrayList<>(verifier.verify(subject, recognised, material, now));
        checks.addAll(unrecognised);
        return checks;
    }

    private static SignatureArtifact bare(Found f) {
        ManifestRecord m = f.manifest();
        return new SignatureArtifact(m.digest(), m.mediaType(), m.artifactType(), m.payload(), Map.of(), f.origin());
    }

    private record Found(ManifestRecord manifest, SignatureArtifact.Origin origin) {}

    /** cosign's tags first (one manifest each), then referrers that may carry signatures, oldest first. */
    private List<Found> find(RepositoryName repository, Digest subject) {
        List<Found> found = new ArrayList<>();
        for (String tag : List.of(SignatureMediaTypes.cosignSignatureTag(subject),
                SignatureMediaTypes.cosignAttestationTag(subject))) {
            metadata.findManifestByTag(repository, Tag.of(tag))
                    .filter(m -> !m.digest().equals(subject)) // a signature that names itself signs nothing
                    .ifPresent(m -> found.add(new Found(m, SignatureArtifact.Origin.COSIGN_TAG)));
        }
        for (ManifestRecord referrer : metadata.referrersOf(repository, subject)) {
            if (referrer.digest().equals(subject)) continue;
            if (SignatureMediaTypes.mayCarrySignatures(referrer.artifactType())) {
                found.add(new Found(referrer, SignatureArtifact.Origin.REFERRER));
            }
        }
        return found;
    }

    /** The artifact with its layers read whole, each at most MAX_BLOB_BYTES (a larger one is left out: formats say so). */
    private SignatureArtifact load(RepositoryName repository, Found f) {
        ManifestRecord m = f.manifest();
        Map<Digest, byte[]> read = new HashMap<>();
        try {
            JsonNode layers = JSON.readTree(m.payload()).path("layers");
            int n = 0;
            for (JsonNode layer : layers) {
                if (n++ == SignatureArtifact.MAX_LAYERS) break;
                long size = layer.path("size").asLong(-1);
                String text = layer.path("digest").asText("");
                if (size < 0 || size > SignatureArtifact.MAX_BLOB_BYTES || !Digest.looksLikeDigest(text)) continue;
                Digest digest = Digest.parse(text);
                if (read.containsKey(digest)) continue;
                blobs.read(repository, digest, SignatureArtifact.MAX_BLOB_BYTES).ifPresent(b -> read.put(digest, b));
            }
        } catch (IOException | RuntimeException e) {
            // an unreadable manifest is the format's to report (it reads the manifest bytes itself)
        }
        return new SignatureArtifact(m.digest(), m.mediaType(), m.artifactType(), m.payload(), read, f.origin());
    }

    // --- events ---------------------------------------------------------------------------------------------------

    private void publishNew(RepositoryName repository, Digest subject, List<SignatureCheck> before,
                            List<SignatureCheck> after) {
        Map<String, SignatureCheck> known = new HashMap<>();
        for (SignatureCheck c : before) known.put(identity(c), c);
        for (SignatureCheck c : after) {
            SignatureCheck was = known.get(identity(c));
            if (was != null && was.verified() == c.verified() && (c.verified() || was.reason().equals(c.reason()))) continue;
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("kind", c.kind().apiName());
            data.put("artifact", c.artifact().toString());
            c.signer().ifPresent(s -> data.put("signer", VerificationResult.describe(s)));
            c.trustedBy().ifPresent(t -> data.put("trustedBy", t));
            data.put("reason", c.reason());
            events.publish(new RegistryEvent(TimeOrderedIds.next(),
                    c.verified() ? RegistryEvent.Type.SIGNATURE_VERIFIED : RegistryEvent.Type.SIGNATURE_FAILED,
                    clock.instant(), repository.project(), repository.value(), subject.toString(), null, null, null, data));
        }
    }

    private static String identity(SignatureCheck c) {
        return c.kind() + "|" + c.artifact() + "|" + c.signer().map(s -> s.keyId()).orElse("");
    }
}
