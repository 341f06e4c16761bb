package dev.stowage.server;

import dev.stowage.core.Digest;
import dev.stowage.core.event.RegistryEvent;
import dev.stowage.core.service.GarbageCollector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** Online garbage collection against a running registry, over HTTP. */
class GarbageCollectionTest {
    static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    @TempDir Path root;
    TestRegistry registry;
    GarbageCollector collector;

    @BeforeEach
    void start() throws Exception {
        registry = new TestRegistry(root);
        collector = new GarbageCollector(registry.service);
    }

    @AfterEach
    void stop() throws Exception {
        registry.close();
    }

    record Image(Digest manifest, Digest config, long configSize, List<Digest> layers) {}

    Image push(String repo, String tag, List<byte[]> layers) throws Exception {
        List<Digest> layerDigests = new ArrayList<>();
        StringBuilder layerJson = new StringBuilder();
        for (byte[] layer : layers) {
            Digest d = registry.pushBlob(repo, layer);
            layerDigests.add(d);
            if (!layerJson.isEmpty()) layerJson.append(',');
            layerJson.append("{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\"").append(d)
                    .append("\",\"size\":").append(layer.length).append('}');
        }
        byte[] config = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"tag\":\"" + tag + ThreadLocalRandom.current().nextLong()
                + "\"}").getBytes(StandardCharsets.UTF_8);
        Digest configDigest = registry.pushBlob(repo, config);
        byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"" + OCI_MANIFEST + "\",\"config\":{\"mediaType\":"
                + "\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + configDigest + "\",\"size\":" + config.length
                + "},\"layers\":[" + layerJson + "]}").getBytes(StandardCharsets.UTF_8);
        HttpResponse<byte[]> put = registry.put("/v2/" + repo + "/manifests/" + tag, OCI_MANIFEST, manifest);
        assertThat(put.statusCode()).as(TestRegistry.text(put)).isEqualTo(201);
        return new Image(Digest.sha256Of(manifest), configDigest, config.length, layerDigests);
    }

    static byte[] random(int size) {
        byte[] b = new byte[size];
        ThreadLocalRandom.current().nextBytes(b);
        return b;
    }

    /** Where the filesystem store keeps a blob (its documented layout). */
    Path blobFile(Digest d) {
        return root.resolve("storage/blobs/sha256").resolve(d.hex().substring(0, 2)).resolve(d.hex());
    }

    int status(String path) throws Exception {
        return registry.head(path).statusCode();
    }

    @Test
    void collectsUnreferencedBlobsAndUntaggedManifestsAndNothingStillInUse() throws Exception {
        byte[] shared = random(1000);
        Image kept = push("team/app", "v1", List.of(shared, random(2000)));
        Image dropped = push("team/app", "v2", List.of(shared, random(3000)));
        Digest orphan = registry.pushBlob("team/app", random(4000));
        assertThat(registry.delete("/v2/team/app/manifests/v2").statusCode()).isEqualTo(202);
        // A re-tag leaves the manifest; only the tag went.
        assertThat(status("/v2/team/app/manifests/" + dropped.manifest())).isEqualTo(200);

        GarbageCollector.Report dry = collector.run(new GarbageCollector.Options(true, true, Duration.ZERO));
        assertThat(dry.manifests()).containsExactly("team/app@" + dropped.manifest());
        assertThat(dry.blobs()).containsExactly(orphan.toString());
        assertThat(status("/v2/team/app/manifests/" + dropped.manifest())).as("a dry run deletes nothing").isEqualTo(200);
        assertThat(status("/v2/team/app/blobs/" + orphan)).isEqualTo(200);

        GarbageCollector.Report real = collector.run(new GarbageCollector.Options(false, true, Duration.ZERO));
        assertThat(real.manifestsDeleted()).isEqualTo(1);
        // The orphan, and what only the dropped manifest used: its config and its own layer.
        assertThat(real.blobsDeleted()).isEqualTo(3);
        assertThat(real.bytesFreed()).isEqualTo(4000 + 3000 + dropped.configSize());
        assertThat(status("/v2/team/app/manifests/" + dropped.manifest())).isEqualTo(404);
        assertThat(status("/v2/team/app/blobs/" + orphan)).isEqualTo(404);
        assertThat(status("/v2/team/app/blobs/" + dropped.layers().get(1))).isEqualTo(404);
        assertThat(Files.exists(blobFile(orphan))).as("the bytes are gone too").isFalse();
        for (Digest d : List.of(kept.config(), kept.layers().get(0), kept.layers().get(1))) {
            assertThat(status("/v2/team/app/blobs/" + d)).as(d.toString()).isEqualTo(200);
        }
        assertThat(status("/v2/team/app/manifests/v1")).isEqualTo(200);
        // Nothing left to do: a second run finds nothing.
        GarbageCollector.Report again = collector.run(new GarbageCollector.Options(false, true, Duration.ZERO));
        assertThat(again.blobsDeleted() + again.manifestsDeleted()).isZero();
    }

    /** A cosign tag-scheme signature of {@code subject}: an image manifest whose one layer is the signed payload. */
    Digest pushCosignSignature(String repo, Digest subject) throws Exception {
        byte[] payload = ("{\"critical\":{\"identity\":{\"docker-reference\":\"" + repo + "\"},\"image\":"
                + "{\"docker-manifest-digest\":\"" + subject + "\"},\"type\":\"cosign container image signature\"},"
                + "\"optional\":null}").getBytes(StandardCharsets.UTF_8);
        Digest layer = registry.pushBlob(repo, payload);
        byte[] config = "{\"architecture\":\"\",\"os\":\"\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}"
                .getBytes(StandardCharsets.UTF_8);
        Digest configDigest = registry.pushBlob(repo, config);
        byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"" + OCI_MANIFEST + "\",\"config\":{\"mediaType\":"
                + "\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + configDigest + "\",\"size\":"
                + config.length + "},\"layers\":[{\"mediaType\":\"application/vnd.dev.cosign.simplesigning.v1+json\","
                + "\"digest\":\"" + layer + "\",\"size\":" + payload.length + ",\"annotations\":"
                + "{\"dev.cosignproject.cosign/signature\":\"MEUCIQ\"}}]}").getBytes(StandardCharsets.UTF_8);
        String tag = "sha256-" + subject.hex() + ".sig";
        HttpResponse<byte[]> put = registry.put("/v2/" + repo + "/manifests/" + tag, OCI_MANIFEST, manifest);
        assertThat(put.statusCode()).as(TestRegistry.text(put)).isEqualTo(201);
        return Digest.sha256Of(manifest);
    }

    @Test
    void aCosignSignatureFollowsItsImageAsAReferrerDoes() throws Exception {
        Image signed = push("team/app", "v1", List.of(random(100)));
        Digest signature = pushCosignSignature("team/app", signed.manifest());
        GarbageCollector.Report kept = collector.run(new GarbageCollector.Options(false, true, Duration.ZERO));
        assertThat(kept.manifestsDeleted()).as("the image is there: so is its signature").isZero();
        assertThat(status("/v2/team/app/manifests/sha256-" + signed.manifest().hex() + ".sig")).isEqualTo(200);

        assertThat(registry.delete("/v2/team/app/manifests/" + signed.manifest()).statusCode()).isEqualTo(202);
        GarbageCollector.Report report = collector.run(new GarbageCollector.Options(false, true, Duration.ZERO));

        assertThat(report.manifests()).containsExactly("team/app@" + signature);
        assertThat(status("/v2/team/app/manifests/sha256-" + signed.manifest().hex() + ".sig")).isEqualTo(404);
        assertThat(status("/v2/team/app/manifests/" + signature)).isEqualTo(404);
    }

    @Test
    void aCosignSignaturePushedBeforeItsImageWaitsOutTheGracePeriod() throws Exception {
        Digest absent = Digest.sha256Of(random(10));
        pushCosignSignature("team/app", absent);
        GarbageCollector.Report report = collector.run(new GarbageCollector.Options(false, true, Duration.ofMinutes(5)));
        assertThat(report.manifestsDeleted()).isZero();
        assertThat(status("/v2/team/app/manifests/sha256-" + absent.hex() + ".sig")).isEqualTo(200);
    }

    @Test
    void eachProjectHearsOnlyOfItsOwnShareOfACollection() throws Exception {
        List<RegistryEvent> heard = new java.util.concurrent.CopyOnWriteArrayList<>();
        GarbageCollector publishing = new GarbageCollector(registry.service, heard::add);
        push("team/app", "v1", List.of(random(100)));
        push("team/app", "v2", List.of(random(100)));
        push("team/web", "v1", List.of(random(100)));
        push("other/app", "v1", List.of(random(100)));
        registry.pushBlob("other/app", random(5000)); // an orphan blob: content-addressed, no project's any more
        for (String tag : List.of("/v2/team/app/manifests/v1", "/v2/team/app/manifests/v2", "/v2/team/web/manifests/v1",
                "/v2/other/app/manifests/v1")) {
            assertThat(registry.delete(tag).statusCode()).isEqualTo(202);
        }
        Thread.sleep(5); // the grace period counts whole milliseconds strictly before the run: leave this one behind

        GarbageCollector.Report report = publishing.run(new GarbageCollector.Options(false, true, Duration.ZERO));

        assertThat(report.manifestsDeleted()).isEqualTo(4);
        assertThat(heard).allSatisfy(e -> assertThat(e.type()).isEqualTo(RegistryEvent.Type.GC_COMPLETED));
        assertThat(heard).extracting(RegistryEvent::project).containsExactlyInAnyOrder("team", "other");
        assertThat(heard).filteredOn(e -> e.project().equals("team")).singleElement()
                .satisfies(e -> assertThat(e.data()).isEqualTo(Map.of("manifestsDeleted", 3)));
        assertThat(heard).filteredOn(e -> e.project().equals("other")).singleElement()
                .satisfies(e -> assertThat(e.data()).isEqualTo(Map.of("manifestsDeleted", 1)));
    }

    @Test
    void aCollectionThatRemovedNothingOfAProjectTellsItNothing() throws Exception {
        List<RegistryEvent> heard = new java.util.concurrent.CopyOnWriteArrayList<>();
        registry.pushBlob("team/app", random(5000));

        GarbageCollector.Report report = new GarbageCollector(registry.service, heard::add)
                .run(new GarbageCollector.Options(false, true, Duration.ZERO));

        assertThat(report.blobsDeleted()).isEqualTo(1);
        assertThat(heard).as("registry-wide counts are no project's business").isEmpty();
    }

    @Test
    void withoutTheUntaggedOptionUntaggedManifestsAndTheirBlobsStay() throws Exception {
        Image dropped = push("team/app", "v2", List.of(random(3000)));
        registry.delete("/v2/team/app/manifests/v2");
        GarbageCollector.Report report = collector.run(new GarbageCollector.Options(false, false, Duration.ZERO));
        assertThat(report.manifestsDeleted()).isZero();
        assertThat(report.blobsDeleted()).isZero();
        assertThat(status("/v2/team/app/blobs/" + dropped.layers().getFirst())).isEqualTo(200);
    }

    @Test
    void contentWithinTheGracePeriodIsLeftForAPushInFlight() throws Exception {
        Digest layer = registry.pushBlob("team/app", random(500));
        GarbageCollector.Report report = collector.run(new GarbageCollector.Options(false, true, Duration.ofMinutes(5)));
        assertThat(report.blobsDeleted()).isZero();
        assertThat(status("/v2/team/app/blobs/" + layer)).isEqualTo(200);
    }

    @Test
    void aBlobCollectedAndPushedAgainIsServedWhole() throws Exception {
        byte[] content = random(10_000);
        Digest d = registry.pushBlob("team/app", content);
        assertThat(collector.run(new GarbageCollector.Options(false, false, Duration.ZERO)).blobsDeleted()).isEqualTo(1);
        assertThat(status("/v2/team/app/blobs/" + d)).isEqualTo(404);
        registry.pushBlob("team/app", content);
        HttpResponse<byte[]> back = registry.get("/v2/team/app/blobs/" + d);
        assertThat(back.statusCode()).isEqualTo(200);
        assertThat(back.body()).isEqualTo(content);
    }

    /**
     * The collector runs in a loop while pushers keep moving tags (making manifests untagged) and pullers keep
     * pulling stable images and the moving tags: no pull fails, and after every run each manifest left has all its
     * blobs.
     */
    @Test
    void collectingInALoopWhileClientsPushAndPullLosesNothingReferenced() throws Exception {
        Duration sustained = Duration.ofSeconds(Integer.getInteger("gc.soak.seconds", 15));
        byte[] base = random(20_000);
        List<Image> stable = new ArrayList<>();
        for (int i = 0; i < 3; i++) stable.add(push("stable/app" + i, "v1", List.of(base, random(5_000))));
        AtomicBoolean stopping = new AtomicBoolean();
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        AtomicInteger pushes = new AtomicInteger();
        AtomicInteger pulls = new AtomicInteger();
        AtomicInteger runs = new AtomicInteger();
        AtomicInteger collected = new AtomicInteger();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> work = new ArrayList<>();
            for (int p = 0; p < 3; p++) {
                int pusher = p;
                work.add(threads.submit(() -> {
                    while (!stopping.get()) {
                        try {
                            // The shared base layer is referenced by stable images; the tag moves every round.
                            push("churn/app" + pusher, "latest", List.of(base, random(2_000)));
                            pushes.incrementAndGet();
                        } catch (Throwable e) {
                            failures.add("push: " + e);
                        }
                    }
                    return null;
                }));
            }
            for (int p = 0; p < 2; p++) {
                work.add(threads.submit(() -> {
                    while (!stopping.get()) {
                        Image image = stable.get(ThreadLocalRandom.current().nextInt(stable.size()));
                        int index = stable.indexOf(image);
                        try {
                            check(registry.get("/v2/stable/app" + index + "/manifests/v1"), "manifest", failures);
                            check(registry.get("/v2/stable/app" + index + "/blobs/" + image.config()), "config", failures);
                            for (Digest layer : image.layers()) {
                                check(registry.get("/v2/stable/app" + index + "/blobs/" + layer), "layer", failures);
                            }
                            pulls.incrementAndGet();
                        } catch (Throwable e) {
                            failures.add("pull: " + e);
                        }
                    }
                    return null;
                }));
            }
            // A puller of the moving tags: it resolves a tag whose image may be untagged the next moment and
            // collected two seconds later; what it resolved must still pull whole.
            work.add(threads.submit(() -> {
                com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
                while (!stopping.get()) {
                    String repo = "churn/app" + ThreadLocalRandom.current().nextInt(3);
                    try {
                        HttpResponse<byte[]> m = registry.send(registry.request("/v2/" + repo + "/manifests/latest")
                                .header("Accept", OCI_MANIFEST).GET().build());
                        if (m.statusCode() == 404) continue; // not pushed yet
                        check(m, "moving manifest", failures);
                        var manifest = json.readTree(m.body());
                        check(registry.get("/v2/" + repo + "/blobs/" + manifest.path("config").path("digest").asText()),
                                "moving config", failures);
                        for (var layer : manifest.path("layers")) {
                            check(registry.get("/v2/" + repo + "/blobs/" + layer.path("digest").asText()), "moving layer", failures);
                        }
                        pulls.incrementAndGet();
                    } catch (Throwable e) {
                        failures.add("moving pull: " + e);
                    }
                }
                return null;
            }));
            work.add(threads.submit(() -> {
                while (!stopping.get()) {
                    // A grace period much longer than one push takes; with none, a layer pushed a moment before its
                    // manifest may go first (the manifest put is then refused, never left dangling).
                    GarbageCollector.Report report = collector.run(new GarbageCollector.Options(false, true,
                            Duration.ofSeconds(2)));
                    runs.incrementAndGet();
                    collected.addAndGet(report.blobsDeleted());
                    String broken = firstManifestWithAMissingBlob();
                    if (broken != null) failures.add("after a run: " + broken);
                }
                return null;
            }));
            Thread.sleep(sustained.toMillis());
            stopping.set(true);
            for (Future<?> f : work) f.get();
        }
        assertThat(failures).isEmpty();
        assertThat(runs.get()).isGreaterThan(2);
        assertThat(pushes.get()).isGreaterThan(10);
        assertThat(pulls.get()).isGreaterThan(10);
        assertThat(collected.get()).as("the churn left garbage that was collected").isGreaterThan(0);
        assertThat(firstManifestWithAMissingBlob()).isNull();
    }

    static void check(HttpResponse<byte[]> r, String what, ConcurrentLinkedQueue<String> failures) {
        if (r.statusCode() != 200) failures.add(what + " " + r.uri() + " -> " + r.statusCode());
    }

    /** Every stored manifest reference to a blob must have its row present and its bytes on disk. */
    String firstManifestWithAMissingBlob() throws Exception {
        try (var c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + root.resolve("meta.db")); var s = c.createStatement();
             var r = s.executeQuery("SELECT mr.parent_digest, mr.child_digest, b.state FROM manifest_references mr "
                     + "LEFT JOIN blobs b ON b.digest = mr.child_digest WHERE mr.kind = 'blob'")) {
            while (r.next()) {
                Digest child = Digest.parse(r.getString(2));
                if (!"present".equals(r.getString(3)) || !Files.exists(blobFile(child))) {
                    return r.getString(1) + " -> " + child + " (" + r.getString(3) + ")";
                }
            }
        }
        return null;
    }
}
