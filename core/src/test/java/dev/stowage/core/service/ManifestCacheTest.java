package dev.stowage.core.service;

import dev.stowage.core.Digest;
import dev.stowage.core.Reference;
import dev.stowage.core.RepositoryName;
import dev.stowage.core.Tag;
import dev.stowage.core.spi.ManifestRecord;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class ManifestCacheTest {
    static final RepositoryName REPO = RepositoryName.of("team/app");
    static final Reference LATEST = Reference.parse("latest");

    static ManifestRecord manifest(String seed) {
        byte[] payload = ("{\"seed\":\"" + seed + "\"}").getBytes(StandardCharsets.UTF_8);
        return new ManifestRecord(Digest.sha256Of(payload), "application/vnd.oci.image.manifest.v1+json", payload,
                null, null, List.of(), List.of(), null);
    }

    @Test
    void aLoadedTagIsAnsweredFromMemoryByTagAndByDigest() {
        ManifestCache cache = new ManifestCache(1 << 20, Duration.ofSeconds(-1));
        ManifestRecord m = manifest("one");
        cache.load(REPO, LATEST, () -> Optional.of(m));
        assertThat(cache.find(REPO, LATEST)).contains(m);
        assertThat(cache.find(REPO, new Reference.ByDigest(m.digest()))).contains(m);
        assertThat(cache.find(RepositoryName.of("other"), LATEST)).isEmpty();
    }

    @Test
    void aTagWriteInvalidatesTheTag() {
        ManifestCache cache = new ManifestCache(1 << 20, Duration.ofSeconds(-1));
        cache.load(REPO, LATEST, () -> Optional.of(manifest("one")));
        cache.tagChanged(REPO, Tag.of("latest"));
        assertThat(cache.find(REPO, LATEST)).isEmpty();
    }

    @Test
    void aReadThatRacedAWriteDoesNotFillTheCache() {
        ManifestCache cache = new ManifestCache(1 << 20, Duration.ofSeconds(-1));
        ManifestRecord stale = manifest("old");
        cache.load(REPO, LATEST, () -> {
            cache.tagChanged(REPO, Tag.of("latest")); // a writer moves the tag while this read is in flight
            return Optional.of(stale);
        });
        assertThat(cache.find(REPO, LATEST)).isEmpty();
        assertThat(cache.find(REPO, new Reference.ByDigest(stale.digest()))).isEmpty();
    }

    @Test
    void aDeletedManifestIsNoLongerAnswered() {
        ManifestCache cache = new ManifestCache(1 << 20, Duration.ofSeconds(-1));
        ManifestRecord m = manifest("one");
        cache.load(REPO, LATEST, () -> Optional.of(m));
        cache.manifestDeleted(REPO, m.digest());
        assertThat(cache.find(REPO, LATEST)).isEmpty();
        assertThat(cache.find(REPO, new Reference.ByDigest(m.digest()))).isEmpty();
    }

    @Test
    void withATtlEntriesExpireSoWritesOnOtherNodesAreSeen() throws Exception {
        ManifestCache cache = new ManifestCache(1 << 20, Duration.ofMillis(50));
        ManifestRecord m = manifest("one");
        cache.load(REPO, LATEST, () -> Optional.of(m));
        assertThat(cache.find(REPO, LATEST)).isPresent();
        Thread.sleep(200);
        assertThat(cache.find(REPO, LATEST)).isEmpty();
        assertThat(cache.find(REPO, new Reference.ByDigest(m.digest()))).isEmpty();
    }
}
