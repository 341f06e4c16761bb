package dev.stowage.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stowage.core.Digest;
import dev.stowage.core.MediaTypes;
import dev.stowage.core.service.ServiceSettings;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The OCI Distribution API over real HTTP against a real server with real stores, one behaviour per test. */
class DistributionApiTest extends OpenRegistryTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    static byte[] random(int size) {
        byte[] b = new byte[size];
        new Random(size * 31L + 7).nextBytes(b);
        return b;
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static JsonNode json(HttpResponse<byte[]> r) throws Exception {
        return JSON.readTree(r.body());
    }

    static String errorCode(HttpResponse<byte[]> r) throws Exception {
        return json(r).path("errors").path(0).path("code").asText();
    }

    /** Pushes a config and one layer; answers the manifest bytes (not yet pushed). */
    byte[] imageManifest(String repo, String mediaType, byte[] layer, String extra) throws Exception {
        byte[] config = bytes("{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}");
        Digest configDigest = registry.pushBlob(repo, config);
        Digest layerDigest = registry.pushBlob(repo, layer);
        String configType = mediaType.equals(MediaTypes.DOCKER_MANIFEST)
                ? "application/vnd.docker.container.image.v1+json" : "application/vnd.oci.image.config.v1+json";
        String layerType = mediaType.equals(MediaTypes.DOCKER_MANIFEST)
                ? "application/vnd.docker.image.rootfs.diff.tar.gzip" : "application/vnd.oci.image.layer.v1.tar+gzip";
        return bytes("{\"schemaVersion\":2,\"mediaType\":\"" + mediaType + "\",\"config\":{\"mediaType\":\"" + configType
                + "\",\"digest\":\"" + configDigest + "\",\"size\":" + config.length + "},\"layers\":[{\"mediaType\":\""
                + layerType + "\",\"digest\":\"" + layerDigest + "\",\"size\":" + layer.length + "}]" + extra + "}");
    }

    Digest pushImage(String repo, String tag, byte[] layer) throws Exception {
        byte[] manifest = imageManifest(repo, MediaTypes.OCI_MANIFEST, layer, "");
        HttpResponse<byte[]> r = registry.put("/v2/" + repo + "/manifests/" + tag, MediaTypes.OCI_MANIFEST, manifest);
        assertThat(r.statusCode()).as(TestRegistry.text(r)).isEqualTo(201);
        return Digest.sha256Of(manifest);
    }

    @Nested
    class Base {
        @Test
        void versionCheckAnswers200WithApiVersionHeader() throws Exception {
            HttpResponse<byte[]> r = registry.get("/v2/");
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("Docker-Distribution-API-Version")).hasValue("registry/2.0");
            assertThat(TestRegistry.text(r)).isEqualTo("{}");
        }

        @Test
        void unknownPathIs404WithJsonError() throws Exception {
            HttpResponse<byte[]> r = registry.get("/v3/whatever");
            assertThat(r.statusCode()).isEqualTo(404);
            assertThat(errorCode(r)).isEqualTo("NOT_FOUND");
        }

        @Test
        void invalidRepositoryNameIsNameInvalid() throws Exception {
            HttpResponse<byte[]> r = registry.get("/v2/Upper/Case/tags/list");
            assertThat(r.statusCode()).isEqualTo(400);
            assertThat(errorCode(r)).isEqualTo("NAME_INVALID");
        }

        @Test
        void pathTraversalInNameIsNameInvalid() throws Exception {
            HttpResponse<byte[]> r = registry.send(registry.request("/v2/a/%2e%2e/%2e%2e/etc/manifests/latest").GET().build());
            assertThat(r.statusCode()).isEqualTo(400);
            assertThat(errorCode(r)).isEqualTo("NAME_INVALID");
        }

        @Test
        void malformedPercentEncodingIs400() throws Exception {
            for (String target : List.of("/v2/a%zz/tags/list", "/v2/_catalog?last=%zz", "/v2/a/manifests/%zz")) {
                try (Socket socket = new Socket("127.0.0.1", registry.server.port())) {
                    OutputStream out = socket.getOutputStream();
                    out.write(bytes("GET " + target + " HTTP/1.1\r\nHost: x\r\n\r\n"));
                    out.flush();
                    String response = new String(socket.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
                    assertThat(response).as(target).isEqualTo("HTTP/1.1 400");
                }
            }
        }

        @Test
        void unsupportedMethodIs405() throws Exception {
            HttpResponse<byte[]> r = registry.send(registry.request("/v2/_catalog").DELETE().build());
            assertThat(r.statusCode()).isEqualTo(405);
            assertThat(errorCode(r)).isEqualTo("UNSUPPORTED");
        }

        @Test
        void oversizedHeadersAre431AndNeverA5xx() throws Exception {
            try (Socket socket = new Socket("127.0.0.1", registry.server.port())) {
                OutputStream out = socket.getOutputStream();
                out.write(bytes("GET /v2/ HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(40_000) + "\r\n\r\n"));
                out.flush();
                String response = new String(socket.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
                assertThat(response).isEqualTo("HTTP/1.1 431");
            }
        }
    }

    @Nested
    class Blobs {
        @Test
        void monolithicPostWithDigestCreatesTheBlob() throws Exception {
            byte[] data = random(10_000);
            Digest digest = Digest.sha256Of(data);
            HttpResponse<byte[]> r = registry.post("/v2/a/b/blobs/uploads/?digest=" + digest, data);
            assertThat(r.statusCode()).isEqualTo(201);
            assertThat(r.headers().firstValue("Location")).hasValue("/v2/a/b/blobs/" + digest);
            assertThat(r.headers().firstValue("Docker-Content-Digest")).hasValue(digest.toString());
            HttpResponse<byte[]> get = registry.get("/v2/a/b/blobs/" + digest);
            assertThat(get.statusCode()).isEqualTo(200);
            assertThat(get.body()).isEqualTo(data);
            assertThat(get.headers().firstValue("Docker-Content-Digest")).hasValue(digest.toString());
        }

        @Test
        void headAnswersSizeAndDigestWithoutBody() throws Exception {
            byte[] data = random(1234);
            Digest digest = registry.pushBlob("r", data);
            HttpResponse<byte[]> r = registry.head("/v2/r/blobs/" + digest);
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("Content-Length")).hasValue("1234");
            assertThat(r.headers().firstValue("Docker-Content-Digest")).hasValue(digest.toString());
            assertThat(r.body()).isEmpty();
        }

        @Test
        void unknownBlobIs404BlobUnknown() throws Exception {
            HttpResponse<byte[]> r = registry.get("/v2/r/blobs/" + Digest.sha256Of(bytes("nope")));
            assertThat(r.statusCode()).isEqualTo(404);
            assertThat(errorCode(r)).isEqualTo("BLOB_UNKNOWN");
        }

        @Test
        void blobIsNotServedFromARepositoryThatNeverLinkedIt() throws Exception {
            Digest digest = registry.pushBlob("one", random(100));
            HttpResponse<byte[]> r = registry.head("/v2/two/blobs/" + digest);
            assertThat(r.statusCode()).isEqualTo(404);
        }

        @Test
        void malformedDigestIsDigestInvalid() throws Exception {
            HttpResponse<byte[]> r = registry.get("/v2/r/blobs/sha256:xyz");
            assertThat(r.statusCode()).isEqualTo(400);
            assertThat(errorCode(r)).isEqualTo("DIGEST_INVALID");
        }

        @Test
        void rangeRequestAnswers206WithTheSlice() throws Exception {
            byte[] data = random(5000);
            Digest digest = registry.pushBlob("r", data);
            HttpResponse<byte[]> r = registry.send(registry.request("/v2/r/blobs/" + digest).header("Range", "bytes=100-199").GET().build());
            assertThat(r.statusCode()).isEqualTo(206);
            assertThat(r.headers().firstValue("Content-Range")).hasValue("bytes 100-199/5000");
            assertThat(r.body()).isEqualTo(Arrays.copyOfRange(data, 100, 200));
        }

        @Test
        void suffixRangeAnswersTheTail() throws Exception {
            byte[] data = random(5000);
            Digest digest = registry.pushBlob("r", data);
            HttpResponse<byte[]> r = registry.send(registry.request("/v2/r/blobs/" + digest).header("Range", "bytes=-10").GET().build());
            assertThat(r.statusCode()).isEqualTo(206);
            assertThat(r.body()).isEqualTo(Arrays.copyOfRange(data, 4990, 5000));
        }

        @Test
        void rangeBeyondTheEndIs416() throws Exception {
            Digest digest = registry.pushBlob("r", random(100));
            HttpResponse<byte[]> r = registry.send(registry.request("/v2/r/blobs/" + digest).header("Range", "bytes=100-200").GET().build());
            assertThat(r.statusCode()).isEqualTo(416);
            assertThat(r.headers().firstValue("Content-Range")).hasValue("bytes */100");
        }

        @Test
        void deleteUnlinksTheBlobFromTheRepository() throws Exception {
            Digest digest = registry.pushBlob("r", random(100));
            assertThat(registry.delete("/v2/r/blobs/" + digest).statusCode()).isEqualTo(202);
            assertThat(registry.head("/v2/r/blobs/" + digest).statusCode()).isEqualTo(404);
            HttpResponse<byte[]> again = registry.delete("/v2/r/blobs/" + digest);
            assertThat(again.statusCode()).isEqualTo(404);
            assertThat(errorCode(again)).isEqualTo("BLOB_UNKNOWN");
        }

        @Test
        void emptyBlobCanBePushedAndRead() throws Exception {
            Digest digest = registry.pushBlob("r", new byte[0]);
            assertThat(digest.toString()).isEqualTo("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
            HttpResponse<byte[]> r = registry.get("/v2/r/blobs/" + digest);
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).isEmpty();
        }
    }

    @Nested
    class Uploads {
        String startUpload(String repo) throws Exception {
            HttpResponse<byte[]> r = registry.post("/v2/" + repo + "/blobs/uploads/", new byte[0]);
            assertThat(r.statusCode()).isEqualTo(202);
            assertThat(r.headers().firstValue("Range")).hasValue("0-0");
            assertThat(r.headers().firstValue("Docker-Upload-UUID")).isPresent();
            return r.headers().firstValue("Location").orElseThrow();
        }

        HttpResponse<byte[]> patch(String location, byte[] chunk, String contentRange) throws Exception {
            HttpRequest.Builder b = registry.request(location).method("PATCH", HttpRequest.BodyPublishers.ofByteArray(chunk))
                    .header("Content-Type", "application/octet-stream");
            if (contentRange != null) b.header("Content-Range", contentRange);
            return registry.send(b.build());
        }

        @Test
        void chunkedUploadWithContentRangeCompletesWithPut() throws Exception {
            byte[] data = random(300_000);
            String location = startUpload("c/d");
            HttpResponse<byte[]> first = patch(location, Arrays.copyOfRange(data, 0, 100_000), "0-99999");
            assertThat(first.statusCode()).isEqualTo(202);
            assertThat(first.headers().firstValue("Range")).hasValue("0-99999");
            location = first.headers().firstValue("Location").orElseThrow();
            HttpResponse<byte[]> second = patch(location, Arrays.copyOfRange(data, 100_000, 200_000), "100000-199999");
            assertThat(second.headers().firstValue("Range")).hasValue("0-199999");
            Digest digest = Digest.sha256Of(data);
            HttpResponse<byte[]> done = registry.put(location + "?digest=" + digest, "application/octet-stream",
                    Arrays.copyOfRange(data, 200_000, 300_000));
            assertThat(done.statusCode()).isEqualTo(201);
            assertThat(done.headers().firstValue("Docker-Content-Digest")).hasValue(digest.toString());
            assertThat(registry.get("/v2/c/d/blobs/" + digest).body()).isEqualTo(data);
        }

        @Test
        void streamedPatchWithoutContentRangeIsAccepted() throws Exception {
            byte[] data = random(2_000_000);
            String location = startUpload("s");
            HttpResponse<byte[]> r = registry.send(registry.request(location)
                    .method("PATCH", HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(data)))
                    .build());
            assertThat(r.statusCode()).isEqualTo(202);
            assertThat(r.headers().firstValue("Range")).hasValue("0-1999999");
            Digest digest = Digest.sha256Of(data);
            HttpResponse<byte[]> done = registry.put(r.headers().firstValue("Location").orElseThrow() + "?digest=" + digest,
                    null, new byte[0]);
            assertThat(done.statusCode()).isEqualTo(201);
            assertThat(registry.get("/v2/s/blobs/" + digest).body()).isEqualTo(data);
        }

        @Test
        void outOfOrderChunkIs416AndChangesNothing() throws Exception {
            String location = startUpload("o");
            patch(location, random(100), "0-99");
            HttpResponse<byte[]> r = patch(location, random(50), "200-249");
            assertThat(r.statusCode()).isEqualTo(416);
            assertThat(errorCode(r)).isEqualTo("RANGE_INVALID");
            HttpResponse<byte[]> status = registry.get(location);
            assertThat(status.statusCode()).isEqualTo(204);
            assertThat(status.headers().firstValue("Range")).hasValue("0-99");
        }

        @Test
        void repeatedChunkIs416() throws Exception {
            String location = startUpload("o");
            byte[] chunk = random(100);
            assertThat(patch(location, chunk, "0-99").statusCode()).isEqualTo(202);
            assertThat(patch(location, chunk, "0-99").statusCode()).isEqualTo(416);
        }

        @Test
        void uploadStatusReportsOffsetAndLocation() throws Exception {
            String location = startUpload("st");
            patch(location, random(1000), null);
            HttpResponse<byte[]> r = registry.get(location);
            assertThat(r.statusCode()).isEqualTo(204);
            assertThat(r.headers().firstValue("Range")).hasValue("0-999");
            assertThat(r.headers().firstValue("Location")).hasValue(location);
        }

        @Test
        void wrongDigestOnCompletionIsDigestInvalidAndNothingIsStored() throws Exception {
            String location = startUpload("w");
            byte[] data = random(1000);
            Digest wrong = Digest.sha256Of(bytes("something else"));
            HttpResponse<byte[]> r = registry.put(location + "?digest=" + wrong, null, data);
            assertThat(r.statusCode()).isEqualTo(400);
            assertThat(errorCode(r)).isEqualTo("DIGEST_INVALID");
            assertThat(registry.head("/v2/w/blobs/" + wrong).statusCode()).isEqualTo(404);
            assertThat(registry.head("/v2/w/blobs/" + Digest.sha256Of(data)).statusCode()).isEqualTo(404);
        }

        @Test
        void putWithoutDigestIsDigestInvalid() throws Exception {
            String location = startUpload("w");
            HttpResponse<byte[]> r = registry.put(location, null, random(10));
            assertThat(r.statusCode()).isEqualTo(400);
            assertThat(errorCode(r)).isEqualTo("DIGEST_INVALID");
        }

        @Test
        void cancelledUploadIsUnknownAfterwards() throws Exception {
            String location = startUpload("x");
            assertThat(registry.delete(location).statusCode()).isEqualTo(204);
            HttpResponse<byte[]> r = registry.get(location);
            assertThat(r.statusCode()).isEqualTo(404);
            assertThat(errorCode(r)).isEqualTo("BLOB_UPLOAD_UNKNOWN");
        }

        @Test
        void unknownUploadIdIsBlobUploadUnknown() throws Exception {
            HttpResponse<byte[]> r = patch("/v2/x/blobs/uploads/not-a-uuid", random(10), null);
            assertThat(r.statusCode()).isEqualTo(404);
            assertThat(errorCode(r)).isEqualTo("BLOB_UPLOAD_UNKNOWN");
        }

        @Test
        void uploadOfOneRepositoryCannotBeContinuedThroughAnother() throws Exception {
            String location = startUpload("mine");
            String other = location.replace("/v2/mine/", "/v2/theirs/");
            assertThat(registry.get(other).statusCode()).isEqualTo(404);
        }

        @Test
        void crossRepositoryMountLinksWithoutUpload() throws Exception {
            Digest digest = registry.pushBlob("src/repo", random(500));
            HttpResponse<byte[]> r = registry.post("/v2/dst/repo/blobs/uploads/?mount=" + digest + "&from=src/repo", new byte[0]);
            assertThat(r.statusCode()).isEqualTo(201);
            assertThat(r.headers().firstValue("Location")).hasValue("/v2/dst/repo/blobs/" + digest);
            assertThat(registry.head("/v2/dst/repo/blobs/" + digest).statusCode()).isEqualTo(200);
        }

        @Test
        void mountFromARepositoryWithoutTheBlobStartsAnUpload() throws Exception {
            Digest digest = registry.pushBlob("src", random(500));
            HttpResponse<byte[]> r = registry.post("/v2/dst/blobs/uploads/?mount=" + digest + "&from=elsewhere", new byte[0]);
            assertThat(r.statusCode()).isEqualTo(202);
            assertThat(r.headers().firstValue("Location")).get().asString().startsWith("/v2/dst/blobs/uploads/");
        }

        @Test
        void mountWithoutFromDiscoversAStoredBlob() throws Exception {
            Digest digest = registry.pushBlob("src", random(500));
            HttpResponse<byte[]> r = registry.post("/v2/auto/blobs/uploads/?mount=" + digest, new byte[0]);
            assertThat(r.statusCode()).isEqualTo(201);
            assertThat(registry.head("/v2/auto/blobs/" + digest).statusCode()).isEqualTo(200);
        }

        @Test
        void concurrentPushesOfTheSameBlobAllSucceed() throws Exception {
            byte[] data = random(3_000_000);
            ExecutorService pool = Executors.newFixedThreadPool(6);
            try {
                List<Future<Integer>> results = new ArrayList<>();
                for (int i = 0; i < 6; i++) {
                    String repo = "same" + (i % 2);
                    results.add(pool.submit((Callable<Integer>) () -> registry.post("/v2/" + repo + "/blobs/uploads/?digest="
                            + Digest.sha256Of(data), data).statusCode()));
                }
                for (Future<Integer> f : results) assertThat(f.get()).isEqualTo(201);
            } finally {
                pool.shutdown();
            }
            assertThat(registry.get("/v2/same0/blobs/" + Digest.sha256Of(data)).body()).isEqualTo(data);
            try (Stream<Path> uploads = Files.list(root.resolve("storage/uploads"))) {
                assertThat(uploads).isEmpty();
            }
        }
    }

    @Nested
    class Manifests {
        @Test
        void putByTagThenGetByTagAndDigest() throws Exception {
            byte[] manifest = imageManifest("app", MediaTypes.OCI_MANIFEST, random(1000), "");
            Digest digest = Digest.sha256Of(manifest);
            HttpResponse<byte[]> put = registry.put("/v2/app/manifests/v1", MediaTypes.OCI_MANIFEST, manifest);
            assertThat(put.statusCode()).isEqualTo(201);
            assertThat(put.headers().firstValue("Docker-Content-Digest")).hasValue(digest.toString());
            assertThat(put.headers().firstValue("Location")).hasValue("/v2/app/manifests/" + digest);
            for (String ref : List.of("v1", digest.toString())) {
                HttpResponse<byte[]> get = registry.get("/v2/app/manifests/" + ref);
                assertThat(get.statusCode()).isEqualTo(200);
                assertThat(get.body()).isEqualTo(manifest);
                assertThat(get.headers().firstValue("Content-Type")).hasValue(MediaTypes.OCI_MANIFEST);
                assertThat(get.headers().firstValue("Docker-Content-Digest")).hasValue(digest.toString());
            }
        }

        @Test
        void headAnswersDigestLengthAndTypeWithoutBody() throws Exception {
            Digest digest = pushImage("app", "v1", random(10));
            HttpResponse<byte[]> r = registry.head("/v2/app/manifests/v1");
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("Docker-Content-Digest")).hasValue(digest.toString());
            assertThat(r.headers().firstValueAsLong("Content-Length").orElse(-1)).isGreaterThan(100);
            assertThat(r.body()).isEmpty();
        }

        @Test
        void dockerSchema2ManifestRoundTrips() throws Exception {
            byte[] manifest = imageManifest("d", MediaTypes.DOCKER_MANIFEST, random(100), "");
            assertThat(registry.put("/v2/d/manifests/latest", MediaTypes.DOCKER_MANIFEST, manifest).statusCode()).isEqualTo(201);
            HttpResponse<byte[]> get = registry.send(registry.request("/v2/d/manifests/latest")
                    .header("Accept", MediaTypes.DOCKER_MANIFEST).GET().build());
            assertThat(get.headers().firstValue("Content-Type")).hasValue(MediaTypes.DOCKER_MANIFEST);
            assertThat(get.body()).isEqualTo(manifest);
        }

        @Test
        void acceptWithoutTheStoredTypeIsManifestUnknown() throws Exception {
            pushImage("app", "v1", random(10));
            HttpResponse<byte[]> r = registry.send(registry.request("/v2/app/manifests/v1")
                    .header("Accept", MediaTypes.DOCKER_MANIFEST).GET().build());
            assertThat(r.statusCode()).isEqualTo(404);
            assertThat(errorCode(r)).isEqualTo("MANIFEST_UNKNOWN");
        }

        @Test
        void indexAndManifestListAreAcceptedWhenChildrenExist() throws Exception {
            Digest child = pushImage("multi", "amd64", random(10));
            long childSize = registry.get("/v2/multi/manifests/amd64").body().length;
            for (String type : List.of(MediaTypes.OCI_INDEX, MediaTypes.DOCKER_MANIFEST_LIST)) {
                byte[] index = bytes("{\"schemaVersion\":2,\"mediaType\":\"" + type + "\",\"manifests\":[{\"mediaType\":\""
                        + MediaTypes.OCI_MANIFEST + "\",\"digest\":\"" + child + "\",\"size\":" + childSize
                        + ",\"platform\":{\"architecture\":\"amd64\",\"os\":\"linux\"}}]}");
                HttpResponse<byte[]> r = registry.put("/v2/multi/manifests/all", type, index);
                assertThat(r.statusCode()).as(TestRegistry.text(r)).isEqualTo(201);
                assertThat(registry.get("/v2/multi/manifests/all").headers().firstValue("Content-Type")).hasValue(type);
            }
        }

        @Test
        void indexWithUnknownChildIsManifestBlobUnknown() throws Exception {
            byte[] index = bytes("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_INDEX + "\",\"manifests\":[{\"mediaType\":\""
                    + MediaTypes.OCI_MANIFEST + "\",\"digest\":\"" + Digest.sha256Of(bytes("x")) + "\",\"size\":1}]}");
            HttpResponse<byte[]> r = registry.put("/v2/multi/manifests/all", MediaTypes.OCI_INDEX, index);
            assertThat(r.statusCode()).isEqualTo(404);
            assertThat(errorCode(r)).isEqualTo("MANIFEST_BLOB_UNKNOWN");
        }

        @Test
        void manifestWithUnknownLayerIsManifestBlobUnknown() throws Exception {
            byte[] manifest = imageManifest("app", MediaTypes.OCI_MANIFEST, random(10), "");
            String withMissingLayer = new String(manifest, StandardCharsets.UTF_8)
                    .replaceFirst("sha256:[0-9a-f]{64}\",\"size\":10}", Digest.sha256Of(bytes("missing")) + "\",\"size\":10}");
            HttpResponse<byte[]> r = registry.put("/v2/app/manifests/v1", MediaTypes.OCI_MANIFEST, bytes(withMissingLayer));
            assertThat(r.statusCode()).isEqualTo(404);
            assertThat(errorCode(r)).isEqualTo("MANIFEST_BLOB_UNKNOWN");
        }

        @Test
        void putByDigestThatDoesNotMatchIsDigestInvalid() throws Exception {
            byte[] manifest = imageManifest("app", MediaTypes.OCI_MANIFEST, random(10), "");
            HttpResponse<byte[]> r = registry.put("/v2/app/manifests/" + Digest.sha256Of(bytes("other")), MediaTypes.OCI_MANIFEST, manifest);
            assertThat(r.statusCode()).isEqualTo(400);
            assertThat(errorCode(r)).isEqualTo("DIGEST_INVALID");
        }

        @Test
        void putByMatchingDigestCreatesAnUntaggedManifest() throws Exception {
            byte[] manifest = imageManifest("app", MediaTypes.OCI_MANIFEST, random(10), "");
            Digest digest = Digest.sha256Of(manifest);
            assertThat(registry.put("/v2/app/manifests/" + digest, MediaTypes.OCI_MANIFEST, manifest).statusCode()).isEqualTo(201);
            assertThat(registry.get("/v2/app/manifests/" + digest).statusCode()).isEqualTo(200);
        }

        @Test
        void invalidJsonIsManifestInvalid() throws Exception {
            HttpResponse<byte[]> r = registry.put("/v2/app/manifests/v1", MediaTypes.OCI_MANIFEST, bytes("{not json"));
            assertThat(r.statusCode()).isEqualTo(400);
            assertThat(errorCode(r)).isEqualTo("MANIFEST_INVALID");
        }

        @Test
        void schema1IsRefusedWithAClearMessage() throws Exception {
            HttpResponse<byte[]> r = registry.put("/v2/app/manifests/v1", MediaTypes.DOCKER_SCHEMA1_SIGNED,
                    bytes("{\"schemaVersion\":1,\"name\":\"app\",\"tag\":\"v1\",\"fsLayers\":[]}"));
            assertThat(r.statusCode()).isEqualTo(400);
            assertThat(errorCode(r)).isEqualTo("MANIFEST_INVALID");
            assertThat(json(r).path("errors").path(0).path("message").asText()).contains("schema1");
        }

        @Test
        void contentTypeThatContradictsMediaTypeIsManifestInvalid() throws Exception {
            byte[] manifest = imageManifest("app", MediaTypes.OCI_MANIFEST, random(10), "");
            HttpResponse<byte[]> r = registry.put("/v2/app/manifests/v1", MediaTypes.DOCKER_MANIFEST, manifest);
            assertThat(r.statusCode()).isEqualTo(400);
            assertThat(errorCode(r)).isEqualTo("MANIFEST_INVALID");
        }

        @Test
        void invalidTagIsRefused() throws Exception {
            byte[] manifest = imageManifest("app", MediaTypes.OCI_MANIFEST, random(10), "");
            HttpResponse<byte[]> r = registry.put("/v2/app/manifests/-bad", MediaTypes.OCI_MANIFEST, manifest);
            assertThat(r.statusCode()).isEqualTo(400);
        }

        @Test
        void manifestLargerThanTheLimitIs413() throws Exception {
            byte[] huge = new byte[4 * 1024 * 1024 + 1];
            Arrays.fill(huge, (byte) ' ');
            HttpResponse<byte[]> r = registry.put("/v2/app/manifests/v1", MediaTypes.OCI_MANIFEST, huge);
            assertThat(r.statusCode()).isEqualTo(413);
            assertThat(errorCode(r)).isEqualTo("SIZE_INVALID");
        }

        @Test
        void unknownManifestIsManifestUnknown() throws Exception {
            HttpResponse<byte[]> r = registry.get("/v2/app/manifests/nope");
            assertThat(r.statusCode()).isEqualTo(404);
            assertThat(errorCode(r)).isEqualTo("MANIFEST_UNKNOWN");
        }

        @Test
        void tagMovesToTheNewestPush() throws Exception {
            pushImage("app", "latest", random(10));
            Digest second = pushImage("app", "latest", random(20));
            assertThat(registry.head("/v2/app/manifests/latest").headers().firstValue("Docker-Content-Digest"))
                    .hasValue(second.toString());
        }

        @Test
        void deleteByDigestRemovesTheManifestAndItsTags() throws Exception {
            Digest digest = pushImage("app", "v1", random(10));
            assertThat(registry.delete("/v2/app/manifests/" + digest).statusCode()).isEqualTo(202);
            assertThat(registry.get("/v2/app/manifests/" + digest).statusCode()).isEqualTo(404);
            assertThat(registry.get("/v2/app/manifests/v1").statusCode()).isEqualTo(404);
        }

        @Test
        void deleteByTagRemovesOnlyTheTag() throws Exception {
            Digest digest = pushImage("app", "v1", random(10));
            assertThat(registry.delete("/v2/app/manifests/v1").statusCode()).isEqualTo(202);
            assertThat(registry.get("/v2/app/manifests/v1").statusCode()).isEqualTo(404);
            assertThat(registry.get("/v2/app/manifests/" + digest).statusCode()).isEqualTo(200);
        }

        @Test
        void subjectIsAnsweredWithOciSubjectHeader() throws Exception {
            Digest subject = pushImage("app", "v1", random(10));
            long subjectSize = registry.get("/v2/app/manifests/v1").body().length;
            byte[] referrer = imageManifest("app", MediaTypes.OCI_MANIFEST, random(11),
                    ",\"artifactType\":\"application/vnd.example.sbom\",\"subject\":{\"mediaType\":\"" + MediaTypes.OCI_MANIFEST
                            + "\",\"digest\":\"" + subject + "\",\"size\":" + subjectSize + "}");
            HttpResponse<byte[]> r = registry.put("/v2/app/manifests/" + Digest.sha256Of(referrer), MediaTypes.OCI_MANIFEST, referrer);
            assertThat(r.statusCode()).isEqualTo(201);
            assertThat(r.headers().firstValue("OCI-Subject")).hasValue(subject.toString());
        }

        @Test
        void concurrentPushesOfTheSameTagAllSucceedAndOneWins() throws Exception {
            List<byte[]> manifests = new ArrayList<>();
            for (int i = 0; i < 8; i++) manifests.add(imageManifest("race", MediaTypes.OCI_MANIFEST, random(100 + i), ""));
            ExecutorService pool = Executors.newFixedThreadPool(8);
            try {
                List<Future<Integer>> results = new ArrayList<>();
                for (byte[] m : manifests) {
                    results.add(pool.submit(() -> registry.put("/v2/race/manifests/latest", MediaTypes.OCI_MANIFEST, m).statusCode()));
                }
                for (Future<Integer> f : results) assertThat(f.get()).isEqualTo(201);
            } finally {
                pool.shutdown();
            }
            String winner = registry.head("/v2/race/manifests/latest").headers().firstValue("Docker-Content-Digest").orElseThrow();
            assertThat(manifests.stream().map(m -> Digest.sha256Of(m).toString())).contains(winner);
        }
    }

    @Nested
    class Listing {
        @Test
        void tagsAreListedInLexicalOrderWithPagination() throws Exception {
            byte[] manifest = imageManifest("t", MediaTypes.OCI_MANIFEST, random(10), "");
            for (String tag : List.of("b", "a", "c", "A", "1.0")) {
                registry.put("/v2/t/manifests/" + tag, MediaTypes.OCI_MANIFEST, manifest);
            }
            HttpResponse<byte[]> all = registry.get("/v2/t/tags/list");
            assertThat(json(all).path("name").asText()).isEqualTo("t");
            assertThat(json(all).path("tags").toString()).isEqualTo("[\"1.0\",\"A\",\"a\",\"b\",\"c\"]");
            HttpResponse<byte[]> page = registry.get("/v2/t/tags/list?n=2");
            assertThat(json(page).path("tags").toString()).isEqualTo("[\"1.0\",\"A\"]");
            assertThat(page.headers().firstValue("Link")).hasValue("</v2/t/tags/list?n=2&last=A>; rel=\"next\"");
            HttpResponse<byte[]> next = registry.get("/v2/t/tags/list?n=2&last=A");
            assertThat(json(next).path("tags").toString()).isEqualTo("[\"a\",\"b\"]");
            HttpResponse<byte[]> lastPage = registry.get("/v2/t/tags/list?n=2&last=b");
            assertThat(json(lastPage).path("tags").toString()).isEqualTo("[\"c\"]");
            assertThat(lastPage.headers().firstValue("Link")).isEmpty();
        }

        @Test
        void tagsOfUnknownRepositoryIsNameUnknown() throws Exception {
            HttpResponse<byte[]> r = registry.get("/v2/nothing/here/tags/list");
            assertThat(r.statusCode()).isEqualTo(404);
            assertThat(errorCode(r)).isEqualTo("NAME_UNKNOWN");
        }

        @Test
        void negativeNIsPaginationNumberInvalid() throws Exception {
            HttpResponse<byte[]> r = registry.get("/v2/_catalog?n=-1");
            assertThat(r.statusCode()).isEqualTo(400);
            assertThat(errorCode(r)).isEqualTo("PAGINATION_NUMBER_INVALID");
        }

        @Test
        void catalogListsRepositoriesInLexicalOrderWithPagination() throws Exception {
            for (String repo : List.of("zeta", "alpha/one", "alpha", "beta")) pushImage(repo, "v1", random(10));
            assertThat(json(registry.get("/v2/_catalog")).path("repositories").toString())
                    .isEqualTo("[\"alpha\",\"alpha/one\",\"beta\",\"zeta\"]");
            HttpResponse<byte[]> page = registry.get("/v2/_catalog?n=3");
            assertThat(json(page).path("repositories").toString()).isEqualTo("[\"alpha\",\"alpha/one\",\"beta\"]");
            assertThat(page.headers().firstValue("Link")).hasValue("</v2/_catalog?n=3&last=beta>; rel=\"next\"");
            assertThat(json(registry.get("/v2/_catalog?n=3&last=beta")).path("repositories").toString()).isEqualTo("[\"zeta\"]");
        }
    }

    @Nested
    class Referrers {
        Digest pushReferrer(String repo, Digest subject, long subjectSize, String artifactType, int seed) throws Exception {
            byte[] referrer = imageManifest(repo, MediaTypes.OCI_MANIFEST, random(seed),
                    ",\"artifactType\":\"" + artifactType + "\",\"annotations\":{\"org.example\":\"v" + seed + "\"},"
                            + "\"subject\":{\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"digest\":\"" + subject
                            + "\",\"size\":" + subjectSize + "}");
            Digest digest = Digest.sha256Of(referrer);
            assertThat(registry.put("/v2/" + repo + "/manifests/" + digest, MediaTypes.OCI_MANIFEST, referrer).statusCode()).isEqualTo(201);
            return digest;
        }

        @Test
        void referrersListsManifestsWithThatSubject() throws Exception {
            Digest subject = pushImage("app", "v1", random(10));
            long size = registry.get("/v2/app/manifests/v1").body().length;
            Digest sbom = pushReferrer("app", subject, size, "application/vnd.example.sbom", 21);
            Digest sig = pushReferrer("app", subject, size, "application/vnd.example.sig", 22);
            HttpResponse<byte[]> r = registry.get("/v2/app/referrers/" + subject);
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("Content-Type")).hasValue(MediaTypes.OCI_INDEX);
            JsonNode index = json(r);
            assertThat(index.path("schemaVersion").asInt()).isEqualTo(2);
            List<String> digests = new ArrayList<>();
            index.path("manifests").forEach(m -> digests.add(m.path("digest").asText()));
            assertThat(digests).containsExactlyInAnyOrder(sbom.toString(), sig.toString());
            JsonNode first = index.path("manifests").path(0);
            assertThat(first.path("artifactType").asText()).startsWith("application/vnd.example.");
            assertThat(first.path("annotations").path("org.example").asText()).startsWith("v2");
            assertThat(r.headers().firstValue("OCI-Filters-Applied")).isEmpty();
        }

        @Test
        void artifactTypeFilterIsAppliedAndAnnounced() throws Exception {
            Digest subject = pushImage("app", "v1", random(10));
            long size = registry.get("/v2/app/manifests/v1").body().length;
            Digest sbom = pushReferrer("app", subject, size, "application/vnd.example.sbom", 21);
            pushReferrer("app", subject, size, "application/vnd.example.sig", 22);
            HttpResponse<byte[]> r = registry.get("/v2/app/referrers/" + subject + "?artifactType=application/vnd.example.sbom");
            assertThat(r.headers().firstValue("OCI-Filters-Applied")).hasValue("artifactType");
            assertThat(json(r).path("manifests").size()).isEqualTo(1);
            assertThat(json(r).path("manifests").path(0).path("digest").asText()).isEqualTo(sbom.toString());
        }

        @Test
        void unknownSubjectAnswersAnEmptyIndex() throws Exception {
            HttpResponse<byte[]> r = registry.get("/v2/app/referrers/" + Digest.sha256Of(bytes("none")));
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(json(r).path("manifests").isArray()).isTrue();
            assertThat(json(r).path("manifests").size()).isZero();
        }

        @Test
        void referrerPushedBeforeItsSubjectIsAccepted() throws Exception {
            Digest absent = Digest.sha256Of(bytes("not pushed yet"));
            Digest ref = pushReferrer("app", absent, 100, "application/vnd.example.sig", 23);
            assertThat(json(registry.get("/v2/app/referrers/" + absent)).path("manifests").path(0).path("digest").asText())
                    .isEqualTo(ref.toString());
        }
    }

    @Nested
    class Expiry {
        @Test
        void idleUploadsAreRemovedWithTheirData() throws Exception {
            registry.close();
            registry = new TestRegistry(root, ServiceSettings.DEFAULTS.withUploadExpiry(Duration.ZERO));
            HttpResponse<byte[]> r = registry.post("/v2/e/blobs/uploads/", new byte[0]);
            String location = r.headers().firstValue("Location").orElseThrow();
            registry.send(registry.request(location).method("PATCH", HttpRequest.BodyPublishers.ofByteArray(random(100))).build());
            Thread.sleep(5);
            assertThat(registry.service.expireUploads()).isEqualTo(1);
            assertThat(registry.get(location).statusCode()).isEqualTo(404);
            try (Stream<Path> uploads = Files.list(root.resolve("storage/uploads"))) {
                assertThat(uploads).isEmpty();
            }
        }
    }
}
