package dev.stowage.it.adversarial;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stowage.it.support.StowageProcess;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;

/**
 * The registry as an attacker meets it: a real {@code stowage serve} (authentication on, as README starts it) with a
 * few users and private projects, and the requests an attacker would send, over HTTP or raw sockets.
 *
 * <p>The cast: {@code admin} (system administrator); {@code alice}, admin of the private project {@code alpha};
 * {@code gus}, developer of the private project {@code gamma}; {@code gwen}, guest of the private project
 * {@code beta}; the public project {@code pub}.
 */
final class Target implements AutoCloseable {
    static final String ADMIN_PASSWORD = "adversarial-admin-pw";
    static final String PASSWORD = "a-long-enough-password";
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
    static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
    static final String EMPTY_CONFIG = "application/vnd.oci.empty.v1+json";

    final StowageProcess stowage;

    private Target(StowageProcess stowage) {
        this.stowage = stowage;
    }

    /** Starts the registry with {@code env} on top of authentication and sets up the cast. */
    static Target start(Path dir, Map<String, String> env) throws Exception {
        Map<String, String> all = new java.util.HashMap<>(env);
        all.put("STOWAGE_AUTH_ENABLED", "true");
        all.put("STOWAGE_ADMIN_PASSWORD", ADMIN_PASSWORD);
        Target target = new Target(StowageProcess.start(dir.resolve("data"), all));
        try {
            target.setUpCast();
        } catch (Exception | AssertionError e) {
            target.close();
            throw e;
        }
        return target;
    }

    private void setUpCast() throws Exception {
        for (String user : new String[] {"alice", "gus", "gwen"}) {
            expect(201, admin("POST", "/api/v1/users", "{\"username\":\"" + user + "\",\"password\":\"" + PASSWORD + "\"}"));
        }
        expect(201, admin("POST", "/api/v1/projects", "{\"name\":\"alpha\",\"public\":false}"));
        expect(201, admin("POST", "/api/v1/projects", "{\"name\":\"beta\",\"public\":false}"));
        expect(201, admin("POST", "/api/v1/projects", "{\"name\":\"gamma\",\"public\":false}"));
        expect(201, admin("POST", "/api/v1/projects", "{\"name\":\"pub\",\"public\":true}"));
        expect(200, admin("PUT", "/api/v1/projects/alpha/members/alice", "{\"role\":\"admin\"}"));
        expect(200, admin("PUT", "/api/v1/projects/gamma/members/gus", "{\"role\":\"developer\"}"));
        expect(200, admin("PUT", "/api/v1/projects/beta/members/gwen", "{\"role\":\"guest\"}"));
    }

    String base() {
        return stowage.baseUrl();
    }

    // --- the token endpoint -----------------------------------------------------------------------------------

    /** A registry token for {@code user} asking for {@code scopes}, as docker gets one. */
    String token(String user, String password, String... scopes) throws Exception {
        StringBuilder query = new StringBuilder("/token?service=stowage");
        for (String scope : scopes) query.append("&scope=").append(URLEncoder.encode(scope, StandardCharsets.UTF_8));
        HttpResponse<String> r = send(request(query.toString()).header("Authorization", basic(user, password)).GET());
        expect(200, r);
        return JSON.readTree(r.body()).path("token").asText();
    }

    /** What a token's payload says (its claims), read without verifying. */
    static JsonNode claims(String jwt) throws IOException {
        return JSON.readTree(Base64.getUrlDecoder().decode(jwt.split("\\.")[1]));
    }

    // --- requests ---------------------------------------------------------------------------------------------

    HttpRequest.Builder request(String pathAndQuery) {
        return HttpRequest.newBuilder(URI.create(base() + pathAndQuery)).timeout(Duration.ofSeconds(60));
    }

    static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> admin(String method, String path, String json) throws Exception {
        return basicCall("admin", ADMIN_PASSWORD, method, path, json);
    }

    HttpResponse<String> basicCall(String user, String password, String method, String path, String json) throws Exception {
        return call(basic(user, password), method, path, json);
    }

    HttpResponse<String> bearerCall(String token, String method, String path, String json) throws Exception {
        return call("Bearer " + token, method, path, json);
    }

    HttpResponse<String> call(String authorization, String method, String path, String json) throws Exception {
        HttpRequest.Builder b = request(path).method(method, json == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(json));
        if (authorization != null) b.header("Authorization", authorization);
        if (json != null) b.header("Content-Type", "application/json");
        return send(b);
    }

    HttpResponse<String> bearer(String token, String method, String path, String contentType, byte[] body) throws Exception {
        HttpRequest.Builder b = request(path).method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofByteArray(body));
        if (token != null) b.header("Authorization", "Bearer " + token);
        if (contentType != null) b.header("Content-Type", contentType);
        b.header("Accept", OCI_MANIFEST + "," + OCI_INDEX);
        return send(b);
    }

    static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    // --- content ----------------------------------------------------------------------------------------------

    /** Pushes {@code content} into {@code repo} with a push token and answers its digest. */
    String pushBlob(String token, String repo, byte[] content) throws Exception {
        String digest = digest(content);
        expect(201, bearer(token, "POST", "/v2/" + repo + "/blobs/uploads/?digest=" + digest, "application/octet-stream", content));
        return digest;
    }

    /** Pushes an image (empty config, one layer of {@code layer}) tagged {@code tag}; answers the manifest digest. */
    String pushImage(String token, String repo, String tag, byte[] layer) throws Exception {
        String config = pushBlob(token, repo, "{}".getBytes(StandardCharsets.UTF_8));
        String layerDigest = pushBlob(token, repo, layer);
        byte[] manifest = imageManifest(config, 2, layerDigest, layer.length).getBytes(StandardCharsets.UTF_8);
        expect(201, bearer(token, "PUT", "/v2/" + repo + "/manifests/" + tag, OCI_MANIFEST, manifest));
        return digest(manifest);
    }

    static String imageManifest(String configDigest, long configSize, String layerDigest, long layerSize) {
        return "{\"schemaVersion\":2,\"mediaType\":\"" + OCI_MANIFEST + "\",\"config\":{\"mediaType\":\"" + EMPTY_CONFIG
                + "\",\"digest\":\"" + configDigest + "\",\"size\":" + configSize + "},\"layers\":[{\"mediaType\":"
                + "\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\"" + layerDigest + "\",\"size\":" + layerSize + "}]}";
    }

    static String digest(byte[] content) throws Exception {
        return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    }

    static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        new java.security.SecureRandom().nextBytes(b);
        return b;
    }

    // --- raw HTTP ---------------------------------------------------------------------------------------------

    Socket socket() throws IOException {
        Socket s = new Socket("127.0.0.1", stowage.port());
        s.setSoTimeout(30_000);
        return s;
    }

    /** Sends {@code raw} bytes on a new connection and answers what the server sends back until it closes or idles. */
    String raw(byte[] raw) throws IOException {
        try (Socket s = socket()) {
            OutputStream out = s.getOutputStream();
            out.write(raw);
            out.flush();
            s.setSoTimeout(5_000);
            return readResponse(s.getInputStream());
        }
    }

    String raw(String raw) throws IOException {
        return raw(raw.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** One response: the head and, by Content-Length, the body (or what arrives until the server closes). */
    static String readResponse(InputStream in) throws IOException {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        int b;
        try {
            while ((b = in.read()) != -1) {
                buffer.write(b);
                String text = buffer.toString(StandardCharsets.ISO_8859_1);
                int end = text.indexOf("\r\n\r\n");
                if (end >= 0) {
                    java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?i)content-length:\\s*(\\d+)").matcher(text);
                    long length = m.find() ? Long.parseLong(m.group(1)) : 0;
                    if (buffer.size() >= end + 4 + length) return text;
                }
            }
        } catch (java.net.SocketTimeoutException e) {
            // answer what arrived
        }
        return buffer.toString(StandardCharsets.ISO_8859_1);
    }

    static int status(String rawResponse) {
        if (!rawResponse.startsWith("HTTP/1.1 ")) return -1;
        return Integer.parseInt(rawResponse.substring(9, 12));
    }

    // --- assertions -------------------------------------------------------------------------------------------

    static <T> HttpResponse<T> expect(int status, HttpResponse<T> r) {
        if (r.statusCode() != status) {
            throw new AssertionError(r.request().method() + " " + r.request().uri() + " -> " + r.statusCode()
                    + " (expected " + status + "): " + r.body());
        }
        return r;
    }

    static String errorCode(HttpResponse<String> r) throws IOException {
        return JSON.readTree(r.body()).path("errors").path(0).path("code").asText();
    }

    @Override
    public void close() throws Exception {
        stowage.close();
    }
}
