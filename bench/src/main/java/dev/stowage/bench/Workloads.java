package dev.stowage.bench;

import java.io.IOException;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/** The registry operations the bench times, each against one registry through one connection. */
final class Workloads {
    private Workloads() {}

    static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";

    static HttpConnection.Body bytes(byte[] data) {
        return new HttpConnection.Body() {
            @Override public long length() { return data.length; }
            @Override public void writeTo(OutputStream out) throws IOException { out.write(data); }
        };
    }

    static HttpConnection.Body slice(BlobContent content, BlobContent.Blob blob, long from, long to, byte[] scratch) {
        return new HttpConnection.Body() {
            @Override public long length() { return to - from; }
            @Override public void writeTo(OutputStream out) throws IOException { content.write(blob, from, to, out, scratch); }
        };
    }

    static void expect(HttpConnection.Response r, int status, String what) {
        if (r.status() != status) {
            throw new IllegalStateException(what + ": expected " + status + ", got " + r.status()
                    + (r.body() == null ? "" : " " + new String(r.body())));
        }
    }

    /**
     * Monolithic push as every registry supports it: POST for a session, then one PUT ?digest= with the whole blob.
     * (The single-request POST ?digest= form is optional in the spec and Distribution 2.8 does not implement it.)
     */
    static void pushMonolithic(HttpConnection c, String repo, BlobContent content, BlobContent.Blob blob, byte[] scratch)
            throws IOException {
        HttpConnection.Response start = c.send("POST", "/v2/" + repo + "/blobs/uploads/", Map.of(), null, true, null);
        expect(start, 202, "start upload");
        String location = path(start.header("location"));
        String sep = location.contains("?") ? "&" : "?";
        HttpConnection.Response r = c.send("PUT", location + sep + "digest=" + blob.digest(),
                Map.of("Content-Type", "application/octet-stream"), slice(content, blob, 0, blob.size(), scratch), true, null);
        expect(r, 201, "monolithic push");
    }

    /** Chunked push: POST, PATCH chunks with Content-Range, PUT ?digest=. */
    static void pushChunked(HttpConnection c, String repo, BlobContent content, BlobContent.Blob blob, long chunkSize,
                            byte[] scratch) throws IOException {
        HttpConnection.Response start = c.send("POST", "/v2/" + repo + "/blobs/uploads/", Map.of(), null, true, null);
        expect(start, 202, "start upload");
        String location = path(start.header("location"));
        for (long offset = 0; offset < blob.size(); offset += chunkSize) {
            long end = Math.min(blob.size(), offset + chunkSize);
            HttpConnection.Response patch = c.send("PATCH", location, Map.of("Content-Type", "application/octet-stream",
                    "Content-Range", offset + "-" + (end - 1)), slice(content, blob, offset, end, scratch), true, null);
            expect(patch, 202, "PATCH chunk");
            location = path(patch.header("location"));
        }
        String sep = location.contains("?") ? "&" : "?";
        expect(c.send("PUT", location + sep + "digest=" + blob.digest(), Map.of(), null, true, null), 201, "complete upload");
    }

    /** Pushes a tiny config and an image manifest over {@code layers} under {@code tag}; answers the manifest. */
    static byte[] pushManifest(HttpConnection c, String repo, String tag, List<BlobContent.Blob> layers, String marker)
            throws IOException {
        byte[] config = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"bench\":\"" + marker + "\"}").getBytes();
        String configDigest = sha256(config);
        HttpConnection.Response start = c.send("POST", "/v2/" + repo + "/blobs/uploads/", Map.of(), null, true, null);
        expect(start, 202, "start upload");
        String location = path(start.header("location"));
        expect(c.send("PUT", location + (location.contains("?") ? "&" : "?") + "digest=" + configDigest,
                Map.of("Content-Type", "application/octet-stream"), bytes(config), true, null), 201, "config push");
        StringBuilder json = new StringBuilder("{\"schemaVersion\":2,\"mediaType\":\"" + OCI_MANIFEST + "\",\"config\":{"
                + "\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + configDigest
                + "\",\"size\":" + config.length + "},\"layers\":[");
        for (int i = 0; i < layers.size(); i++) {
            if (i > 0) json.append(',');
            json.append("{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"")
                    .append(layers.get(i).digest()).append("\",\"size\":").append(layers.get(i).size()).append('}');
        }
        byte[] manifest = json.append("]}").toString().getBytes();
        expect(c.send("PUT", "/v2/" + repo + "/manifests/" + tag, Map.of("Content-Type", OCI_MANIFEST), bytes(manifest),
                true, null), 201, "manifest push");
        return manifest;
    }

    /**
     * A pull as a client does it: manifest by tag, then config and every layer, read to the end; with
     * {@code verify}, each blob's SHA-256 is checked too (client CPU on the machine under test).
     */
    static long pull(HttpConnection c, String repo, String tag, boolean verify) throws IOException {
        HttpConnection.Response m = c.send("GET", "/v2/" + repo + "/manifests/" + tag, Map.of("Accept", OCI_MANIFEST), null, true, null);
        expect(m, 200, "manifest GET");
        String json = new String(m.body());
        List<String> digests = new ArrayList<>();
        java.util.regex.Matcher matcher = java.util.regex.Pattern.compile("\"digest\":\"(sha256:[0-9a-f]{64})\"").matcher(json);
        while (matcher.find()) digests.add(matcher.group(1));
        long bytes = m.body().length;
        for (String digest : digests) {
            MessageDigest sha = verify ? BlobContent.sha256() : null;
            HttpConnection.Response blob = c.send("GET", "/v2/" + repo + "/blobs/" + digest, Map.of(), null, false, sha);
            expect(blob, 200, "blob GET");
            if (verify) {
                String actual = "sha256:" + HexFormat.of().formatHex(sha.digest());
                if (!actual.equals(digest)) throw new IllegalStateException("pulled blob " + digest + " hashes to " + actual);
            }
            bytes += blob.bodyLength();
        }
        return bytes;
    }

    /** Walks a paginated listing to its end; answers the number of requests made. */
    static int walkPages(HttpConnection c, String firstPath, AtomicLong items) throws IOException {
        String path = firstPath;
        int requests = 0;
        while (path != null) {
            HttpConnection.Response r = c.send("GET", path, Map.of(), null, true, null);
            expect(r, 200, "listing " + path);
            requests++;
            String body = new String(r.body());
            items.addAndGet(body.isEmpty() ? 0 : body.chars().filter(ch -> ch == ',').count() + 1);
            String link = r.header("link");
            path = link == null ? null : path(link.substring(link.indexOf('<') + 1, link.indexOf('>')));
        }
        return requests;
    }

    /** A Location or Link target as a path and query (registries answer absolute or relative URLs). */
    static String path(String location) {
        if (location.startsWith("http://") || location.startsWith("https://")) {
            java.net.URI uri = java.net.URI.create(location);
            return uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        }
        return location;
    }

    static String sha256(byte[] data) {
        return "sha256:" + HexFormat.of().formatHex(BlobContent.sha256().digest(data));
    }
}
