package dev.stowage.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.cloud.tools.jib.api.Containerizer;
import com.google.cloud.tools.jib.api.Jib;
import com.google.cloud.tools.jib.api.JibContainer;
import com.google.cloud.tools.jib.api.RegistryImage;
import com.google.cloud.tools.jib.api.buildplan.AbsoluteUnixPath;
import com.marcnuri.helm.Helm;
import dev.stowage.it.support.Registry;
import dev.stowage.it.support.StowageProcess;
import dev.stowage.it.support.TestImages;
import land.oras.Annotations;
import land.oras.ArtifactType;
import land.oras.Config;
import land.oras.ContainerRef;
import land.oras.LocalPath;
import land.oras.Manifest;
import land.oras.ManifestDescriptor;
import land.oras.Referrers;
import land.oras.Subject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The Java clients: Jib pushing an image, the ORAS SDK attaching artifacts, Helm pushing and pulling a chart. */
class JavaClientsTest {
    @TempDir static Path dir;
    static StowageProcess stowage;

    @BeforeAll
    static void start() throws Exception {
        TestImages.requireBusybox();
        stowage = StowageProcess.start(dir.resolve("data"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (stowage != null) stowage.close();
    }

    @Test
    void jibPushesAnImageWhoseManifestAndBlobsAreServed() throws Exception {
        JibContainer container = Jib.fromScratch()
                .addLayer(List.of(TestImages.BUSYBOX), AbsoluteUnixPath.get("/bin"))
                .setEntrypoint("/bin/busybox", "true")
                .containerize(Containerizer.to(RegistryImage.named(stowage.hostPort() + "/jib/app:v1"))
                        .setAllowInsecureRegistries(true));
        String digest = container.getDigest().toString();
        assertThat(Registry.manifestDigest(stowage, "jib/app", "v1")).isEqualTo(digest);
        JsonNode manifest = Registry.json(stowage, "/v2/jib/app/manifests/" + digest);
        String configDigest = manifest.path("config").path("digest").asText();
        assertThat(Registry.head(stowage, "/v2/jib/app/blobs/" + configDigest).statusCode()).isEqualTo(200);
        for (JsonNode layer : manifest.path("layers")) {
            assertThat(Registry.head(stowage, "/v2/jib/app/blobs/" + layer.path("digest").asText()).headers()
                    .firstValueAsLong("Content-Length").orElse(-1)).isEqualTo(layer.path("size").asLong());
        }
        JsonNode config = Registry.json(stowage, "/v2/jib/app/blobs/" + configDigest);
        assertThat(config.path("config").path("Entrypoint").toString()).isEqualTo("[\"/bin/busybox\",\"true\"]");
    }

    @Test
    void jibBuildsOnABaseImageFromTheRegistryAndPushesToAnotherRepository() throws Exception {
        JibContainer base = Jib.fromScratch()
                .addLayer(List.of(TestImages.BUSYBOX), AbsoluteUnixPath.get("/bin"))
                .containerize(Containerizer.to(RegistryImage.named(stowage.hostPort() + "/jib/base:v1"))
                        .setAllowInsecureRegistries(true));
        Path app = Files.writeString(dir.resolve("app.properties"), "greeting=hello\n");
        JibContainer derived = Jib.from(RegistryImage.named(stowage.hostPort() + "/jib/base@" + base.getDigest()))
                .addLayer(List.of(app), AbsoluteUnixPath.get("/app"))
                .setEntrypoint("/bin/busybox", "cat", "/app/app.properties")
                .containerize(Containerizer.to(RegistryImage.named(stowage.hostPort() + "/jib/derived:v1"))
                        .setAllowInsecureRegistries(true));

        JsonNode baseManifest = Registry.json(stowage, "/v2/jib/base/manifests/" + base.getDigest());
        JsonNode manifest = Registry.json(stowage, "/v2/jib/derived/manifests/v1");
        assertThat(Registry.manifestDigest(stowage, "jib/derived", "v1")).isEqualTo(derived.getDigest().toString());
        assertThat(manifest.path("layers")).hasSize(2);
        String baseLayer = baseManifest.path("layers").path(0).path("digest").asText();
        assertThat(manifest.path("layers").path(0).path("digest").asText()).isEqualTo(baseLayer);
        for (JsonNode layer : manifest.path("layers")) {
            String digest = layer.path("digest").asText();
            var blob = Registry.get(stowage, "/v2/jib/derived/blobs/" + digest);
            assertThat(blob.statusCode()).as(digest).isEqualTo(200);
            assertThat(TestImages.sha256(blob.body())).isEqualTo(digest);
        }
    }

    @Test
    void orasAttachesAnArtifactThatTheReferrersApiFinds() throws Exception {
        StowageProcess.requireStowage("the referrers API (OCI distribution 1.1)");
        land.oras.Registry oras = land.oras.Registry.builder().insecure().build();
        Path app = Files.writeString(dir.resolve("app.txt"), "the application");
        Manifest subject = oras.pushArtifact(ContainerRef.parse(stowage.hostPort() + "/oras/app:v1"),
                ArtifactType.from("application/vnd.example.app"), Annotations.empty(), Config.empty(), LocalPath.of(app));
        String subjectDigest = Registry.manifestDigest(stowage, "oras/app", "v1");
        long subjectSize = Registry.get(stowage, "/v2/oras/app/manifests/v1").body().length;

        Path sbom = Files.writeString(dir.resolve("sbom.json"), "{\"spdxVersion\":\"SPDX-2.3\"}");
        Manifest sbomManifest = oras.pushArtifact(ContainerRef.parse(stowage.hostPort() + "/oras/app:sbom"),
                ArtifactType.from("application/spdx+json"), Annotations.empty(), Config.empty(), LocalPath.of(sbom));
        oras.pushManifest(ContainerRef.parse(stowage.hostPort() + "/oras/app:sbom"), withSubject(sbomManifest,
                Subject.of("application/vnd.oci.image.manifest.v1+json", subjectDigest, subjectSize)));
        Path sig = Files.writeString(dir.resolve("sig.txt"), "signature");
        Manifest sigManifest = oras.pushArtifact(ContainerRef.parse(stowage.hostPort() + "/oras/app:sig"),
                ArtifactType.from("application/vnd.example.signature"), Annotations.empty(), Config.empty(), LocalPath.of(sig));
        oras.pushManifest(ContainerRef.parse(stowage.hostPort() + "/oras/app:sig"), withSubject(sigManifest,
                Subject.of("application/vnd.oci.image.manifest.v1+json", subjectDigest, subjectSize)));

        ContainerRef bySubject = ContainerRef.parse(stowage.hostPort() + "/oras/app@" + subjectDigest);
        Referrers all = oras.getReferrers(bySubject, null);
        assertThat(all.getManifests()).extracting(ManifestDescriptor::getArtifactType)
                .containsExactlyInAnyOrder("application/spdx+json", "application/vnd.example.signature");
        Referrers sboms = oras.getReferrers(bySubject, ArtifactType.from("application/spdx+json"));
        assertThat(sboms.getManifests()).hasSize(1);
        assertThat(sboms.getManifests().getFirst().getDigest())
                .isEqualTo(Registry.manifestDigest(stowage, "oras/app", "sbom"));

        // The same over plain HTTP: the filter is applied by the registry and says so.
        var filtered = Registry.get(stowage, "/v2/oras/app/referrers/" + subjectDigest + "?artifactType=application/spdx%2Bjson");
        assertThat(filtered.statusCode()).isEqualTo(200);
        assertThat(filtered.headers().firstValue("Content-Type")).hasValue("application/vnd.oci.image.index.v1+json");
        assertThat(filtered.headers().firstValue("OCI-Filters-Applied")).hasValue("artifactType");
        JsonNode index = new com.fasterxml.jackson.databind.ObjectMapper().readTree(filtered.body());
        assertThat(index.path("manifests")).hasSize(1);
        assertThat(index.path("manifests").path(0).path("digest").asText())
                .isEqualTo(Registry.manifestDigest(stowage, "oras/app", "sbom"));

        Path pulled = Files.createDirectories(dir.resolve("pulled"));
        oras.pullArtifact(ContainerRef.parse(stowage.hostPort() + "/oras/app:sbom"), pulled, true);
        assertThat(Files.readString(pulled.resolve("sbom.json"))).isEqualTo("{\"spdxVersion\":\"SPDX-2.3\"}");
        assertThat(subject.getArtifactType().getMediaType()).isEqualTo("application/vnd.example.app");
    }

    /** A pushed manifest keeps the JSON it was pushed with; re-parse so the SDK sends the one with the subject. */
    static Manifest withSubject(Manifest manifest, Subject subject) {
        return Manifest.fromJson(manifest.withSubject(subject).toJson());
    }

    @Test
    void helmPushesAChartAndReadsItBack() throws Exception {
        Path tgz = TestImages.helmChart(dir, "hello");
        assertThat(tgz).exists();
        String out = Helm.push().withChart(tgz).withRemote(URI.create("oci://" + stowage.hostPort() + "/charts"))
                .plainHttp().call();
        assertThat(out).contains("Pushed: " + stowage.hostPort() + "/charts/hello:0.1.0");

        JsonNode manifest = Registry.json(stowage, "/v2/charts/hello/manifests/0.1.0");
        assertThat(manifest.path("config").path("mediaType").asText()).isEqualTo("application/vnd.cncf.helm.config.v1+json");
        String layer = manifest.path("layers").path(0).path("digest").asText();
        assertThat(Registry.get(stowage, "/v2/charts/hello/blobs/" + layer).body()).isEqualTo(Files.readAllBytes(tgz));

        // Helm pulls the chart back from the registry to show and render it: the same as from the local package.
        String remote = "oci://" + stowage.hostPort() + "/charts/hello";
        String shown = Helm.show(remote).chart().withVersion("0.1.0").plainHttp().call();
        assertThat(shown).contains("name: hello").contains("version: 0.1.0");
        assertThat(shown).isEqualTo(Helm.show(tgz.toString()).chart().call());
        String rendered = Helm.template(remote).withName("release").withVersion("0.1.0").plainHttp().call();
        assertThat(rendered).contains("kind: Deployment");
        assertThat(rendered).isEqualTo(Helm.template(tgz.toString()).withName("release").call());
    }
}
