package dev.stowage.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stowage.core.Digest;
import dev.stowage.core.event.RegistryEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.ArrayList;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static dev.stowage.server.AuthenticatedRegistry.JSON;
import static dev.stowage.server.AuthenticatedRegistry.basic;
import static org.assertj.core.api.Assertions.assertThat;

/** Project quotas over HTTP: what is counted, what is refused, what is announced, and how limits are set. */
class QuotaTest {
    static final String ADMIN = basic("admin", "adminpw");
    static final String MANIFEST_TYPE = "application/vnd.oci.image.manifest.v1+json";

    @TempDir Path root;
    AuthenticatedRegistry registry;
    final List<RegistryEvent> events = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        registry = AuthenticatedRegistry.in(root).admin("admin").project("team", false).quotas(events::add).start();
    }

    @AfterEach
    void stop() {
        registry.close();
    }

    HttpResponse<String> quota(String method, String json) throws Exception {
        return registry.call(method, "/api/v1/projects/team/quota", ADMIN, json);
    }

    JsonNode usage() throws Exception {
        return JSON.readTree(quota("GET", null).body()).path("usage");
    }

    String token() throws Exception {
        return registry.token("admin", "adminpw", "repository:team/app:pull,push");
    }

    HttpResponse<String> pushBlob(String token, String content) throws Exception {
        Digest digest = Digest.sha256Of(content.getBytes(StandardCharsets.UTF_8));
        return registry.send(registry.request("/v2/team/app/blobs/uploads/?digest=" + digest)
                .header("Authorization", "Bearer " + token).POST(HttpRequest.BodyPublishers.ofString(content)));
    }

    /** An image of a config and one layer, each {@code size} bytes; answers the manifest put's response. */
    HttpResponse<String> pushImage(String tag, char fill, int size) throws Exception {
        String token = token();
        String config = "{\"c\":\"" + String.valueOf(fill).repeat(size - 8) + "\"}";
        String layer = String.valueOf(fill).repeat(size);
        for (String blob : List.of(config, layer)) {
            HttpResponse<String> r = pushBlob(token, blob);
            if (r.statusCode() != 201) return r;
        }
        return registry.send(registry.request("/v2/team/app/manifests/" + tag).header("Authorization", "Bearer " + token)
                .header("Content-Type", MANIFEST_TYPE).PUT(HttpRequest.BodyPublishers.ofString(manifest(config, layer))));
    }

    static String manifest(String config, String layer) {
        return "{\"schemaVersion\":2,\"mediaType\":\"" + MANIFEST_TYPE + "\",\"config\":{\"mediaType\":"
                + "\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + Digest.sha256Of(config.getBytes(StandardCharsets.UTF_8))
                + "\",\"size\":" + config.length() + "},\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\","
                + "\"digest\":\"" + Digest.sha256Of(layer.getBytes(StandardCharsets.UTF_8)) + "\",\"size\":" + layer.length() + "}]}";
    }

    /**
     * Uploads {@code count} images of a config and a layer, each {@code size} bytes and different from the others,
     * then puts their manifests all at once, released together by one gate; answers the statuses of the puts.
     */
    List<Integer> putManifestsInParallel(int count, int size) throws Exception {
        String token = token();
        List<String> manifests = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            char fill = (char) ('a' + i);
            String config = "{\"c\":\"" + String.valueOf(fill).repeat(size - 8) + "\"}";
            String layer = String.valueOf(fill).repeat(size);
            for (String blob : List.of(config, layer)) assertThat(pushBlob(token, blob).statusCode()).isEqualTo(201);
            manifests.add(manifest(config, layer));
        }
        CountDownLatch gate = new CountDownLatch(1);
        ExecutorService pushers = Executors.newFixedThreadPool(count);
        try {
            List<Future<Integer>> puts = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                HttpRequest put = registry.request("/v2/team/app/manifests/t" + i).header("Authorization", "Bearer " + token)
                        .header("Content-Type", MANIFEST_TYPE).PUT(HttpRequest.BodyPublishers.ofString(manifests.get(i))).build();
                puts.add(pushers.submit(() -> {
                    gate.await();
                    return registry.http.send(put, HttpResponse.BodyHandlers.ofString()).statusCode();
                }));
            }
            gate.countDown();
            List<Integer> statuses = new ArrayList<>();
            for (Future<Integer> put : puts) statuses.add(put.get());
            return statuses;
        } finally {
            pushers.shutdownNow();
        }
    }

    @Test
    void parallelPushesTogetherStayWithinTheStorageLimit() throws Exception {
        int size = 1000;
        long oneImage = 2L * size + manifest("{\"c\":\"" + "a".repeat(size - 8) + "\"}", "a".repeat(size)).length();
        assertThat(quota("PUT", "{\"storageBytes\":" + (3 * oneImage) + "}").statusCode()).isEqualTo(200);
        List<Integer> statuses = putManifestsInParallel(8, size);
        assertThat(statuses).containsOnly(201, 403);
        assertThat(statuses).filteredOn(s -> s == 201).hasSize(3);
        assertThat(usage().path("storageBytes").asLong()).isEqualTo(3 * oneImage);
    }

    @Test
    void parallelPushesTogetherStayWithinTheArtifactLimit() throws Exception {
        assertThat(quota("PUT", "{\"artifacts\":4}").statusCode()).isEqualTo(200);
        List<Integer> statuses = putManifestsInParallel(10, 50);
        assertThat(statuses).containsOnly(201, 403);
        assertThat(statuses).filteredOn(s -> s == 201).hasSize(4);
        assertThat(usage().path("artifacts").asLong()).isEqualTo(4);
    }

    List<RegistryEvent> eventsOf(RegistryEvent.Type type) {
        return events.stream().filter(e -> e.type() == type).toList();
    }

    @Test
    void usageCountsTheManifestBytesAndTheBlobsItReferences() throws Exception {
        HttpResponse<String> pushed = pushImage("v1", 'a', 100);
        assertThat(pushed.statusCode()).as(pushed.body()).isEqualTo(201);
        int manifestBytes = manifest("{\"c\":\"" + "a".repeat(92) + "\"}", "a".repeat(100)).length();
        assertThat(usage().path("storageBytes").asLong()).isEqualTo(200 + manifestBytes);
        assertThat(usage().path("artifacts").asLong()).isEqualTo(1);
    }

    @Test
    void aWarningThresholdCrossedIsAnnouncedOnceNotOncePerBlobOrPush() throws Exception {
        assertThat(quota("PUT", "{\"storageBytes\":2000,\"warningPercent\":10}").statusCode()).isEqualTo(200);
        assertThat(pushImage("v1", 'a', 150).statusCode()).isEqualTo(201);
        assertThat(pushImage("v2", 'b', 150).statusCode()).isEqualTo(201);
        List<RegistryEvent> warnings = eventsOf(RegistryEvent.Type.QUOTA_WARNING);
        assertThat(warnings).hasSize(1);
        assertThat(warnings.getFirst().data()).containsEntry("quota", "storage").containsEntry("limitBytes", 2000L);
    }

    @Test
    void aWarningIsAnnouncedAgainAfterUsageFellBelowTheThreshold() throws Exception {
        assertThat(quota("PUT", "{\"artifacts\":10,\"warningPercent\":20}").statusCode()).isEqualTo(200);
        HttpResponse<String> first = pushImage("v1", 'a', 50);
        HttpResponse<String> second = pushImage("v2", 'b', 50); // 2 of 10: the threshold
        String deleter = registry.token("admin", "adminpw", "repository:team/app:pull,push,delete");
        for (HttpResponse<String> pushed : List.of(first, second)) {
            assertThat(pushed.statusCode()).isEqualTo(201);
            assertThat(registry.send(registry.request("/v2/team/app/manifests/"
                    + pushed.headers().firstValue("Docker-Content-Digest").orElseThrow())
                    .header("Authorization", "Bearer " + deleter).DELETE()).statusCode()).isEqualTo(202);
        }
        assertThat(pushImage("v3", 'c', 50).statusCode()).isEqualTo(201); // 1 of 10: below the threshold, which re-arms it
        assertThat(pushImage("v4", 'd', 50).statusCode()).isEqualTo(201); // 2 of 10 again
        assertThat(eventsOf(RegistryEvent.Type.QUOTA_WARNING)).hasSize(2);
    }

    @Test
    void anArtifactLimitExceededIsReportedInArtifactsNotBytes() throws Exception {
        assertThat(quota("PUT", "{\"artifacts\":1}").statusCode()).isEqualTo(200);
        assertThat(pushImage("v1", 'a', 50).statusCode()).isEqualTo(201);
        HttpResponse<String> refused = pushImage("v2", 'b', 50);
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(AuthenticatedRegistry.errorCode(refused)).isEqualTo("DENIED");
        assertThat(eventsOf(RegistryEvent.Type.QUOTA_EXCEEDED)).singleElement().extracting(RegistryEvent::data)
                .isEqualTo(Map.of("quota", "artifacts", "usedArtifacts", 2L, "limitArtifacts", 1L));
    }

    @Test
    void aPushTheQuotaRefusedLeavesUsageAsItWas() throws Exception {
        assertThat(quota("PUT", "{\"artifacts\":1}").statusCode()).isEqualTo(200);
        assertThat(pushImage("v1", 'a', 50).statusCode()).isEqualTo(201);
        JsonNode before = usage();
        assertThat(pushImage("v2", 'b', 5000).statusCode()).isEqualTo(403);
        assertThat(usage()).isEqualTo(before);
    }

    @Test
    void aPushThatWouldExceedTheStorageLimitIsRefusedAtTheManifestEvenWhenEachBlobFits() throws Exception {
        assertThat(quota("PUT", "{\"storageBytes\":300}").statusCode()).isEqualTo(200);
        HttpResponse<String> refused = pushImage("v1", 'a', 200);
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(403);
        assertThat(JSON.readTree(refused.body()).path("errors").path(0).path("message").asText())
                .startsWith("quota of project team exceeded: storage quota exceeded: 0 bytes used + ");
        assertThat(eventsOf(RegistryEvent.Type.QUOTA_EXCEEDED)).singleElement().extracting(e -> e.data().get("quota"))
                .isEqualTo("storage");
    }

    @Test
    void aNegativeLimitIsRefusedNamingTheFieldTheClientSent() throws Exception {
        HttpResponse<String> r = quota("PUT", "{\"storageBytes\":-5}");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(r.body()).path("errors").path(0).path("message").asText())
                .isEqualTo("the field 'storageBytes' must be a whole number from 0 to 9223372036854775807, or null");
        HttpResponse<String> percent = quota("PATCH", "{\"warningPercent\":0}");
        assertThat(JSON.readTree(percent.body()).path("errors").path(0).path("message").asText())
                .isEqualTo("the field 'warningPercent' must be a whole number from 1 to 100, or null");
    }

    @Test
    void patchingOneLimitKeepsTheOthers() throws Exception {
        assertThat(quota("PUT", "{\"storageBytes\":1000,\"artifacts\":5,\"warningPercent\":80}").statusCode()).isEqualTo(200);
        HttpResponse<String> r = quota("PATCH", "{\"storageBytes\":2000}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode body = JSON.readTree(r.body());
        assertThat(body.path("storageBytes").asLong()).isEqualTo(2000);
        assertThat(body.path("artifacts").asLong()).isEqualTo(5);
        assertThat(body.path("warningPercent").asInt()).isEqualTo(80);
        JsonNode cleared = JSON.readTree(quota("PATCH", "{\"artifacts\":null}").body());
        assertThat(cleared.path("artifacts").isNull()).isTrue();
        assertThat(cleared.path("storageBytes").asLong()).isEqualTo(2000);
    }

    @Test
    void limitsAreAcceptedAsSizesWithUnits() throws Exception {
        assertThat(JSON.readTree(quota("PUT", "{\"storageBytes\":\"10GiB\"}").body()).path("storageBytes").asLong())
                .isEqualTo(10L << 30);
        assertThat(JSON.readTree(quota("PATCH", "{\"storageBytes\":\"500MB\"}").body()).path("storageBytes").asLong())
                .isEqualTo(500_000_000L);
        HttpResponse<String> r = quota("PATCH", "{\"storageBytes\":\"10 parsecs\"}");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(r.body()).path("errors").path(0).path("message").asText())
                .startsWith("the field 'storageBytes' must be a number of bytes, a size such as \"10GiB\" or \"500MB\"");
    }
}
