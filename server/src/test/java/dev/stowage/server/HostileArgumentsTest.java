package dev.stowage.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stowage.core.Digest;
import dev.stowage.core.MediaTypes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** Hostile arguments over HTTP: ranges that overflow, manifest references that name nothing, nulls in manifests. */
class HostileArgumentsTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final byte[] DATA = "0123456789".getBytes(StandardCharsets.UTF_8);

    @TempDir Path root;
    TestRegistry registry;
    Digest blob;

    @BeforeEach
    void start() throws Exception {
        registry = new TestRegistry(root);
        blob = registry.pushBlob("r", DATA);
    }

    @AfterEach
    void stop() throws Exception {
        registry.close();
    }

    HttpResponse<byte[]> ranged(String range) throws Exception {
        return registry.send(registry.request("/v2/r/blobs/" + blob).header("Range", range).GET().build());
    }

    @Test
    void suffixRangeLongerThanAnyNumberSendsTheWholeBlob() throws Exception {
        HttpResponse<byte[]> r = ranged("bytes=-99999999999999999999999999");
        assertThat(r.statusCode()).isEqualTo(206);
        assertThat(r.headers().firstValue("Content-Range")).hasValue("bytes 0-9/10");
        assertThat(r.body()).isEqualTo(DATA);
    }

    @Test
    void suffixRangeOfLongMaxSendsTheWholeBlob() throws Exception {
        HttpResponse<byte[]> r = ranged("bytes=-" + Long.MAX_VALUE);
        assertThat(r.statusCode()).isEqualTo(206);
        assertThat(r.body()).isEqualTo(DATA);
    }

    @Test
    void rangeWhoseLastByteOverflowsEndsAtTheBlobsEnd() throws Exception {
        HttpResponse<byte[]> r = ranged("bytes=3-99999999999999999999999999");
        assertThat(r.statusCode()).isEqualTo(206);
        assertThat(r.headers().firstValue("Content-Range")).hasValue("bytes 3-9/10");
        assertThat(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo("3456789");
    }

    @Test
    void rangeWhoseFirstByteOverflowsIsUnsatisfiable() throws Exception {
        HttpResponse<byte[]> r = ranged("bytes=99999999999999999999999999-");
        assertThat(r.statusCode()).isEqualTo(416);
        assertThat(r.headers().firstValue("Content-Range")).hasValue("bytes */10");
        assertThat(JSON.readTree(r.body()).path("errors").path(0).path("code").asText()).isEqualTo("RANGE_INVALID");
    }

    @Test
    void getOfAManifestReferenceThatIsNeitherTagNorDigestIsManifestUnknown() throws Exception {
        for (String reference : new String[] {"-notatag", "a%20b", ".hidden", "x".repeat(129), "sha256:xyz",
                "md5:0123", "UPPER:abc"}) {
            for (int attempt = 0; attempt < 2; attempt++) { // the second may be answered from memory
                HttpResponse<byte[]> r = registry.get("/v2/r/manifests/" + reference);
                assertThat(r.statusCode()).as(reference).isEqualTo(404);
                assertThat(JSON.readTree(r.body()).path("errors").path(0).path("code").asText()).as(reference)
                        .isEqualTo("MANIFEST_UNKNOWN");
            }
        }
    }

    @Test
    void headOfAManifestReferenceThatIsNeitherTagNorDigestIs404() throws Exception {
        assertThat(registry.head("/v2/r/manifests/-notatag").statusCode()).isEqualTo(404);
        assertThat(registry.head("/v2/r/manifests/sha256:xyz").statusCode()).isEqualTo(404);
    }

    @Test
    void putToAnInvalidTagIsStillRefusedAs400() throws Exception {
        HttpResponse<byte[]> r = registry.put("/v2/r/manifests/-notatag", MediaTypes.OCI_MANIFEST, "{}".getBytes());
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(r.body()).path("errors").path(0).path("code").asText()).isEqualTo("TAG_INVALID");
        assertThat(JSON.readTree(r.body()).path("errors").path(0).path("message").asText()).contains("invalid tag");
    }

    @Test
    void manifestWithNullLayersIsManifestInvalid() throws Exception {
        Digest config = registry.pushBlob("r", "{}".getBytes(StandardCharsets.UTF_8));
        byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"config\":{"
                + "\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + config
                + "\",\"size\":2},\"layers\":null}").getBytes(StandardCharsets.UTF_8);
        HttpResponse<byte[]> r = registry.put("/v2/r/manifests/v1", MediaTypes.OCI_MANIFEST, manifest);
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(r.body()).path("errors").path(0).path("code").asText()).isEqualTo("MANIFEST_INVALID");
        assertThat(registry.get("/v2/r/manifests/v1").statusCode()).isEqualTo(404);
    }
}
