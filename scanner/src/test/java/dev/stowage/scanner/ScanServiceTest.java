package dev.stowage.scanner;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stowage.core.Digest;
import dev.stowage.core.ErrorCode;
import dev.stowage.core.Reference;
import dev.stowage.core.RegistryException;
import dev.stowage.core.RepositoryName;
import dev.stowage.core.policy.ImagePolicy;
import dev.stowage.core.event.RegistryEvent;
import dev.stowage.core.service.RegistryService;
import dev.stowage.core.service.ServiceSettings;
import dev.stowage.metadata.JdbcMetadataStore;
import dev.stowage.metadata.MetadataConfig;
import dev.stowage.scanning.inventory.ImageInventory;
import dev.stowage.scanning.inventory.lang.LanguageDetectors;
import dev.stowage.scanning.sbom.SbomFormat;
import dev.stowage.scanning.sbom.SbomWriter;
import dev.stowage.scanning.version.VersionSchemes;
import dev.stowage.scanning.vuln.Severity;
import dev.stowage.storage.FileSystemBlobStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The scanner end to end on real parts: images of this machine's real files (its dpkg database, Debian's Go binary
 * docker-registry) and a real vulnerable jar, the real OSV data of ../shared/vulndata, the SQLite metadata store and
 * the filesystem blob store.
 */
class ScanServiceTest {
    private static final RepositoryName REPO = RepositoryName.of("team/app");
    @TempDir Path dir;
    private FileSystemBlobStore blobs;
    private JdbcMetadataStore metadata;
    private JdbcScanStore store;
    private ScanPullPolicy pullPolicy;
    private VulnerabilityDatabase database;
    private RegistryService registry;
    private ScanService scans;
    private final List<RegistryEvent> events = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        blobs = new FileSystemBlobStore(dir.resolve("blobs"));
        metadata = JdbcMetadataStore.open(MetadataConfig.sqlite(dir.resolve("stowage.db")));
        store = JdbcScanStore.migrated(metadata);
        pullPolicy = new ScanPullPolicy(store, Clock.systemUTC());
        database = new VulnerabilityDatabase(store, VersionSchemes::of, Duration.ofDays(7), Clock.systemUTC());
        registry = new RegistryService(blobs, metadata, new ImagePolicy(List.of(pullPolicy)), ServiceSettings.DEFAULTS,
                Clock.systemUTC());
        scans = new ScanService(store, metadata, blobs,
                new ImageInventory(Stream.concat(ImageInventory.osPackageDetectors().stream(),
                        LanguageDetectors.all().stream()).toList()),
                database, new ReferrerSbomAttacher(registry, new SbomWriter("test"), "registry.test",
                List.of(SbomFormat.CYCLONEDX_JSON, SbomFormat.SPDX_JSON), Clock.systemUTC()),
                events::add, pullPolicy, Clock.systemUTC());
        database.importOsv("Go", "Go.zip", TestImages.vulndata().resolve("osv/Go.zip"));
        database.importOsv("Maven", "Maven.zip", TestImages.vulndata().resolve("osv/Maven.zip"));
        database.refresh();
    }

    @AfterEach
    void stop() throws Exception {
        metadata.close();
        blobs.close();
    }

    private JsonNode report(Digest digest) {
        return InventoryJson.gunzip(store.report(digest).orElseThrow().report().orElseThrow());
    }

    private static List<String> ids(JsonNode report) {
        List<String> ids = new ArrayList<>();
        report.path("findings").forEach(f -> ids.add(f.path("id").asText()));
        return ids;
    }

    @Test
    void aPushedImageIsScannedWithItsRealVulnerabilitiesAndGetsBothSbomsAsReferrers() throws Exception {
        TestImages.Pushed image = TestImages.pushImage(registry, REPO, "1.0",
                List.of(TestImages.layer(TestImages.debianWithGoAndLog4j())));
        scans.pushed(REPO, image.digest(), dev.stowage.core.MediaTypes.OCI_MANIFEST);
        assertThat(store.report(image.digest()).orElseThrow().status()).isEqualTo(ScanStore.Status.QUEUED);

        assertThat(scans.workOne()).isTrue();

        ScanStore.StoredReport stored = store.report(image.digest()).orElseThrow();
        assertThat(stored.status()).isEqualTo(ScanStore.Status.COMPLETED);
        JsonNode report = report(image.digest());
        assertThat(report.path("operatingSystem").path("id").asText()).isEqualTo("debian");
        // log4j-core 2.14.1: Log4Shell (GHSA-jfh8-c2jp-5v3q, CVSS 10.0, fixed in 2.15.0) and its sequel
        JsonNode log4shell = finding(report, "GHSA-jfh8-c2jp-5v3q");
        assertThat(log4shell.path("severity").asText()).isEqualTo("CRITICAL");
        assertThat(log4shell.path("score").asDouble()).isEqualTo(10.0);
        assertThat(log4shell.path("fixedVersion").asText()).isEqualTo("2.15.0");
        assertThat(log4shell.path("aliases").toString()).contains("CVE-2021-44228");
        assertThat(log4shell.path("package").path("path").asText()).isEqualTo("/app/lib/log4j-core-2.14.1.jar");
        assertThat(ids(report)).contains("GHSA-7rjr-3q55-vv33");
        // the Go toolchain docker-registry was built with has published vulnerabilities (Go records carry no severity)
        assertThat(report.path("findings")).anySatisfy(f -> {
            assertThat(f.path("id").asText()).startsWith("GO-");
            assertThat(f.path("package").path("name").asText()).isEqualTo("stdlib");
            assertThat(f.path("package").path("path").asText()).isEqualTo("/usr/bin/docker-registry");
            assertThat(f.has("fixedVersion")).isTrue();
        });
        assertThat(stored.counts().critical()).isEqualTo(2);
        assertThat(events).singleElement().satisfies(e -> {
            assertThat(e.type()).isEqualTo(RegistryEvent.Type.SCANNING_COMPLETED);
            assertThat(e.digest()).isEqualTo(image.digest().toString());
        });
        assertThat(registry.referrers(REPO, image.digest(), Optional.empty())).extracting(d -> d.artifactType())
                .containsExactlyInAnyOrder("application/vnd.cyclonedx+json", "application/spdx+json");

        // scanned again: no second pair of SBOMs
        scans.queue(REPO, image.digest(), "request");
        scans.workOne();
        assertThat(registry.referrers(REPO, image.digest(), Optional.empty())).hasSize(2);
    }

    private static JsonNode finding(JsonNode report, String id) {
        for (JsonNode f : report.path("findings")) if (f.path("id").asText().equals(id)) return f;
        throw new AssertionError(id + " not among " + ids(report));
    }

    @Test
    void aProjectPolicyBlocksPullsAtItsSeverityUntilTheVulnerabilitiesAreAllowlisted() throws Exception {
        TestImages.Pushed image = TestImages.pushImage(registry, REPO, "1.0",
                List.of(TestImages.layer(TestImages.debianWithGoAndLog4j())));
        scans.pushed(REPO, image.digest(), dev.stowage.core.MediaTypes.OCI_MANIFEST);
        scans.workOne();
        store.putPolicy("team", new ProjectScanPolicy(true, Optional.of(Severity.CRITICAL), false), java.time.Instant.now());
        pullPolicy.reload();

        assertThatThrownBy(() -> registry.getManifest(REPO, Reference.parse("1.0")))
                .isInstanceOfSatisfying(RegistryException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.DENIED);
                    assertThat(e.getMessage()).contains("project 'team'").contains("2 critical")
                            .contains("/api/v1/repositories/team/app/artifacts/" + image.digest() + "/vulnerabilities");
                });
        // on the event loop's path too: a cached manifest is not served past the policy
        assertThatThrownBy(() -> registry.cachedManifest(REPO, Reference.parse("1.0")))
                .isInstanceOf(RegistryException.class);

        store.replaceAllowlist("team", List.of(new AllowlistEntry("CVE-2021-44228", Optional.empty(), "")));
        store.replaceAllowlist("", List.of(new AllowlistEntry("CVE-2021-45046", Optional.empty(), "")));
        pullPolicy.reload();
        assertThat(registry.getManifest(REPO, Reference.parse("1.0")).digest()).isEqualTo(image.digest());

        // an expired entry accepts nothing
        store.replaceAllowlist("", List.of(new AllowlistEntry("CVE-2021-45046",
                Optional.of(java.time.Instant.now().minusSeconds(1)), "")));
        pullPolicy.reload();
        assertThatThrownBy(() -> registry.getManifest(REPO, Reference.parse("1.0")))
                .hasMessageContaining("1 critical");
    }

    @Test
    void aLayerTheScannerCannotReadIsNeverCountedAsClean() throws Exception {
        byte[] random = new byte[4096];
        new java.util.Random(7).nextBytes(random);
        TestImages.Pushed image = TestImages.pushImage(registry, REPO, "odd", List.of(random));
        scans.queue(REPO, image.digest(), "request");
        scans.workOne();
        assertThat(report(image.digest()).path("unreadableLayers").asInt()).isEqualTo(1);
        assertThat(registry.getManifest(REPO, Reference.parse("odd")).digest()).isEqualTo(image.digest());

        store.putPolicy("team", new ProjectScanPolicy(true, Optional.of(Severity.CRITICAL), false), java.time.Instant.now());
        pullPolicy.reload();
        assertThatThrownBy(() -> registry.getManifest(REPO, Reference.parse("odd")))
                .hasMessageContaining("1 layer(s) of the image could not be scanned");
    }

    @Test
    void allowlistIdsMatchWhateverTheirCase() throws Exception {
        TestImages.Pushed image = TestImages.pushImage(registry, REPO, "1.0",
                List.of(TestImages.layer(Map.of("app/lib/log4j-core-2.14.1.jar", TestImages.LOG4J))));
        scans.queue(REPO, image.digest(), "request");
        scans.workOne();
        store.putPolicy("team", new ProjectScanPolicy(true, Optional.of(Severity.CRITICAL), false), java.time.Instant.now());
        store.replaceAllowlist("team", List.of(new AllowlistEntry("cve-2021-44228", Optional.empty(), ""),
                new AllowlistEntry("ghsa-7RJR-3q55-vv33", Optional.empty(), "")));
        pullPolicy.reload();
        assertThat(registry.getManifest(REPO, Reference.parse("1.0")).digest()).isEqualTo(image.digest());
    }

    @Test
    void anImageDeclaringMorePackagesThanTheBoundIsScannedAsFarAsItAndReportedIncomplete() {
        List<dev.stowage.scanning.inventory.FoundPackage> many = new ArrayList<>();
        for (int i = 0; i <= ScanService.MAX_PACKAGES; i++) {
            many.add(new dev.stowage.scanning.inventory.FoundPackage(dev.stowage.scanning.inventory.PackageType.NPM,
                    "p" + i, "1.0.0", null, null, "pkg:npm/p" + i + "@1.0.0", "sha256:l", "/app/package-lock.json"));
        }
        var bounded = ScanService.bounded(new dev.stowage.scanning.inventory.Inventory(Optional.empty(), many, List.of()));
        assertThat(bounded.packages()).hasSize(ScanService.MAX_PACKAGES);
        assertThat(bounded.skipped()).singleElement().satisfies(s -> assertThat(s.path()).isEqualTo("/"));
    }

    @Test
    void anImageNotYetScannedIsRefusedOnlyWhereTheProjectAsks() throws Exception {
        TestImages.Pushed image = TestImages.pushImage(registry, REPO, "2.0",
                List.of(TestImages.layer(Map.of("etc/hostname", "x\n".getBytes()))));
        assertThat(registry.getManifest(REPO, Reference.parse("2.0")).digest()).isEqualTo(image.digest());
        store.putPolicy("team", new ProjectScanPolicy(true, Optional.empty(), true), java.time.Instant.now());
        pullPolicy.reload();
        assertThatThrownBy(() -> registry.getManifest(REPO, Reference.parse("2.0")))
                .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.getMessage())
                        .contains("no completed vulnerability scan (not scanned)"));
        scans.queue(REPO, image.digest(), "request");
        scans.workOne();
        pullPolicy.reportChanged(image.digest());
        assertThat(registry.getManifest(REPO, Reference.parse("2.0")).digest()).isEqualTo(image.digest());
    }

    @Test
    void newDataIsMatchedAgainstStoredInventoriesWithoutReadingLayers() throws Exception {
        byte[] layer = TestImages.layer(TestImages.debianWithGoAndLog4j());
        TestImages.Pushed image = TestImages.pushImage(registry, REPO, "1.0", List.of(layer));
        scans.pushed(REPO, image.digest(), dev.stowage.core.MediaTypes.OCI_MANIFEST);
        scans.workOne();
        long before = store.report(image.digest()).orElseThrow().generation();
        assertThat(ids(report(image.digest()))).doesNotContain("GHSA-69ch-w2m2-3vjp");

        // the layer is gone from storage: a re-match that read it would fail
        Files.delete(blobs.open(Digest.sha256Of(layer)).orElseThrow().localFile().orElseThrow());
        var imported = database.importOsv("ghsa", "ghsa/", TestImages.vulndata().resolve("ghsa"));
        assertThat(imported.added()).isEqualTo(25);
        assertThat(database.refresh()).isTrue();
        assertThat(scans.rematch()).isEqualTo(1);

        ScanStore.StoredReport after = store.report(image.digest()).orElseThrow();
        assertThat(after.generation()).isGreaterThan(before);
        assertThat(after.status()).isEqualTo(ScanStore.Status.COMPLETED);

        // the same data again changes nothing
        var again = database.importOsv("ghsa", "ghsa/", TestImages.vulndata().resolve("ghsa"));
        assertThat(again.unchanged()).isEqualTo(25);
        assertThat(again.changedAnything()).isFalse();
        assertThat(database.refresh()).isFalse();
    }

    @Test
    void anIndexIsReportedPerPlatformWithEachFindingOnce() throws Exception {
        TestImages.Pushed amd64 = TestImages.pushImage(registry, REPO, "amd64",
                List.of(TestImages.layer(TestImages.debianWithGoAndLog4j())));
        TestImages.Pushed arm64 = TestImages.pushImage(registry, REPO, "arm64",
                List.of(TestImages.layer(Map.of("app/lib/log4j-core-2.14.1.jar", TestImages.LOG4J))));
        byte[] index = ("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":["
                + "{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"" + amd64.digest() + "\",\"size\":"
                + amd64.manifest().length + ",\"platform\":{\"os\":\"linux\",\"architecture\":\"amd64\"}},"
                + "{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"" + arm64.digest() + "\",\"size\":"
                + arm64.manifest().length + ",\"platform\":{\"os\":\"linux\",\"architecture\":\"arm64\",\"variant\":\"v8\"}}]}")
                .getBytes();
        registry.putManifest(REPO, Reference.parse("multi"), dev.stowage.core.MediaTypes.OCI_INDEX, index);
        Digest digest = Digest.sha256Of(index);
        scans.pushed(REPO, digest, dev.stowage.core.MediaTypes.OCI_INDEX);
        scans.workOne();

        JsonNode report = report(digest);
        assertThat(report.path("platforms")).extracting(p -> p.path("platform").asText())
                .containsExactly("linux/amd64", "linux/arm64/v8");
        assertThat(report.path("platforms").get(1).path("counts").path("critical").asInt()).isEqualTo(2);
        JsonNode log4shell = finding(report, "GHSA-jfh8-c2jp-5v3q");
        assertThat(log4shell.path("platforms")).extracting(JsonNode::asText).containsExactly("linux/amd64", "linux/arm64/v8");
        assertThat(ids(report).stream().filter("GHSA-jfh8-c2jp-5v3q"::equals)).hasSize(1);
        assertThat(store.report(digest).orElseThrow().counts().critical()).isEqualTo(2);
        // each platform's image has its own report too (a pull by digest is checked against it)
        assertThat(store.report(arm64.digest()).orElseThrow().status()).isEqualTo(ScanStore.Status.COMPLETED);
    }

    @Test
    void anArtifactThatIsNotAnImageIsReportedUnsupported() throws Exception {
        byte[] chart = "not a tar".getBytes();
        Digest chartDigest = TestImages.push(registry, REPO, chart);
        byte[] config = "{}".getBytes();
        Digest configDigest = TestImages.push(registry, REPO, config);
        byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                + "\"config\":{\"mediaType\":\"application/vnd.cncf.helm.config.v1+json\",\"digest\":\"" + configDigest
                + "\",\"size\":2},\"layers\":[{\"mediaType\":\"application/vnd.cncf.helm.chart.content.v1.tar+gzip\","
                + "\"digest\":\"" + chartDigest + "\",\"size\":" + chart.length + "}]}").getBytes();
        registry.putManifest(REPO, Reference.parse("chart"), "application/vnd.oci.image.manifest.v1+json", manifest);
        Digest digest = Digest.sha256Of(manifest);
        scans.queue(REPO, digest, "request");
        scans.workOne();
        assertThat(store.report(digest).orElseThrow().status()).isEqualTo(ScanStore.Status.UNSUPPORTED);
        assertThat(registry.referrers(REPO, digest, Optional.empty())).isEmpty();
    }
}
