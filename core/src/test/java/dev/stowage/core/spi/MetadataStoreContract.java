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
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The behaviour every MetadataStore must have, one behaviour per test. Subclasses supply a fresh, empty store per
 * test; it is closed after each test. Concurrent tests run on virtual threads, as the registry calls the store.
 */
public abstract class MetadataStoreContract {
    protected abstract MetadataStore newStore() throws Exception;

    protected static final RepositoryName REPO = RepositoryName.of("team/app");
    protected static final RepositoryName OTHER = RepositoryName.of("other");
    protected MetadataStore store;

    @BeforeEach
    void openStore() throws Exception {
        store = newStore();
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    protected static Digest digest(String seed) {
        return Digest.sha256Of(seed.getBytes(StandardCharsets.UTF_8));
    }

    /** An image manifest with a distinct payload per seed. */
    protected static ManifestRecord manifest(String seed, Digest subject, String artifactType, List<Digest> blobs) {
        byte[] payload = ("{\"seed\":\"" + seed + "\"}").getBytes(StandardCharsets.UTF_8);
        return new ManifestRecord(Digest.sha256Of(payload), "application/vnd.oci.image.manifest.v1+json", payload,
                artifactType, subject, blobs, List.of(), null);
    }

    /** Records a config blob in {@code repo}, then puts a manifest referencing it, tagged when {@code tag} is given. */
    protected ManifestRecord pushManifest(RepositoryName repo, String seed, String tag) {
        Digest config = digest(seed + "-config");
        store.recordBlob(repo, config, 10);
        ManifestRecord m = manifest(seed, null, "application/vnd.oci.image.config.v1+json", List.of(config));
        store.putManifest(repo, m, Optional.ofNullable(tag).map(Tag::of));
        return m;
    }

    /** Runs every task at once on its own virtual thread (released together) and answers their results in order. */
    protected static <T> List<T> concurrently(List<Callable<T>> tasks) throws Exception {
        CountDownLatch start = new CountDownLatch(1);
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<T>> futures = new ArrayList<>();
            for (Callable<T> task : tasks) {
                futures.add(threads.submit(() -> {
                    start.await();
                    return task.call();
                }));
            }
            start.countDown();
            List<T> results = new ArrayList<>();
            for (Future<T> f : futures) results.add(f.get());
            return results;
        }
    }

    // --- blobs ----------------------------------------------------------------------------------------------

    @Test
    void linkedBlobsAreFoundManyAtOnceThroughTheirRepositoryOnly() {
        List<Digest> mine = new ArrayList<>();
        for (int i = 0; i < 1_200; i++) { // more than one batch of any reasonable size
            Digest d = digest("many-" + i);
            store.recordBlob(REPO, d, i);
            mine.add(d);
        }
        Digest elsewhere = digest("elsewhere");
        store.recordBlob(OTHER, elsewhere, 7);
        List<Digest> asked = new ArrayList<>(mine);
        asked.add(elsewhere);
        asked.add(digest("nowhere"));
        asked.add(mine.getFirst()); // duplicates are harmless
        java.util.Map<Digest, Long> found = store.findLinkedBlobs(REPO, asked);
        assertThat(found).hasSize(1_200).doesNotContainKey(elsewhere).containsEntry(mine.get(1_199), 1_199L);
        assertThat(store.findLinkedBlobs(RepositoryName.of("unknown"), asked)).isEmpty();
        assertThat(store.findLinkedBlobs(REPO, List.of())).isEmpty();
    }

    @Test
    void repositoriesLinkingABlobAreListedInNameOrderUpToTheLimit() {
        Digest d = digest("shared");
        store.recordBlob(RepositoryName.of("c/app"), d, 1);
        store.recordBlob(RepositoryName.of("a/app"), d, 1);
        store.recordBlob(RepositoryName.of("b/app"), d, 1);
        store.recordBlob(RepositoryName.of("d/app"), digest("other blob"), 1);
        assertThat(store.repositoriesLinking(d, 10)).containsExactly(RepositoryName.of("a/app"),
                RepositoryName.of("b/app"), RepositoryName.of("c/app"));
        assertThat(store.repositoriesLinking(d, 2)).containsExactly(RepositoryName.of("a/app"), RepositoryName.of("b/app"));
        store.unlinkBlob(RepositoryName.of("a/app"), d);
        assertThat(store.repositoriesLinking(d, 10)).containsExactly(RepositoryName.of("b/app"), RepositoryName.of("c/app"));
        assertThat(store.repositoriesLinking(digest("nowhere"), 10)).isEmpty();
    }

    @Test
    void aManifestCannotReferenceABlobLinkedOnlyToAnotherRepository() {
        Digest foreign = digest("foreign layer");
        store.recordBlob(OTHER, foreign, 5);
        ManifestRecord m = manifest("thief", null, null, List.of(foreign));
        assertThatThrownBy(() -> store.putManifest(REPO, m, Optional.of(Tag.of("stolen"))))
                .isInstanceOf(dev.stowage.core.RegistryException.class).hasMessageContaining(foreign.toString());
        assertThat(store.findManifest(REPO, m.digest())).isEmpty();
        assertThat(store.findLinkedBlob(REPO, foreign)).isEmpty();
    }

    @Test
    void anIndexCannotListAManifestStoredOnlyInAnotherRepository() {
        ManifestRecord child = pushManifest(OTHER, "child", null);
        byte[] payload = "{\"index\":\"thief\"}".getBytes(StandardCharsets.UTF_8);
        ManifestRecord index = new ManifestRecord(Digest.sha256Of(payload), "application/vnd.oci.image.index.v1+json",
                payload, null, null, List.of(), List.of(child.digest()), null);
        assertThatThrownBy(() -> store.putManifest(REPO, index, Optional.empty()))
                .isInstanceOf(dev.stowage.core.RegistryException.class).hasMessageContaining(child.digest().toString());
        assertThat(store.findManifest(REPO, index.digest())).isEmpty();
    }

    @Test
    void storedManifestsAreFoundManyAtOnceInTheirRepositoryOnly() {
        ManifestRecord mine = pushManifest(REPO, "mine", null);
        ManifestRecord theirs = pushManifest(OTHER, "theirs", null);
        assertThat(store.findManifests(REPO, List.of(mine.digest(), theirs.digest(), digest("none"))))
                .containsExactly(mine.digest());
        assertThat(store.findManifests(RepositoryName.of("unknown"), List.of(mine.digest()))).isEmpty();
    }

    @Test
    void recordedBlobIsFoundGloballyAndThroughItsRepositoryOnly() {
        Digest d = digest("blob");
        store.recordBlob(REPO, d, 42);
        assertThat(store.findBlob(d)).contains(new BlobRecord(d, 42));
        assertThat(store.findLinkedBlob(REPO, d)).contains(new BlobRecord(d, 42));
        assertThat(store.findLinkedBlob(OTHER, d)).isEmpty();
    }

    @Test
    void unknownBlobIsNotFound() {
        assertThat(store.findBlob(digest("nothing"))).isEmpty();
        assertThat(store.findLinkedBlob(REPO, digest("nothing"))).isEmpty();
    }

    @Test
    void recordingABlobTwiceIsIdempotent() {
        Digest d = digest("blob");
        store.recordBlob(REPO, d, 42);
        store.recordBlob(REPO, d, 42);
        assertThat(store.findLinkedBlob(REPO, d)).contains(new BlobRecord(d, 42));
    }

    @Test
    void recordingABlobInASecondRepositoryLinksItThereToo() {
        Digest d = digest("blob");
        store.recordBlob(REPO, d, 42);
        store.recordBlob(OTHER, d, 42);
        assertThat(store.findLinkedBlob(REPO, d)).isPresent();
        assertThat(store.findLinkedBlob(OTHER, d)).isPresent();
    }

    @Test
    void unlinkRemovesOnlyThatRepositorysLinkAndKeepsTheBlob() {
        Digest d = digest("blob");
        store.recordBlob(REPO, d, 1);
        store.recordBlob(OTHER, d, 1);
        assertThat(store.unlinkBlob(REPO, d)).isTrue();
        assertThat(store.unlinkBlob(REPO, d)).isFalse();
        assertThat(store.findLinkedBlob(REPO, d)).isEmpty();
        assertThat(store.findLinkedBlob(OTHER, d)).isPresent();
        assertThat(store.findBlob(d)).isPresent();
    }

    @Test
    void unlinkInAnUnknownRepositoryAnswersFalse() {
        assertThat(store.unlinkBlob(RepositoryName.of("nowhere"), digest("blob"))).isFalse();
    }

    @Test
    void recordingAnUnlinkedBlobAgainLinksItAgain() {
        Digest d = digest("blob");
        store.recordBlob(REPO, d, 5);
        store.unlinkBlob(REPO, d);
        store.recordBlob(REPO, d, 5);
        assertThat(store.findLinkedBlob(REPO, d)).contains(new BlobRecord(d, 5));
    }

    // --- manifests and tags ---------------------------------------------------------------------------------

    @Test
    void manifestIsFoundByTagAndDigestWithItsExactBytes() {
        ManifestRecord m = pushManifest(REPO, "one", "v1");
        ManifestRecord byTag = store.findManifestByTag(REPO, Tag.of("v1")).orElseThrow();
        ManifestRecord byDigest = store.findManifest(REPO, m.digest()).orElseThrow();
        for (ManifestRecord found : List.of(byTag, byDigest)) {
            assertThat(found.digest()).isEqualTo(m.digest());
            assertThat(found.payload()).isEqualTo(m.payload());
            assertThat(found.size()).isEqualTo(m.payload().length);
            assertThat(found.mediaType()).isEqualTo(m.mediaType());
            assertThat(found.artifactType()).isEqualTo(m.artifactType());
            assertThat(found.subject()).isNull();
            assertThat(found.pushedAt()).isNotNull();
        }
        assertThat(store.repositoryExists(REPO)).isTrue();
    }

    @Test
    void manifestKeepsTheGivenPushTime() {
        Instant pushed = Instant.ofEpochMilli(1_700_000_000_123L);
        ManifestRecord m = manifest("one", null, null, List.of());
        store.putManifest(REPO, new ManifestRecord(m.digest(), m.mediaType(), m.payload(), null, null, List.of(),
                List.of(), pushed), Optional.empty());
        assertThat(store.findManifest(REPO, m.digest()).orElseThrow().pushedAt()).isEqualTo(pushed);
    }

    @Test
    void unknownManifestAndTagAreNotFound() {
        pushManifest(REPO, "one", "v1");
        assertThat(store.findManifest(REPO, digest("nothing"))).isEmpty();
        assertThat(store.findManifestByTag(REPO, Tag.of("v2"))).isEmpty();
    }

    @Test
    void manifestsAreScopedToTheirRepository() {
        ManifestRecord m = pushManifest(REPO, "one", "v1");
        assertThat(store.findManifest(OTHER, m.digest())).isEmpty();
        assertThat(store.findManifestByTag(OTHER, Tag.of("v1"))).isEmpty();
    }

    @Test
    void tagMovesToTheLatestManifest() {
        ManifestRecord first = pushManifest(REPO, "one", "latest");
        ManifestRecord second = pushManifest(REPO, "two", "latest");
        assertThat(store.findManifestByTag(REPO, Tag.of("latest")).orElseThrow().digest()).isEqualTo(second.digest());
        assertThat(store.findManifest(REPO, first.digest())).isPresent();
        assertThat(store.listTags(REPO, null, 10)).extracting(Tag::value).containsExactly("latest");
    }

    @Test
    void puttingTheSameManifestAgainIsIdempotent() {
        ManifestRecord m = pushManifest(REPO, "one", "a");
        store.putManifest(REPO, m, Optional.of(Tag.of("b")));
        store.putManifest(REPO, m, Optional.empty());
        assertThat(store.listTags(REPO, null, 10)).extracting(Tag::value).containsExactly("a", "b");
        assertThat(store.findManifestByTag(REPO, Tag.of("b")).orElseThrow().payload()).isEqualTo(m.payload());
    }

    @Test
    void puttingTheSameManifestAgainKeepsItsFirstPushTime() {
        ManifestRecord m = manifest("one", null, null, List.of());
        Instant first = Instant.ofEpochMilli(1_000_000);
        store.putManifest(REPO, withPushTime(m, first), Optional.empty());
        store.putManifest(REPO, withPushTime(m, first.plusSeconds(60)), Optional.empty());
        assertThat(store.findManifest(REPO, m.digest()).orElseThrow().pushedAt()).isEqualTo(first);
    }

    @Test
    void tagsOfImagesUsingABlobFollowManifestsAndTheIndexesListingThem() {
        ManifestRecord tagged = pushManifest(REPO, "image", "v1");
        Digest config = digest("image-config");
        store.putManifest(REPO, tagged, Optional.of(Tag.of("stable")));
        byte[] indexPayload = "{\"seed\":\"index\"}".getBytes(StandardCharsets.UTF_8);
        ManifestRecord index = new ManifestRecord(Digest.sha256Of(indexPayload), "application/vnd.oci.image.index.v1+json",
                indexPayload, null, null, List.of(), List.of(tagged.digest()), null);
        store.putManifest(REPO, index, Optional.of(Tag.of("multi")));
        pushManifest(REPO, "other", "other");
        RepositoryName elsewhere = RepositoryName.of(REPO.project() + "/elsewhere");
        store.recordBlob(elsewhere, config, 10);
        store.putManifest(elsewhere, tagged, Optional.of(Tag.of("copy")));

        assertThat(store.tagsOfImagesUsing(REPO, config)).extracting(Tag::value).containsExactly("multi", "stable", "v1");
        assertThat(store.tagsOfImagesUsing(REPO, digest("other-config"))).extracting(Tag::value).containsExactly("other");
        assertThat(store.tagsOfImagesUsing(REPO, digest("unused"))).isEmpty();
    }

    private static ManifestRecord withPushTime(ManifestRecord m, Instant at) {
        return new ManifestRecord(m.digest(), m.mediaType(), m.payload(), m.artifactType(), m.subject(), m.blobs(),
                m.manifests(), at);
    }

    @Test
    void indexWithChildManifestsIsStored() {
        ManifestRecord amd64 = pushManifest(REPO, "amd64", null);
        ManifestRecord arm64 = pushManifest(REPO, "arm64", null);
        byte[] payload = "{\"index\":true}".getBytes(StandardCharsets.UTF_8);
        ManifestRecord index = new ManifestRecord(Digest.sha256Of(payload), "application/vnd.oci.image.index.v1+json",
                payload, null, null, List.of(), List.of(amd64.digest(), arm64.digest()), null);
        store.putManifest(REPO, index, Optional.of(Tag.of("multi")));
        ManifestRecord found = store.findManifestByTag(REPO, Tag.of("multi")).orElseThrow();
        assertThat(found.digest()).isEqualTo(index.digest());
        assertThat(found.mediaType()).isEqualTo("application/vnd.oci.image.index.v1+json");
        assertThat(found.artifactType()).isNull();
    }

    @Test
    void deletingAManifestRemovesItsTags() {
        ManifestRecord m = pushManifest(REPO, "one", "a");
        store.putManifest(REPO, m, Optional.of(Tag.of("b")));
        ManifestRecord other = pushManifest(REPO, "two", "c");
        assertThat(store.deleteManifest(REPO, m.digest())).isTrue();
        assertThat(store.findManifest(REPO, m.digest())).isEmpty();
        assertThat(store.findManifestByTag(REPO, Tag.of("a"))).isEmpty();
        assertThat(store.listTags(REPO, null, 10)).extracting(Tag::value).containsExactly("c");
        assertThat(store.findManifest(REPO, other.digest())).isPresent();
    }

    @Test
    void deletingAnUnknownManifestAnswersFalse() {
        ManifestRecord m = pushManifest(REPO, "one", "a");
        assertThat(store.deleteManifest(REPO, m.digest())).isTrue();
        assertThat(store.deleteManifest(REPO, m.digest())).isFalse();
        assertThat(store.deleteManifest(RepositoryName.of("nowhere"), m.digest())).isFalse();
    }

    @Test
    void deletingAManifestInOneRepositoryKeepsTheSameManifestInAnother() {
        ManifestRecord m = pushManifest(REPO, "one", "v1");
        pushManifest(OTHER, "one", "v1");
        store.deleteManifest(REPO, m.digest());
        assertThat(store.findManifestByTag(OTHER, Tag.of("v1")).orElseThrow().digest()).isEqualTo(m.digest());
    }

    @Test
    void aDeletedManifestCanBePushedAgain() {
        ManifestRecord m = pushManifest(REPO, "one", "v1");
        store.deleteManifest(REPO, m.digest());
        store.putManifest(REPO, m, Optional.of(Tag.of("v1")));
        assertThat(store.findManifestByTag(REPO, Tag.of("v1")).orElseThrow().digest()).isEqualTo(m.digest());
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
    void tagsAreListedInByteOrder() {
        ManifestRecord m = pushManifest(REPO, "one", null);
        for (String t : List.of("b", "a", "B", "_x", "1.0", "a-1", "A", "a.1", "Z")) {
            store.putManifest(REPO, m, Optional.of(Tag.of(t)));
        }
        assertThat(store.listTags(REPO, null, 100)).extracting(Tag::value)
                .containsExactly("1.0", "A", "B", "Z", "_x", "a", "a-1", "a.1", "b");
    }

    @Test
    void tagsArePagedStrictlyAfterTheGivenTag() {
        ManifestRecord m = pushManifest(REPO, "one", null);
        for (String t : List.of("b", "a", "B", "_x", "1.0", "a-1")) store.putManifest(REPO, m, Optional.of(Tag.of(t)));
        assertThat(store.listTags(REPO, null, 2)).extracting(Tag::value).containsExactly("1.0", "B");
        assertThat(store.listTags(REPO, "B", 2)).extracting(Tag::value).containsExactly("_x", "a");
        assertThat(store.listTags(REPO, "a", 10)).extracting(Tag::value).containsExactly("a-1", "b");
        assertThat(store.listTags(REPO, "a0", 10)).extracting(Tag::value).containsExactly("b");
        assertThat(store.listTags(REPO, "b", 2)).isEmpty();
    }

    @Test
    void tagsAreScopedToTheirRepository() {
        pushManifest(REPO, "one", "mine");
        pushManifest(OTHER, "two", "theirs");
        assertThat(store.listTags(REPO, null, 10)).extracting(Tag::value).containsExactly("mine");
        assertThat(store.listTags(RepositoryName.of("nowhere"), null, 10)).isEmpty();
    }

    // --- repositories (catalog) -----------------------------------------------------------------------------

    @Test
    void repositoriesAreListedInByteOrder() {
        for (String r : List.of("zeta", "alpha/b", "alpha", "alpha-x", "beta", "alpha.x", "alpha_x")) {
            pushManifest(RepositoryName.of(r), r, "v");
        }
        assertThat(store.listRepositories(null, 100)).extracting(RepositoryName::value)
                .containsExactly("alpha", "alpha-x", "alpha.x", "alpha/b", "alpha_x", "beta", "zeta");
    }

    @Test
    void repositoriesArePagedStrictlyAfterTheGivenName() {
        for (String r : List.of("zeta", "alpha/b", "alpha", "alpha-x", "beta")) pushManifest(RepositoryName.of(r), r, "v");
        assertThat(store.listRepositories(null, 2)).extracting(RepositoryName::value).containsExactly("alpha", "alpha-x");
        assertThat(store.listRepositories("alpha-x", 2)).extracting(RepositoryName::value).containsExactly("alpha/b", "beta");
        assertThat(store.listRepositories("alpha/a", 1)).extracting(RepositoryName::value).containsExactly("alpha/b");
        assertThat(store.listRepositories("zeta", 10)).isEmpty();
    }

    @Test
    void aRepositoryWithOnlyABlobIsListed() {
        store.recordBlob(REPO, digest("blob"), 1);
        assertThat(store.repositoryExists(REPO)).isTrue();
        assertThat(store.listRepositories(null, 10)).containsExactly(REPO);
    }

    @Test
    void anUploadAloneDoesNotCreateARepository() {
        Instant now = Instant.now();
        store.createUpload(new UploadRecord(UUID.randomUUID().toString(), RepositoryName.of("ghost"), 0, now, now));
        assertThat(store.repositoryExists(RepositoryName.of("ghost"))).isFalse();
        assertThat(store.listRepositories(null, 10)).isEmpty();
    }

    @Test
    void aRepositoryEmptiedByDeletesIsNoLongerListed() {
        ManifestRecord m = pushManifest(REPO, "one", "v1");
        pushManifest(OTHER, "two", "v1");
        store.deleteManifest(REPO, m.digest());
        assertThat(store.repositoryExists(REPO)).isTrue(); // its config blob is still linked
        store.unlinkBlob(REPO, m.blobs().getFirst());
        assertThat(store.repositoryExists(REPO)).isFalse();
        assertThat(store.listRepositories(null, 10)).containsExactly(OTHER);
        pushManifest(REPO, "three", "v2");
        assertThat(store.listRepositories(null, 10)).containsExactly(OTHER, REPO);
    }

    // --- referrers ------------------------------------------------------------------------------------------

    @Test
    void referrersAreFoundBySubject() {
        ManifestRecord subject = pushManifest(REPO, "subject", "v1");
        ManifestRecord sbom = manifest("sbom", subject.digest(), "application/sbom", List.of());
        ManifestRecord sig = manifest("sig", subject.digest(), "application/sig", List.of());
        store.putManifest(REPO, sbom, Optional.empty());
        store.putManifest(REPO, sig, Optional.empty());
        List<ManifestRecord> found = store.findReferrers(REPO, subject.digest(), Optional.empty());
        assertThat(found).extracting(ManifestRecord::digest).containsExactlyInAnyOrder(sbom.digest(), sig.digest());
        assertThat(found).allSatisfy(r -> assertThat(r.subject()).isEqualTo(subject.digest()));
        assertThat(found).filteredOn(r -> r.digest().equals(sbom.digest())).singleElement()
                .satisfies(r -> assertThat(r.artifactType()).isEqualTo("application/sbom"))
                .satisfies(r -> assertThat(r.payload()).isEqualTo(sbom.payload()));
    }

    @Test
    void referrersAreFilteredByArtifactType() {
        ManifestRecord subject = pushManifest(REPO, "subject", "v1");
        ManifestRecord sbom = manifest("sbom", subject.digest(), "application/sbom", List.of());
        ManifestRecord sig = manifest("sig", subject.digest(), "application/sig", List.of());
        store.putManifest(REPO, sbom, Optional.empty());
        store.putManifest(REPO, sig, Optional.empty());
        assertThat(store.findReferrers(REPO, subject.digest(), Optional.of("application/sig")))
                .extracting(ManifestRecord::digest).containsExactly(sig.digest());
        assertThat(store.findReferrers(REPO, subject.digest(), Optional.of("application/other"))).isEmpty();
    }

    @Test
    void referrersAreScopedToTheirRepository() {
        ManifestRecord subject = pushManifest(REPO, "subject", "v1");
        store.putManifest(OTHER, manifest("elsewhere", subject.digest(), "application/sig", List.of()), Optional.empty());
        assertThat(store.findReferrers(REPO, subject.digest(), Optional.empty())).isEmpty();
        assertThat(store.findReferrers(OTHER, subject.digest(), Optional.empty())).hasSize(1);
    }

    @Test
    void referrersOfAnUnknownSubjectAreEmpty() {
        pushManifest(REPO, "subject", "v1");
        assertThat(store.findReferrers(REPO, digest("nothing"), Optional.empty())).isEmpty();
    }

    @Test
    void aDeletedReferrerIsNoLongerFound() {
        ManifestRecord subject = pushManifest(REPO, "subject", "v1");
        ManifestRecord sig = manifest("sig", subject.digest(), "application/sig", List.of());
        store.putManifest(REPO, sig, Optional.empty());
        store.deleteManifest(REPO, sig.digest());
        assertThat(store.findReferrers(REPO, subject.digest(), Optional.empty())).isEmpty();
    }

    // --- uploads --------------------------------------------------------------------------------------------

    @Test
    void createdUploadIsFoundInItsRepositoryOnly() {
        String id = UUID.randomUUID().toString();
        Instant t0 = Instant.ofEpochMilli(1_000_000);
        store.createUpload(new UploadRecord(id, REPO, 0, t0, t0));
        assertThat(store.findUpload(REPO, id)).contains(new UploadRecord(id, REPO, 0, t0, t0));
        assertThat(store.findUpload(OTHER, id)).isEmpty();
        assertThat(store.findUpload(REPO, "unknown")).isEmpty();
    }

    @Test
    void uploadOffsetAdvancesOnlyFromTheExpectedOffset() {
        String id = UUID.randomUUID().toString();
        Instant t0 = Instant.ofEpochMilli(1_000_000);
        store.createUpload(new UploadRecord(id, REPO, 0, t0, t0));
        assertThat(store.advanceUpload(id, 0, 100, t0.plusSeconds(1))).isTrue();
        assertThat(store.advanceUpload(id, 0, 200, t0.plusSeconds(2))).isFalse();
        assertThat(store.advanceUpload(id, 100, 250, t0.plusSeconds(3))).isTrue();
        UploadRecord found = store.findUpload(REPO, id).orElseThrow();
        assertThat(found.offset()).isEqualTo(250);
        assertThat(found.startedAt()).isEqualTo(t0);
        assertThat(found.updatedAt()).isEqualTo(t0.plusSeconds(3));
    }

    @Test
    void advancingAnUnknownUploadAnswersFalse() {
        assertThat(store.advanceUpload("unknown", 0, 10, Instant.now())).isFalse();
    }

    @Test
    void idleUploadsAreListedOldestFirst() {
        Instant old = Instant.ofEpochMilli(1_000);
        Instant older = Instant.ofEpochMilli(500);
        Instant fresh = Instant.ofEpochMilli(10_000);
        store.createUpload(new UploadRecord("u1", REPO, 0, old, old));
        store.createUpload(new UploadRecord("u2", OTHER, 0, older, older));
        store.createUpload(new UploadRecord("u3", REPO, 0, fresh, fresh));
        assertThat(store.uploadsIdleSince(Instant.ofEpochMilli(5_000), 10)).containsExactly(
                new UploadRecord("u2", OTHER, 0, older, older), new UploadRecord("u1", REPO, 0, old, old));
        assertThat(store.uploadsIdleSince(Instant.ofEpochMilli(5_000), 1)).extracting(UploadRecord::id).containsExactly("u2");
        assertThat(store.uploadsIdleSince(Instant.ofEpochMilli(500), 10)).isEmpty();
    }

    @Test
    void advancingAnUploadMakesItActiveAgain() {
        Instant old = Instant.ofEpochMilli(1_000);
        store.createUpload(new UploadRecord("u1", REPO, 0, old, old));
        store.advanceUpload("u1", 0, 10, Instant.ofEpochMilli(20_000));
        assertThat(store.uploadsIdleSince(Instant.ofEpochMilli(5_000), 10)).isEmpty();
    }

    @Test
    void deletedUploadIsGone() {
        Instant t = Instant.ofEpochMilli(1_000);
        store.createUpload(new UploadRecord("u1", REPO, 0, t, t));
        store.createUpload(new UploadRecord("u2", REPO, 0, t, t));
        store.deleteUpload("u1");
        store.deleteUpload("unknown");
        assertThat(store.findUpload(REPO, "u1")).isEmpty();
        assertThat(store.uploadsIdleSince(Instant.ofEpochMilli(5_000), 10)).extracting(UploadRecord::id).containsExactly("u2");
    }

    // --- concurrency ----------------------------------------------------------------------------------------

    @Test
    void concurrentPushesOfOneTagAllSucceedAndOneWins() throws Exception {
        List<ManifestRecord> manifests = new ArrayList<>();
        for (int i = 0; i < 8; i++) manifests.add(manifest("m" + i, null, null, List.of()));
        List<Callable<Void>> pushes = new ArrayList<>();
        for (ManifestRecord m : manifests) {
            pushes.add(() -> {
                store.putManifest(REPO, m, Optional.of(Tag.of("latest")));
                return null;
            });
        }
        concurrently(pushes);
        Digest winner = store.findManifestByTag(REPO, Tag.of("latest")).orElseThrow().digest();
        assertThat(manifests).extracting(ManifestRecord::digest).contains(winner);
        for (ManifestRecord m : manifests) assertThat(store.findManifest(REPO, m.digest())).isPresent();
        assertThat(store.listTags(REPO, null, 10)).extracting(Tag::value).containsExactly("latest");
        assertThat(store.listRepositories(null, 10)).containsExactly(REPO);
    }

    /** A usage check as a quota of {@code limit} artifacts makes it: refuses a put that would add one too many. */
    protected static MetadataStore.UsageCheck atMostArtifacts(long limit, RepositoryName repository, Digest digest) {
        return project -> {
            long added = project.hasManifest(repository, digest) ? 0 : 1;
            if (project.usage().artifacts() + added > limit) throw new IllegalStateException("over the limit");
        };
    }

    /** Puts {@code count} different manifests into REPO at once through {@code stores} in turn; answers how many were accepted. */
    protected static long putInParallelUnderArtifactLimit(List<MetadataStore> stores, int count, long limit) throws Exception {
        List<Callable<Boolean>> pushes = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            MetadataStore target = stores.get(i % stores.size());
            ManifestRecord m = manifest("racing-" + i, null, null, List.of());
            pushes.add(() -> {
                try {
                    target.putManifest(REPO, m, Optional.empty(), atMostArtifacts(limit, REPO, m.digest()));
                    return true;
                } catch (IllegalStateException refused) {
                    return false;
                }
            });
        }
        return concurrently(pushes).stream().filter(accepted -> accepted).count();
    }

    @Test
    void parallelPutsCheckedAgainstAnArtifactLimitTogetherStayWithinIt() throws Exception {
        pushManifest(REPO, "already-there", null);
        assertThat(putInParallelUnderArtifactLimit(List.of(store), 12, 4)).isEqualTo(3);
        assertThat(store.projectUsage(REPO.project()).artifacts()).isEqualTo(4);
    }

    @Test
    void aPutItsUsageCheckRefusesWritesNothing() {
        ManifestRecord m = manifest("refused", null, null, List.of());
        assertThatThrownBy(() -> store.putManifest(REPO, m, Optional.of(Tag.of("v1")), atMostArtifacts(0, REPO, m.digest())))
                .isInstanceOf(IllegalStateException.class);
        assertThat(store.findManifest(REPO, m.digest())).isEmpty();
        assertThat(store.listTags(REPO, null, 10)).isEmpty();
    }

    @Test
    void concurrentPushesOfOneManifestAllSucceed() throws Exception {
        ManifestRecord m = manifest("same", null, null, List.of(digest("layer")));
        store.recordBlob(REPO, digest("layer"), 3);
        List<Callable<Void>> pushes = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            Tag tag = Tag.of("t" + i);
            pushes.add(() -> {
                store.putManifest(REPO, m, Optional.of(tag));
                return null;
            });
        }
        concurrently(pushes);
        assertThat(store.listTags(REPO, null, 10)).hasSize(8);
        assertThat(store.findManifestByTag(REPO, Tag.of("t7")).orElseThrow().digest()).isEqualTo(m.digest());
    }

    @Test
    void concurrentRecordsOfOneBlobAllSucceed() throws Exception {
        Digest d = digest("shared");
        List<Callable<Void>> records = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            RepositoryName repo = RepositoryName.of("r" + (i % 4));
            records.add(() -> {
                store.recordBlob(repo, d, 7);
                return null;
            });
        }
        concurrently(records);
        for (int i = 0; i < 4; i++) assertThat(store.findLinkedBlob(RepositoryName.of("r" + i), d)).contains(new BlobRecord(d, 7));
        assertThat(store.listRepositories(null, 10)).hasSize(4);
    }

    @Test
    void concurrentAdvancesFromOneOffsetHaveExactlyOneWinner() throws Exception {
        Instant t0 = Instant.ofEpochMilli(1_000);
        store.createUpload(new UploadRecord("u", REPO, 0, t0, t0));
        List<Callable<Boolean>> advances = new ArrayList<>();
        for (int i = 1; i <= 8; i++) {
            long newOffset = i * 100L;
            advances.add(() -> store.advanceUpload("u", 0, newOffset, t0.plusSeconds(1)));
        }
        List<Boolean> results = concurrently(advances);
        assertThat(results).filteredOn(won -> won).hasSize(1);
        long winner = (results.indexOf(true) + 1) * 100L;
        assertThat(store.findUpload(REPO, "u").orElseThrow().offset()).isEqualTo(winner);
    }

    @Test
    void concurrentReadsAndWritesOnManyRepositoriesAllSucceed() throws Exception {
        List<Callable<Void>> work = new ArrayList<>();
        for (int i = 0; i < 32; i++) {
            RepositoryName repo = RepositoryName.of("load/r" + (i % 8));
            String seed = "load" + i;
            work.add(() -> {
                for (int round = 0; round < 5; round++) {
                    ManifestRecord m = pushManifest(repo, seed + "-" + round, "latest");
                    assertThat(store.findManifest(repo, m.digest())).isPresent();
                    assertThat(store.findManifestByTag(repo, Tag.of("latest"))).isPresent();
                    assertThat(store.findLinkedBlob(repo, m.blobs().getFirst())).isPresent();
                    store.listTags(repo, null, 10);
                    store.listRepositories(null, 10);
                }
                return null;
            });
        }
        concurrently(work);
        assertThat(store.listRepositories(null, 100)).hasSize(8);
    }

    // --- garbage collection -----------------------------------------------------------------------------------

    /** A cutoff after everything this test wrote: all of it is past its grace period. */
    protected static Instant later() {
        return Instant.now().plusSeconds(60);
    }

    @Test
    void theMarkFindsBlobsNothingReferencesOnceTheirGraceIsOver() {
        ManifestRecord kept = pushManifest(REPO, "kept", "v1");
        Digest orphan = digest("orphan");
        Digest unlinked = digest("unlinked");
        store.recordBlob(REPO, orphan, 1);
        store.recordBlob(OTHER, unlinked, 2);
        store.unlinkBlob(OTHER, unlinked);
        assertThat(store.unreferencedBlobs(later(), Optional.empty(), 100)).extracting(BlobRecord::digest)
                .containsExactlyInAnyOrder(orphan, unlinked).doesNotContain(kept.blobs().getFirst());
        // Within the grace period (cutoff before the pushes), nothing is a candidate.
        assertThat(store.unreferencedBlobs(Instant.now().minusSeconds(60), Optional.empty(), 100)).isEmpty();
        // Paging by digest.
        List<BlobRecord> first = store.unreferencedBlobs(later(), Optional.empty(), 1);
        List<BlobRecord> second = store.unreferencedBlobs(later(), Optional.of(first.getFirst().digest()), 1);
        assertThat(List.of(first.getFirst().digest(), second.getFirst().digest())).containsExactlyInAnyOrder(orphan, unlinked);
    }

    @Test
    void aClaimedBlobIsGoneForManifestsAndMountsAndItsRowIsForgottenAfterwards() {
        Digest orphan = digest("orphan");
        store.recordBlob(REPO, orphan, 1);
        assertThat(store.claimBlobForDeletion(orphan, later(), Instant.now())).isTrue();
        assertThat(store.claimBlobForDeletion(orphan, later(), Instant.now())).as("claimed once").isFalse();
        assertThat(store.findBlob(orphan)).isEmpty();
        assertThat(store.linkIfPresent(OTHER, orphan)).isEqualTo(MetadataStore.BlobClaim.DELETING);
        ManifestRecord m = manifest("late", null, null, List.of(orphan));
        assertThatThrownBy(() -> store.putManifest(REPO, m, Optional.of(Tag.of("late"))))
                .isInstanceOf(dev.stowage.core.RegistryException.class).hasMessageContaining(orphan.toString());
        assertThat(store.findManifest(REPO, m.digest())).as("the failed put left nothing").isEmpty();
        assertThat(store.abandonedDeletions(later(), 10)).containsExactly(orphan);
        store.forgetBlob(orphan);
        assertThat(store.abandonedDeletions(later(), 10)).isEmpty();
        assertThat(store.linkIfPresent(OTHER, orphan)).isEqualTo(MetadataStore.BlobClaim.ABSENT);
    }

    @Test
    void aClaimIsRefusedForAReferencedOrFreshlyLinkedBlob() {
        ManifestRecord kept = pushManifest(REPO, "kept", "v1");
        assertThat(store.claimBlobForDeletion(kept.blobs().getFirst(), later(), Instant.now())).isFalse();
        Digest orphan = digest("orphan");
        store.recordBlob(REPO, orphan, 1);
        // Linked again (a push of the same layer began) after the mark's cutoff: not claimable.
        Instant cutoff = Instant.now().minusMillis(1);
        store.linkIfPresent(OTHER, orphan);
        assertThat(store.claimBlobForDeletion(orphan, cutoff, Instant.now())).isFalse();
        assertThat(store.findBlob(orphan)).isPresent();
    }

    @Test
    void untaggedManifestsAreThoseNoTagIndexOrLiveSubjectNeeds() {
        ManifestRecord tagged = pushManifest(REPO, "tagged", "v1");
        ManifestRecord loose = pushManifest(REPO, "loose", null);
        ManifestRecord child = pushManifest(REPO, "child", null);
        ManifestRecord index = new ManifestRecord(digest("index-payload"), "application/vnd.oci.image.index.v1+json",
                "index-payload".getBytes(StandardCharsets.UTF_8), null, null, List.of(), List.of(child.digest()), null);
        store.putManifest(REPO, index, Optional.of(Tag.of("multi")));
        Digest sbomConfig = digest("sbom-config");
        store.recordBlob(REPO, sbomConfig, 1);
        ManifestRecord signature = manifest("signature", tagged.digest(), "application/vnd.example.sig", List.of(sbomConfig));
        store.putManifest(REPO, signature, Optional.empty());
        ManifestRecord orphanReferrer = manifest("orphan-referrer", digest("gone-subject"), "application/vnd.example.sig",
                List.of(sbomConfig));
        store.putManifest(REPO, orphanReferrer, Optional.empty());

        assertThat(store.untaggedManifests(later(), Optional.empty(), 100)).extracting(MetadataStore.StoredManifest::digest)
                .containsExactlyInAnyOrder(loose.digest(), orphanReferrer.digest());
        assertThat(store.untaggedManifests(Instant.now().minusSeconds(60), Optional.empty(), 100)).isEmpty();

        assertThat(store.deleteUntaggedManifest(REPO, tagged.digest(), later())).isFalse();
        assertThat(store.deleteUntaggedManifest(REPO, child.digest(), later())).isFalse();
        assertThat(store.deleteUntaggedManifest(REPO, signature.digest(), later())).isFalse();
        assertThat(store.deleteUntaggedManifest(REPO, loose.digest(), later())).isTrue();
        assertThat(store.findManifest(REPO, loose.digest())).isEmpty();

        // Untagging the index frees its child; deleting the tagged image frees its signature.
        store.deleteTag(REPO, Tag.of("multi"));
        assertThat(store.deleteUntaggedManifest(REPO, index.digest(), later())).isTrue();
        assertThat(store.deleteUntaggedManifest(REPO, child.digest(), later())).isTrue();
        store.deleteManifest(REPO, tagged.digest());
        assertThat(store.untaggedManifests(later(), Optional.empty(), 100)).extracting(MetadataStore.StoredManifest::digest)
                .containsExactlyInAnyOrder(signature.digest(), orphanReferrer.digest());
    }

    @Test
    void pullTimesOnlyMoveForward() {
        ManifestRecord m = pushManifest(REPO, "pulled", "v1");
        assertThat(store.lastPulled(REPO, m.digest())).isEmpty();
        Instant t1 = Instant.ofEpochMilli(1_800_000_000_000L);
        store.recordPulls(List.of(new MetadataStore.Pull(REPO, m.digest(), t1),
                new MetadataStore.Pull(OTHER, m.digest(), t1.plusSeconds(5))));
        assertThat(store.lastPulled(REPO, m.digest())).contains(t1);
        store.recordPulls(List.of(new MetadataStore.Pull(REPO, m.digest(), t1.minusSeconds(60))));
        assertThat(store.lastPulled(REPO, m.digest())).contains(t1);
        store.recordPulls(List.of(new MetadataStore.Pull(REPO, m.digest(), t1.plusSeconds(60))));
        assertThat(store.lastPulled(REPO, m.digest())).contains(t1.plusSeconds(60));
    }

    @Test
    void aManifestJustUntaggedWaitsOutTheGracePeriodEvenIfPushedLongAgo() throws Exception {
        ManifestRecord old = pushManifest(REPO, "old", "latest");
        Thread.sleep(20);
        Instant cutoff = Instant.now();
        Thread.sleep(20);
        pushManifest(REPO, "new", "latest"); // the tag moves: "old" is untagged after the cutoff
        assertThat(store.untaggedManifests(cutoff, Optional.empty(), 10)).isEmpty();
        assertThat(store.deleteUntaggedManifest(REPO, old.digest(), cutoff)).isFalse();
        assertThat(store.untaggedManifests(later(), Optional.empty(), 10)).extracting(MetadataStore.StoredManifest::digest)
                .containsExactly(old.digest());
    }
}
