package dev.stowage.it.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/** Plain HTTP reads of the registry API, to check what clients left there. */
public final class Registry {
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ACCEPT = String.join(",", "application/vnd.oci.image.manifest.v1+json",
            "application/vnd.oci.image.index.v1+json", "application/vnd.docker.distribution.manifest.v2+json",
            "application/vnd.docker.distribution.manifest.list.v2+json");

    private Registry() {}

    public static HttpResponse<byte[]> get(StowageProcess stowage, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(stowage.baseUrl() + path)).header("Accept", ACCEPT).build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    public static HttpResponse<byte[]> head(StowageProcess stowage, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(stowage.baseUrl() + path)).header("Accept", ACCEPT)
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    public static JsonNode json(StowageProcess stowage, String path) throws Exception {
        HttpResponse<byte[]> r = get(stowage, path);
        if (r.statusCode() != 200) throw new AssertionError("GET " + path + " -> " + r.statusCode() + " " + new String(r.body()));
        return JSON.readTree(r.body());
    }

    /** A call with Basic credentials, e.g. to the admin API; {@code body} is JSON or null. */
    public static HttpResponse<String> call(StowageProcess stowage, String method, String path, String user, String password,
                                            String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(stowage.baseUrl() + path))
                .header("Authorization", "Basic " + java.util.Base64.getEncoder().encodeToString((user + ":" + password).getBytes()))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) request.header("Content-Type", "application/json");
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The digest the registry answers for a manifest reference. */
    public static String manifestDigest(StowageProcess stowage, String repo, String reference) throws Exception {
        HttpResponse<byte[]> r = head(stowage, "/v2/" + repo + "/manifests/" + reference);
        if (r.statusCode() != 200) throw new AssertionError("HEAD manifest " + repo + ":" + reference + " -> " + r.statusCode());
        return r.headers().firstValue("Docker-Content-Digest").orElseThrow();
    }
}
