package dev.stowage.it;

import dev.stowage.it.support.Clients;
import dev.stowage.it.support.Registry;
import dev.stowage.it.support.StowageProcess;
import dev.stowage.it.support.TestImages;
import dev.stowage.metadata.MetadataConfig;
import dev.stowage.metadata.PostgresServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;

import static dev.stowage.it.support.Clients.cmd;
import static dev.stowage.it.support.Clients.run;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Stowage on PostgreSQL by configuration alone: two nodes share one database and one storage directory; what one
 * node is told, the other serves, a chunked upload begun on one is finished on the other, and a token issued by
 * one is accepted by the other.
 */
class PostgresNodesTest {
    @TempDir static Path dir;
    static StowageProcess nodeA;
    static StowageProcess nodeB;
    static final String PASSWORD = "nodes-admin-password";

    @BeforeAll
    static void start() throws Exception {
        PostgresServer.assumeAvailable();
        MetadataConfig db = PostgresServer.shared().newDatabase();
        Map<String, String> env = Map.of("STOWAGE_DATABASE_URL", db.jdbcUrl(),
                "STOWAGE_DATABASE_USER", db.user(), "STOWAGE_DATABASE_PASSWORD", db.password() == null ? "" : db.password(),
                "STOWAGE_AUTH_ENABLED", "true", "STOWAGE_ADMIN_PASSWORD", PASSWORD);
        nodeA = StowageProcess.start(dir.resolve("shared"), env);
        nodeB = StowageProcess.start(dir.resolve("shared"), env);
        // No repository outside a project: the one pushed to is created first (through one node, seen by both).
        assertThat(Registry.call(nodeA, "POST", "/api/v1/projects", "admin", PASSWORD, "{\"name\":\"pg\"}").statusCode())
                .isEqualTo(201);
    }

    @AfterAll
    static void stop() throws Exception {
        if (nodeA != null) nodeA.close();
        if (nodeB != null) nodeB.close();
    }

    @Test
    void imagePushedThroughOneNodeIsPulledThroughTheOther() throws Exception {
        Clients.require("skopeo", "skopeo");
        TestImages.requireBusybox();
        Path layout = dir.resolve("layout");
        TestImages.Image image = TestImages.writeImage(layout, "v1", "amd64", "postgres nodes");
        run(cmd("skopeo", "copy", "--dest-tls-verify=false", "--dest-creds", "admin:" + PASSWORD, "oci:" + layout + ":v1",
                "docker://" + nodeA.hostPort() + "/pg/app:v1")).ok();
        String inspect = run(cmd("skopeo", "inspect", "--tls-verify=false", "--creds", "admin:" + PASSWORD,
                "docker://" + nodeB.hostPort() + "/pg/app:v1")).ok().output();
        assertThat(inspect).contains(image.manifestDigest());
        run(cmd("skopeo", "copy", "--src-tls-verify=false", "--src-creds", "admin:" + PASSWORD,
                "docker://" + nodeB.hostPort() + "/pg/app:v1", "oci:" + dir.resolve("out") + ":v1")).ok();
    }

    @Test
    void chunkedUploadBegunOnOneNodeCompletesOnTheOther() throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        // A token from node A: the nodes share signing keys through the database, so node B accepts it too.
        HttpResponse<String> tokenResponse = http.send(HttpRequest.newBuilder(URI.create(nodeA.baseUrl()
                + "/token?service=stowage&scope=repository:pg/chunks:pull,push")).header("Authorization", "Basic "
                + java.util.Base64.getEncoder().encodeToString(("admin:" + PASSWORD).getBytes())).build(),
                HttpResponse.BodyHandlers.ofString());
        String bearer = "Bearer " + new com.fasterxml.jackson.databind.ObjectMapper().readTree(tokenResponse.body()).path("token").asText();
        byte[] data = new byte[6 << 20];
        new Random(6).nextBytes(data);
        String digest = TestImages.sha256(data);
        HttpResponse<Void> start = http.send(HttpRequest.newBuilder(URI.create(nodeA.baseUrl() + "/v2/pg/chunks/blobs/uploads/"))
                .header("Authorization", bearer).POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
        String location = start.headers().firstValue("Location").orElseThrow();
        HttpResponse<Void> first = http.send(HttpRequest.newBuilder(URI.create(nodeA.baseUrl() + location)).header("Authorization", bearer)
                .header("Content-Range", "0-" + ((3 << 20) - 1))
                .method("PATCH", HttpRequest.BodyPublishers.ofByteArray(Arrays.copyOfRange(data, 0, 3 << 20))).build(),
                HttpResponse.BodyHandlers.discarding());
        assertThat(first.statusCode()).isEqualTo(202);
        HttpResponse<Void> second = http.send(HttpRequest.newBuilder(URI.create(nodeB.baseUrl() + location)).header("Authorization", bearer)
                .header("Content-Range", (3 << 20) + "-" + (data.length - 1))
                .method("PATCH", HttpRequest.BodyPublishers.ofByteArray(Arrays.copyOfRange(data, 3 << 20, data.length))).build(),
                HttpResponse.BodyHandlers.discarding());
        assertThat(second.statusCode()).isEqualTo(202);
        HttpResponse<Void> done = http.send(HttpRequest.newBuilder(URI.create(nodeB.baseUrl() + location + "?digest=" + digest))
                .header("Authorization", bearer).PUT(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
        assertThat(done.statusCode()).isEqualTo(201);
        HttpResponse<byte[]> read = http.send(HttpRequest.newBuilder(URI.create(nodeA.baseUrl() + "/v2/pg/chunks/blobs/" + digest))
                .header("Authorization", bearer).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(read.body()).isEqualTo(data);
    }
}
