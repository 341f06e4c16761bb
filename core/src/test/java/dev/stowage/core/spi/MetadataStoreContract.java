package dev.stowage.core.spi;

import dev.stowage.core.Digest;
import dev.stowage.core.RepositoryName;
import dev.stowage.core.Tag;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/** The behaviour every MetadataStore must have. Subclasses supply a fresh, empty store per test. */
public abstract class MetadataStoreContract {
    protected abstract MetadataStore newStore() throws Exception;

    private static final RepositoryName REPO = RepositoryName.of("team/app");
    protected MetadataStore store;

    @BeforeEach
    void open() throws Exception {
        store = newStore();
    }

    @AfterEach
    void close() {
        store.close();
    }

    static Digest digest(String seed) {
        return Digest.sha256Of(seed.getBytes(StandardCharsets.UTF_8));
    }

    static ManifestRecord manifest(String seed, Digest subject, String artifactType, List<Digest> blobs) {
        byte[] payload = ("{\"seed\":\"" + seed + "\"}").getBytes(StandardCharsets.UTF_8);
        return new ManifestRecord(Digest.sha256Of(payload), "application/vnd.oci.image.manifest.v1+json", payload,
                artifactType, subject, blobs, List.of(), null);
    }

    ManifestRecord pushManifest(RepositoryName repo, String seed, String tag) {
        Digest config = digest(seed + "-config");
        store.recordBlob(repo, config, 10);
        ManifestRecord m = manifest(seed, null, "application/vnd.oci.image.config.v1+json", List.of(config));
        store.putManifest(repo, m, Optional.ofNullable(tag).map(Tag::of));
        return m;
    }

    @Test
    void recordedBlobIsFoundGloballyAndThroughItsRepositoryOnly() {
        Digest d = digest("blob");
        store.recordBlob(REPO, d, 42);
        assertThat(store.findBlob(d)).contains(new BlobRecord(d, 42));
        assertThat(store.findLinkedBlob(REPO, d)).contains(new BlobRecord(d, 42));
        assertThat(store.findLinkedBlob(RepositoryName.of("other"), d)).isEmpty();
    }

    @Test
    void recordingABlobTwiceIsIdempotent() {
        Digest d = digest("blob");
        store.recordBlob(REPO, d, 42);
        store.recordBlob(REPO, d, 42);
        assertThat(store.findLinkedBlob(REPO, d)).contains(new BlobRecord(d, 42));
    }

    @Test
    void unlinkRemovesOnlyThatRepositorysLink() {
        Digest d = digest("blob");
        store.recordBlob(REPO, d, 1);
        store.recordBlob(RepositoryName.of("other"), d, 1);
        assertThat(store.unlinkBlob(REPO, d)).isTrue();
        assertThat(store.unlinkBlob(REPO, d)).isFalse();
        assertThat(store.findLinkedBlob(REPO, d)).isEmpty();
        assertThat(store.findLinkedBlob(RepositoryName.of("other"), d)).isPresent();
        assertThat(store.findBlob(d)).isPresent();
    }

    @Test
    void manifestIsFoundByTagAndDigestWithItsExactBytes() {
        ManifestRecord m = pushManifest(REPO, "one", "v1");
        ManifestRecord byTag = store.findManifestByTag(REPO, Tag.of("v1")).orElseThrow();
        ManifestRecord byDigest = store.findManifest(REPO, m.digest()).orElseThrow();
        for (ManifestRecord found : List.of(byTag, byDigest)) {
            assertThat(found.digest()).isEqualTo(m.digest());
            assertThat(found.payload()).isEqualTo(m.payload());
            assertThat(found.mediaType()).isEqualTo(m.mediaType());
            assertThat(found.artifactType()).isEqualTo(m.artifactType());
            assertThat(found.pushedAt()).isNotNull();
        }
        assertThat(store.repositoryExists(REPO)).isTrue();
    }

    @Test
    void manifestsAreScopedToTheirRepository() {
        ManifestRecord m = pushManifest(REPO, "one", "v1");
        assertThat(store.findManifest(RepositoryName.of("other"), m.digest())).isEmpty();
        assertThat(store.findManifestByTag(RepositoryName.of("other"), Tag.of("v1"))).isEmpty();
    }

    @Test
    void tagMovesToTheLatestManifest() {
        pushManifest(REPO, "one", "latest");
        ManifestRecord second = pushManifest(REPO, "two", "latest");
        assertThat(store.findManifestByTag(REPO, Tag.of("latest")).orElseThrow().digest()).isEqualTo(second.digest());
    }

    @Test
    void puttingTheSameManifestAgainIsIdempotent() {
        ManifestRecord m = pushManifest(REPO, "one", "a");
        store.putManifest(REPO, m, Optional.of(Tag.of("b")));
        store.putManifest(REPO, m, Optional.empty());
        assertThat(store.listTags(REPO, null, 10)).extracting(Tag::value).containsExactly("a", "b");
    }

    @Test
    void deletingAManifestRemovesItsTags() {
        ManifestRecord m = pushManifest(REPO, "one", "a");
        store.putManifest(REPO, m, Optional.of(Tag.of("b")));
        ManifestRecord other = pushManifest(REPO, "two", "c");
        assertThat(store.deleteManifest(REPO, m.digest())).isTrue();
        assertThat(store.findManifest(REPO, m.digest())).isEmpty();
        assertThat(store.listTags(REPO, null, 10)).extracting(Tag::value).containsExactly("c");
        assertThat(store.findManifest(REPO, other.digest())).isPresent();
        assertThat(store.deleteManifest(REPO, m.digest())).isFalse();
    }

    @Test
    void deletingATagKeepsTheManifest() {
        ManifestRecord m = pushManifest(REPO, "one", "a");
        assertThat(store.deleteTag(REPO, Tag.of("a"))).isTrue();
        assertThat(store.deleteTag(REPO, Tag.of("a"))).isFalse();
        assertThat(store.findManifestByTag(REPO, Tag.of("a"))).isEmpty();
        assertThat(store.findManifest(REPO, m.digest())).isPresent();
    }

    @Test
    void tagsAreListedInByteOrderAfterTheGivenTag() {
        ManifestRecord m = pushManifest(REPO, "one", null);
        for (String t : List.of("b", "a", "B", "_x", "1.0", "a-1")) store.putManifest(REPO, m, Optional.of(Tag.of(t)));
        assertThat(store.listTags(REPO, null, 100)).extracting(Tag::value).containsExactly("1.0", "B", "_x", "a", "a-1", "b");
        assertThat(store.listTags(REPO, "_x", 2)).extracting(Tag::value).containsExactly("a", "a-1");
        assertThat(store.listTags(REPO, "b", 2)).isEmpty();
    }

    @Test
    void repositoriesAreListedInByteOrderAfterTheGivenName() {
        for (String r : List.of("zeta", "alpha/b", "alpha", "alpha-x", "beta")) pushManifest(RepositoryName.of(r), r, "v");
        assertThat(store.listRepositories(null, 100)).extracting(RepositoryName::value)
                .containsExactly("alpha", "alpha-x", "alpha/b", "beta", "zeta");
        assertThat(store.listRepositories("alpha-x", 2)).extracting(RepositoryName::value).containsExactly("alpha/b", "beta");
    }

    @Test
    void anUploadAloneDoesNotCreateARepository() {
        Instant now = Instant.now();
        store.createUpload(new UploadRecord(UUID.randomUUID().toString(), RepositoryName.of("ghost"), 0, now, now));
        assertThat(store.repositoryExists(RepositoryName.of("ghost"))).isFalse();
        assertThat(store.listRepositories(null, 10)).isEmpty();
    }

    @Test
    void referrersAreFoundBySubjectAndFilteredByArtifactType() {
        ManifestRecord subject = pushManifest(REPO, "subject", "v1");
        ManifestRecord sbom = manifest("sbom", subject.digest(), "application/sbom", List.of());
        ManifestRecord sig = manifest("sig", subject.digest(), "application/sig", List.of());
        store.putManifest(REPO, sbom, Optional.empty());
        store.putManifest(REPO, sig, Optional.empty());
        store.putManifest(RepositoryName.of("other"), manifest("elsewhere", subject.digest(), "application/sig", List.of()),
                Optional.empty());
        assertThat(store.findReferrers(REPO, subject.digest(), Optional.empty())).extracting(ManifestRecord::digest)
                .containsExactlyInAnyOrder(sbom.digest(), sig.digest());
        assertThat(store.findReferrers(REPO, subject.digest(), Optional.of("application/sig")))
                .extracting(ManifestRecord::digest).containsExactly(sig.digest());
        assertThat(store.findReferrers(REPO, digest("nothing"), Optional.empty())).isEmpty();
        assertThat(store.findReferrers(REPO, subject.digest(), Optional.of("application/sig")).getFirst().subject())
                .isEqualTo(subject.digest());
    }

    @Test
    void uploadOffsetAdvancesOnlyFromTheExpectedOffset() {
        String id = UUID.randomUUID().toString();
        Instant t0 = Instant.ofEpochMilli(1_000_000);
        store.createUpload(new UploadRecord(id, REPO, 0, t0, t0));
        assertThat(store.advanceUpload(id, 0, 100, t0.plusSeconds(1))).isTrue();
        assertThat(store.advanceUpload(id, 0, 200, t0.plusSeconds(2))).isFalse();
        UploadRecord found = store.findUpload(REPO, id).orElseThrow();
        assertThat(found.offset()).isEqualTo(100);
        assertThat(found.startedAt()).isEqualTo(t0);
        assertThat(found.updatedAt()).isEqualTo(t0.plusSeconds(1));
        assertThat(store.findUpload(RepositoryName.of("other"), id)).isEmpty();
    }

    @Test
    void idleUploadsAreListedOldestFirstAndDeletable() {
        Instant old = Instant.ofEpochMilli(1_000);
        Instant older = Instant.ofEpochMilli(500);
        Instant fresh = Instant.ofEpochMilli(10_000);
        store.createUpload(new UploadRecord("u1", REPO, 0, old, old));
        store.createUpload(new UploadRecord("u2", REPO, 0, older, older));
        store.createUpload(new UploadRecord("u3", REPO, 0, fresh, fresh));
        assertThat(store.uploadsIdleSince(Instant.ofEpochMilli(5_000), 10)).extracting(UploadRecord::id)
                .containsExactly("u2", "u1");
        store.deleteUpload("u2");
        assertThat(store.uploadsIdleSince(Instant.ofEpochMilli(5_000), 10)).extracting(UploadRecord::id).containsExactly("u1");
        assertThat(store.findUpload(REPO, "u2")).isEmpty();
    }

    @Test
    void concurrentPushesOfOneTagAllSucceedAndOneWins() throws Exception {
        List<ManifestRecord> manifests = new ArrayList<>();
        for (int i = 0; i < 8; i++) manifests.add(manifest("m" + i, null, null, List.of()));
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (ManifestRecord m : manifests) {
                futures.add(pool.submit(() -> store.putManifest(REPO, m, Optional.of(Tag.of("latest")))));
            }
            for (Future<?> f : futures) f.get();
        } finally {
            pool.shutdown();
        }
        Digest winner = store.findManifestByTag(REPO, Tag.of("latest")).orElseThrow().digest();
        assertThat(manifests).extracting(ManifestRecord::digest).contains(winner);
        assertThat(store.listRepositories(null, 10)).containsExactly(REPO);
    }

    @Test
    void concurrentRecordsOfOneBlobAllSucceed() throws Exception {
        Digest d = digest("shared");
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                RepositoryName repo = RepositoryName.of("r" + (i % 4));
                futures.add(pool.submit(() -> store.recordBlob(repo, d, 7)));
            }
            for (Future<?> f : futures) f.get();
        } finally {
            pool.shutdown();
        }
        for (int i = 0; i < 4; i++) assertThat(store.findLinkedBlob(RepositoryName.of("r" + i), d)).isPresent();
    }
}
