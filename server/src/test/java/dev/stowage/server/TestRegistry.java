package dev.stowage.server;

import dev.stowage.core.Digest;
import dev.stowage.core.access.AccessController;
import dev.stowage.core.access.RegistryPolicy;
import dev.stowage.core.service.RegistryService;
import dev.stowage.core.service.ServiceSettings;
import dev.stowage.metadata.JdbcMetadataStore;
import dev.stowage.metadata.MetadataConfig;
import dev.stowage.storage.FileSystemBlobStore;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

/** A real registry (filesystem blobs, SQLite metadata, Netty on a free port) and an HTTP client for it. */
final class TestRegistry implements AutoCloseable {
    final JdbcMetadataStore metadata;
    final FileSystemBlobStore blobs;
    final RegistryService service;
    final RegistryServer server;
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    final String base;

    TestRegistry(Path root, ServiceSettings settings) throws Exception {
        this(root, settings, ServerSettings.of("127.0.0.1", 0));
    }

    TestRegistry(Path root, ServiceSettings settings, ServerSettings serverSettings) throws Exception {
        blobs = new FileSystemBlobStore(root.resolve("storage"));
        metadata = JdbcMetadataStore.open(new MetadataConfig("jdbc:sqlite:" + root.resolve("meta.db"), "", "", 0));
        service = new RegistryService(blobs, metadata, RegistryPolicy.PERMISSIVE, settings, Clock.systemUTC());
        server = RegistryServer.start(serverSettings, service, AccessController.OPEN);
        base = "http://127.0.0.1:" + server.port();
    }

    TestRegistry(Path root) throws Exception {
        this(root, ServiceSettings.DEFAULTS);
    }

    HttpRequest.Builder request(String pathAndQuery) {
        return HttpRequest.newBuilder(URI.create(base + pathAndQuery)).timeout(Duration.ofSeconds(30));
    }

    HttpResponse<byte[]> send(HttpRequest request) throws Exception {
        return http.send(request, HttpResponse.BodyHandlers.ofByteArray());
    }

    HttpResponse<byte[]> get(String path) throws Exception {
        return send(request(path).GET().build());
    }

    HttpResponse<byte[]> head(String path) throws Exception {
        return send(request(path).method("HEAD", HttpRequest.BodyPublishers.noBody()).build());
    }

    HttpResponse<byte[]> delete(String path) throws Exception {
        return send(request(path).DELETE().build());
    }

    HttpResponse<byte[]> post(String path, byte[] body) throws Exception {
        return send(request(path).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build());
    }

    HttpResponse<byte[]> put(String path, String contentType, byte[] body) throws Exception {
        HttpRequest.Builder b = request(path).PUT(HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null) b.header("Content-Type", contentType);
        return send(b.build());
    }

    /** Pushes a blob monolithically and answers its digest. */
    Digest pushBlob(String repo, byte[] content) throws Exception {
        Digest digest = Digest.sha256Of(content);
        HttpResponse<byte[]> r = post("/v2/" + repo + "/blobs/uploads/?digest=" + digest, content);
        if (r.statusCode() != 201) throw new AssertionError("blob push failed: " + r.statusCode() + " " + text(r));
        return digest;
    }

    static String text(HttpResponse<byte[]> r) {
        return new String(r.body(), StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws Exception {
        server.close();
        metadata.close();
    }
}
