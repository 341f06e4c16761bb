package dev.stowage.server;

import dev.stowage.core.Digest;
import dev.stowage.core.RepositoryName;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/** Manifest downloads are noted in memory and written in batches; existence checks (HEAD) are not pulls. */
class PullTrackingTest extends OpenRegistryTest {
    static final String OCI = "application/vnd.oci.image.manifest.v1+json";

    @Test
    void aGetIsAPullAndAHeadIsNot() throws Exception {
        byte[] config = "{}".getBytes(StandardCharsets.UTF_8);
        Digest configDigest = registry.pushBlob("team/app", config);
        byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"" + OCI + "\",\"config\":{\"mediaType\":"
                + "\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + configDigest + "\",\"size\":2},\"layers\":[]}")
                .getBytes(StandardCharsets.UTF_8);
        assertThat(registry.put("/v2/team/app/manifests/v1", OCI, manifest).statusCode()).isEqualTo(201);
        Digest digest = Digest.sha256Of(manifest);
        RepositoryName repo = RepositoryName.of("team/app");

        assertThat(registry.head("/v2/team/app/manifests/v1").statusCode()).isEqualTo(200);
        assertThat(registry.service.flushPulls()).isZero();
        assertThat(registry.metadata.lastPulled(repo, digest)).isEmpty();

        Instant before = Instant.now().minusMillis(1);
        for (int i = 0; i < 3; i++) assertThat(registry.get("/v2/team/app/manifests/v1").statusCode()).isEqualTo(200);
        assertThat(registry.get("/v2/team/app/manifests/" + digest).statusCode()).isEqualTo(200);
        assertThat(registry.service.flushPulls()).as("four pulls of one manifest, one row").isEqualTo(1);
        assertThat(registry.metadata.lastPulled(repo, digest).orElseThrow()).isAfter(before);
        assertThat(registry.service.flushPulls()).isZero();
    }
}
