package dev.stowage.it;

import dev.stowage.it.support.Clients;
import dev.stowage.it.support.Registry;
import dev.stowage.it.support.StowageProcess;
import dev.stowage.it.support.TestImages;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static dev.stowage.it.support.Clients.run;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Docker engine (apt docker.io) against Stowage: its own dockerd on vfs without iptables or a bridge, with its
 * own data root and socket. Docker trusts localhost registries without TLS.
 */
class DockerTest {
    static Path dir;
    static StowageProcess stowage;
    static Process dockerd;

    @BeforeAll
    static void start() throws Exception {
        Clients.require("dockerd", "docker.io");
        Clients.require("docker", "docker.io");
        TestImages.requireBusybox();
        dir = Files.createTempDirectory(Path.of("/tmp"), "stowage-docker-");
        stowage = StowageProcess.start(dir.resolve("data"));
        dockerd = new ProcessBuilder("dockerd", "--iptables=false", "--ip6tables=false", "--bridge=none",
                "--storage-driver=vfs", "--data-root", dir.resolve("docker/root").toString(),
                "--exec-root", dir.resolve("docker/exec").toString(), "--pidfile", dir.resolve("docker/pid").toString(),
                "-H", "unix://" + dir.resolve("docker.sock"))
                .redirectErrorStream(true).redirectOutput(dir.resolve("dockerd.log").toFile()).start();
        dev.stowage.it.support.ServerLogs.register("dockerd", dir.resolve("dockerd.log"));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (run(docker("version")).exitCode() != 0) {
            if (!dockerd.isAlive() || System.nanoTime() > deadline) {
                throw new IllegalStateException("dockerd did not start:\n" + Files.readString(dir.resolve("dockerd.log")));
            }
            Thread.sleep(250);
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (dockerd != null) {
            dockerd.destroy();
            if (!dockerd.waitFor(30, TimeUnit.SECONDS)) dockerd.destroyForcibly();
        }
        if (stowage != null) stowage.close();
        if (dir != null) new ProcessBuilder("rm", "-rf", dir.toString()).start().waitFor(60, TimeUnit.SECONDS);
    }

    static List<String> docker(String... args) {
        List<String> command = new ArrayList<>(List.of("docker", "-H", "unix://" + dir.resolve("docker.sock")));
        command.addAll(List.of(args));
        return command;
    }

    @Test
    void pushesRemovesAndPullsBackTheSameImage() throws Exception {
        Path rootfs = dir.resolve("rootfs.tar");
        Files.write(rootfs, TestImages.rootfsTar("docker"));
        String image = stowage.hostPort() + "/docker/busybox:v1";
        run(docker("import", "--change", "CMD [\"/bin/sh\"]", rootfs.toString(), image)).ok();
        String idBefore = run(docker("image", "inspect", "--format", "{{.Id}}", image)).ok().output().lines()
                .reduce((a, b) -> b).orElseThrow().trim();
        String push = run(docker("push", image)).ok().output();
        String pushedDigest = push.replaceAll("(?s).*digest: (sha256:[0-9a-f]{64}).*", "$1");
        assertThat(pushedDigest).startsWith("sha256:");
        assertThat(Registry.manifestDigest(stowage, "docker/busybox", "v1")).isEqualTo(pushedDigest);

        run(docker("rmi", image)).ok();
        run(docker("pull", image)).ok();
        String idAfter = run(docker("image", "inspect", "--format", "{{.Id}}", image)).ok().output().lines()
                .reduce((a, b) -> b).orElseThrow().trim();
        assertThat(idAfter).isEqualTo(idBefore);
        String repoDigest = run(docker("image", "inspect", "--format", "{{index .RepoDigests 0}}", image)).ok().output();
        assertThat(repoDigest).contains(pushedDigest);
    }

    @Test
    void logsInThroughTheTokenFlowPushesAndPulls() throws Exception {
        try (StowageProcess secured = StowageProcess.start(dir.resolve("secured"), java.util.Map.of(
                "STOWAGE_AUTH_ENABLED", "true", "STOWAGE_ADMIN_PASSWORD", "docker-secret"))) {
            org.assertj.core.api.Assertions.assertThat(Registry.call(secured, "POST", "/api/v1/projects", "admin",
                    "docker-secret", "{\"name\":\"secure\"}").statusCode()).isEqualTo(201);
            Path rootfs = dir.resolve("rootfs-auth.tar");
            Files.write(rootfs, TestImages.rootfsTar("docker login"));
            String image = secured.hostPort() + "/secure/busybox:v1";
            java.util.Map<String, String> env = java.util.Map.of("DOCKER_CONFIG", Files.createDirectories(dir.resolve("cfg")).toString());
            Clients.run(docker("import", rootfs.toString(), image), env, 120).ok();
            String denied = Clients.run(docker("push", image), env, 120).output();
            assertThat(denied).containsIgnoringCase("denied");
            Clients.run(docker("login", "-u", "admin", "-p", "docker-secret", secured.hostPort()), env, 60).ok();
            Clients.run(docker("push", image), env, 120).ok();
            Clients.run(docker("rmi", image), env, 60).ok();
            Clients.run(docker("pull", image), env, 120).ok();
            Clients.run(docker("logout", secured.hostPort()), env, 60).ok();
            Clients.run(docker("rmi", image), env, 60).ok();
            String anonymous = Clients.run(docker("pull", image), env, 120).output();
            assertThat(anonymous).containsIgnoringCase("denied");
        }
    }

    @Test
    void pushingToASecondRepositoryMountsTheLayersAndPullsByDigest() throws Exception {
        Path rootfs = dir.resolve("rootfs-mount.tar");
        Files.write(rootfs, TestImages.rootfsTar("docker mount"));
        String first = stowage.hostPort() + "/docker/origin:v1";
        String second = stowage.hostPort() + "/docker/copy:v1";
        run(docker("import", rootfs.toString(), first)).ok();
        run(docker("push", first)).ok();
        run(docker("tag", first, second)).ok();
        String push = run(docker("push", second)).ok().output();
        assertThat(push).contains("Mounted from docker/origin");
        String digest = Registry.manifestDigest(stowage, "docker/copy", "v1");
        assertThat(digest).isEqualTo(Registry.manifestDigest(stowage, "docker/origin", "v1"));

        run(docker("rmi", first, second)).ok();
        String byDigest = stowage.hostPort() + "/docker/copy@" + digest;
        run(docker("pull", byDigest)).ok();
        assertThat(run(docker("image", "inspect", "--format", "{{index .RepoDigests 0}}", byDigest)).ok().output().trim())
                .endsWith(byDigest);
    }

    @Test
    void pullsTheHostsAmd64ImageOfAMultiArchitectureIndexByDefault() throws Exception {
        Clients.require("skopeo", "skopeo");
        Path layout = dir.resolve("multi");
        String indexDigest = TestImages.writeMultiArch(layout, "multi");
        String image = stowage.hostPort() + "/docker/multi:v1";
        run(List.of("skopeo", "copy", "--all", "--dest-tls-verify=false", "oci:" + layout + ":multi", "docker://" + image)).ok();
        String amd64 = Registry.json(stowage, "/v2/docker/multi/manifests/v1").path("manifests").path(0).path("digest").asText();
        String amd64Config = Registry.json(stowage, "/v2/docker/multi/manifests/" + amd64).path("config").path("digest").asText();

        // No --platform: the daemon (amd64 here) chooses from the index.
        run(docker("pull", image)).ok();
        assertThat(last(run(docker("image", "inspect", "--format", "{{.Architecture}}", image)).ok())).isEqualTo("amd64");
        assertThat(last(run(docker("image", "inspect", "--format", "{{index .RepoDigests 0}}", image)).ok()))
                .isEqualTo(stowage.hostPort() + "/docker/multi@" + indexDigest);
        assertThat(last(run(docker("image", "inspect", "--format", "{{.Id}}", image)).ok())).isEqualTo(amd64Config);

        run(docker("rmi", image)).ok();
        run(docker("pull", "--platform", "linux/arm64", image)).ok();
        assertThat(last(run(docker("image", "inspect", "--format", "{{.Architecture}}", image)).ok())).isEqualTo("arm64");
    }

    @Test
    void pushesADockerManifestListMadeByDockerManifestAndPullsTheAmd64Image() throws Exception {
        Clients.require("skopeo", "skopeo");
        String repo = stowage.hostPort() + "/docker/list";
        java.util.Map<String, String> configs = new java.util.LinkedHashMap<>();
        for (String arch : List.of("amd64", "arm64")) {
            Path layout = dir.resolve("list-" + arch);
            TestImages.writeImage(layout, arch, arch, "manifest list " + arch);
            run(List.of("skopeo", "copy", "--format", "v2s2", "--dest-tls-verify=false", "oci:" + layout + ":" + arch,
                    "docker://" + repo + ":" + arch)).ok();
            configs.put(arch, Registry.json(stowage, "/v2/docker/list/manifests/" + arch).path("config").path("digest").asText());
        }
        // docker manifest keeps its lists under DOCKER_CONFIG; Debian's CLI still calls the command experimental.
        java.util.Map<String, String> env = java.util.Map.of("DOCKER_CONFIG", Files.createDirectories(dir.resolve("manifest-cfg")).toString(),
                "DOCKER_CLI_EXPERIMENTAL", "enabled");
        Clients.run(docker("manifest", "create", "--insecure", repo + ":v1", repo + ":amd64", repo + ":arm64"), env, 120).ok();
        String push = Clients.run(docker("manifest", "push", "--insecure", repo + ":v1"), env, 120).ok().output();
        String pushed = push.replaceAll("(?s).*(sha256:[0-9a-f]{64}).*", "$1");

        var list = Registry.get(stowage, "/v2/docker/list/manifests/v1");
        assertThat(list.headers().firstValue("Content-Type")).hasValue("application/vnd.docker.distribution.manifest.list.v2+json");
        assertThat(list.headers().firstValue("Docker-Content-Digest")).hasValue(pushed);
        assertThat(TestImages.sha256(list.body())).isEqualTo(pushed);
        assertThat(Registry.json(stowage, "/v2/docker/list/manifests/v1").path("manifests").size()).isEqualTo(2);

        run(docker("pull", repo + ":v1")).ok();
        assertThat(last(run(docker("image", "inspect", "--format", "{{.Architecture}}", repo + ":v1")).ok())).isEqualTo("amd64");
        assertThat(last(run(docker("image", "inspect", "--format", "{{.Id}}", repo + ":v1")).ok())).isEqualTo(configs.get("amd64"));
    }

    static String last(Clients.Result result) {
        return result.output().lines().reduce((a, b) -> b).orElseThrow().trim();
    }
}
