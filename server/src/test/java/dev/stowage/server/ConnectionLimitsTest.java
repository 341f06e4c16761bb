package dev.stowage.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stowage.core.Digest;
import dev.stowage.core.MediaTypes;
import dev.stowage.core.service.ServiceSettings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Connections that stay silent or pile up, over real sockets: idle, half-sent headers, stalled bodies, caps in
 * total and per address, and a pull that still answers while thousands of connections sit idle. The timeouts are
 * shortened to a second; the sockets wait up to ten for the server to close, so no bound here is tight.
 */
class ConnectionLimitsTest {
    static final Duration SHORT = Duration.ofSeconds(1);
    static final Duration LONG = Duration.ofMinutes(5);

    @TempDir Path root;
    TestRegistry registry;

    void start(Duration idle, Duration header, Duration body, int maxConnections, int perAddress) throws Exception {
        registry = new TestRegistry(root, ServiceSettings.DEFAULTS, ServerSettings.of("127.0.0.1", 0)
                .withConnections(new ServerSettings.Connections(idle, header, body, maxConnections, perAddress)));
    }

    @AfterEach
    void stop() throws Exception {
        if (registry != null) registry.close();
    }

    RawHttp connect() throws Exception {
        return new RawHttp(registry.server.port(), 10_000);
    }

    @Test
    void anIdleKeepAliveConnectionIsClosedAfterTheIdleTimeout() throws Exception {
        start(SHORT, LONG, LONG, 0, 0);
        try (RawHttp c = connect()) {
            assertThat(c.send("GET /v2/ HTTP/1.1\r\nHost: x\r\n\r\n").read().status()).isEqualTo(200);
            assertThat(c.closedByServer()).isTrue();
        }
    }

    @Test
    void aConnectionThatNeverSendsARequestIsClosedAfterTheHeaderTimeout() throws Exception {
        start(LONG, SHORT, LONG, 0, 0);
        try (RawHttp c = connect()) {
            assertThat(c.closedByServer()).isTrue();
        }
    }

    @Test
    void aKeepAliveConnectionServesRequestAfterRequestWithinTheIdleTimeout() throws Exception {
        start(Duration.ofSeconds(5), Duration.ofSeconds(5), LONG, 0, 0);
        try (RawHttp c = connect()) {
            for (int i = 0; i < 5; i++) {
                assertThat(c.send("GET /v2/ HTTP/1.1\r\nHost: x\r\n\r\n").read().status()).isEqualTo(200);
            }
        }
    }

    @Test
    void headersTrickledByteByByteAreClosedAtTheHeaderDeadline() throws Exception {
        start(LONG, SHORT, LONG, 0, 0);
        try (RawHttp c = connect()) {
            c.send("GET /v2/ HTTP/1.1\r\nHost: x\r\n");
            long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            boolean closed = false;
            // Slowloris: a header byte every 200 ms keeps the connection busy, never finishing the request.
            while (!closed && System.nanoTime() < until) {
                try {
                    c.send("X");
                } catch (java.io.IOException e) {
                    closed = true;
                    break;
                }
                c.socket.setSoTimeout(200);
                closed = c.closedByServer();
            }
            assertThat(closed).isTrue();
        }
    }

    String startUpload() throws Exception {
        HttpResponse<byte[]> r = registry.post("/v2/a/b/blobs/uploads/", new byte[0]);
        assertThat(r.statusCode()).isEqualTo(202);
        return r.headers().firstValue("Location").orElseThrow();
    }

    @Test
    void aBodyThatStopsIsClosedAndTheUploadIsUnchanged() throws Exception {
        start(LONG, LONG, SHORT, 0, 0);
        String location = startUpload();
        try (RawHttp c = connect()) {
            c.send("PATCH " + location + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/octet-stream\r\n"
                    + "Content-Length: 100\r\n\r\n0123456789");
            assertThat(c.closedByServer()).isTrue();
        }
        HttpResponse<byte[]> status = registry.get(location);
        assertThat(status.statusCode()).isEqualTo(204);
        assertThat(status.headers().firstValue("Range")).hasValue("0-0");
    }

    @Test
    void aSlowBodyThatKeepsMovingIsNeverCut() throws Exception {
        start(SHORT, SHORT, SHORT, 0, 0);
        String location = startUpload();
        try (RawHttp c = connect()) {
            c.send("PATCH " + location + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/octet-stream\r\n"
                    + "Content-Length: 12\r\n\r\n");
            // Three seconds for twelve bytes: three times every timeout, but never a second of silence.
            for (int i = 0; i < 12; i++) {
                Thread.sleep(250);
                c.send("x");
            }
            RawHttp.Response r = c.read();
            assertThat(r.status()).isEqualTo(202);
            assertThat(r.header("Range")).isEqualTo("0-11");
        }
    }

    @Test
    void aClientThatStopsReadingAResponseIsClosed() throws Exception {
        start(LONG, LONG, SHORT, 0, 0);
        byte[] blob = new byte[32 << 20];
        new java.util.Random(1).nextBytes(blob);
        Digest digest = registry.pushBlob("a/b", blob);
        long received = 0;
        try (Socket s = new Socket()) {
            s.setReceiveBufferSize(4096);
            s.connect(new java.net.InetSocketAddress("127.0.0.1", registry.server.port()));
            s.getOutputStream().write(("GET /v2/a/b/blobs/" + digest + " HTTP/1.1\r\nHost: x\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            // Read nothing for a while: the response stops moving once the socket buffers are full.
            Thread.sleep(6000);
            s.setSoTimeout(10_000);
            byte[] buffer = new byte[64 << 10];
            try {
                for (int n; (n = s.getInputStream().read(buffer)) != -1; ) received += n;
            } catch (java.net.SocketTimeoutException stillOpen) {
                // the whole response arrived and the connection stayed open: the assertion below fails
            } catch (java.net.SocketException reset) {
                // closed with unread data: a reset is the same verdict
            }
        }
        assertThat(received).isLessThan(blob.length);
    }

    @Test
    void connectionsFromOneAddressPastItsCapAreAnswered503() throws Exception {
        start(LONG, LONG, LONG, 0, 3);
        List<RawHttp> held = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                RawHttp c = connect();
                held.add(c);
                assertThat(c.send("GET /v2/ HTTP/1.1\r\nHost: x\r\n\r\n").read().status()).isEqualTo(200);
            }
            try (RawHttp extra = connect()) {
                RawHttp.Response r = extra.read();
                assertThat(r.status()).isEqualTo(503);
                assertThat(r.header("Retry-After")).isEqualTo("1");
                assertThat(new ObjectMapper().readTree(r.body()).path("errors").path(0).path("code").asText())
                        .isEqualTo("UNAVAILABLE");
                assertThat(extra.closedByServer()).isTrue();
            }
        } finally {
            for (RawHttp c : held) c.close();
        }
    }

    @Test
    void aClosedConnectionFreesItsPlaceUnderTheCap() throws Exception {
        start(LONG, LONG, LONG, 0, 1);
        try (RawHttp first = connect()) {
            assertThat(first.send("GET /v2/ HTTP/1.1\r\nHost: x\r\n\r\n").read().status()).isEqualTo(200);
        }
        // The server learns of the close asynchronously; the next connection is admitted once it has.
        int status = 0;
        for (int attempt = 0; attempt < 50 && status != 200; attempt++) {
            try (RawHttp next = connect()) {
                status = next.send("GET /v2/ HTTP/1.1\r\nHost: x\r\n\r\n").read().status();
            }
            if (status != 200) Thread.sleep(100);
        }
        assertThat(status).isEqualTo(200);
    }

    @Test
    void connectionsPastTheTotalCapAreAnswered503() throws Exception {
        start(LONG, LONG, LONG, 2, 0);
        try (RawHttp a = connect(); RawHttp b = connect()) {
            assertThat(a.send("GET /v2/ HTTP/1.1\r\nHost: x\r\n\r\n").read().status()).isEqualTo(200);
            assertThat(b.send("GET /v2/ HTTP/1.1\r\nHost: x\r\n\r\n").read().status()).isEqualTo(200);
            try (RawHttp extra = connect()) {
                assertThat(extra.read().status()).isEqualTo(503);
            }
        }
    }

    static long fileDescriptorLimit() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.UnixOperatingSystemMXBean unix
                ? unix.getMaxFileDescriptorCount() : -1;
    }

    @Test
    void aPullAnswersFastWhileThousandsOfConnectionsSitIdle() throws Exception {
        int idle = 3000;
        long fds = fileDescriptorLimit();
        // Client and server share this JVM: two descriptors per connection, plus the JVM's own.
        Assumptions.assumeTrue(fds >= 2L * idle + 1000, "needs a file-descriptor limit of at least " + (2 * idle + 1000)
                + " (ulimit -n; the JVM raises its soft limit to the hard one), this JVM has " + fds);
        start(LONG, LONG, LONG, 0, 0);
        byte[] config = "{}".getBytes(StandardCharsets.UTF_8);
        Digest configDigest = registry.pushBlob("app", config);
        byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"config\":{\"mediaType\":"
                + "\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + configDigest + "\",\"size\":2},\"layers\":[]}")
                .getBytes(StandardCharsets.UTF_8);
        assertThat(registry.put("/v2/app/manifests/v1", MediaTypes.OCI_MANIFEST, manifest).statusCode()).isEqualTo(201);
        long[] before = pullLatencies(50);
        List<Socket> sockets = new ArrayList<>(idle);
        try {
            for (int i = 0; i < idle; i++) sockets.add(new Socket("127.0.0.1", registry.server.port()));
            long[] during = pullLatencies(50);
            System.out.printf("manifest GET with %d idle connections: median %.2f ms, max %.2f ms (idle server: median"
                            + " %.2f ms, max %.2f ms)%n", idle, during[during.length / 2] / 1e6, during[during.length - 1] / 1e6,
                    before[before.length / 2] / 1e6, before[before.length - 1] / 1e6);
            assertThat(during[during.length / 2]).isLessThan(Duration.ofMillis(500).toNanos());
        } finally {
            for (Socket s : sockets) s.close();
        }
    }

    long[] pullLatencies(int n) throws Exception {
        long[] nanos = new long[n];
        for (int i = 0; i < n; i++) {
            long start = System.nanoTime();
            HttpResponse<byte[]> r = registry.send(registry.request("/v2/app/manifests/v1")
                    .header("Accept", MediaTypes.OCI_MANIFEST).GET().build());
            nanos[i] = System.nanoTime() - start;
            assertThat(r.statusCode()).isEqualTo(200);
        }
        Arrays.sort(nanos);
        return nanos;
    }
}
