package dev.stowage.app;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stowage.core.access.Account;
import dev.stowage.identity.PasswordHasher;
import dev.stowage.metadata.JdbcIdentityStore;
import dev.stowage.metadata.JdbcMetadataStore;
import dev.stowage.metadata.MetadataConfig;
import dev.stowage.scanning.external.SpecAdapter;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * External scanners end to end: a node started as {@code stowage serve} starts it, a scanner adapter that follows
 * Harbor's pluggable scanner API v1.1 registered over the admin API, and images pushed over HTTP that the adapter pulls
 * back from the running registry with the credential it was given.
 */
class ExternalScannerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ADMIN_PASSWORD = "the administrator's password";
    private static final String DEV_PASSWORD = "the developer's password";
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir static Path dir;
    private static Stowage node;
    private static StowageConfig config;
    private static String base;
    private static final ListAppender<ILoggingEvent> LOGS = new ListAppender<>();
    private final List<SpecAdapter> adapters = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path data = dir.resolve("data");
        config = StowageConfig.load(null, Map.of("STOWAGE_STORAGE_PATH", data.toString(),
                "STOWAGE_HTTP_HOST", "127.0.0.1", "STOWAGE_HTTP_PORT", String.valueOf(port),
                "STOWAGE_SCANNING_ADAPTER_TIMEOUT", "3s"));
        DataDirectory.prepare(config, w -> { });
        try (JdbcMetadataStore db = JdbcMetadataStore.open(MetadataConfig.sqlite(data.resolve("stowage.db")))) {
            JdbcIdentityStore identities = new JdbcIdentityStore(db);
            Bootstrap.ensureAdmin(identities, ADMIN_PASSWORD, w -> { });
            identities.createAccount(new Account("dev", PasswordHasher.DEFAULT.hash(DEV_PASSWORD.toCharArray()), false,
                    false, Instant.now()));
        }
        LOGS.start();
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).addAppender(LOGS);
        node = Stowage.start(config);
        base = "http://127.0.0.1:" + port;
    }

    @AfterAll
    static void stop() throws Exception {
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(LOGS);
        if (node != null) node.close();
    }

    @AfterEach
    void closeAdapters() {
        adapters.forEach(SpecAdapter::close);
    }

    // --- scanning through an adapter ---------------------------------------------------------------------

    @Test
    void theAdapterPullsTheImageWithAPullOnlyTokenForItsRepositoryAndItsReportIsServedAsStowages() throws Exception {
        SpecAdapter adapter = adapter("Authorization", "Bearer adapter-token-1");
        project("pullers");
        Image other = push("pullers/other", "1.0", "another image\n");
        Map<String, Integer> pulls = new ConcurrentHashMap<>();
        Map<String, JsonNode> tokens = new ConcurrentHashMap<>();
        adapter.onScanRequest = request -> {
            String registry = request.path("registry").path("url").asText();
            String authorization = request.path("registry").path("authorization").asText();
            String digest = request.path("artifact").path("digest").asText();
            tokens.put("claims", claims(authorization));
            pulls.put("own manifest", pull(registry, authorization, "/v2/pullers/app/manifests/" + digest));
            pulls.put("own config", pull(registry, authorization, "/v2/pullers/app/blobs/"
                    + manifestOf(registry, authorization, "pullers/app", digest).path("config").path("digest").asText()));
            pulls.put("other repository", pull(registry, authorization, "/v2/pullers/other/manifests/" + other.digest));
            pulls.put("push to own", put(registry, authorization, "/v2/pullers/app/manifests/stolen"));
        };
        register("trivy-pull", adapter, "bearer", "adapter-token-1");
        choose("pullers", "trivy-pull");
        Image image = pushWithReport(adapter, "pullers/app", "1.0", "the image\n");

        JsonNode report = finished("pullers/app", image.digest);

        assertThat(pulls).containsEntry("own manifest", 200).containsEntry("own config", 200)
                .containsEntry("other repository", 401)
                .containsEntry("push to own", 401);
        JsonNode claims = tokens.get("claims");
        assertThat(claims.path("sub").asText()).isEqualTo("scanner:trivy-pull");
        assertThat(claims.path("access")).hasSize(1);
        assertThat(claims.path("access").get(0).path("type").asText()).isEqualTo("repository");
        assertThat(claims.path("access").get(0).path("name").asText()).isEqualTo("pullers/app");
        assertThat(claims.path("access").get(0).path("actions").toString()).isEqualTo("[\"pull\"]");
        assertThat(claims.path("exp").asLong() - claims.path("iat").asLong()).isEqualTo(3);
        assertThat(adapter.scanRequests.get(0).path("registry").path("url").asText())
                .isEqualTo("http://localhost:" + config.http().port()); // scanning.adapterRegistryUrl's default
        assertThat(report.path("status").asText()).isEqualTo("COMPLETED");
        assertThat(report.path("scanner").asText()).isEqualTo("trivy-pull");
        assertThat(report.path("adapter").path("name").asText()).isEqualTo("Trivy");
        assertThat(report.path("counts").toString())
                .isEqualTo("{\"critical\":1,\"high\":1,\"medium\":0,\"low\":0,\"unknown\":0}");
        JsonNode first = report.path("findings").get(0);
        assertThat(first.path("id").asText()).isEqualTo("CVE-2023-0464");
        assertThat(first.path("severity").asText()).isEqualTo("CRITICAL");
        assertThat(first.path("installedVersion").asText()).isEqualTo("3.0.8-1~deb12u1");
        assertThat(first.path("fixedVersion").asText()).isEqualTo("3.0.9-1~deb12u1");
        assertThat(report.path("findings").get(1).path("id").asText()).isEqualTo("CVE-2022-1304");
    }

    @Test
    void anAdapterErrorFailsTheScanWithTheAdaptersMessage() throws Exception {
        SpecAdapter adapter = adapter(null, null);
        adapter.reportError = "the vulnerability database could not be downloaded";
        project("failing");
        register("trivy-broken", adapter, "none", null);
        choose("failing", "trivy-broken");
        Image image = push("failing/app", "1.0", "the image\n");

        JsonNode report = finished("failing/app", image.digest);

        assertThat(report.path("status").asText()).isEqualTo("FAILED");
        assertThat(report.path("scanner").asText()).isEqualTo("trivy-broken");
        assertThat(report.path("error").asText()).contains("the vulnerability database could not be downloaded")
                .startsWith("scanner adapter 'trivy-broken'");
        assertThat(adapter.reportGets.get()).isEqualTo(1); // failed at once, not retried
    }

    @Test
    void anAdapterThatNeverFinishesIsStoppedAtTheDeadline() throws Exception {
        SpecAdapter adapter = adapter(null, null);
        adapter.pollsBeforeReady = -1;
        adapter.refreshAfter = "1";
        project("slow");
        register("trivy-slow", adapter, "none", null);
        choose("slow", "trivy-slow");
        Image image = push("slow/app", "1.0", "the image\n");

        JsonNode report = finished("slow/app", image.digest);

        assertThat(report.path("status").asText()).isEqualTo("FAILED");
        assertThat(report.path("error").asText()).startsWith("scanner adapter 'trivy-slow'")
                .contains("had no report for scan request");
        assertThat(adapter.scanRequests).hasSize(1);
    }

    @Test
    void theDefaultScannerScansEveryProjectThatDoesNotNameItsOwn() throws Exception {
        SpecAdapter adapter = adapter(null, null);
        project("defaulted");
        register("trivy-default", adapter, "none", null);
        assertThat(call("GET", "/api/v1/projects/defaulted/scanner", null, admin()).body())
                .isEqualTo("{\"name\":\"stowage\",\"projectsOwn\":false}");
        assertThat(call("PUT", "/api/v1/scanners/trivy-default/default", null, admin()).status()).isEqualTo(200);
        try {
            assertThat(call("GET", "/api/v1/projects/defaulted/scanner", null, admin()).body())
                    .isEqualTo("{\"name\":\"trivy-default\",\"projectsOwn\":false}");
            assertThat(call("DELETE", "/api/v1/scanners/trivy-default", null, admin()).status()).isEqualTo(409);
            Image image = pushWithReport(adapter, "defaulted/app", "1.0", "the image the default scanner scans\n");

            assertThat(finished("defaulted/app", image.digest).path("scanner").asText()).isEqualTo("trivy-default");
        } finally {
            call("PUT", "/api/v1/scanners/stowage/default", null, admin());
        }
        assertThat(call("DELETE", "/api/v1/scanners/trivy-default", null, admin()).status()).isEqualTo(204);
    }

    // --- registration ------------------------------------------------------------------------------------

    @Test
    void theSecretIsSealedAndNeverAnsweredNorLogged() throws Exception {
        SpecAdapter adapter = adapter("X-ScannerAdapter-API-Key", "k3y-never-shown");
        Answer registered = register("trivy-secret", adapter, "apikey", "k3y-never-shown");
        Answer listed = call("GET", "/api/v1/scanners", null, admin());
        Answer one = call("GET", "/api/v1/scanners/trivy-secret", null, admin());
        Answer pinged = call("POST", "/api/v1/scanners/trivy-secret/ping", null, admin());
        Answer patched = call("PATCH", "/api/v1/scanners/trivy-secret", "{\"secret\":\"k3y-changed-never-shown\"}", admin());

        assertThat(registered.status()).isEqualTo(201);
        assertThat(pinged.status()).isEqualTo(200);
        assertThat(patched.status()).isEqualTo(200);
        for (Answer a : List.of(registered, listed, one, pinged, patched)) {
            assertThat(a.body()).doesNotContain("never-shown");
        }
        assertThat(JSON.readTree(one.body()).path("auth").asText()).isEqualTo("apikey");
        assertThat(LOGS.list).extracting(ILoggingEvent::getFormattedMessage).noneMatch(m -> m.contains("never-shown"));
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("data/stowage.db"));
             ResultSet r = c.createStatement().executeQuery("SELECT secret FROM scanner_adapters WHERE name = 'trivy-secret'")) {
            assertThat(r.next()).isTrue();
            assertThat(r.getString(1)).startsWith("v1:").doesNotContain("never-shown");
        }
        // the changed secret is the one sent
        assertThat(call("POST", "/api/v1/scanners/trivy-secret/ping", null, admin()).status()).isEqualTo(502);
    }

    @Test
    void pingAnswersTheAdaptersMetadataAndWhetherItScansImages() throws Exception {
        SpecAdapter adapter = adapter(null, null);
        register("trivy-ping", adapter, "none", null);

        Answer pinged = call("POST", "/api/v1/scanners/trivy-ping/ping", null, admin());

        assertThat(pinged.status()).isEqualTo(200);
        JsonNode body = JSON.readTree(pinged.body());
        assertThat(body.path("scanner").toString())
                .isEqualTo("{\"name\":\"Trivy\",\"vendor\":\"Aqua Security\",\"version\":\"0.50.1\"}");
        assertThat(body.path("canScan").path("ociManifest").asBoolean()).isTrue();
        assertThat(body.path("canScan").path("dockerManifest").asBoolean()).isTrue();
    }

    @Test
    void pingOfAnAdapterNobodyListensForIs502WithTheReason() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        call("POST", "/api/v1/scanners", "{\"name\":\"nobody\",\"url\":\"http://127.0.0.1:" + port + "\"}", admin());

        Answer pinged = call("POST", "/api/v1/scanners/nobody/ping", null, admin());

        assertThat(pinged.status()).isEqualTo(502);
        assertThat(JSON.readTree(pinged.body()).path("errors").get(0).path("message").asText())
                .startsWith("scanner adapter 'nobody' (http://127.0.0.1:" + port + ") could not be reached");
    }

    @Test
    void registrationMistakesAre400WithTheReason() throws Exception {
        assertThat(message(call("POST", "/api/v1/scanners", "{\"name\":\"tls\",\"url\":\"https://adapter.example\","
                + "\"skipTlsVerify\":true}", admin()), 400)).startsWith("skipTlsVerify is not allowed on this registry");
        assertThat(message(call("POST", "/api/v1/scanners", "{\"name\":\"stowage\",\"url\":\"http://a.example\"}",
                admin()), 400)).contains("built-in scanner's name");
        assertThat(message(call("POST", "/api/v1/scanners", "{\"name\":\"basic\",\"url\":\"http://a.example\","
                + "\"auth\":\"basic\",\"secret\":\"no-colon\"}", admin()), 400)).contains("user:password");
        assertThat(message(call("POST", "/api/v1/scanners", "{\"name\":\"ftp\",\"url\":\"ftp://a.example\"}",
                admin()), 400)).startsWith("scanner adapter URL must be http(s)://");
        assertThat(message(call("PUT", "/api/v1/scanners/unheard-of/default", null, admin()), 404))
                .startsWith("no scanner named 'unheard-of'");
    }

    @Test
    void nonAdministratorsAreRefused() throws Exception {
        project("guarded");
        String dev = basic("dev", DEV_PASSWORD);
        assertThat(call("GET", "/api/v1/scanners", null, dev).status()).isEqualTo(403);
        assertThat(call("POST", "/api/v1/scanners", "{\"name\":\"mine\",\"url\":\"http://a.example\"}", dev).status())
                .isEqualTo(403);
        assertThat(call("GET", "/api/v1/scanners/stowage", null, dev).status()).isEqualTo(403);
        assertThat(call("POST", "/api/v1/scanners/stowage/ping", null, dev).status()).isEqualTo(403);
        assertThat(call("PUT", "/api/v1/scanners/stowage/default", null, dev).status()).isEqualTo(403);
        assertThat(call("DELETE", "/api/v1/scanners/stowage", null, dev).status()).isEqualTo(403);
        assertThat(call("PUT", "/api/v1/projects/guarded/scanner", "{\"name\":null}", dev).status()).isEqualTo(403);
        assertThat(call("GET", "/api/v1/scanners", null, null).status()).isEqualTo(401);
    }

    @Test
    void theCliRegistersListsPingsAndChoosesScanners() throws Exception {
        SpecAdapter adapter = adapter("Authorization", "Bearer cli-secret-token");
        project("clip");
        Map<String, String> env = Map.of("STOWAGE_PASSWORD", ADMIN_PASSWORD, "STOWAGE_SCANNER_SECRET", "cli-secret-token");

        assertThat(cli(env, "scan", "scanners", "add", "cli-trivy", adapter.url().toString(), "--auth", "bearer"))
                .isZero();
        assertThat(cli(env, "scan", "scanners", "list")).isZero();
        assertThat(cli(env, "scan", "scanners", "ping", "cli-trivy")).isZero(); // the secret from the environment is sent
        assertThat(cli(env, "scan", "scanners", "project", "clip", "cli-trivy")).isZero();
        assertThat(cli(env, "scan", "scanners", "ping", "unheard-of")).isEqualTo(1);
        assertThat(cli(Map.of("STOWAGE_PASSWORD", ADMIN_PASSWORD), "scan", "scanners", "add", "no-secret",
                "http://a.example", "--auth", "apikey")).isNotZero();

        assertThat(adapter.requestHeaders).extracting(h -> h.get("Authorization"))
                .containsOnly(List.of("Bearer cli-secret-token"));
        assertThat(call("GET", "/api/v1/projects/clip/scanner", null, admin()).body())
                .isEqualTo("{\"name\":\"cli-trivy\",\"projectsOwn\":true}");
        assertThat(call("GET", "/api/v1/scanners/no-secret", null, admin()).status()).isEqualTo(404);
    }

    @Test
    void theOpenApiDocumentDescribesEveryScannerRoute() throws Exception {
        JsonNode paths = JSON.readTree(call("GET", "/api/v1/openapi.json", null, admin()).body()).path("paths");

        assertThat(paths.path("/api/v1/scanners").has("get")).isTrue();
        assertThat(paths.path("/api/v1/scanners").has("post")).isTrue();
        assertThat(paths.path("/api/v1/scanners/{name}").has("patch")).isTrue();
        assertThat(paths.path("/api/v1/scanners/{name}").has("delete")).isTrue();
        assertThat(paths.path("/api/v1/scanners/{name}/ping").has("post")).isTrue();
        assertThat(paths.path("/api/v1/scanners/{name}/default").has("put")).isTrue();
        assertThat(paths.path("/api/v1/projects/{project}/scanner").has("put")).isTrue();
    }

    @Test
    void anAdapterAProjectNamesIsNotDeleted() throws Exception {
        SpecAdapter adapter = adapter(null, null);
        project("attached");
        register("trivy-attached", adapter, "none", null);
        choose("attached", "trivy-attached");

        assertThat(message(call("DELETE", "/api/v1/scanners/trivy-attached", null, admin()), 409))
                .contains("chosen by projects [attached]");
        call("PUT", "/api/v1/projects/attached/scanner", "{\"name\":null}", admin());
        assertThat(call("DELETE", "/api/v1/scanners/trivy-attached", null, admin()).status()).isEqualTo(204);
    }

    // --- helpers -----------------------------------------------------------------------------------------

    private SpecAdapter adapter(String header, String value) throws Exception {
        SpecAdapter adapter = new SpecAdapter(header, value);
        adapters.add(adapter);
        return adapter;
    }

    record Answer(int status, String body) {}

    record Image(String digest, String configDigest) {}

    private static String admin() {
        return basic("admin", ADMIN_PASSWORD);
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private static Answer call(String method, String path, String body, String authorization) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) request.header("Content-Type", "application/json");
        if (authorization != null) request.header("Authorization", authorization);
        HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        return new Answer(response.statusCode(), response.body());
    }

    private static String message(Answer answer, int status) throws Exception {
        assertThat(answer.status()).as(answer.body()).isEqualTo(status);
        return JSON.readTree(answer.body()).path("errors").get(0).path("message").asText();
    }

    private static void project(String name) throws Exception {
        assertThat(call("POST", "/api/v1/projects", "{\"name\":\"" + name + "\"}", admin()).status()).isEqualTo(201);
    }

    private static Answer register(String name, SpecAdapter adapter, String auth, String secret) throws Exception {
        String body = "{\"name\":\"" + name + "\",\"url\":\"" + adapter.url() + "\",\"auth\":\"" + auth + "\""
                + (secret == null ? "" : ",\"secret\":\"" + secret + "\"") + "}";
        Answer answer = call("POST", "/api/v1/scanners", body, admin());
        assertThat(answer.status()).as(answer.body()).isEqualTo(201);
        return answer;
    }

    private static void choose(String project, String scanner) throws Exception {
        Answer answer = call("PUT", "/api/v1/projects/" + project + "/scanner", "{\"name\":\"" + scanner + "\"}", admin());
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
    }

    /** Waits for the scan (bounded: a scan that never ends fails the test) and answers its report. */
    private static JsonNode finished(String repository, String digest) throws Exception {
        for (int i = 0; i < 600; i++) {
            Answer answer = call("GET", "/api/v1/repositories/" + repository + "/artifacts/" + digest + "/vulnerabilities",
                    null, admin());
            if (answer.status() == 200) {
                JsonNode report = JSON.readTree(answer.body());
                String status = report.path("status").asText();
                if (status.equals("COMPLETED") || status.equals("FAILED")) return report;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the scan of " + repository + "@" + digest + " did not finish");
    }

    /** The claims of the JWT in a Bearer authorization. */
    private static JsonNode claims(String authorization) {
        String jwt = authorization.substring("Bearer ".length());
        try {
            return JSON.readTree(Base64.getUrlDecoder().decode(jwt.split("\\.")[1]));
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static int pull(String registry, String authorization, String path) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(registry + path)).header("Authorization", authorization)
                    .header("Accept", "application/vnd.oci.image.manifest.v1+json").GET().build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode manifestOf(String registry, String authorization, String repository, String digest) {
        try {
            return JSON.readTree(HTTP.send(HttpRequest.newBuilder(URI.create(registry + "/v2/" + repository + "/manifests/"
                    + digest)).header("Authorization", authorization)
                    .header("Accept", "application/vnd.oci.image.manifest.v1+json").GET().build(),
                    HttpResponse.BodyHandlers.ofByteArray()).body());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static int put(String registry, String authorization, String path) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(registry + path)).header("Authorization", authorization)
                    .header("Content-Type", "application/vnd.oci.image.manifest.v1+json")
                    .PUT(HttpRequest.BodyPublishers.ofString("{}")).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Pushes an image whose report the adapter will give (the digest is known only once the image is built). */
    private static Image pushWithReport(SpecAdapter adapter, String repository, String tag, String content) throws Exception {
        Built built = build(content);
        adapter.report = """
                {"generated_at": "2026-03-01T12:00:00Z",
                 "artifact": {"repository": "%s", "digest": "%s", "mime_type": "application/vnd.oci.image.manifest.v1+json"},
                 "scanner": {"name": "Trivy", "vendor": "Aqua Security", "version": "0.50.1"},
                 "severity": "Critical",
                 "vulnerabilities": [
                   {"id": "CVE-2022-1304", "package": "e2fsprogs", "version": "1.47.0-2", "severity": "High",
                    "description": "out-of-bounds read/write in e2fsprogs", "links": []},
                   {"id": "CVE-2023-0464", "package": "openssl", "version": "3.0.8-1~deb12u1",
                    "fix_version": "3.0.9-1~deb12u1", "severity": "Critical",
                    "description": "excessive resource use verifying X.509 policy constraints",
                    "links": ["https://avd.aquasec.com/nvd/cve-2023-0464"],
                    "preferred_cvss": {"score_v3": 9.8, "vector_v3": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}}
                 ]}""".formatted(repository, built.digest());
        return push(repository, tag, built);
    }

    private static Image push(String repository, String tag, String content) throws Exception {
        return push(repository, tag, build(content));
    }

    record Built(byte[] config, byte[] layer, byte[] manifest, String digest) {}

    private static Built build(String content) throws Exception {
        byte[] file = content.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream tarGz = new ByteArrayOutputStream();
        ByteArrayOutputStream tar = new ByteArrayOutputStream();
        try (TarArchiveOutputStream out = new TarArchiveOutputStream(tar)) {
            TarArchiveEntry entry = new TarArchiveEntry("etc/motd");
            entry.setSize(file.length);
            out.putArchiveEntry(entry);
            out.write(file);
            out.closeArchiveEntry();
        }
        try (GZIPOutputStream gz = new GZIPOutputStream(tarGz)) {
            gz.write(tar.toByteArray());
        }
        byte[] layer = tarGz.toByteArray();
        byte[] config = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\""
                + sha256(tar.toByteArray()) + "\"]}}").getBytes(StandardCharsets.UTF_8);
        byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + sha256(config)
                + "\",\"size\":" + config.length + "},\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\","
                + "\"digest\":\"" + sha256(layer) + "\",\"size\":" + layer.length + "}]}").getBytes(StandardCharsets.UTF_8);
        return new Built(config, layer, manifest, sha256(manifest));
    }

    private static Image push(String repository, String tag, Built built) throws Exception {
        String token = token(repository);
        for (byte[] blob : List.of(built.config(), built.layer())) {
            HttpResponse<String> started = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/v2/" + repository
                    + "/blobs/uploads/")).header("Authorization", "Bearer " + token)
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
            String location = started.headers().firstValue("Location").orElseThrow();
            URI upload = URI.create(base).resolve(location);
            String separator = upload.getRawQuery() == null ? "?" : "&";
            HttpResponse<String> done = HTTP.send(HttpRequest.newBuilder(URI.create(upload + separator + "digest="
                    + sha256(blob))).header("Authorization", "Bearer " + token)
                    .header("Content-Type", "application/octet-stream")
                    .PUT(HttpRequest.BodyPublishers.ofByteArray(blob)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(done.statusCode()).as(done.body()).isEqualTo(201);
        }
        HttpResponse<String> put = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/v2/" + repository + "/manifests/"
                + tag)).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/vnd.oci.image.manifest.v1+json")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(built.manifest())).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(put.statusCode()).as(put.body()).isEqualTo(201);
        return new Image(built.digest(), sha256(built.config()));
    }

    private static String token(String repository) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/token?service="
                + config.auth().service() + "&scope=repository:" + repository + ":push,pull"))
                .header("Authorization", admin()).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body()).path("token").asText();
    }

    private static String sha256(byte[] bytes) throws Exception {
        return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    /** {@code stowage admin --url <node> --user admin <args>}: its exit code. */
    private static int cli(Map<String, String> env, String... args) {
        CommandLine commandLine = Main.commandLine();
        ((AdminCommand) commandLine.getSubcommands().get("admin").getCommand()).environment = env::get;
        commandLine.setOut(new PrintWriter(new StringWriter(), true)).setErr(new PrintWriter(new StringWriter(), true));
        List<String> all = new ArrayList<>(List.of("admin", "--url", base, "--user", "admin"));
        all.addAll(List.of(args));
        return commandLine.execute(all.toArray(String[]::new));
    }
}
