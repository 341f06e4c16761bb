package dev.stowage.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Attacks held against a registry while the bench times ordinary pulls: thousands of idle connections that never send
 * a byte, and a flood of failed sign-ins. The attacker's connections come from other loopback addresses
 * (127.0.0.2 and up) than the measured client (127.0.0.1), as an attacker on the network would, so that per-address
 * limits can do their work without also refusing the victim.
 */
final class Siege {
    private Siege() {}

    /** Idle TCP connections, spread over loopback source addresses; closed ones are opened again while held. */
    static final class IdleConnections implements AutoCloseable {
        private final List<Socket> sockets = new ArrayList<>();
        private final int refused;

        IdleConnections(URI base, int count, int perAddress) {
            int failed = 0;
            for (int i = 0; i < count; i++) {
                String source = "127.0.0." + (2 + i / perAddress);
                try {
                    Socket s = new Socket();
                    s.bind(new InetSocketAddress(source, 0));
                    s.connect(new InetSocketAddress(base.getHost(), base.getPort()), 2000);
                    sockets.add(s);
                } catch (IOException e) {
                    failed++;
                }
            }
            refused = failed;
        }

        /** Connections the server still holds open (not closed or answered). */
        int open() {
            int open = 0;
            for (Socket s : sockets) {
                try {
                    s.setSoTimeout(1);
                    int b = s.getInputStream().read();
                    if (b != -1) continue; // the server answered (a 503, say): it is not idling with us
                } catch (java.net.SocketTimeoutException e) {
                    open++;
                    continue;
                } catch (IOException e) {
                    continue;
                }
            }
            return open;
        }

        int refused() { return refused; }

        @Override
        public void close() {
            for (Socket s : sockets) {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // closing
                }
            }
        }
    }

    /** Clients that send wrong Basic credentials to {@code path} as fast as they are answered. */
    static final class LoginFlood implements AutoCloseable {
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final ExecutorService pool;
        private final AtomicLong attempts = new AtomicLong();
        private final Map<Integer, AtomicLong> statuses = new java.util.concurrent.ConcurrentHashMap<>();

        LoginFlood(URI base, int clients, String path) {
            pool = Executors.newFixedThreadPool(clients);
            for (int i = 0; i < clients; i++) {
                int client = i;
                pool.submit(() -> {
                    long n = 0;
                    while (running.get()) {
                        try (HttpConnection c = new HttpConnection(base, "127.0.0." + (2 + client % 8))) {
                            while (running.get()) {
                                String user = (n % 2 == 0 ? "admin" : "user" + client);
                                String credentials = Base64.getEncoder().encodeToString((user + ":wrong" + n++)
                                        .getBytes(StandardCharsets.UTF_8));
                                HttpConnection.Response r = c.send("GET", path, Map.of("Authorization", "Basic " + credentials),
                                        null, false, null);
                                attempts.incrementAndGet();
                                statuses.computeIfAbsent(r.status(), k -> new AtomicLong()).incrementAndGet();
                            }
                        } catch (IOException | RuntimeException e) {
                            statuses.computeIfAbsent(-1, k -> new AtomicLong()).incrementAndGet();
                        }
                    }
                    return null;
                });
            }
        }

        long attempts() { return attempts.get(); }

        String statuses() {
            return new java.util.TreeMap<>(statuses).toString();
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            pool.shutdownNow();
            pool.awaitTermination(30, TimeUnit.SECONDS);
        }
    }

    static final String ADMIN_PASSWORD = RegistryProcess.ADMIN_PASSWORD;
    static final String REPOSITORY = "bench/siege";

    /**
     * Stowage as README starts it (authentication on) with a public project, so that the measured pulls are
     * anonymous, as they are for Distribution without authentication.
     */
    /** Basic credentials of the administrator of the Stowage instances the bench starts. */
    static String basicAdmin() {
        return "Basic " + Base64.getEncoder().encodeToString(("admin:" + ADMIN_PASSWORD).getBytes(StandardCharsets.UTF_8));
    }

    static void prepareAuthenticated(URI base) throws IOException {
        String admin = basicAdmin();
        try (HttpConnection c = new HttpConnection(base)) {
            HttpConnection.Response project = c.send("POST", "/api/v1/projects", Map.of("Authorization", admin,
                    "Content-Type", "application/json"), Workloads.bytes("{\"name\":\"bench\",\"public\":true}".getBytes()), true, null);
            Workloads.expect(project, 201, "create the public project");
            HttpConnection.Response token = c.send("GET", "/token?service=stowage&scope=repository:" + REPOSITORY + ":pull,push",
                    Map.of("Authorization", admin), null, true, null);
            Workloads.expect(token, 200, "admin token");
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"token\":\"([^\"]+)\"").matcher(new String(token.body()));
            if (!m.find()) throw new IllegalStateException("no token in " + new String(token.body()));
            Map<String, String> bearer = Map.of("Authorization", "Bearer " + m.group(1));
            byte[] config = "{\"architecture\":\"amd64\",\"os\":\"linux\"}".getBytes(StandardCharsets.UTF_8);
            byte[] layer = "siege layer".getBytes(StandardCharsets.UTF_8);
            for (byte[] blob : List.of(config, layer)) {
                Workloads.expect(c.send("POST", "/v2/" + REPOSITORY + "/blobs/uploads/?digest=" + Workloads.sha256(blob),
                        bearer, Workloads.bytes(blob), true, null), 201, "blob push");
            }
            byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"" + Workloads.OCI_MANIFEST + "\",\"config\":{\"mediaType\":"
                    + "\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + Workloads.sha256(config) + "\",\"size\":"
                    + config.length + "},\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\""
                    + Workloads.sha256(layer) + "\",\"size\":" + layer.length + "}]}").getBytes(StandardCharsets.UTF_8);
            Map<String, String> put = new java.util.HashMap<>(bearer);
            put.put("Content-Type", Workloads.OCI_MANIFEST);
            Workloads.expect(c.send("PUT", "/v2/" + REPOSITORY + "/manifests/latest", put, Workloads.bytes(manifest), true, null),
                    201, "manifest push");
        }
    }
}
