package dev.stowage.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stowage.it.support.Clients;
import dev.stowage.it.support.Registry;
import dev.stowage.it.support.StowageProcess;
import dev.stowage.it.support.TestImages;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static dev.stowage.it.support.Clients.cmd;
import static dev.stowage.it.support.Clients.run;
import static org.assertj.core.api.Assertions.assertThat;

/** skopeo (containers/image) pushing, pulling, inspecting, listing and deleting over HTTP. */
class SkopeoTest {
    @TempDir static Path dir;
    static StowageProcess stowage;
    static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void start() throws Exception {
        Clients.require("skopeo", "skopeo");
        TestImages.requireBusybox();
        stowage = StowageProcess.start(dir.resolve("data"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (stowage != null) stowage.close();
    }

    String dest(String repoAndTag) {
        return "docker://" + stowage.hostPort() + "/" + repoAndTag;
    }

    @Test
    void copiesAnOciLayoutInAndOutWithIdenticalDigestsAndBytes() throws Exception {
        Path layout = dir.resolve("in");
        TestImages.Image image = TestImages.writeImage(layout, "v1", "amd64", "skopeo round trip");
        run(cmd("skopeo", "copy", "--dest-tls-verify=false", "oci:" + layout + ":v1", dest("skopeo/busybox:v1"))).ok();
        assertThat(Registry.manifestDigest(stowage, "skopeo/busybox", "v1")).isEqualTo(image.manifestDigest());

        Path out = dir.resolve("out");
        run(cmd("skopeo", "copy", "--src-tls-verify=false", dest("skopeo/busybox:v1"), "oci:" + out + ":v1")).ok();
        JsonNode index = JSON.readTree(out.resolve("index.json").toFile());
        assertThat(index.path("manifests").path(0).path("digest").asText()).isEqualTo(image.manifestDigest());
        String layer = image.layerDigest().substring(7);
        assertThat(Files.readAllBytes(out.resolve("blobs/sha256/" + layer)))
                .isEqualTo(Files.readAllBytes(layout.resolve("blobs/sha256/" + layer)));
    }

    @Test
    void inspectAndListTagsSeeWhatWasPushed() throws Exception {
        Path layout = dir.resolve("tags");
        TestImages.writeImage(layout, "a", "amd64", "tags");
        for (String tag : new String[] {"1.0", "2.0", "latest"}) {
            run(cmd("skopeo", "copy", "--dest-tls-verify=false", "oci:" + layout + ":a", dest("skopeo/tags:" + tag))).ok();
        }
        JsonNode tags = JSON.readTree(tail(run(cmd("skopeo", "list-tags", "--tls-verify=false", dest("skopeo/tags"))).ok().output()));
        // The OCI distribution spec wants lexical order; Distribution 2.8 answers directory order.
        if (StowageProcess.distribution()) assertThat(tags.path("Tags")).hasSize(3);
        else assertThat(tags.path("Tags").toString()).isEqualTo("[\"1.0\",\"2.0\",\"latest\"]");
        JsonNode inspect = JSON.readTree(tail(run(cmd("skopeo", "inspect", "--tls-verify=false", dest("skopeo/tags:latest"))).ok().output()));
        assertThat(inspect.path("Architecture").asText()).isEqualTo("amd64");
        assertThat(inspect.path("Layers").size()).isEqualTo(1);
    }

    @Test
    void deleteRemovesTheManifest() throws Exception {
        Path layout = dir.resolve("del");
        TestImages.Image image = TestImages.writeImage(layout, "x", "amd64", "delete me");
        run(cmd("skopeo", "copy", "--dest-tls-verify=false", "oci:" + layout + ":x", dest("skopeo/del:x"))).ok();
        run(cmd("skopeo", "delete", "--tls-verify=false", dest("skopeo/del:x"))).ok();
        assertThat(Registry.head(stowage, "/v2/skopeo/del/manifests/" + image.manifestDigest()).statusCode()).isEqualTo(404);
        assertThat(Registry.head(stowage, "/v2/skopeo/del/manifests/x").statusCode()).isEqualTo(404);
    }

    @Test
    void copiesAMultiArchitectureIndexWithAll() throws Exception {
        Path layout = dir.resolve("multi");
        String indexDigest = TestImages.writeMultiArch(layout, "multi");
        run(cmd("skopeo", "copy", "--all", "--dest-tls-verify=false", "oci:" + layout + ":multi", dest("skopeo/multi:v1"))).ok();
        assertThat(Registry.manifestDigest(stowage, "skopeo/multi", "v1")).isEqualTo(indexDigest);
        JsonNode index = Registry.json(stowage, "/v2/skopeo/multi/manifests/v1");
        assertThat(index.path("manifests").size()).isEqualTo(2);
        JsonNode arm = JSON.readTree(tail(run(cmd("skopeo", "inspect", "--tls-verify=false", "--override-arch", "arm64",
                dest("skopeo/multi:v1"))).ok().output()));
        assertThat(arm.path("Architecture").asText()).isEqualTo("arm64");
    }

    @Test
    void copiesALargeRandomLayerInAndOutByteForByte() throws Exception {
        Path layout = dir.resolve("large");
        TestImages.Image image = TestImages.writeImageWithRandomLayer(layout, "big", 32 << 20, 42);
        run(cmd("skopeo", "copy", "--dest-tls-verify=false", "oci:" + layout + ":big", dest("skopeo/large:big"))).ok();
        String layer = image.layerDigest().substring(7);
        var served = Registry.get(stowage, "/v2/skopeo/large/blobs/" + image.layerDigest());
        assertThat(served.statusCode()).isEqualTo(200);
        assertThat(TestImages.sha256(served.body())).isEqualTo(image.layerDigest());
        assertThat((long) served.body().length).isEqualTo(image.layerSize());

        Path out = dir.resolve("large-out");
        run(cmd("skopeo", "copy", "--src-tls-verify=false", dest("skopeo/large:big"), "oci:" + out + ":big")).ok();
        assertThat(Files.readAllBytes(out.resolve("blobs/sha256/" + layer)))
                .isEqualTo(Files.readAllBytes(layout.resolve("blobs/sha256/" + layer)));
    }

    @Test
    void copiesBetweenRepositoriesOfTheRegistryKeepingTheDigest() throws Exception {
        Path layout = dir.resolve("mount");
        TestImages.Image image = TestImages.writeImage(layout, "v1", "amd64", "cross repository");
        run(cmd("skopeo", "copy", "--dest-tls-verify=false", "oci:" + layout + ":v1", dest("skopeo/source:v1"))).ok();
        run(cmd("skopeo", "copy", "--src-tls-verify=false", "--dest-tls-verify=false",
                dest("skopeo/source:v1"), dest("skopeo/target:v1"))).ok();
        assertThat(Registry.manifestDigest(stowage, "skopeo/target", "v1")).isEqualTo(image.manifestDigest());
        for (String blob : new String[] {image.configDigest(), image.layerDigest()}) {
            assertThat(Registry.head(stowage, "/v2/skopeo/target/blobs/" + blob).statusCode()).as(blob).isEqualTo(200);
        }
    }

    @Test
    void convertsToADockerSchema2ManifestAndServesItWithItsMediaType() throws Exception {
        Path layout = dir.resolve("v2s2");
        TestImages.Image image = TestImages.writeImage(layout, "v1", "amd64", "docker schema 2");
        run(cmd("skopeo", "copy", "--format", "v2s2", "--dest-tls-verify=false", "oci:" + layout + ":v1",
                dest("skopeo/v2s2:v1"))).ok();
        var manifest = Registry.get(stowage, "/v2/skopeo/v2s2/manifests/v1");
        assertThat(manifest.statusCode()).isEqualTo(200);
        assertThat(manifest.headers().firstValue("Content-Type"))
                .hasValue("application/vnd.docker.distribution.manifest.v2+json");
        JsonNode json = JSON.readTree(manifest.body());
        assertThat(json.path("mediaType").asText()).isEqualTo("application/vnd.docker.distribution.manifest.v2+json");
        assertThat(json.path("layers").path(0).path("digest").asText()).isEqualTo(image.layerDigest());
        assertThat(manifest.headers().firstValue("Docker-Content-Digest")).hasValue(TestImages.sha256(manifest.body()));
        String raw = tail(run(cmd("skopeo", "inspect", "--raw", "--tls-verify=false", dest("skopeo/v2s2:v1"))).ok().output());
        assertThat(raw.stripTrailing()).isEqualTo(new String(manifest.body(), java.nio.charset.StandardCharsets.UTF_8).stripTrailing());
    }

    @Test
    void concurrentPushesOfTheSameLayersToFourRepositoriesAllSucceed() throws Exception {
        Path layout = dir.resolve("concurrent");
        TestImages.Image image = TestImages.writeImageWithRandomLayer(layout, "same", 8 << 20, 7);
        java.util.List<java.util.concurrent.Future<Clients.Result>> pushes = new java.util.ArrayList<>();
        try (var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 4; i++) {
                String target = dest("skopeo/concurrent-" + i + ":v1");
                pushes.add(pool.submit(() -> run(cmd("skopeo", "copy", "--dest-tls-verify=false", "oci:" + layout + ":same", target))));
            }
        }
        for (var push : pushes) push.get().ok();
        for (int i = 0; i < 4; i++) {
            String repo = "skopeo/concurrent-" + i;
            assertThat(Registry.manifestDigest(stowage, repo, "v1")).isEqualTo(image.manifestDigest());
            var layer = Registry.get(stowage, "/v2/" + repo + "/blobs/" + image.layerDigest());
            assertThat(TestImages.sha256(layer.body())).as(repo).isEqualTo(image.layerDigest());
        }
    }

    /** Clients.run prefixes the command line; the JSON starts after it. */
    static String tail(String output) {
        return output.substring(output.indexOf('\n') + 1);
    }
}
