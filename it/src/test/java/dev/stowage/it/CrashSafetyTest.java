package dev.stowage.it;

import dev.stowage.it.support.Registry;
import dev.stowage.it.support.StowageProcess;
import dev.stowage.it.support.TestImages;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** kill -9 in the middle of uploads: nothing partial becomes visible, and uploads resume or restart cleanly. */
class CrashSafetyTest {
    @TempDir Path dir;
    StowageProcess stowage;
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeEach
    void start() throws Exception {
        stowage = StowageProcess.start(dir.resolve("data"));
    }

    @AfterEach
    void stop() throws Exception {
        stowage.close();
    }

    static byte[] random(int size) {
        byte[] b = new byte[size];
        new Random(size).nextBytes(b);
        return b;
    }

    HttpResponse<byte[]> send(HttpRequest.Builder request) throws Exception {
        return http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    /** A path, or a Location header: registries may answer absolute or relative upload locations. */
    HttpRequest.Builder request(String pathOrUrl) {
        return HttpRequest.newBuilder(URI.create(stowage.baseUrl() + "/").resolve(pathOrUrl));
    }

    /** Opens an upload session (POST) and answers its location as a path with query. */
    String startUpload(String repo) throws Exception {
        HttpResponse<byte[]> session = send(request("/v2/" + repo + "/blobs/uploads/").POST(HttpRequest.BodyPublishers.noBody()));
        assertThat(session.statusCode()).isEqualTo(202);
        return location(session);
    }

    static String withDigest(String location, String digest) {
        return location + (location.contains("?") ? "&" : "?") + "digest=" + digest;
    }

    /** The upload every registry supports: POST a session, PUT the whole blob with its digest. */
    void upload(String repo, byte[] data) throws Exception {
        HttpResponse<byte[]> put = send(request(withDigest(startUpload(repo), TestImages.sha256(data)))
                .header("Content-Type", "application/octet-stream").PUT(HttpRequest.BodyPublishers.ofByteArray(data)));
        assertThat(put.statusCode()).as(new String(put.body(), StandardCharsets.UTF_8)).isEqualTo(201);
    }

    /** Sends the request head and the first {@code sent} body bytes of a longer body, then stops sending. */
    Socket startPartialUpload(String method, String path, long contentLength, byte[] data, int sent) throws Exception {
        Socket socket = new Socket("127.0.0.1", stowage.port());
        OutputStream out = socket.getOutputStream();
        out.write((method + " " + path + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/octet-stream\r\n"
                + "Content-Length: " + contentLength + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(data, 0, sent);
        out.flush();
        return socket;
    }

    /** Committed blob files in the storage directory (Stowage's blobs/, or Distribution's docker/registry/v2/blobs/). */
    long committedBlobFiles() throws Exception {
        Path blobs = stowage.dataDir().resolve(StowageProcess.distribution() ? "docker/registry/v2/blobs" : "blobs");
        if (!Files.exists(blobs)) return 0;
        try (Stream<Path> files = Files.walk(blobs)) {
            return files.filter(Files::isRegularFile).count();
        }
    }

    @Test
    void killDuringAMonolithicPutLeavesNoBlobAndAFreshUploadSucceeds() throws Exception {
        byte[] data = random(48 << 20);
        String digest = TestImages.sha256(data);
        try (Socket partial = startPartialUpload("PUT", withDigest(startUpload("crash/put"), digest), data.length,
                data, 20 << 20)) {
            Thread.sleep(500); // let the server write what it received
            stowage.kill9();
        }
        stowage.restart();
        assertThat(Registry.head(stowage, "/v2/crash/put/blobs/" + digest).statusCode()).isEqualTo(404);
        assertThat(committedBlobFiles()).isZero();

        upload("crash/put", data);
        assertThat(Registry.head(stowage, "/v2/crash/put/blobs/" + digest).statusCode()).isEqualTo(200);
        assertThat(send(request("/v2/crash/put/blobs/" + digest).GET()).body()).isEqualTo(data);
    }

    @Test
    void killDuringASinglePostUploadLeavesNoBlobAndARetrySucceeds() throws Exception {
        StowageProcess.requireStowage("the single-POST monolithic upload (optional in the OCI distribution spec)");
        byte[] data = random(48 << 20);
        String digest = TestImages.sha256(data);
        try (Socket partial = startPartialUpload("POST", "/v2/crash/mono/blobs/uploads/?digest=" + digest, data.length,
                data, 20 << 20)) {
            Thread.sleep(500); // let the server write what it received
            stowage.kill9();
        }
        stowage.restart();
        assertThat(Registry.head(stowage, "/v2/crash/mono/blobs/" + digest).statusCode()).isEqualTo(404);
        assertThat(committedBlobFiles()).isZero();

        HttpResponse<byte[]> retry = send(request("/v2/crash/mono/blobs/uploads/?digest=" + digest)
                .POST(HttpRequest.BodyPublishers.ofByteArray(data)));
        assertThat(retry.statusCode()).isEqualTo(201);
        assertThat(send(request("/v2/crash/mono/blobs/" + digest).GET()).body()).isEqualTo(data);
    }

    @Test
    void acknowledgedChunksSurviveAKillAndTheUploadCompletesAfterRestart() throws Exception {
        // Distribution 2.8 keeps the half-received chunk and then refuses the upload ("upload resumed at wrong offset").
        StowageProcess.requireStowage("resuming an upload whose last chunk was cut by a crash");
        byte[] data = random(24 << 20);
        String digest = TestImages.sha256(data);
        int first = 8 << 20;
        HttpResponse<byte[]> chunk = send(request(startUpload("crash/chunked")).header("Content-Range", "0-" + (first - 1))
                .header("Content-Type", "application/octet-stream")
                .method("PATCH", HttpRequest.BodyPublishers.ofByteArray(Arrays.copyOfRange(data, 0, first))));
        assertThat(chunk.statusCode()).isEqualTo(202);
        assertThat(chunk.headers().firstValue("Range")).hasValue("0-" + (first - 1));
        String location = location(chunk); // clients follow the latest Location

        // A second chunk is half sent when the server dies: it was never acknowledged, so it must not count.
        try (Socket partial = startPartialUpload("PATCH", location, 8 << 20,
                Arrays.copyOfRange(data, first, first + (8 << 20)), 4 << 20)) {
            Thread.sleep(500);
            stowage.kill9();
        }
        stowage.restart();

        HttpResponse<byte[]> status = send(request(location).GET());
        assertThat(status.statusCode()).isEqualTo(204);
        assertThat(status.headers().firstValue("Range")).hasValue("0-" + (first - 1));
        HttpResponse<byte[]> rest = send(request(location(status)).header("Content-Range", first + "-" + (data.length - 1))
                .header("Content-Type", "application/octet-stream")
                .method("PATCH", HttpRequest.BodyPublishers.ofByteArray(Arrays.copyOfRange(data, first, data.length))));
        assertThat(rest.statusCode()).isEqualTo(202);
        HttpResponse<byte[]> done = send(request(withDigest(location(rest), digest)).PUT(HttpRequest.BodyPublishers.noBody()));
        assertThat(done.statusCode()).isEqualTo(201);
        assertThat(send(request("/v2/crash/chunked/blobs/" + digest).GET()).body()).isEqualTo(data);
    }

    /** The Location of an upload response, as a path with query. */
    String location(HttpResponse<?> response) {
        URI location = URI.create(stowage.baseUrl() + "/").resolve(response.headers().firstValue("Location").orElseThrow());
        return location.getRawPath() + (location.getRawQuery() == null ? "" : "?" + location.getRawQuery());
    }

    @Test
    void whatWasAcknowledgedSurvivesAKillRightAfterwards() throws Exception {
        byte[] layer = random(16 << 20);
        String layerDigest = TestImages.sha256(layer);
        byte[] config = "{\"architecture\":\"amd64\",\"os\":\"linux\"}".getBytes(StandardCharsets.UTF_8);
        upload("crash/durable", layer);
        upload("crash/durable", config);
        byte[] manifest = manifest(TestImages.sha256(config), config.length, layerDigest, layer.length);
        HttpResponse<byte[]> put = send(request("/v2/crash/durable/manifests/v1")
                .header("Content-Type", "application/vnd.oci.image.manifest.v1+json").PUT(HttpRequest.BodyPublishers.ofByteArray(manifest)));
        assertThat(put.statusCode()).isEqualTo(201);
        stowage.kill9(); // no graceful shutdown: what was answered 201 must already be on disk
        stowage.restart();

        HttpResponse<byte[]> got = send(request("/v2/crash/durable/manifests/v1")
                .header("Accept", "application/vnd.oci.image.manifest.v1+json").GET());
        assertThat(got.statusCode()).isEqualTo(200);
        assertThat(got.body()).isEqualTo(manifest);
        assertThat(Registry.manifestDigest(stowage, "crash/durable", "v1")).isEqualTo(TestImages.sha256(manifest));
        assertThat(send(request("/v2/crash/durable/blobs/" + layerDigest).GET()).body()).isEqualTo(layer);
        assertThat(Registry.json(stowage, "/v2/crash/durable/tags/list").path("tags").toString()).isEqualTo("[\"v1\"]");
    }

    static byte[] manifest(String configDigest, long configSize, String layerDigest, long layerSize) {
        return ("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":{"
                + "\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + configDigest + "\",\"size\":"
                + configSize + "},\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\""
                + layerDigest + "\",\"size\":" + layerSize + "}]}").getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void killDuringAManifestPushLeavesEitherNothingOrTheWholeImage() throws Exception {
        byte[] layer = random(1 << 20);
        String layerDigest = TestImages.sha256(layer);
        upload("crash/image", layer);
        byte[] config = "{\"architecture\":\"amd64\",\"os\":\"linux\"}".getBytes(StandardCharsets.UTF_8);
        String configDigest = TestImages.sha256(config);
        upload("crash/image", config);
        byte[] manifest = manifest(configDigest, config.length, layerDigest, layer.length);
        try (Socket partial = startPartialUpload("PUT", "/v2/crash/image/manifests/v1", manifest.length, manifest,
                manifest.length / 2)) {
            Thread.sleep(300);
            stowage.kill9();
        }
        stowage.restart();
        assertThat(Registry.head(stowage, "/v2/crash/image/manifests/v1").statusCode()).isEqualTo(404);
        assertThat(Registry.head(stowage, "/v2/crash/image/blobs/" + layerDigest).statusCode()).isEqualTo(200);
        HttpResponse<byte[]> put = send(request("/v2/crash/image/manifests/v1")
                .header("Content-Type", "application/vnd.oci.image.manifest.v1+json").PUT(HttpRequest.BodyPublishers.ofByteArray(manifest)));
        assertThat(put.statusCode()).isEqualTo(201);
        assertThat(Registry.get(stowage, "/v2/crash/image/manifests/v1").body()).isEqualTo(manifest);
    }
}
