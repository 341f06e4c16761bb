package dev.stowage.it;

import dev.stowage.it.support.Clients;
import dev.stowage.it.support.Registry;
import dev.stowage.it.support.StowageProcess;
import dev.stowage.it.support.TestImages;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static dev.stowage.it.support.Clients.run;
import static org.assertj.core.api.Assertions.assertThat;

/** buildah builds and pushes an image from scratch; podman pulls it back. Both on vfs storage in a temp root. */
class BuildahPodmanTest {
    @TempDir static Path dir;
    static StowageProcess stowage;

    @BeforeAll
    static void start() throws Exception {
        Clients.require("buildah", "buildah");
        Clients.require("podman", "podman");
        TestImages.requireBusybox();
        stowage = StowageProcess.start(dir.resolve("data"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (stowage != null) stowage.close();
    }

    static List<String> storage(String tool, String... args) {
        List<String> command = new ArrayList<>(List.of(tool, "--root", dir.resolve("containers/root").toString(),
                "--runroot", dir.resolve("containers/run").toString(), "--storage-driver", "vfs"));
        command.addAll(List.of(args));
        return command;
    }

    @Test
    void buildahPushesAnImageBuiltFromScratchAndPodmanPullsIt() throws Exception {
        String container = run(storage("buildah", "from", "scratch")).ok().output().lines().reduce((a, b) -> b).orElseThrow().trim();
        run(storage("buildah", "copy", container, TestImages.BUSYBOX.toString(), "/bin/busybox")).ok();
        run(storage("buildah", "config", "--cmd", "/bin/busybox true", "--label", "built-by=stowage-it", container)).ok();
        run(storage("buildah", "commit", "--format", "oci", container, "localhost/built:v1")).ok();
        String image = stowage.hostPort() + "/buildah/built:v1";
        run(storage("buildah", "push", "--tls-verify=false", "--digestfile", dir.resolve("digest").toString(),
                "localhost/built:v1", "docker://" + image)).ok();
        String pushed = java.nio.file.Files.readString(dir.resolve("digest")).trim();
        assertThat(Registry.manifestDigest(stowage, "buildah/built", "v1")).isEqualTo(pushed);

        run(storage("podman", "rmi", "-a", "-f"));
        run(storage("podman", "pull", "--tls-verify=false", image)).ok();
        String label = run(storage("podman", "image", "inspect", "--format", "{{index .Labels \"built-by\"}}", image)).ok().output();
        assertThat(label.trim()).endsWith("stowage-it");
        String digest = run(storage("podman", "image", "inspect", "--format", "{{.Digest}}", image)).ok().output();
        assertThat(digest.trim()).endsWith(pushed);
    }

    @Test
    void buildahPushesZstdLayersThatPodmanPullsBack() throws Exception {
        String container = last(run(storage("buildah", "from", "scratch")).ok().output());
        run(storage("buildah", "copy", container, TestImages.BUSYBOX.toString(), "/bin/busybox")).ok();
        run(storage("buildah", "config", "--label", "compression=zstd", container)).ok();
        run(storage("buildah", "commit", "--format", "oci", container, "localhost/zstd:v1")).ok();
        String image = stowage.hostPort() + "/buildah/zstd:v1";
        run(storage("buildah", "push", "--tls-verify=false", "--compression-format", "zstd", "--digestfile",
                dir.resolve("zstd-digest").toString(), "localhost/zstd:v1", "docker://" + image)).ok();
        String pushed = java.nio.file.Files.readString(dir.resolve("zstd-digest")).trim();
        var manifest = Registry.json(stowage, "/v2/buildah/zstd/manifests/" + pushed);
        assertThat(manifest.path("layers").path(0).path("mediaType").asText())
                .isEqualTo("application/vnd.oci.image.layer.v1.tar+zstd");
        var layer = Registry.get(stowage, "/v2/buildah/zstd/blobs/" + manifest.path("layers").path(0).path("digest").asText());
        assertThat(TestImages.sha256(layer.body())).isEqualTo(manifest.path("layers").path(0).path("digest").asText());

        run(storage("podman", "rmi", "-a", "-f"));
        run(storage("podman", "pull", "--tls-verify=false", image)).ok();
        String label = run(storage("podman", "image", "inspect", "--format", "{{index .Labels \"compression\"}}", image)).ok().output();
        assertThat(last(label)).isEqualTo("zstd");
    }

    static String last(String output) {
        return output.lines().reduce((a, b) -> b).orElseThrow().trim();
    }

    @Test
    void podmanPushesAndListsTags() throws Exception {
        Path layout = dir.resolve("layout");
        TestImages.writeImage(layout, "v1", "amd64", "podman");
        String id = run(storage("podman", "pull", "oci:" + layout + ":v1")).ok().output().lines()
                .reduce((a, b) -> b).orElseThrow().trim();
        String image = stowage.hostPort() + "/podman/app";
        run(storage("podman", "tag", id, image + ":2.0")).ok();
        run(storage("podman", "push", "--tls-verify=false", image + ":2.0")).ok();
        assertThat(Registry.json(stowage, "/v2/podman/app/tags/list").path("tags").toString()).isEqualTo("[\"2.0\"]");
        String search = run(storage("podman", "search", "--tls-verify=false", "--list-tags", image)).ok().output();
        assertThat(search).contains("2.0");
    }
}
