package dev.stowage.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stowage.metadata.JdbcIdentityStore;
import dev.stowage.metadata.JdbcMetadataStore;
import dev.stowage.metadata.MetadataConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The scanner's project routes over real HTTP on a real node: what they refuse, and how. */
class ScanRoutesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ADMIN_PASSWORD = "the administrator's password";
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    @TempDir static Path dir;
    private static Stowage node;
    private static String base;

    @BeforeAll
    static void start() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path data = dir.resolve("data");
        StowageConfig config = StowageConfig.load(null, Map.of("STOWAGE_STORAGE_PATH", data.toString(),
                "STOWAGE_HTTP_HOST", "127.0.0.1", "STOWAGE_HTTP_PORT", String.valueOf(port)));
        DataDirectory.prepare(config, w -> { });
        try (JdbcMetadataStore db = JdbcMetadataStore.open(MetadataConfig.sqlite(data.resolve("stowage.db")))) {
            Bootstrap.ensureAdmin(new JdbcIdentityStore(db), ADMIN_PASSWORD, w -> { });
        }
        node = Stowage.start(config);
        base = "http://127.0.0.1:" + port;
        assertThat(send("POST", "/api/v1/projects", "{\"name\":\"team\"}").statusCode()).isEqualTo(201);
    }

    @AfterAll
    static void stop() throws Exception {
        if (node != null) node.close();
    }

    private static HttpResponse<String> send(String method, String path, String body) throws Exception {
        String basic = Base64.getEncoder().encodeToString(("admin:" + ADMIN_PASSWORD).getBytes(StandardCharsets.UTF_8));
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).header("Authorization", "Basic " + basic)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) request.header("Content-Type", "application/json");
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode items(HttpResponse<String> answer) throws Exception {
        return JSON.readTree(answer.body()).path("items");
    }

    @Test
    void anEntryExpiringAtTheEpochIsExpiredNotPermanent() throws Exception {
        HttpResponse<String> answer = send("PUT", "/api/v1/projects/team/cve-allowlist",
                "{\"items\":[{\"id\":\"CVE-2021-44906\",\"expiresAt\":\"1970-01-01T00:00:00Z\"},{\"id\":\"CVE-2021-1\"}]}");
        assertThat(answer.statusCode()).isEqualTo(200);
        // listed by id: CVE-2021-1 sorts before CVE-2021-44906
        assertThat(items(answer).get(1).path("id").asText()).isEqualTo("CVE-2021-44906");
        assertThat(items(answer).get(1).path("expiresAt").asText()).isEqualTo("1970-01-01T00:00:00Z");
        assertThat(items(answer).get(1).path("active").asBoolean()).isFalse();
        assertThat(items(answer).get(0).path("expiresAt").isNull()).isTrue();
        assertThat(items(answer).get(0).path("active").asBoolean()).isTrue();
    }

    @Test
    void anExpiryBeyondTheYear9999IsABadRequestNotAServerError() throws Exception {
        HttpResponse<String> answer = send("PUT", "/api/v1/projects/team/cve-allowlist",
                "{\"items\":[{\"id\":\"CVE-2021-1\",\"expiresAt\":\"+999999999-12-31T23:59:59Z\"}]}");
        assertThat(answer.statusCode()).isEqualTo(400);
        assertThat(answer.body()).contains("expiresAt must be between 1970 and 9999");
    }

    @Test
    void anUnknownFieldOfAnEntryIsRefusedByName() throws Exception {
        HttpResponse<String> answer = send("PUT", "/api/v1/system/cve-allowlist",
                "{\"items\":[{\"id\":\"CVE-2021-1\",\"extra\":1}]}");
        assertThat(answer.statusCode()).isEqualTo(400);
        assertThat(answer.body()).contains("items[].extra is not a field");
    }

    @Test
    void theSameIdInAnotherCaseIsTheSameEntry() throws Exception {
        HttpResponse<String> answer = send("PUT", "/api/v1/projects/team/cve-allowlist",
                "{\"items\":[{\"id\":\"CVE-2021-44906\"},{\"id\":\"cve-2021-44906\"}]}");
        assertThat(answer.statusCode()).isEqualTo(400);
        assertThat(answer.body()).contains("listed twice");
    }

    @Test
    void settingsOfAProjectThatDoesNotExistAreRefused() throws Exception {
        assertThat(send("PUT", "/api/v1/projects/nope/cve-allowlist", "{\"items\":[]}").statusCode()).isEqualTo(404);
        assertThat(send("PUT", "/api/v1/projects/nope/scanning", "{\"preventSeverity\":\"HIGH\"}").statusCode()).isEqualTo(404);
        assertThat(send("GET", "/api/v1/projects/nope/scanning", null).statusCode()).isEqualTo(404);
    }

    @Test
    void aReportOfAnArtifactNeverPushedIsNotFound() throws Exception {
        HttpResponse<String> answer = send("GET", "/api/v1/repositories/team/app/artifacts/1.0/vulnerabilities", null);
        assertThat(answer.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(answer.body()).path("errors").get(0).path("code").asText()).isEqualTo("MANIFEST_UNKNOWN");
    }
}
