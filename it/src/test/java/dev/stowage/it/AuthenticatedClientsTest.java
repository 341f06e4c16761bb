package dev.stowage.it;

import com.google.cloud.tools.jib.api.Containerizer;
import com.google.cloud.tools.jib.api.Jib;
import com.google.cloud.tools.jib.api.JibContainer;
import com.google.cloud.tools.jib.api.RegistryImage;
import com.google.cloud.tools.jib.api.buildplan.AbsoluteUnixPath;
import com.marcnuri.helm.Helm;
import dev.stowage.it.support.Clients;
import dev.stowage.it.support.Registry;
import dev.stowage.it.support.StowageProcess;
import dev.stowage.it.support.TestImages;
import land.oras.ArtifactType;
import land.oras.Annotations;
import land.oras.Config;
import land.oras.ContainerRef;
import land.oras.LocalPath;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static dev.stowage.it.support.Clients.cmd;
import static dev.stowage.it.support.Clients.run;
import static org.assertj.core.api.Assertions.assertThat;

/** Real clients through the Docker token flow, with authentication switched on. */
class AuthenticatedClientsTest {
    static final String PASSWORD = "it-admin-password";
    @TempDir static Path dir;
    static StowageProcess stowage;

    @BeforeAll
    static void start() throws Exception {
        TestImages.requireBusybox();
        stowage = StowageProcess.start(dir.resolve("data"), Map.of("STOWAGE_AUTH_ENABLED", "true",
                "STOWAGE_ADMIN_PASSWORD", PASSWORD));
        // No repository outside a project: the ones pushed to are created first.
        for (String project : List.of("secure", "charts")) {
            assertThat(Registry.call(stowage, "POST", "/api/v1/projects", "admin", PASSWORD, "{\"name\":\"" + project + "\"}")
                    .statusCode()).isEqualTo(201);
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (stowage != null) stowage.close();
    }

    @Test
    void versionCheckIsChallengedWithTheTokenRealm() throws Exception {
        var r = Registry.get(stowage, "/v2/");
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.headers().firstValue("WWW-Authenticate").orElseThrow()).startsWith("Bearer realm=\"http://");
    }

    @Test
    void skopeoPushesAndPullsWithCredentialsAndIsRefusedWithout() throws Exception {
        Clients.require("skopeo", "skopeo");
        Path layout = dir.resolve("skopeo");
        TestImages.Image image = TestImages.writeImage(layout, "v1", "amd64", "auth skopeo");
        String dest = "docker://" + stowage.hostPort() + "/secure/app:v1";
        run(cmd("skopeo", "copy", "--dest-tls-verify=false", "--dest-creds", "admin:" + PASSWORD,
                "oci:" + layout + ":v1", dest)).ok();
        var inspect = run(cmd("skopeo", "inspect", "--tls-verify=false", "--creds", "admin:" + PASSWORD, dest)).ok();
        assertThat(inspect.output()).contains(image.manifestDigest());
        var anonymous = run(cmd("skopeo", "inspect", "--tls-verify=false", "--no-creds", dest));
        assertThat(anonymous.exitCode()).isNotZero();
        var wrong = run(cmd("skopeo", "copy", "--dest-tls-verify=false", "--dest-creds", "admin:wrong",
                "oci:" + layout + ":v1", "docker://" + stowage.hostPort() + "/secure/other:v1"));
        assertThat(wrong.exitCode()).isNotZero();
        assertThat(wrong.output()).contains("unauthorized");
    }

    @Test
    void podmanLogsInPushesAndPulls() throws Exception {
        Clients.require("podman", "podman");
        List<String> storage = List.of("--root", dir.resolve("pod/root").toString(), "--runroot", dir.resolve("pod/run").toString(),
                "--storage-driver", "vfs");
        Path auth = Files.writeString(dir.resolve("auth.json"), "{}");
        Map<String, String> env = Map.of("REGISTRY_AUTH_FILE", auth.toString());
        Path layout = dir.resolve("podman");
        TestImages.writeImage(layout, "v1", "amd64", "auth podman");
        String id = last(Clients.run(concat(List.of("podman"), storage, List.of("pull", "oci:" + layout + ":v1")), env, 300).ok().output());
        String image = stowage.hostPort() + "/secure/podman:v1";
        Clients.run(concat(List.of("podman"), storage, List.of("tag", id, image)), env, 60).ok();
        Clients.run(List.of("podman", "login", "--tls-verify=false", "-u", "admin", "-p", PASSWORD, stowage.hostPort()), env, 60).ok();
        Clients.run(concat(List.of("podman"), storage, List.of("push", "--tls-verify=false", image)), env, 300).ok();
        Clients.run(concat(List.of("podman"), storage, List.of("rmi", "-f", image)), env, 60).ok();
        Clients.run(concat(List.of("podman"), storage, List.of("pull", "--tls-verify=false", image)), env, 300).ok();
        assertThat(Files.readString(auth)).contains(stowage.hostPort());
    }

    @Test
    void buildahLogsInBuildsPushesAndPullsBackAsARobot() throws Exception {
        Clients.require("buildah", "buildah");
        List<String> storage = List.of("--root", dir.resolve("buildah/root").toString(), "--runroot",
                dir.resolve("buildah/run").toString(), "--storage-driver", "vfs");
        Path auth = Files.writeString(dir.resolve("buildah-auth.json"), "{}");
        Map<String, String> env = Map.of("REGISTRY_AUTH_FILE", auth.toString());
        var created = Registry.call(stowage, "POST", "/api/v1/robots", "admin", PASSWORD,
                "{\"name\":\"builder\",\"permissions\":[{\"repository\":\"secure/buildah\",\"actions\":[\"pull\",\"push\"]}]}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        String secret = new com.fasterxml.jackson.databind.ObjectMapper().readTree(created.body()).path("secret").asText();

        String container = last(Clients.run(concat(List.of("buildah"), storage, List.of("from", "scratch")), env, 120).ok().output());
        Clients.run(concat(List.of("buildah"), storage, List.of("copy", container, TestImages.BUSYBOX.toString(), "/bin/busybox")),
                env, 120).ok();
        Clients.run(concat(List.of("buildah"), storage, List.of("commit", "--format", "oci", container, "localhost/built:v1")),
                env, 120).ok();
        Clients.run(List.of("buildah", "login", "--tls-verify=false", "-u", "robot$builder", "-p", secret, stowage.hostPort()),
                env, 60).ok();
        String image = stowage.hostPort() + "/secure/buildah:v1";
        Clients.run(concat(List.of("buildah"), storage, List.of("push", "--tls-verify=false", "localhost/built:v1",
                "docker://" + image)), env, 300).ok();
        Clients.run(concat(List.of("buildah"), storage, List.of("rmi", "-f", "localhost/built:v1")), env, 60).ok();
        Clients.run(concat(List.of("buildah"), storage, List.of("pull", "--tls-verify=false", image)), env, 300).ok();
        // The robot may push only where its permission says.
        var elsewhere = Clients.run(concat(List.of("buildah"), storage, List.of("push", "--tls-verify=false", image,
                "docker://" + stowage.hostPort() + "/secure/other:v1")), env, 300);
        assertThat(elsewhere.exitCode()).isNotZero();
        assertThat(elsewhere.output()).containsIgnoringCase("denied");
    }

    @Test
    void jibPushesWithCredentials() throws Exception {
        // Jib sends credentials over plain HTTP only when told to: this registry has no TLS in this test.
        System.setProperty("sendCredentialsOverHttp", "true");
        JibContainer container = Jib.fromScratch()
                .addLayer(List.of(TestImages.BUSYBOX), AbsoluteUnixPath.get("/bin"))
                .containerize(Containerizer.to(RegistryImage.named(stowage.hostPort() + "/secure/jib:v1")
                        .addCredential("admin", PASSWORD)).setAllowInsecureRegistries(true));
        assertThat(container.getDigest().toString()).startsWith("sha256:");
    }

    @Test
    void orasPushesWithCredentials() throws Exception {
        land.oras.Registry oras = land.oras.Registry.builder().insecure(stowage.hostPort(), "admin", PASSWORD).build();
        Path file = Files.writeString(dir.resolve("artifact.txt"), "secret artifact");
        oras.pushArtifact(ContainerRef.parse(stowage.hostPort() + "/secure/oras:v1"), ArtifactType.from("application/vnd.example"),
                Annotations.empty(), Config.empty(), LocalPath.of(file));
        assertThat(oras.getTags(ContainerRef.parse(stowage.hostPort() + "/secure/oras")).tags()).contains("v1");
    }

    @Test
    void helmLogsInAndPushesAChart() throws Exception {
        Path tgz = TestImages.helmChart(dir, "secured");
        Helm.registry().login().withHost(stowage.hostPort()).withUsername("admin").withPassword(PASSWORD).plainHttp().call();
        String out = Helm.push().withChart(tgz)
                .withRemote(URI.create("oci://" + stowage.hostPort() + "/charts")).plainHttp().call();
        assertThat(out).contains("Pushed: " + stowage.hostPort() + "/charts/secured:0.1.0");
    }

    static String last(String output) {
        return output.lines().reduce((a, b) -> b).orElseThrow().trim();
    }

    @SafeVarargs
    static List<String> concat(List<String>... parts) {
        return java.util.Arrays.stream(parts).flatMap(List::stream).toList();
    }
}
