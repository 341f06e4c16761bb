package dev.stowage.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stowage.it.support.Clients;
import dev.stowage.it.support.Registry;
import dev.stowage.it.support.ScanImages;
import dev.stowage.it.support.StowageProcess;
import land.oras.ContainerRef;
import land.oras.ManifestDescriptor;
import land.oras.Referrers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static dev.stowage.it.support.Clients.cmd;
import static dev.stowage.it.support.Clients.run;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Vulnerability scanning end to end on the real server, with real clients and real data: images of this machine's
 * software (its dpkg database, Debian's Go binary {@code docker-registry} with the Go 1.19.8 standard library, and
 * log4j-core 2.14.1 from the local Maven repository) pushed with skopeo, matched against the public OSV data of
 * {@code ../shared/vulndata} imported with {@code stowage vulndb import}; reports through the API and the CLI, SBOMs as
 * referrers (found with the ORAS SDK), pulls refused by policy (skopeo, podman), the data changing under a running
 * server, webhooks, and hostile layers.
 */
class ScanningTest {
    static final String PASSWORD = "scan-admin-password";
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    static final Path LOG4J = Path.of("target/fixtures/log4j-core-2.14.1.jar");
    static final Path GO_BINARY = Path.of("/usr/bin/docker-registry");
    static final String LOG4SHELL = "GHSA-jfh8-c2jp-5v3q";
    static final String LOG4J_SECOND = "GHSA-7rjr-3q55-vv33";
    static final String LOG4J_PURL = "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1";
    static final String CYCLONEDX = "application/vnd.cyclonedx+json";
    static final String SPDX = "application/spdx+json";

    @TempDir static Path dir;
    static Path data;
    static StowageProcess stowage;
    /** team/app:1.0, pushed before the tests: a Debian 12 image with the Go binary and log4j-core. */
    static ScanImages.Image app;
    static Path appLayout;

    @BeforeAll
    static void start() throws Exception {
        StowageProcess.requireStowage("vulnerability scanning");
        Clients.require("skopeo", "skopeo");
        assertThat(LOG4J).as("log4j-core is copied by it/pom.xml's maven-dependency-plugin").isRegularFile();
        assertThat(vulndata().resolve("osv/Go.zip")).as("the shared vulnerability data (see README)").isRegularFile();
        data = dir.resolve("data");
        // Air-gapped: the data is imported into the (not yet running) registry's database first.
        Clients.Result imported = stowageCommand("vulndb", "import", "--data", data.toString(),
                vulndata().resolve("osv/Go.zip").toString(), vulndata().resolve("osv/Maven.zip").toString(),
                vulndata().resolve("debian/DSA-list").toString(), vulndata().resolve("alpine").toString()).ok();
        assertThat(imported.output()).contains("Go: 4291 records", "Maven: 8 records");
        // The webhook receiver below listens on 127.0.0.1, which webhooks may reach only when the administrator allows it.
        stowage = StowageProcess.start(data, Map.of("STOWAGE_AUTH_ENABLED", "true", "STOWAGE_ADMIN_PASSWORD", PASSWORD,
                "STOWAGE_WEBHOOKS_ALLOWED_NETWORKS", "127.0.0.1/32"));
        createProject("team");
        appLayout = dir.resolve("app");
        app = ScanImages.writeImage(appLayout, "1.0", "amd64", List.of(ScanImages.layer(debianGoLog4j("team app"))));
        push(appLayout, "1.0", "team/app:1.0").ok();
    }

    @AfterAll
    static void stop() throws Exception {
        if (stowage != null) stowage.close();
    }

    // --- the tests ---------------------------------------------------------------------------------------

    @Test
    void aPushedImageIsScannedAndItsReportNamesLog4ShellAndTheGoStandardLibrarysVulnerabilities() throws Exception {
        JsonNode report = awaitReport("team/app", "1.0", completed());
        assertThat(report.path("digest").asText()).isEqualTo(app.manifestDigest());
        assertThat(report.path("operatingSystem").toString()).contains("debian").contains("12");

        JsonNode log4shell = finding(report, LOG4SHELL);
        assertThat(log4shell.path("severity").asText()).isEqualTo("CRITICAL");
        assertThat(log4shell.path("score").asDouble()).isEqualTo(10.0);
        assertThat(log4shell.path("fixedVersion").asText()).isEqualTo("2.15.0");
        assertThat(log4shell.path("installedVersion").asText()).isEqualTo("2.14.1");
        assertThat(texts(log4shell.path("aliases"))).contains("CVE-2021-44228");
        assertThat(log4shell.path("package").path("purl").asText()).isEqualTo(LOG4J_PURL);
        assertThat(log4shell.path("package").path("path").asText()).endsWith("app/lib/log4j-core-2.14.1.jar");
        assertThat(log4shell.path("package").path("layer").asText()).isEqualTo(app.layers().get(0).digest());
        JsonNode second = finding(report, LOG4J_SECOND);
        assertThat(second.path("severity").asText()).isEqualTo("CRITICAL");
        assertThat(texts(second.path("aliases"))).contains("CVE-2021-45046");

        List<JsonNode> stdlib = findings(report, f -> f.path("id").asText().startsWith("GO-")
                && f.path("package").path("name").asText().equals("stdlib"));
        assertThat(stdlib).as("the Go 1.19.8 standard library of docker-registry has dozens of published vulnerabilities")
                .hasSizeGreaterThan(50)
                .allSatisfy(f -> {
                    assertThat(f.path("installedVersion").asText()).contains("1.19.8");
                    assertThat(f.path("package").path("path").asText()).endsWith("usr/bin/docker-registry");
                });
        assertThat(report.path("counts").path("critical").asInt()).isEqualTo(2);
        assertThat(report.path("counts").path("critical").asInt() + report.path("counts").path("high").asInt()
                + report.path("counts").path("medium").asInt() + report.path("counts").path("low").asInt()
                + report.path("counts").path("unknown").asInt()).isEqualTo(report.path("findings").size());

        // The same report through the command line, by tag and by digest.
        JsonNode viaCli = json(admin("scan", "report", "team/app", "1.0").ok());
        assertThat(viaCli.path("digest").asText()).isEqualTo(app.manifestDigest());
        assertThat(ids(viaCli)).isEqualTo(ids(report));
        assertThat(ids(json(admin("scan", "report", "team/app", app.manifestDigest()).ok()))).isEqualTo(ids(report));
    }

    @Test
    void theImagesSbomsAreAttachedAsOneCycloneDxAndOneSpdxReferrerListingLog4jWithItsPurl() throws Exception {
        awaitReport("team/app", "1.0", completed());
        land.oras.Registry oras = land.oras.Registry.builder().insecure().defaults("admin", PASSWORD).build();
        Referrers referrers = oras.getReferrers(ContainerRef.parse(stowage.hostPort() + "/team/app@" + app.manifestDigest()), null);
        assertThat(referrers.getManifests()).extracting(ManifestDescriptor::getArtifactType)
                .containsExactlyInAnyOrder(CYCLONEDX, SPDX);
        // The referrers API over HTTP says the same.
        HttpResponse<String> listed = v2("GET", "/v2/team/app/referrers/" + app.manifestDigest());
        assertThat(listed.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(listed.body()).path("manifests").findValuesAsText("artifactType"))
                .containsExactlyInAnyOrder(CYCLONEDX, SPDX);

        HttpResponse<byte[]> cyclonedx = apiBytes("/api/v1/repositories/team/app/artifacts/1.0/sbom");
        assertThat(cyclonedx.statusCode()).isEqualTo(200);
        JsonNode bom = JSON.readTree(cyclonedx.body());
        assertThat(bom.path("bomFormat").asText()).isEqualTo("CycloneDX");
        assertThat(bom.path("specVersion").asText()).isEqualTo("1.6");
        assertThat(bom.path("components").findValuesAsText("purl")).contains(LOG4J_PURL);

        HttpResponse<byte[]> spdx = apiBytes("/api/v1/repositories/team/app/artifacts/1.0/sbom?format=spdx");
        assertThat(spdx.statusCode()).isEqualTo(200);
        JsonNode document = JSON.readTree(spdx.body());
        assertThat(document.path("spdxVersion").asText()).isEqualTo("SPDX-2.3");
        List<String> purls = new ArrayList<>();
        for (JsonNode p : document.path("packages")) {
            for (JsonNode ref : p.path("externalRefs")) {
                if (ref.path("referenceType").asText().equals("purl")) purls.add(ref.path("referenceLocator").asText());
            }
        }
        assertThat(purls).contains(LOG4J_PURL);

        // What the API serves is the referrer's own document, byte for byte.
        for (ManifestDescriptor referrer : referrers.getManifests()) {
            JsonNode manifest = JSON.readTree(v2("GET", "/v2/team/app/manifests/" + referrer.getDigest()).body());
            assertThat(manifest.path("subject").path("digest").asText()).isEqualTo(app.manifestDigest());
            byte[] blob = v2Bytes("/v2/team/app/blobs/" + manifest.path("layers").path(0).path("digest").asText());
            assertThat(blob).isEqualTo(referrer.getArtifactType().equals(SPDX) ? spdx.body() : cyclonedx.body());
        }
    }

    @Test
    void aPullOfAnImageWithCriticalFindingsIsRefusedSayingWhyUntilBothAreAllowlisted() throws Exception {
        createProject("guarded");
        push(appLayout, "1.0", "guarded/app:1.0").ok();
        awaitReport("guarded/app", "1.0", completed());
        String reportPath = "/api/v1/repositories/guarded/app/artifacts/" + app.manifestDigest() + "/vulnerabilities";
        assertThat(api("PUT", "/api/v1/projects/guarded/scanning", "{\"preventSeverity\":\"HIGH\"}").statusCode()).isEqualTo(200);
        try {
            Clients.Result inspect = inspect("guarded/app:1.0");
            assertThat(inspect.exitCode()).isNotZero();
            assertThat(inspect.output()).contains("pull refused by the policy of project 'guarded': the image has 2 critical "
                    + "vulnerabilities at or above HIGH that are not allowlisted; see GET " + reportPath);
            Clients.Result copied = pull("guarded/app:1.0", "refused");
            assertThat(copied.exitCode()).isNotZero();
            assertThat(copied.output()).contains("pull refused by the policy of project 'guarded'");
            if (Clients.onPath("podman")) {
                Clients.Result podman = run(containers("podman", "pull", "--tls-verify=false", "--creds", "admin:" + PASSWORD,
                        stowage.hostPort() + "/guarded/app:1.0"));
                assertThat(podman.exitCode()).isNotZero();
                assertThat(podman.output()).contains("pull refused by the policy of project 'guarded': the image has 2 critical");
            }
            HttpResponse<String> raw = v2("GET", "/v2/guarded/app/manifests/1.0");
            assertThat(raw.statusCode()).isEqualTo(403);
            JsonNode error = JSON.readTree(raw.body()).path("errors").path(0);
            assertThat(error.path("code").asText()).isEqualTo("DENIED");
            assertThat(error.path("detail").path("refusals").path(0).path("vulnerabilities").path("critical").asInt()).isEqualTo(2);
            assertThat(error.path("detail").path("refusals").path(0).path("report").asText()).isEqualTo(reportPath);

            // An expired entry does not count; an active one does.
            HttpResponse<String> project = api("PUT", "/api/v1/projects/guarded/cve-allowlist", "{\"items\":["
                    + "{\"id\":\"CVE-2021-44228\",\"expiresAt\":\"2022-01-31T00:00:00Z\"},"
                    + "{\"id\":\"CVE-2021-45046\",\"expiresAt\":\"2999-01-01T00:00:00Z\"}]}");
            assertThat(project.statusCode()).as(project.body()).isEqualTo(200);
            JsonNode shown = JSON.readTree(api("GET", "/api/v1/projects/guarded/cve-allowlist", null).body());
            assertThat(shown.path("items")).extracting(i -> i.path("id").asText() + "=" + i.path("active").asBoolean())
                    .containsExactlyInAnyOrder("CVE-2021-44228=false", "CVE-2021-45046=true");
            Clients.Result stillRefused = inspect("guarded/app:1.0");
            assertThat(stillRefused.exitCode()).isNotZero();
            assertThat(stillRefused.output()).contains("the image has 1 critical vulnerabilities at or above HIGH");

            // The system-wide list covers the other one: the pull goes through.
            HttpResponse<String> system = api("PUT", "/api/v1/system/cve-allowlist",
                    "{\"items\":[{\"id\":\"CVE-2021-44228\",\"expiresAt\":null}]}");
            assertThat(system.statusCode()).as(system.body()).isEqualTo(200);
            pull("guarded/app:1.0", "allowed").ok();
            assertThat(inspect("guarded/app:1.0").exitCode()).isZero();
        } finally {
            api("PUT", "/api/v1/system/cve-allowlist", "{\"items\":[]}");
        }

        // The refusals are in the audit trail (written in batches: polled, bounded).
        JsonNode refusal = poll("a refused pull in the audit trail", () -> {
            JsonNode records = JSON.readTree(api("GET", "/api/v1/audit?repository=guarded/app&limit=1000", null).body())
                    .path("records");
            for (JsonNode r : records) if (r.path("outcome").asInt() == 403) return r;
            return null;
        });
        assertThat(refusal.path("actor").asText()).isEqualTo("admin");
        assertThat(refusal.toString()).contains("1.0");
    }

    @Test
    void anUnscannedImageOfAProjectThatPreventsThemIsRefusedUntilAScanRequestedFromTheCliCompletes() throws Exception {
        createProject("manual");
        HttpResponse<String> policy = api("PUT", "/api/v1/projects/manual/scanning",
                "{\"scanOnPush\":false,\"preventUnscanned\":true}");
        assertThat(policy.statusCode()).as(policy.body()).isEqualTo(200);
        Path layout = dir.resolve("manual");
        ScanImages.Image image = ScanImages.writeImage(layout, "1.0", "amd64", List.of(ScanImages.layer(log4jOnly("manual"))));
        push(layout, "1.0", "manual/app:1.0").ok();

        Clients.Result refused = inspect("manual/app:1.0");
        assertThat(refused.exitCode()).isNotZero();
        assertThat(refused.output()).contains("pull refused by the policy of project 'manual': the image has no completed "
                + "vulnerability scan (not scanned)");
        assertThat(api("GET", "/api/v1/repositories/manual/app/artifacts/1.0/vulnerabilities", null).statusCode())
                .as("scan on push is off").isEqualTo(404);

        JsonNode queued = json(admin("scan", "run", "manual/app", "1.0").ok());
        assertThat(queued.path("digest").asText()).isEqualTo(image.manifestDigest());
        assertThat(queued.path("status").asText()).isEqualTo("QUEUED");
        awaitReport("manual/app", "1.0", completed());
        inspect("manual/app:1.0").ok();
    }

    @Test
    void theSbomReferrersOfAScannedImageStayPullableInAProjectThatRefusesUnscannedImages() throws Exception {
        createProject("strict");
        assertThat(api("PUT", "/api/v1/projects/strict/scanning", "{\"scanOnPush\":false,\"preventUnscanned\":true}")
                .statusCode()).isEqualTo(200);
        Path layout = dir.resolve("strict");
        ScanImages.Image image = ScanImages.writeImage(layout, "1.0", "amd64", List.of(ScanImages.layer(log4jOnly("strict"))));
        push(layout, "1.0", "strict/app:1.0").ok();
        assertThat(api("POST", "/api/v1/repositories/strict/app/artifacts/1.0/scan", null).statusCode()).isEqualTo(202);
        awaitReport("strict/app", "1.0", completed());
        inspect("strict/app:1.0").ok();
        // An SBOM is not an image: nothing scans it, and the policy about unscanned images must not hold it back
        // (nor signatures, nor charts), or verifying what was pulled fails.
        JsonNode referrers = JSON.readTree(v2("GET", "/v2/strict/app/referrers/" + image.manifestDigest()).body());
        assertThat(referrers.path("manifests").size()).isEqualTo(2);
        for (JsonNode referrer : referrers.path("manifests")) {
            HttpResponse<String> sbom = v2("GET", "/v2/strict/app/manifests/" + referrer.path("digest").asText());
            assertThat(sbom.statusCode()).as(referrer.path("artifactType").asText() + ": " + sbom.body()).isEqualTo(200);
        }
    }

    @Test
    void aMultiPlatformIndexGetsAReportWithOneEntryPerPlatform() throws Exception {
        Path layout = appLayout; // the amd64 image is team/app:1.0's; the arm64 one has no Go binary
        ScanImages.Image amd64 = app;
        ScanImages.Image arm64 = ScanImages.writeImage(layout, "arm64", "arm64", List.of(ScanImages.layer(log4jOnly("multi arm64"))));
        String index = ScanImages.writeIndex(layout, "multi", List.of(amd64, arm64));
        run(cmd("skopeo", "copy", "--all", "--dest-tls-verify=false", "--dest-creds", "admin:" + PASSWORD,
                "oci:" + layout + ":multi", "docker://" + stowage.hostPort() + "/team/multi:1.0")).ok();

        JsonNode report = awaitReport("team/multi", "1.0", completed());
        assertThat(report.path("digest").asText()).isEqualTo(index);
        assertThat(report.path("platforms")).extracting(p -> p.path("platform").asText() + " " + p.path("manifest").asText()
                + " " + p.path("status").asText()).containsExactlyInAnyOrder(
                "linux/amd64 " + amd64.manifestDigest() + " COMPLETED", "linux/arm64 " + arm64.manifestDigest() + " COMPLETED");
        for (JsonNode platform : report.path("platforms")) {
            assertThat(platform.path("counts").path("critical").asInt()).as(platform.path("platform").asText()).isEqualTo(2);
        }
        assertThat(texts(finding(report, LOG4SHELL).path("platforms"))).containsExactlyInAnyOrder("linux/amd64", "linux/arm64");
        List<JsonNode> stdlib = findings(report, f -> f.path("package").path("name").asText().equals("stdlib"));
        assertThat(stdlib).isNotEmpty().allSatisfy(f -> assertThat(texts(f.path("platforms"))).containsExactly("linux/amd64"));
        // Each platform's image has its own report too.
        assertThat(ids(awaitReport("team/multi", arm64.manifestDigest(), completed()))).contains(LOG4SHELL)
                .noneMatch(id -> id.startsWith("GO-"));
    }

    @Test
    void newVulnerabilityDataImportedWhileTheServerRunsIsMatchedAgainWithoutReadingTheLayers() throws Exception {
        createProject("late");
        Path layout = dir.resolve("late");
        ScanImages.Image image = ScanImages.writeImage(layout, "1.0", "amd64", List.of(ScanImages.layer(log4jOnly("late"))));
        push(layout, "1.0", "late/app:1.0").ok();
        JsonNode before = awaitReport("late/app", "1.0", completed());
        long generation = before.path("generation").asLong();

        // The layer is gone from storage: a rescan that read it could not complete.
        String layer = image.layers().get(0).digest().substring("sha256:".length());
        Files.delete(data.resolve("blobs/sha256").resolve(layer.substring(0, 2)).resolve(layer));

        Clients.Result imported = stowageCommand("vulndb", "import", "--data", data.toString(),
                vulndata().resolve("ghsa").toString()).ok();
        assertThat(imported.output()).contains("ghsa: 25 records");
        long newGeneration = JSON.readTree(api("GET", "/api/v1/vulnerability-database", null).body()).path("generation").asLong();
        assertThat(newGeneration).isGreaterThan(generation);

        JsonNode after = awaitReport("late/app", "1.0", r -> completed().test(r) && r.path("generation").asLong() >= newGeneration);
        assertThat(after.path("generation").asLong()).isEqualTo(newGeneration);
        assertThat(after.path("skipped").size()).as("nothing unread: the stored inventory was matched").isZero();
        assertThat(ids(after)).contains(LOG4SHELL, LOG4J_SECOND);
    }

    @Test
    void aProjectWebhookSubscribedToScanningCompletedReceivesACloudEventWithTheCounts() throws Exception {
        createProject("hooked");
        ConcurrentLinkedQueue<JsonNode> received = new ConcurrentLinkedQueue<>();
        com.sun.net.httpserver.HttpServer receiver = com.sun.net.httpserver.HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/scans", exchange -> {
            received.add(JSON.readTree(exchange.getRequestBody().readAllBytes()));
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        receiver.start();
        try {
            HttpResponse<String> created = api("POST", "/api/v1/projects/hooked/webhooks", "{\"targetUrl\":\"http://127.0.0.1:"
                    + receiver.getAddress().getPort() + "/scans\",\"events\":[\"SCANNING_COMPLETED\"]}");
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
            ScanImages.Image image = app;
            push(appLayout, "1.0", "hooked/app:1.0").ok();

            JsonNode event = poll("a SCANNING_COMPLETED delivery", () -> received.peek());
            assertThat(event.path("specversion").asText()).isEqualTo("1.0");
            assertThat(event.path("type").asText()).isEqualTo("dev.stowage.scanning.completed");
            assertThat(event.path("subject").asText()).isEqualTo(image.manifestDigest());
            assertThat(event.path("data").path("repository").asText()).isEqualTo("hooked/app");
            assertThat(event.path("data").path("digest").asText()).isEqualTo(image.manifestDigest());
            assertThat(event.path("data").path("status").asText()).isEqualTo("COMPLETED");
            assertThat(event.path("data").path("counts").path("critical").asInt()).isEqualTo(2);
            assertThat(received).as("only the subscribed event type").allMatch(e -> e.path("type").asText()
                    .equals("dev.stowage.scanning.completed"));
        } finally {
            receiver.stop(0);
        }
    }

    @Test
    void aDecompressionBombAndARandomLayerAreReportedAsSkippedWhileTheServerKeepsServingPulls() throws Exception {
        createProject("hostile");
        Path layout = dir.resolve("hostile");
        Map<String, Object> readable = new LinkedHashMap<>();
        readable.put("etc/os-release", Path.of("/usr/lib/os-release"));
        readable.put("app/lib/log4j-core-2.14.1.jar", LOG4J);
        readable.put("etc/stowage-test", "hostile");
        ScanImages.Layer bomb = ScanImages.zeroBomb("app/lib/huge.jar", 2L << 30);
        assertThat(bomb.blob().length).as("2 GiB of zeros gzip'd").isLessThan(16 << 20);
        ScanImages.Layer random = ScanImages.randomBytes(1 << 20, 10);
        ScanImages.Image image = ScanImages.writeImage(layout, "1.0", "amd64", List.of(ScanImages.layer(readable), bomb, random));
        // --preserve-digests: skopeo would otherwise gzip the random layer, which it takes for an uncompressed one
        run(cmd("skopeo", "copy", "--preserve-digests", "--dest-tls-verify=false", "--dest-creds", "admin:" + PASSWORD,
                "oci:" + layout + ":1.0", "docker://" + stowage.hostPort() + "/hostile/app:1.0")).ok();

        // While the scanner reads 2 GiB, pulls are served.
        JsonNode report;
        int pulls = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
        while (true) {
            inspect("team/app:1.0").ok();
            pulls++;
            HttpResponse<String> r = api("GET", "/api/v1/repositories/hostile/app/artifacts/1.0/vulnerabilities", null);
            if (r.statusCode() == 200) {
                JsonNode body = JSON.readTree(r.body());
                String status = body.path("status").asText();
                if (status.equals("COMPLETED") || status.equals("FAILED")) {
                    report = body;
                    break;
                }
            }
            if (System.nanoTime() > deadline) throw new AssertionError("no report after 240 s: " + r.body() + "\n" + stowage.log());
        }
        assertThat(pulls).isPositive();
        assertThat(stowage.alive()).isTrue();
        assertThat(report.path("status").asText()).as(report.toString()).isEqualTo("COMPLETED");
        assertThat(ids(report)).as("the readable layer is still inventoried").contains(LOG4SHELL);
        JsonNode huge = skipped(report, bomb.digest());
        assertThat(huge.path("path").asText()).endsWith("app/lib/huge.jar");
        assertThat(huge.path("reason").asText()).contains(Long.toString(2L << 30));
        JsonNode unreadable = skipped(report, random.digest());
        assertThat(unreadable.path("path").asText()).isEqualTo("/");
        assertThat(unreadable.path("reason").asText()).isNotBlank();
        assertThat(report.path("digest").asText()).isEqualTo(image.manifestDigest());
        inspect("hostile/app:1.0").ok();
    }

    // --- images, clients, calls ------------------------------------------------------------------------

    static Path vulndata() {
        return Path.of(System.getProperty("stowage.vulndata", "../../shared/vulndata")).toAbsolutePath().normalize();
    }

    /** A Debian 12 root of this machine: os-release, the dpkg database, Debian's Go binary and log4j-core 2.14.1. */
    static Map<String, Object> debianGoLog4j(String marker) {
        Map<String, Object> files = new LinkedHashMap<>();
        files.put("etc/os-release", Path.of("/usr/lib/os-release"));
        files.put("var/lib/dpkg/status", Path.of("/var/lib/dpkg/status"));
        files.put("usr/bin/docker-registry", GO_BINARY);
        files.put("app/lib/log4j-core-2.14.1.jar", LOG4J);
        files.put("etc/stowage-test", marker); // one image per test: reports are per manifest
        return files;
    }

    /** A small image: os-release and log4j-core 2.14.1 (two critical findings), quick to scan. */
    static Map<String, Object> log4jOnly(String marker) {
        Map<String, Object> files = new LinkedHashMap<>();
        files.put("etc/os-release", Path.of("/usr/lib/os-release"));
        files.put("app/lib/log4j-core-2.14.1.jar", LOG4J);
        files.put("etc/stowage-test", marker);
        return files;
    }

    static void createProject(String name) throws Exception {
        HttpResponse<String> r = api("POST", "/api/v1/projects", "{\"name\":\"" + name + "\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    }

    static Clients.Result push(Path layout, String tag, String destination) throws Exception {
        return run(cmd("skopeo", "copy", "--dest-tls-verify=false", "--dest-creds", "admin:" + PASSWORD,
                "oci:" + layout + ":" + tag, "docker://" + stowage.hostPort() + "/" + destination));
    }

    static Clients.Result inspect(String reference) throws Exception {
        return run(cmd("skopeo", "inspect", "--tls-verify=false", "--creds", "admin:" + PASSWORD,
                "docker://" + stowage.hostPort() + "/" + reference));
    }

    static Clients.Result pull(String reference, String into) throws Exception {
        return run(cmd("skopeo", "copy", "--src-tls-verify=false", "--src-creds", "admin:" + PASSWORD,
                "docker://" + stowage.hostPort() + "/" + reference, "oci:" + dir.resolve("pulled-" + into) + ":pulled"));
    }

    /** podman (or buildah) on vfs storage in the test's directory. */
    static List<String> containers(String tool, String... args) {
        List<String> command = new ArrayList<>(List.of(tool, "--root", dir.resolve("containers/root").toString(),
                "--runroot", dir.resolve("containers/run").toString(), "--storage-driver", "vfs"));
        command.addAll(List.of(args));
        return command;
    }

    /** {@code stowage args...} as the launcher runs it. */
    static Clients.Result stowageCommand(String... args) throws Exception {
        return StowageProcess.run(Map.of(), 300, List.of(args));
    }

    /** {@code stowage admin --url ... --output json args...} as the administrator. */
    static Clients.Result admin(String... args) throws Exception {
        return stowage.adminJson(Map.of("STOWAGE_PASSWORD", PASSWORD), args);
    }

    static JsonNode json(Clients.Result r) throws Exception {
        return r.json();
    }

    static HttpResponse<String> api(String method, String path, String body) throws Exception {
        return Registry.call(stowage, method, path, "admin", PASSWORD, body);
    }

    static String basic() {
        return "Basic " + Base64.getEncoder().encodeToString(("admin:" + PASSWORD).getBytes(StandardCharsets.UTF_8));
    }

    static HttpResponse<byte[]> apiBytes(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(stowage.baseUrl() + path)).header("Authorization", basic()).build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    /**
     * A registry API call as the administrator, as clients make it: unauthenticated first, then with the bearer token the
     * challenge's realm gives for the administrator's credentials. Accepts OCI manifests and indexes.
     */
    static HttpResponse<byte[]> v2Call(String method, String path) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(stowage.baseUrl() + path))
                .header("Accept", "application/vnd.oci.image.manifest.v1+json,application/vnd.oci.image.index.v1+json")
                .method(method, HttpRequest.BodyPublishers.noBody());
        HttpResponse<byte[]> first = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        String challenge = first.headers().firstValue("WWW-Authenticate").orElse("");
        if (first.statusCode() != 401 || !challenge.startsWith("Bearer ")) return first;
        Map<String, String> params = new LinkedHashMap<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\w+)=\"([^\"]*)\"").matcher(challenge);
        while (m.find()) params.put(m.group(1), m.group(2));
        String tokenUrl = params.get("realm") + "?service=" + java.net.URLEncoder.encode(params.getOrDefault("service", ""),
                StandardCharsets.UTF_8) + "&scope=" + java.net.URLEncoder.encode(params.getOrDefault("scope", ""), StandardCharsets.UTF_8);
        HttpResponse<String> token = HTTP.send(HttpRequest.newBuilder(URI.create(tokenUrl)).header("Authorization", basic())
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(token.statusCode()).as("token for " + challenge + ": " + token.body()).isEqualTo(200);
        JsonNode answer = JSON.readTree(token.body());
        String bearer = answer.hasNonNull("token") ? answer.path("token").asText() : answer.path("access_token").asText();
        return HTTP.send(request.header("Authorization", "Bearer " + bearer).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    static HttpResponse<String> v2(String method, String path) throws Exception {
        HttpResponse<byte[]> r = v2Call(method, path);
        String body = new String(r.body(), StandardCharsets.UTF_8);
        return new HttpResponse<>() {
            public int statusCode() { return r.statusCode(); }
            public HttpRequest request() { return r.request(); }
            public java.util.Optional<HttpResponse<String>> previousResponse() { return java.util.Optional.empty(); }
            public java.net.http.HttpHeaders headers() { return r.headers(); }
            public String body() { return body; }
            public java.util.Optional<javax.net.ssl.SSLSession> sslSession() { return r.sslSession(); }
            public URI uri() { return r.uri(); }
            public HttpClient.Version version() { return r.version(); }
        };
    }

    static byte[] v2Bytes(String path) throws Exception {
        HttpResponse<byte[]> r = v2Call("GET", path);
        assertThat(r.statusCode()).as(path).isEqualTo(200);
        return r.body();
    }

    static Predicate<JsonNode> completed() {
        return r -> r.path("status").asText().equals("COMPLETED");
    }

    /** Polls the artifact's report until {@code done} holds (bounded); scans run in the background. */
    static JsonNode awaitReport(String repository, String reference, Predicate<JsonNode> done) throws Exception {
        String path = "/api/v1/repositories/" + repository + "/artifacts/" + reference + "/vulnerabilities";
        String[] last = {""};
        return poll(() -> "report of " + repository + ":" + reference + " (last answer: " + last[0] + ")", () -> {
            HttpResponse<String> r = api("GET", path, null);
            last[0] = r.statusCode() + " " + r.body();
            if (r.statusCode() != 200) return null;
            JsonNode report = JSON.readTree(r.body());
            if (report.path("status").asText().equals("FAILED")) throw new AssertionError("scan failed: " + r.body());
            return done.test(report) ? report : null;
        });
    }

    interface Probe {
        JsonNode get() throws Exception;
    }

    static JsonNode poll(String what, Probe probe) throws Exception {
        return poll(() -> what, probe);
    }

    /** Asks until the answer is not null, for at most 90 s. */
    static JsonNode poll(java.util.function.Supplier<String> what, Probe probe) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < deadline) {
            JsonNode answer = probe.get();
            if (answer != null) return answer;
            Thread.sleep(250);
        }
        throw new AssertionError("waited 90 s for " + what.get() + "\n" + stowage.log().lines()
                .filter(l -> l.contains("scan") || l.contains("vulnerab") || l.contains("WARN") || l.contains("ERROR"))
                .reduce("", (a, b) -> a + "\n" + b));
    }

    static JsonNode finding(JsonNode report, String id) {
        List<JsonNode> found = findings(report, f -> f.path("id").asText().equals(id) || texts(f.path("aliases")).contains(id));
        assertThat(found).as(id + " in " + ids(report)).hasSize(1);
        return found.get(0);
    }

    static List<JsonNode> findings(JsonNode report, Predicate<JsonNode> which) {
        List<JsonNode> out = new ArrayList<>();
        report.path("findings").forEach(f -> {
            if (which.test(f)) out.add(f);
        });
        return out;
    }

    static JsonNode skipped(JsonNode report, String layer) {
        for (JsonNode s : report.path("skipped")) if (s.path("layer").asText().equals(layer)) return s;
        throw new AssertionError("nothing of layer " + layer + " skipped: " + report.path("skipped"));
    }

    static Set<String> ids(JsonNode report) {
        Set<String> ids = new TreeSet<>();
        report.path("findings").forEach(f -> ids.add(f.path("id").asText()));
        return ids;
    }

    static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(t -> out.add(t.asText()));
        return out;
    }
}
