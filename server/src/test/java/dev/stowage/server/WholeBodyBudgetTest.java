package dev.stowage.server;

import dev.stowage.core.MediaTypes;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Bodies read whole into the heap (manifests) share one budget: clients announcing large manifests and sending them
 * slowly hold it, a further manifest waits for it instead of adding to a small heap, and the budget comes back when
 * those clients go away mid-body (no leak on the error path).
 */
class WholeBodyBudgetTest extends OpenRegistryTest {

    @Test
    void aManifestWaitsWhileSlowLargeBodiesHoldTheBudgetAndProceedsWhenTheyGoAway() throws Exception {
        int half = RequestBody.WHOLE_BODIES_BUDGET / 2;
        String headers = "PUT /v2/slow/app/manifests/v1 HTTP/1.1\r\nHost: localhost\r\nContent-Type: "
                + MediaTypes.OCI_MANIFEST + "\r\nContent-Length: " + half + "\r\n\r\n{";
        byte[] config = "{}".getBytes(StandardCharsets.UTF_8);
        var configDigest = registry.pushBlob("fast/app", config);
        byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"config\":{\"mediaType\":"
                + "\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + configDigest + "\",\"size\":2},\"layers\":[]}")
                .getBytes(StandardCharsets.UTF_8);

        try (RawHttp first = new RawHttp(registry.server.port()); RawHttp second = new RawHttp(registry.server.port())) {
            first.send(headers);
            second.send(headers);
            Thread.sleep(500); // both reads have begun and hold half the budget each
            CompletableFuture<HttpResponse<byte[]>> waiting = CompletableFuture.supplyAsync(() -> {
                try {
                    return registry.put("/v2/fast/app/manifests/v1", MediaTypes.OCI_MANIFEST, manifest);
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            assertThatThrownBy(() -> waiting.get(2, TimeUnit.SECONDS)).isInstanceOf(TimeoutException.class);

            first.socket.close(); // gone mid-body: its share comes back
            assertThat(waiting.get(20, TimeUnit.SECONDS).statusCode()).isEqualTo(201);
        }
        // And the whole budget is back: a manifest near the limit is read at once.
        try (RawHttp again = new RawHttp(registry.server.port()); RawHttp more = new RawHttp(registry.server.port())) {
            again.send(headers);
            more.send(headers);
            Thread.sleep(500);
            again.socket.close();
            more.socket.close();
        }
        Thread.sleep(500);
        assertThat(registry.put("/v2/fast/app/manifests/v2", MediaTypes.OCI_MANIFEST, manifest).statusCode()).isEqualTo(201);
    }
}
