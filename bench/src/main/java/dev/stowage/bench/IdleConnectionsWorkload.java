package dev.stowage.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * "Manifest GET under idle connections": the manifest GET latency of a registry alone, then while it holds
 * {@code idle} open keep-alive connections that each made one request and then sit silent (the connection
 * exhaustion attack of issue 8, hole 4). The idle connections come from several loopback source addresses when
 * the target is on loopback (at most 500 per address, under Stowage's default per-address cap of 1,000), so the
 * registry really holds them rather than refusing them; connections a registry refuses are counted and reported.
 */
final class IdleConnectionsWorkload {
    private static final int PER_SOURCE_ADDRESS = 500;

    private final int idle;
    private final int clients;
    private final int durationSeconds;
    private final BlobContent content;
    private final long seed;

    IdleConnectionsWorkload(int idle, int clients, int durationSeconds, BlobContent content, long seed) {
        this.idle = idle;
        this.clients = clients;
        this.durationSeconds = durationSeconds;
        this.content = content;
        this.seed = seed;
    }

    void run(List<RegistryProcess> registries, Report report) throws Exception {
        int wanted = withinFileDescriptorLimit(idle);
        Map<String, List<Report.Sample>> quiet = new LinkedHashMap<>();
        Map<String, List<Report.Sample>> crowded = new LinkedHashMap<>();
        for (RegistryProcess r : registries) {
            BlobContent.Blob layer = content.blob(seed, 1024);
            try (HttpConnection c = new HttpConnection(r.base)) {
                Workloads.pushMonolithic(c, "bench/idle", content, layer, new byte[BlobContent.CHUNK]);
                Workloads.pushManifest(c, "bench/idle", "latest", List.of(layer), "idle");
            }
            quiet.put(r.name, List.of(manifestGets(r)));
            List<Socket> held = new ArrayList<>(wanted);
            int refused = 0;
            long t = System.nanoTime();
            try {
                for (int i = 0; i < wanted; i++) {
                    Socket s = openIdle(r, i);
                    if (s == null) refused++; else held.add(s);
                }
                System.err.printf(Locale.ROOT, "%s: %d idle connections held, %d refused (%.1f s to open)%n", r.name,
                        held.size(), refused, (System.nanoTime() - t) / 1e9);
                crowded.put(r.name, List.of(manifestGets(r)));
            } finally {
                for (Socket s : held) s.close();
            }
        }
        report.add("manifest GET by tag, " + clients + " connections, idle server", quiet);
        report.add("manifest GET by tag, " + clients + " connections, " + wanted + " idle connections open", crowded);
        System.err.println("done: idle");
    }

    /** The idle connection count this process can open, leaving room for its own files. */
    private static int withinFileDescriptorLimit(int wanted) {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
            long room = unix.getMaxFileDescriptorCount() - unix.getOpenFileDescriptorCount() - 500;
            if (room < wanted) {
                System.err.printf(Locale.ROOT, "only %d idle connections: the open-file limit of the bench is %d "
                        + "(raise it with ulimit -n)%n", Math.max(0, room), unix.getMaxFileDescriptorCount());
                return (int) Math.max(0, room);
            }
        }
        return wanted;
    }

    /** Opens a connection, makes one request, and leaves it open and silent; null when the registry refused it. */
    private static Socket openIdle(RegistryProcess r, int index) throws IOException {
        Socket s = new Socket();
        String host = r.base.getHost();
        InetAddress target = InetAddress.getByName(host);
        if (target.isLoopbackAddress() && target.getAddress().length == 4) {
            int source = 1 + index / PER_SOURCE_ADDRESS;
            s.bind(new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, (byte) (1 + source / 250),
                    (byte) (1 + source % 250)}), 0));
        }
        s.connect(new InetSocketAddress(target, r.base.getPort()), 10_000);
        s.setSoTimeout(30_000);
        s.getOutputStream().write(("GET /v2/ HTTP/1.1\r\nHost: " + host + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        int status = readResponse(s.getInputStream());
        if (status == 200 || status == 401) return s;
        s.close();
        return null;
    }

    /** Reads one response with a Content-Length body; answers its status (-1 if the connection closed). */
    private static int readResponse(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1) {
            head.write(b);
            int n = head.size();
            byte[] h = head.toByteArray();
            if (n >= 4 && h[n - 4] == '\r' && h[n - 3] == '\n' && h[n - 2] == '\r' && h[n - 1] == '\n') break;
        }
        if (b == -1) return -1;
        String text = head.toString(StandardCharsets.ISO_8859_1);
        int status = Integer.parseInt(text.substring(9, 12));
        long length = 0;
        for (String line : text.split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) length = Long.parseLong(line.substring(15).trim());
        }
        in.skipNBytes(length);
        return status;
    }

    private Report.Sample manifestGets(RegistryProcess r) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            List<LatencyRecorder> recorders = new ArrayList<>();
            List<Future<Long>> counts = new ArrayList<>();
            long start = System.nanoTime();
            long deadline = start + durationSeconds * 1_000_000_000L;
            for (int i = 0; i < clients; i++) {
                LatencyRecorder rec = new LatencyRecorder();
                recorders.add(rec);
                counts.add(pool.submit(() -> {
                    long count = 0;
                    try (HttpConnection c = new HttpConnection(r.base)) {
                        Map<String, String> accept = Map.of("Accept", Workloads.OCI_MANIFEST);
                        while (System.nanoTime() < deadline) {
                            long t = System.nanoTime();
                            Workloads.expect(c.send("GET", "/v2/bench/idle/manifests/latest", accept, null, false, null),
                                    200, "manifest GET");
                            rec.record(System.nanoTime() - t);
                            count++;
                        }
                    }
                    return count;
                }));
            }
            long total = 0;
            for (Future<Long> f : counts) total += f.get();
            return new Report.Sample(total, (System.nanoTime() - start) / 1e9, "req/s",
                    LatencyRecorder.summarize(recorders), Double.NaN);
        } finally {
            pool.shutdownNow();
        }
    }
}
