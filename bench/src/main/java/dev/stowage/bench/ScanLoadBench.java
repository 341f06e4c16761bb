package dev.stowage.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.GZIPOutputStream;

/**
 * {@code --workloads scan-load}: what background scanning costs the registry's own work. Stowage is started twice with
 * the same settings (authentication on, as README starts it), once with {@code STOWAGE_SCANNING_WORKERS=0} (scanning off)
 * and once with the default worker (scanning on), and both get the same measurements: manifest GETs by tag over
 * {@code connections} connections while one client keeps pushing real images, then pushes of real images by
 * {@code clients} clients. The images are made of real files of this machine (gzip'd tar layers: libraries, Debian's Go
 * programs, jars, the dpkg database), each with a small last layer of its own, so that every push is a new image and
 * every image a full scan (the layers are read again: inventories are kept per image). Which scans ran during the
 * measured windows is read back from the reports ({@code GET .../vulnerabilities}, as the administrator).
 */
final class ScanLoadBench {
    static final String ON = "scanning on";
    static final String OFF = "scanning off";
    static final List<String> COLUMNS = List.of(ON, OFF);
    static final String REPOSITORY = "bench/scanload";
    static final String ADMIN_PASSWORD = RegistryProcess.ADMIN_PASSWORD;
    static final double GOAL = 0.90;
    private static final String ADMIN = RegistryProcess.adminBasic();
    private static final ObjectMapper JSON = new ObjectMapper();

    record Settings(Path jar, Path dir, int imageMiB, int seconds, int warmupSeconds, int clients, int connections,
                    int rounds) {}

    /** A layer file on disk with its digest. */
    record LayerFile(Path file, String digest, long size) {}

    /** An image pushed under {@code tag}. */
    record Pushed(String tag, Instant at) {}

    /** One Stowage under test and the images pushed to it. */
    private static final class Target {
        final RegistryProcess process;
        final boolean scanning;
        final List<Pushed> pushed = new CopyOnWriteArrayList<>();
        final AtomicLong images = new AtomicLong();

        Target(RegistryProcess process, boolean scanning) {
            this.process = process;
            this.scanning = scanning;
        }
    }

    /** A report as read back: status, when it was last written, packages found. */
    record Scan(String tag, String status, Instant updatedAt, int packages, int findings) {}

    private final Settings settings;
    private final Report report;
    private final PrintStream log;
    private final long run = System.currentTimeMillis();
    private List<LayerFile> baseLayers;
    private long imageBytes;

    ScanLoadBench(Settings settings, Report report, PrintStream log) {
        this.settings = settings;
        this.report = report;
        this.log = log;
    }

    void run() throws Exception {
        long t = System.nanoTime();
        RealFilesImage.Built built = RealFilesImage.build(settings.dir().resolve("scan-load-image"), (long) settings.imageMiB() << 20);
        baseLayers = new ArrayList<>();
        for (RealFilesImage.Layer l : built.layers()) baseLayers.add(layerFile(l.gzip()));
        imageBytes = baseLayers.stream().mapToLong(LayerFile::size).sum();
        log.printf(Locale.ROOT, "scan-load: image of %d files, %.1f MiB of files, %.1f MiB gzip'd in %d layers (+1 of its own), built in %.1f s%n",
                built.files(), built.fileBytes() / 1048576.0, imageBytes / 1048576.0, baseLayers.size(),
                (System.nanoTime() - t) / 1e9);
        Map<String, List<Report.Sample>> gets = new LinkedHashMap<>();
        Map<String, List<Report.Sample>> pushes = new LinkedHashMap<>();
        Map<String, List<String>> evidence = new LinkedHashMap<>();
        try (RegistryProcess off = start(OFF, Map.of("STOWAGE_SCANNING_WORKERS", "0"));
             RegistryProcess on = start(ON, Map.of())) {
            Target offTarget = new Target(off, false);
            Target onTarget = new Target(on, true);
            for (Target target : List.of(offTarget, onTarget)) {
                prepare(target);
                warmUp(target);
            }
            for (int round = 0; round < settings.rounds(); round++) {
                List<Target> order = round % 2 == 0 ? List.of(offTarget, onTarget) : List.of(onTarget, offTarget);
                for (Target target : order) {
                    if (!target.scanning) drain(onTarget); // the scanning Stowage idle while the other one is measured
                    Phase phase = phase(target);
                    gets.computeIfAbsent(target.process.name, k -> new ArrayList<>()).add(phase.gets());
                    pushes.computeIfAbsent(target.process.name, k -> new ArrayList<>()).add(phase.pushes());
                    evidence.computeIfAbsent(target.process.name, k -> new ArrayList<>()).add(phase.evidence());
                    log.println("scan-load round " + (round + 1) + ", " + target.process.name + ": " + phase.evidence());
                }
            }
            record(gets, pushes, evidence, built);
        }
    }

    private RegistryProcess start(String name, Map<String, String> env) throws Exception {
        Map<String, String> all = new HashMap<>(env);
        all.put("STOWAGE_AUTH_ENABLED", "true");
        all.put("STOWAGE_ADMIN_PASSWORD", ADMIN_PASSWORD);
        return RegistryProcess.startStowage(settings.jar(),
                Files.createDirectories(settings.dir().resolve(name.equals(ON) ? "scan-load-on" : "scan-load-off")), name, all);
    }

    private record Phase(Report.Sample gets, Report.Sample pushes, String evidence) {}

    /**
     * The measured windows on one Stowage: manifest GETs while one client pushes, then pushes alone; then which scans
     * ran in each window.
     */
    private Phase phase(Target target) throws Exception {
        RegistryProcess r = target.process;
        double cpuBefore = r.cpuSeconds().orElse(Double.NaN);
        Instant getsFrom;
        Instant getsTo;
        Report.Sample getSample;
        int pushedDuringGets;
        double scanCpuGets;
        try (Background pusher = new Background(target)) {
            Thread.sleep(2000); // the first image in and (scanning on) its scan under way
            double cpu = r.cpuSeconds().orElse(Double.NaN);
            double scanCpu = r.threadCpuSeconds("scan-worker").orElse(Double.NaN);
            getsFrom = Instant.now();
            long before = target.images.get();
            getSample = manifestGets(target, settings.seconds());
            getsTo = Instant.now();
            pushedDuringGets = (int) (target.images.get() - before);
            getSample = getSample.withCpu(r.cpuSeconds().orElse(Double.NaN) - cpu);
            scanCpuGets = r.threadCpuSeconds("scan-worker").orElse(Double.NaN) - scanCpu;
        }
        double cpu = r.cpuSeconds().orElse(Double.NaN);
        double scanCpu = r.threadCpuSeconds("scan-worker").orElse(Double.NaN);
        Instant pushesFrom = Instant.now();
        Report.Sample pushSample = pushes(target, settings.seconds());
        Instant pushesTo = Instant.now();
        pushSample = pushSample.withCpu(r.cpuSeconds().orElse(Double.NaN) - cpu);
        double scanCpuPushes = r.threadCpuSeconds("scan-worker").orElse(Double.NaN) - scanCpu;
        double allCpu = r.cpuSeconds().orElse(Double.NaN) - cpuBefore;

        List<Scan> scans = scans(target);
        long duringGets = scans.stream().filter(s -> done(s) && within(s.updatedAt(), getsFrom, getsTo)).count();
        long duringPushes = scans.stream().filter(s -> done(s) && within(s.updatedAt(), pushesFrom, pushesTo)).count();
        long failed = scans.stream().filter(s -> s.status().equals("FAILED")).count();
        long waiting = scans.stream().filter(s -> !done(s)).count();
        double packages = scans.stream().filter(s -> s.status().equals("COMPLETED")).mapToInt(Scan::packages).average().orElse(0);
        String evidence = String.format(Locale.ROOT, "GET window %.1f s: %d images pushed, %d scans completed, scan-worker "
                        + "CPU %.1f s; push window %.1f s: %d scans completed, scan-worker CPU %.1f s; %d images not scanned yet "
                        + "at the end, %d scans failed in all, %.0f packages per scanned image; process CPU %.1f s in all",
                seconds(getsFrom, getsTo), pushedDuringGets, duringGets, scanCpuGets, seconds(pushesFrom, pushesTo),
                duringPushes, scanCpuPushes, waiting, failed, packages, allCpu);
        // Scans ran in a window when one completed in it, or the worker used CPU in it (a window shorter than a scan).
        if (target.scanning && (duringGets == 0 && !(scanCpuGets > 0) || duringPushes == 0 && !(scanCpuPushes > 0))) {
            throw new IllegalStateException("scan-load: scanning on, but no scan ran during a measured window (" + evidence
                    + "); see " + settings.dir().resolve("scan-load-on").resolve("stowage.log"));
        }
        if (target.scanning && failed > 0) {
            Scan first = scans.stream().filter(s -> s.status().equals("FAILED")).findFirst().orElseThrow();
            throw new IllegalStateException("scan-load: the scan of " + first.tag() + " failed: a scan that fails costs "
                    + "nothing and measures nothing; see " + settings.dir().resolve("scan-load-on").resolve("stowage.log"));
        }
        if (!target.scanning && (duringGets + duringPushes > 0 || scanCpuGets + scanCpuPushes > 0)) {
            throw new IllegalStateException("scan-load: scanning off, but scans ran (" + evidence + ")");
        }
        return new Phase(getSample, pushSample, evidence);
    }

    private static double seconds(Instant from, Instant to) {
        return (to.toEpochMilli() - from.toEpochMilli()) / 1000.0;
    }

    private static boolean done(Scan s) {
        return s.status().equals("COMPLETED") || s.status().equals("FAILED");
    }

    private static boolean within(Instant at, Instant from, Instant to) {
        return at != null && !at.isBefore(from) && !at.isAfter(to);
    }

    private void record(Map<String, List<Report.Sample>> gets, Map<String, List<Report.Sample>> pushes,
                        Map<String, List<String>> evidence, RealFilesImage.Built built) {
        String image = String.format(Locale.ROOT, "%.0f MiB gzip'd, %d+1 layers of real files", imageBytes / 1048576.0,
                baseLayers.size());
        String getWorkload = "manifest GET by tag, " + settings.connections() + " connections, while 1 client pushes real images ("
                + image + ")";
        String pushWorkload = "push of real images (" + image + ", every layer uploaded), " + settings.clients() + " clients";
        report.comparison(getWorkload, COLUMNS, gets);
        report.comparison(pushWorkload, COLUMNS, pushes);
        goal(getWorkload, gets, true);
        goal(pushWorkload, pushes, false);
        evidence.forEach((name, lines) -> {
            for (int i = 0; i < lines.size(); i++) {
                report.goal(new Report.GoalRow("scan-load, " + name + ", round " + (i + 1), lines.get(i), Double.NaN, Double.NaN, ""));
            }
        });
    }

    private void goal(String workload, Map<String, List<Report.Sample>> samples, boolean latencies) {
        Report.Aggregate on = Report.aggregate(samples.get(ON));
        Report.Aggregate off = Report.aggregate(samples.get(OFF));
        double ratio = on.rate() / off.rate();
        String measured = String.format(Locale.ROOT, "scanning on/off: %.2f (%.1f vs %.1f %s)", ratio, on.rate(), off.rate(), on.unit())
                + (latencies ? String.format(Locale.ROOT, "; p50 %.2f vs %.2f ms, p99 %.2f vs %.2f ms", on.p50ms(), off.p50ms(),
                on.p99ms(), off.p99ms()) : String.format(Locale.ROOT, "; per image p50 %.0f vs %.0f ms, p99 %.0f vs %.0f ms",
                on.p50ms(), off.p50ms(), on.p99ms(), off.p99ms()));
        report.goal(new Report.GoalRow(workload + ", scanning on vs off", measured, ratio, GOAL,
                String.format(Locale.ROOT, ">= %.2f of scanning off", GOAL), true));
    }

    /** A public project (anonymous pulls, as from Distribution without authentication) with a first image. */
    private void prepare(Target target) throws IOException {
        try (HttpConnection c = new HttpConnection(target.process.base)) {
            HttpConnection.Response project = c.send("POST", "/api/v1/projects", Map.of("Authorization", ADMIN,
                    "Content-Type", "application/json"), Workloads.bytes("{\"name\":\"bench\",\"public\":true}".getBytes()), true, null);
            Workloads.expect(project, 201, "create the public project");
            pushImage(c, target, "base", new byte[64 * 1024]);
        }
    }

    /** Pushes and GETs for a while, unmeasured, so that JIT compilers (the scanner's too) are warm. */
    private void warmUp(Target target) throws Exception {
        if (settings.warmupSeconds() <= 0) return;
        try (Background pusher = new Background(target)) {
            manifestGets(target, settings.warmupSeconds());
        }
        log.println("warmed up: " + target.process.name);
    }

    /** Waits until every image pushed to the scanning Stowage is scanned, so that it is idle while the other is measured. */
    private void drain(Target target) throws Exception {
        long t = System.nanoTime();
        long deadline = t + TimeUnit.MINUTES.toNanos(30);
        while (true) {
            long waiting = scans(target).stream().filter(s -> !done(s)).count();
            if (waiting == 0) break;
            if (System.nanoTime() > deadline) throw new IllegalStateException("scan-load: " + waiting + " scans still queued after 30 minutes");
            Thread.sleep(2000);
        }
        Thread.sleep(1000); // what the worker does after the last report (the job finished, the webhook event)
        log.printf(Locale.ROOT, "scan-load: %s idle (its scans done) after %.1f s%n", target.process.name, (System.nanoTime() - t) / 1e9);
    }

    /** Every pushed image's report as the administrator reads it. */
    private List<Scan> scans(Target target) throws IOException {
        List<Scan> scans = new ArrayList<>();
        try (HttpConnection c = new HttpConnection(target.process.base)) {
            for (Pushed p : target.pushed) {
                HttpConnection.Response r = c.send("GET", "/api/v1/repositories/" + REPOSITORY + "/artifacts/" + p.tag()
                        + "/vulnerabilities", Map.of("Authorization", ADMIN), null, true, null);
                if (r.status() == 404) {
                    scans.add(new Scan(p.tag(), "NOT_SCANNED", null, 0, 0));
                    continue;
                }
                Workloads.expect(r, 200, "vulnerability report of " + p.tag());
                JsonNode body = JSON.readTree(r.body());
                String updated = body.path("updatedAt").asText("");
                scans.add(new Scan(p.tag(), body.path("status").asText(), updated.isEmpty() ? null : Instant.parse(updated),
                        body.path("packages").asInt(0), body.path("findings").size()));
            }
        }
        return scans;
    }

    /** One client pushing images until closed. */
    private final class Background implements AutoCloseable {
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final ExecutorService pool = Executors.newSingleThreadExecutor();
        private final Future<?> done;

        Background(Target target) {
            done = pool.submit(() -> {
                byte[] scratch = new byte[BlobContent.CHUNK];
                try (HttpConnection c = new HttpConnection(target.process.base)) {
                    while (running.get()) pushImage(c, target, null, scratch);
                }
                return null;
            });
        }

        @Override
        public void close() throws Exception {
            running.set(false);
            try {
                done.get(10, TimeUnit.MINUTES);
            } finally {
                pool.shutdownNow();
            }
        }
    }

    private Report.Sample manifestGets(Target target, int seconds) throws Exception {
        return parallel(target, settings.connections(), "req/s", 1, (c, latencies, scratch) -> {
            long deadline = System.nanoTime() + seconds * 1_000_000_000L;
            long count = 0;
            Map<String, String> accept = Map.of("Accept", Workloads.OCI_MANIFEST);
            while (System.nanoTime() < deadline) {
                long t = System.nanoTime();
                Workloads.expect(c.send("GET", "/v2/" + REPOSITORY + "/manifests/base", accept, null, false, null), 200, "manifest GET");
                latencies.record(System.nanoTime() - t);
                count++;
            }
            return count;
        });
    }

    private Report.Sample pushes(Target target, int seconds) throws Exception {
        return parallel(target, settings.clients(), "MB/s", 1e6, (c, latencies, scratch) -> {
            long deadline = System.nanoTime() + seconds * 1_000_000_000L;
            long bytes = 0;
            while (System.nanoTime() < deadline) {
                long t = System.nanoTime();
                bytes += pushImage(c, target, null, scratch);
                latencies.record(System.nanoTime() - t);
            }
            return bytes;
        });
    }

    private interface ClientTask {
        long run(HttpConnection c, LatencyRecorder latencies, byte[] scratch) throws Exception;
    }

    private static Report.Sample parallel(Target target, int threads, String unit, double unitScale, ClientTask task) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<LatencyRecorder> recorders = new ArrayList<>();
        List<Future<Long>> results = new ArrayList<>();
        long start = System.nanoTime();
        try {
            for (int i = 0; i < threads; i++) {
                LatencyRecorder rec = new LatencyRecorder();
                recorders.add(rec);
                results.add(pool.submit(() -> {
                    try (HttpConnection c = new HttpConnection(target.process.base)) {
                        return task.run(c, rec, new byte[BlobContent.CHUNK]);
                    }
                }));
            }
            long units = 0;
            for (Future<Long> f : results) units += f.get();
            double seconds = (System.nanoTime() - start) / 1e9;
            return new Report.Sample(units / unitScale, seconds, unit, LatencyRecorder.summarize(recorders), Double.NaN);
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * Pushes the real-files image with a last layer of its own (a file naming the image) under {@code tag} (a new one
     * when null), as a client does: a token, each blob POSTed and PUT whole, the manifest; answers the bytes sent.
     */
    private long pushImage(HttpConnection c, Target target, String tag, byte[] scratch) throws IOException {
        long n = target.images.incrementAndGet();
        String name = tag != null ? tag : "i" + n;
        Map<String, String> bearer = Map.of("Authorization", "Bearer " + token(c));
        long bytes = 0;
        List<LayerFile> layers = new ArrayList<>(baseLayers);
        byte[] own = uniqueLayer(run + "-" + target.process.name + "-" + n);
        for (LayerFile layer : baseLayers) {
            pushBlob(c, bearer, layer.digest(), layer.size(), out -> {
                try (InputStream in = Files.newInputStream(layer.file())) {
                    for (int k; (k = in.read(scratch)) > 0; ) out.write(scratch, 0, k);
                }
            });
            bytes += layer.size();
        }
        String ownDigest = Workloads.sha256(own);
        pushBlob(c, bearer, ownDigest, own.length, out -> out.write(own));
        layers.add(new LayerFile(null, ownDigest, own.length));
        bytes += own.length;
        byte[] config = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{},\"rootfs\":{\"type\":\"layers\","
                + "\"diff_ids\":[]},\"bench\":\"" + name + "\"}").getBytes(StandardCharsets.UTF_8);
        String configDigest = Workloads.sha256(config);
        pushBlob(c, bearer, configDigest, config.length, out -> out.write(config));
        StringBuilder json = new StringBuilder("{\"schemaVersion\":2,\"mediaType\":\"" + Workloads.OCI_MANIFEST + "\",\"config\":{"
                + "\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + configDigest
                + "\",\"size\":" + config.length + "},\"layers\":[");
        for (int i = 0; i < layers.size(); i++) {
            if (i > 0) json.append(',');
            json.append("{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"")
                    .append(layers.get(i).digest()).append("\",\"size\":").append(layers.get(i).size()).append('}');
        }
        byte[] manifest = json.append("]}").toString().getBytes(StandardCharsets.UTF_8);
        Map<String, String> put = new HashMap<>(bearer);
        put.put("Content-Type", Workloads.OCI_MANIFEST);
        Workloads.expect(c.send("PUT", "/v2/" + REPOSITORY + "/manifests/" + name, put, Workloads.bytes(manifest), true, null),
                201, "manifest push");
        target.pushed.add(new Pushed(name, Instant.now()));
        return bytes + config.length + manifest.length;
    }

    private interface Writer {
        void writeTo(OutputStream out) throws IOException;
    }

    private static void pushBlob(HttpConnection c, Map<String, String> bearer, String digest, long size, Writer body)
            throws IOException {
        HttpConnection.Response start = c.send("POST", "/v2/" + REPOSITORY + "/blobs/uploads/", bearer, null, true, null);
        Workloads.expect(start, 202, "start upload");
        String location = Workloads.path(start.header("location"));
        Map<String, String> headers = new HashMap<>(bearer);
        headers.put("Content-Type", "application/octet-stream");
        HttpConnection.Response r = c.send("PUT", location + (location.contains("?") ? "&" : "?") + "digest=" + digest, headers,
                new HttpConnection.Body() {
                    @Override public long length() { return size; }
                    @Override public void writeTo(OutputStream out) throws IOException { body.writeTo(out); }
                }, true, null);
        Workloads.expect(r, 201, "blob push");
    }

    /** A push token for the bench's repository (tokens live minutes: one per image). */
    private static String token(HttpConnection c) throws IOException {
        HttpConnection.Response token = c.send("GET", "/token?service=stowage&scope=repository:" + REPOSITORY + ":pull,push",
                Map.of("Authorization", ADMIN), null, true, null);
        Workloads.expect(token, 200, "admin token");
        return JSON.readTree(token.body()).path("token").asText();
    }

    /** A gzip'd tar of one small file naming the image: what makes each pushed image (and its scan) a new one. */
    static byte[] uniqueLayer(String id) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new GZIPOutputStream(bytes))) {
            byte[] content = (id + "\n").getBytes(StandardCharsets.UTF_8);
            TarArchiveEntry entry = new TarArchiveEntry("etc/stowage-bench-image");
            entry.setSize(content.length);
            entry.setMode(0644);
            tar.putArchiveEntry(entry);
            tar.write(content);
            tar.closeArchiveEntry();
        }
        return bytes.toByteArray();
    }

    private static LayerFile layerFile(Path file) throws IOException {
        MessageDigest sha = BlobContent.sha256();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0; ) sha.update(buffer, 0, n);
        }
        return new LayerFile(file, "sha256:" + HexFormat.of().formatHex(sha.digest()), Files.size(file));
    }
}
