package dev.stowage.it.adversarial;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static dev.stowage.it.adversarial.Target.OCI_MANIFEST;
import static dev.stowage.it.adversarial.Target.expect;
import static org.assertj.core.api.Assertions.assertThat;

/** Data integrity when an attacker races requests against one upload session or one tag. */
class RaceAttackTest extends AttackTest {
    static String push;

    @BeforeAll
    static void start() throws Exception {
        push = target.token("gus", Target.PASSWORD, "repository:gamma/race:pull,push");
    }

    @Test
    void racingChunksAtTheSameOffsetAppendOnce() throws Exception {
        String location = expect(202, target.bearer(push, "POST", "/v2/gamma/race/blobs/uploads/", null, null))
                .headers().firstValue("Location").orElseThrow();
        byte[] chunk = Target.randomBytes(256 * 1024);
        List<Integer> statuses = race(16, () -> Target.send(target.request(location).header("Authorization", "Bearer " + push)
                .header("Content-Type", "application/octet-stream").header("Content-Range", "0-" + (chunk.length - 1))
                .method("PATCH", java.net.http.HttpRequest.BodyPublishers.ofByteArray(chunk))).statusCode());
        assertThat(statuses).filteredOn(s -> s == 202).hasSize(1);
        assertThat(statuses).allMatch(s -> s == 202 || s == 416);
        HttpResponse<String> state = expect(204, target.bearer(push, "GET", location, null, null));
        assertThat(state.headers().firstValue("Range").orElseThrow()).isEqualTo("0-" + (chunk.length - 1));
        String digest = Target.digest(chunk);
        expect(201, target.bearer(push, "PUT", location + (location.contains("?") ? "&" : "?") + "digest=" + digest, null, new byte[0]));
        HttpResponse<byte[]> blob = Target.HTTP.send(target.request("/v2/gamma/race/blobs/" + digest)
                .header("Authorization", "Bearer " + push).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(blob.body()).isEqualTo(chunk);
    }

    @Test
    void racingCompletionsOfOneUploadCommitOnce() throws Exception {
        String location = expect(202, target.bearer(push, "POST", "/v2/gamma/race/blobs/uploads/", null, null))
                .headers().firstValue("Location").orElseThrow();
        byte[] content = Target.randomBytes(64 * 1024);
        String digest = Target.digest(content);
        String url = location + (location.contains("?") ? "&" : "?") + "digest=" + digest;
        List<Integer> statuses = race(8, () -> target.bearer(push, "PUT", url, "application/octet-stream", content).statusCode());
        assertThat(statuses).filteredOn(s -> s == 201).hasSize(1);
        assertThat(statuses).allMatch(s -> s == 201 || s == 404 || s == 416);
        HttpResponse<byte[]> blob = Target.HTTP.send(target.request("/v2/gamma/race/blobs/" + digest)
                .header("Authorization", "Bearer " + push).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(blob.body()).isEqualTo(content);
    }

    @Test
    void racingTagMovesLeaveTheTagOnOneCompleteManifest() throws Exception {
        String config = target.pushBlob(push, "gamma/race", "{}".getBytes(StandardCharsets.UTF_8));
        List<byte[]> manifests = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            byte[] layer = ("layer " + i).getBytes(StandardCharsets.UTF_8);
            String layerDigest = target.pushBlob(push, "gamma/race", layer);
            manifests.add(Target.imageManifest(config, 2, layerDigest, layer.length).getBytes(StandardCharsets.UTF_8));
        }
        java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
        List<Integer> statuses = race(8, () -> target.bearer(push, "PUT", "/v2/gamma/race/manifests/moving", OCI_MANIFEST,
                manifests.get(next.getAndIncrement())).statusCode());
        assertThat(statuses).containsOnly(201);
        HttpResponse<String> tagged = expect(200, target.bearer(push, "GET", "/v2/gamma/race/manifests/moving", null, null));
        String digest = tagged.headers().firstValue("Docker-Content-Digest").orElseThrow();
        assertThat(Target.digest(tagged.body().getBytes(StandardCharsets.UTF_8))).isEqualTo(digest);
        List<String> digests = new ArrayList<>();
        for (byte[] m : manifests) digests.add(Target.digest(m));
        assertThat(digests).contains(digest);
    }

    /** Runs {@code attempt} on {@code n} threads released at the same instant; answers each result. */
    private static <T> List<T> race(int n, Callable<T> attempt) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            CyclicBarrier start = new CyclicBarrier(n);
            List<Future<T>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                futures.add(pool.submit(() -> {
                    start.await();
                    return attempt.call();
                }));
            }
            List<T> results = new ArrayList<>();
            for (Future<T> f : futures) results.add(f.get());
            return results;
        } finally {
            pool.shutdownNow();
        }
    }
}
