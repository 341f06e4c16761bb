package dev.stowage.server;

import dev.stowage.core.Digest;
import dev.stowage.core.MediaTypes;
import dev.stowage.core.RepositoryName;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Performance as a defence: a manifest near the 4 MiB limit with 25,000 distinct layers (every blob already pushed)
 * is accepted, and clients reading and writing meanwhile are not held up by it. Prints its figures (no timed
 * assertion: a shared CI machine decides those; `stowage bench` and the issue note carry the measurements).
 */
class LargeManifestTest extends OpenRegistryTest {
    static final int LAYERS = 25_000;

    @Test
    void manifestWith25000LayersIsAcceptedQuicklyWithoutStallingOtherClients() throws Exception {
        RepositoryName repo = RepositoryName.of("big/app");
        // The blobs as a push would leave them (recorded and linked), without 25,000 HTTP round trips.
        Digest config = registry.pushBlob("big/app", "{}".getBytes(StandardCharsets.UTF_8));
        StringBuilder json = new StringBuilder("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST
                + "\",\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + config
                + "\",\"size\":2},\"layers\":[");
        for (int i = 0; i < LAYERS; i++) {
            Digest layer = Digest.sha256Of(("layer " + i).getBytes(StandardCharsets.UTF_8));
            registry.metadata.recordBlob(repo, layer, 1000 + i);
            if (i > 0) json.append(',');
            json.append("{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\"").append(layer)
                    .append("\",\"size\":").append(1000 + i).append('}');
        }
        json.append("]");
        byte[] manifest = (json + "}").getBytes(StandardCharsets.UTF_8);
        assertThat(manifest.length).isLessThan(4 * 1024 * 1024);
        // A first such manifest (other bytes, same layers) as a running server would have seen others before: the
        // figures below are then those of a warm JVM, not of class loading and the JIT compiler.
        long coldStart = System.nanoTime();
        byte[] first = (json + ",\"annotations\":{\"first\":\"yes\"}}").getBytes(StandardCharsets.UTF_8);
        assertThat(registry.put("/v2/big/app/manifests/first", MediaTypes.OCI_MANIFEST, first).statusCode()).isEqualTo(201);
        long coldMillis = (System.nanoTime() - coldStart) / 1_000_000;

        byte[] small = ("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"config\":{\"mediaType\":"
                + "\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + config + "\",\"size\":2},\"layers\":[]}")
                .getBytes(StandardCharsets.UTF_8);
        assertThat(registry.put("/v2/small/app/manifests/v1", MediaTypes.OCI_MANIFEST, small).statusCode()).isEqualTo(404);
        registry.pushBlob("small/app", "{}".getBytes(StandardCharsets.UTF_8));
        assertThat(registry.put("/v2/small/app/manifests/v1", MediaTypes.OCI_MANIFEST, small).statusCode()).isEqualTo(201);

        // Other clients meanwhile: reads of a blob (a metadata query each) and pushes of a small manifest (a write).
        AtomicBoolean done = new AtomicBoolean();
        AtomicLong slowestRead = new AtomicLong();
        AtomicLong slowestWrite = new AtomicLong();
        List<CompletableFuture<Void>> others = new ArrayList<>();
        others.add(CompletableFuture.runAsync(() -> loop(done, slowestRead,
                () -> registry.head("/v2/small/app/blobs/" + config))));
        others.add(CompletableFuture.runAsync(() -> loop(done, slowestWrite,
                () -> registry.put("/v2/small/app/manifests/v2", MediaTypes.OCI_MANIFEST, small))));

        long started = System.nanoTime();
        HttpResponse<byte[]> r = registry.put("/v2/big/app/manifests/huge", MediaTypes.OCI_MANIFEST, manifest);
        long putMillis = (System.nanoTime() - started) / 1_000_000;
        done.set(true);
        for (CompletableFuture<Void> other : others) other.join();
        assertThat(r.statusCode()).as(TestRegistry.text(r)).isEqualTo(201);

        long again = System.nanoTime();
        assertThat(registry.put("/v2/big/app/manifests/huge", MediaTypes.OCI_MANIFEST, manifest).statusCode())
                .isEqualTo(201);
        long repushMillis = (System.nanoTime() - again) / 1_000_000;
        System.out.printf("manifest of %d bytes with %d layers: first put (cold JVM) %d ms, put %d ms, put again %d ms;"
                        + " meanwhile slowest blob HEAD %d ms, slowest small manifest PUT %d ms%n", manifest.length,
                LAYERS, coldMillis, putMillis, repushMillis, slowestRead.get(), slowestWrite.get());
        assertThat(registry.get("/v2/big/app/manifests/huge").body()).isEqualTo(manifest);
    }

    interface Call {
        HttpResponse<byte[]> run() throws Exception;
    }

    private static void loop(AtomicBoolean done, AtomicLong slowest, Call call) {
        while (!done.get()) {
            long start = System.nanoTime();
            try {
                HttpResponse<byte[]> r = call.run();
                if (r.statusCode() >= 300) throw new AssertionError("status " + r.statusCode());
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
            slowest.accumulateAndGet((System.nanoTime() - start) / 1_000_000, Math::max);
        }
    }
}
