package dev.stowage.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
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

    /** Idle TCP connections, spread over loopback source addresses, {@code perAddress} from each. */
    static final class IdleConnections implements AutoCloseable {
        private final List<SocketChannel> channels = new ArrayList<>();
        private final int refused;

        IdleConnections(URI base, int count, int perAddress) {
            int failed = 0;
            InetSocketAddress server = new InetSocketAddress(base.getHost(), base.getPort());
            for (int i = 0; i < count; i++) {
                String source = "127.0.0." + (2 + i / perAddress);
                SocketChannel channel = null;
                try {
                    channel = SocketChannel.open();
                    channel.bind(new InetSocketAddress(source, 0));
                    channel.socket().connect(server, 2000);
                    channels.add(channel);
                } catch (IOException e) {
                    failed++;
                    close(channel);
                }
            }
            refused = failed;
        }

        /**
         * Connections the server still holds open: those with nothing to read. A readable one was closed by the server
         * (end of stream) or answered (a 503, say): it is not idling with us. One look at all of them at once.
         */
        int open() throws IOException {
            try (Selector selector = Selector.open()) {
                int watched = 0;
                for (SocketChannel channel : channels) {
                    if (!channel.isOpen()) continue;
                    channel.configureBlocking(false);
                    channel.register(selector, SelectionKey.OP_READ);
                    watched++;
                }
                return watched - selector.selectNow();
            }
        }

        int refused() { return refused; }

        @Override
        public void close() {
            channels.forEach(IdleConnections::close);
        }

        private static void close(SocketChannel channel) {
            if (channel == null) return;
            try {
                channel.close();
            } catch (IOException ignored) {
                // closing
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

    /** In a project of its own, public on Stowage: the measured pulls are anonymous, as from an open Distribution. */
    static final String REPOSITORY = "public/siege";

    /** The public project {@link #REPOSITORY} lives in, made by the administrator as an operator would. */
    static void createPublicProject(URI base) throws IOException {
        String project = REPOSITORY.substring(0, REPOSITORY.indexOf('/'));
        try (HttpConnection c = new HttpConnection(base)) {
            HttpConnection.Response created = c.send("POST", "/api/v1/projects", Map.of("Authorization", RegistryProcess.adminBasic(),
                    "Content-Type", "application/json"), Workloads.bytes(("{\"name\":\"" + project + "\",\"public\":true}")
                    .getBytes(StandardCharsets.UTF_8)), true, null);
            Workloads.expect(created, 201, "create the public project " + project);
        }
    }
}
