package dev.stowage.app;

import picocli.CommandLine.Command;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The training run the build records the JDK's ahead-of-time cache with ({@code -XX:AOTCacheOutput}, JDK 25+): starts
 * the registry on a temporary directory and a free port, makes the requests a first start sees (the version check,
 * the token flow, a push and a pull, an admin API call), then stops. Hidden: it is no command for operators.
 */
@Command(name = "aot-training", hidden = true, mixinStandardHelpOptions = true, description = "Records what a start loads, for the JDK's AOT cache (used by the build).")
final class AotTrainingCommand implements Callable<Integer> {
    private static final Pattern TOKEN = Pattern.compile("\"(?:token|access_token)\"\\s*:\\s*\"([^\"]+)\"");

    @picocli.CommandLine.Option(names = "--cache", description = "the cache file this run records (removed when the JDK cannot write one)")
    Path cache;

    @Override
    public Integer call() throws Exception {
        if (Runtime.version().feature() < 25) {
            // -XX:AOTCacheOutput needs JDK 25: no training, and no cache left from another JDK.
            if (cache != null) Files.deleteIfExists(cache);
            System.err.println("stowage aot-training: skipped (JDK " + Runtime.version().feature() + " < 25)");
            return 0;
        }
        String password = Bootstrap.adminPassword();
        if (password == null) {
            System.err.println("stowage aot-training: set STOWAGE_ADMIN_PASSWORD (the build does) for the training's administrator");
            return 2;
        }
        Path dir = Files.createTempDirectory("stowage-aot-training");
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        StowageConfig config = StowageConfig.load(null, Map.of("STOWAGE_STORAGE_PATH", dir.toString(),
                "STOWAGE_HTTP_PORT", Integer.toString(port), "STOWAGE_HTTP_HOST", "127.0.0.1"), warning -> {});
        try (Stowage stowage = Stowage.start(config)) {
            exercise("http://127.0.0.1:" + stowage.port(), password);
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        }
        return 0;
    }

    private static void exercise(String base, String password) throws IOException, InterruptedException {
        HttpClient client = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
        String basic = "Basic " + Base64.getEncoder().encodeToString(("admin:" + password).getBytes(StandardCharsets.UTF_8));
        // Repositories live in projects: the one the pushes below go to.
        send(client, HttpRequest.newBuilder(URI.create(base + "/api/v1/projects")).header("Authorization", basic)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"training\",\"public\":false}")));
        for (int round = 0; round < 3; round++) {
            send(client, HttpRequest.newBuilder(URI.create(base + "/v2/")).GET());
            HttpResponse<String> tokenAnswer = send(client, HttpRequest.newBuilder(URI.create(base
                    + "/token?service=stowage&scope=repository:training/app:pull,push")).header("Authorization", basic).GET());
            Matcher matcher = TOKEN.matcher(tokenAnswer.body());
            String bearer = matcher.find() ? "Bearer " + matcher.group(1) : basic;
            send(client, HttpRequest.newBuilder(URI.create(base + "/v2/")).header("Authorization", bearer).GET());
            byte[] config = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"round\":" + round + "}").getBytes(StandardCharsets.UTF_8);
            String configDigest = digest(config);
            HttpResponse<String> upload = send(client, HttpRequest.newBuilder(URI.create(base + "/v2/training/app/blobs/uploads/"))
                    .header("Authorization", bearer).POST(HttpRequest.BodyPublishers.noBody()));
            String location = upload.headers().firstValue("Location").orElse("/v2/training/app/blobs/uploads/none");
            URI put = URI.create(base).resolve(location + (location.contains("?") ? "&" : "?") + "digest=" + configDigest);
            send(client, HttpRequest.newBuilder(put).header("Authorization", bearer)
                    .header("Content-Type", "application/octet-stream").PUT(HttpRequest.BodyPublishers.ofByteArray(config)));
            byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                    + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + configDigest
                    + "\",\"size\":" + config.length + "},\"layers\":[]}").getBytes(StandardCharsets.UTF_8);
            send(client, HttpRequest.newBuilder(URI.create(base + "/v2/training/app/manifests/v" + round))
                    .header("Authorization", bearer).header("Content-Type", "application/vnd.oci.image.manifest.v1+json")
                    .PUT(HttpRequest.BodyPublishers.ofByteArray(manifest)));
            send(client, HttpRequest.newBuilder(URI.create(base + "/v2/training/app/manifests/v" + round))
                    .header("Authorization", bearer).header("Accept", "application/vnd.oci.image.manifest.v1+json").GET());
            send(client, HttpRequest.newBuilder(URI.create(base + "/v2/training/app/blobs/" + configDigest))
                    .header("Authorization", bearer).GET());
            send(client, HttpRequest.newBuilder(URI.create(base + "/v2/training/app/tags/list")).header("Authorization", bearer).GET());
            send(client, HttpRequest.newBuilder(URI.create(base + "/api/v1/users")).header("Authorization", basic).GET());
        }
    }

    private static HttpResponse<String> send(HttpClient client, HttpRequest.Builder request) throws IOException, InterruptedException {
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String digest(byte[] content) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
