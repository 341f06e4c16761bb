package dev.stowage.bench;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code stowage bench}: a registry load generator usable against any registry. Runs each workload against every
 * target in turn, alternating the order between rounds, and reports throughput, latency percentiles, server CPU
 * and memory, and the ratio of the first target to the second.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Load-test registries side by side: pushes, pulls, manifest requests and listings.",
                "Example: stowage bench --start-stowage --start-distribution --markdown BENCHMARKS-run.md"})
public final class BenchCommand implements Callable<Integer> {
    @Option(names = "--target", description = "a registry to test, as name=http://host:port (repeatable)")
    List<String> targets = new ArrayList<>();

    @Option(names = "--username", description = "sign in to the --target registries with this user (the Docker token flow)")
    String username;

    @Option(names = "--password", description = "the password (or a personal access token) for --username")
    String password;

    @Option(names = "--no-open-stowage", description = "with --start-stowage: do not also measure Stowage with "
            + "authentication off (the open configuration)")
    boolean noOpenStowage;

    @Option(names = "--start-stowage", description = "start Stowage from its jar in a temporary directory, as README "
            + "starts it (authentication on; the bench signs in with the token flow), and a second one with "
            + "authentication off")
    boolean startStowage;

    @Option(names = "--stowage-jar", description = "the Stowage jar to start (default: the jar running this command)")
    Path stowageJar;

    @Option(names = "--start-distribution", description = "start CNCF Distribution (Debian's docker-registry)")
    boolean startDistribution;

    @Option(names = "--distribution-binary", defaultValue = "/usr/bin/docker-registry",
            description = "the Distribution binary (default: ${DEFAULT-VALUE})")
    Path distributionBinary;

    @Option(names = "--workloads", split = ",", defaultValue = "push,pull,manifest,mixed,list,siege,startup",
            description = "which workloads: push, pull, manifest, mixed (manifest GETs from 64 connections while 4 "
                    + "clients push 100 MiB blobs), list, siege (pull latency under idle connections and a login flood), "
                    + "startup (time to the first answer, fresh and on existing data; the registries given by --start-*), "
                    + "scanning (the scanner in-process on real data, no registry needed; "
                    + "not in the default list: it takes about 1.5 minutes), scan-load (manifest GETs and pushes of real "
                    + "images with background scanning on and off: starts Stowage twice, needs --start-stowage; about 6 "
                    + "minutes) (default: ${DEFAULT-VALUE})")
    List<String> workloads;

    @Option(names = "--vulndata", defaultValue = "${sys:stowage.vulndata:-../shared/vulndata}",
            description = "the vulnerability data directory the scanning workload matches against (OSV exports in osv/, "
                    + "Debian lists in debian/, GitHub advisories in ghsa/) (default: ${DEFAULT-VALUE})")
    Path vulndata;

    @Option(names = "--scan-image-size", defaultValue = "100",
            description = "MiB of real files in the 5-layer image the scanning workload inventories (default: ${DEFAULT-VALUE})")
    int scanImageMiB;

    @Option(names = "--scan-packages", defaultValue = "1000",
            description = "packages matched at once by the scanning workload (default: ${DEFAULT-VALUE})")
    int scanPackages;

    @Option(names = "--scan-inventories", defaultValue = "10000",
            description = "stored inventories the scanning workload re-matches (default: ${DEFAULT-VALUE})")
    int scanInventories;

    @Option(names = "--scan-load-image-size", defaultValue = "48",
            description = "MiB of real files in each image the scan-load workload pushes (gzip'd to about half) "
                    + "(default: ${DEFAULT-VALUE})")
    int scanLoadImageMiB;

    @Option(names = "--scan-load-duration", defaultValue = "20",
            description = "seconds of each measured window of the scan-load workload (default: ${DEFAULT-VALUE})")
    int scanLoadSeconds;

    @Option(names = "--clients", defaultValue = "4", description = "concurrent clients for pushes and pulls (default: ${DEFAULT-VALUE})")
    int clients;

    @Option(names = "--sizes", split = ",", defaultValue = "1,10,100", description = "layer sizes in MiB (default: ${DEFAULT-VALUE})")
    List<Integer> sizesMiB;

    @Option(names = "--chunk", defaultValue = "8", description = "chunk size in MiB for chunked pushes (default: ${DEFAULT-VALUE})")
    int chunkMiB;

    @Option(names = "--pull-size", defaultValue = "100", description = "layer size in MiB for pulls (default: ${DEFAULT-VALUE})")
    int pullSizeMiB;

    @Option(names = "--verify-pulls", description = "hash every pulled blob and check its digest (costs client CPU "
            + "on the machine under test, so it measures the client as much as the registry)")
    boolean verifyPulls;

    @Option(names = "--connections", defaultValue = "32", description = "connections for small requests (default: ${DEFAULT-VALUE})")
    int connections;

    @Option(names = "--duration", defaultValue = "10", description = "seconds per small-request run (default: ${DEFAULT-VALUE})")
    int durationSeconds;

    @Option(names = "--repositories", defaultValue = "2000", description = "repositories for the catalog listing (default: ${DEFAULT-VALUE})")
    int repositories;

    @Option(names = "--tags", defaultValue = "2000", description = "tags in one repository for the tags listing (default: ${DEFAULT-VALUE})")
    int tags;

    @Option(names = "--rounds", defaultValue = "2", description = "rounds per workload, alternating target order (default: ${DEFAULT-VALUE})")
    int rounds;

    @Option(names = "--warmup", defaultValue = "15", description = "seconds of unmeasured mixed load per registry first, "
            + "so JIT compilers are warm when measuring starts (default: ${DEFAULT-VALUE})")
    int warmupSeconds;

    @Option(names = "--siege-connections", defaultValue = "10000",
            description = "idle connections held during the siege workload (default: ${DEFAULT-VALUE})")
    int siegeConnections;

    @Option(names = "--siege-flood", defaultValue = "64",
            description = "clients sending failed sign-ins during the siege workload (default: ${DEFAULT-VALUE})")
    int siegeFlood;

    @Option(names = "--quick", description = "a small smoke run (small sizes, short durations)")
    boolean quick;

    @Option(names = "--markdown", description = "also write the results as Markdown to this file")
    Path markdown;

    @Option(names = "--work-dir", description = "where started registries keep their data (default: a temporary directory)")
    Path workDir;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private final BlobContent content = new BlobContent(System.nanoTime());
    private final AtomicLong seeds = new AtomicLong(System.nanoTime());
    private final Report report = new Report();

    public static void main(String[] args) {
        System.exit(new CommandLine(new BenchCommand()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        if (quick) {
            // Smaller defaults; anything given explicitly stands.
            if (sizesMiB.equals(List.of(1, 10, 100))) sizesMiB = List.of(1, 10);
            if (pullSizeMiB == 100) pullSizeMiB = 10;
            if (durationSeconds == 10) durationSeconds = 2;
            if (repositories == 2000) repositories = 100;
            if (tags == 2000) tags = 100;
            if (rounds == 2) rounds = 1;
            if (warmupSeconds == 15) warmupSeconds = 3;
            if (scanImageMiB == 100) scanImageMiB = 10;
            if (scanInventories == 10000) scanInventories = 500;
            if (scanLoadImageMiB == 48) scanLoadImageMiB = 8;
            if (scanLoadSeconds == 20) scanLoadSeconds = 3;
            if (siegeConnections == 10000) siegeConnections = 2000;
        }
        if ((username == null) != (password == null)) {
            spec.commandLine().getErr().println("--username and --password go together: the bench signs in to the --target "
                    + "registries with both (the Docker token flow), or with neither to an open registry");
            return 2;
        }
        // scanning runs in-process, scan-load starts Stowages of its own: neither needs the registries started here
        boolean registryWorkloads = workloads.stream().anyMatch(w -> !List.of("scanning", "scan-load").contains(w.trim()));
        if (workloads.stream().anyMatch(w -> w.trim().equals("scan-load")) && !startStowage) {
            spec.commandLine().getErr().println("the scan-load workload starts Stowage itself, twice (scanning off and on): "
                    + "give --start-stowage (and --stowage-jar <jar> when not running from the Stowage jar)");
            return 2;
        }
        if (workloads.stream().anyMatch(w -> w.trim().equals("scanning"))) {
            try {
                ScanningBench.checkVulndata(vulndata);
            } catch (IllegalArgumentException e) {
                spec.commandLine().getErr().println(e.getMessage());
                return 2;
            }
        }
        Path dir = workDir != null ? Files.createDirectories(workDir) : Files.createTempDirectory("stowage-bench");
        List<RegistryProcess> registries = new ArrayList<>();
        try {
            if (startStowage && registryWorkloads) {
                registries.add(RegistryProcess.startStowage(jar(), Files.createDirectories(dir.resolve("s")), STOWAGE, false));
            }
            if (startDistribution && registryWorkloads) {
                if (!Files.isExecutable(distributionBinary)) {
                    throw new IllegalStateException(distributionBinary + " not found (apt-get install docker-registry)");
                }
                registries.add(RegistryProcess.startDistribution(distributionBinary, Files.createDirectories(dir.resolve("d"))));
            }
            for (String t : targets) {
                int eq = t.indexOf('=');
                if (eq <= 0) throw new CommandLine.ParameterException(new CommandLine(this), "--target wants name=url: " + t);
                registries.add(RegistryProcess.external(t.substring(0, eq), URI.create(t.substring(eq + 1)), username, password));
            }
            if (startStowage && registryWorkloads && !noOpenStowage) {
                registries.add(RegistryProcess.startStowage(jar(), Files.createDirectories(dir.resolve("o")), STOWAGE_OPEN, true));
            }
            for (RegistryProcess r : registries) if (r.auth != null) createBenchProject(r);
            if (registries.isEmpty() && registryWorkloads) {
                throw new CommandLine.ParameterException(new CommandLine(this), "no registry: give --target or --start-*");
            }
            for (RegistryProcess r : registries) warmUp(r);
            String args = String.join(" ", spec.commandLine().getParseResult().originalArgs());
            report.header(registries, "stowage " + (args.startsWith("bench") ? args : "bench " + args));
            for (String workload : workloads) {
                switch (workload.trim()) {
                    case "push" -> push(registries);
                    case "pull" -> pull(registries);
                    case "manifest" -> manifests(registries);
                    case "list" -> listing(registries);
                    case "mixed" -> mixed(registries);
                    case "startup" -> new StartupBench(startStowage ? jar() : null, startDistribution ? distributionBinary : null,
                            dir, quick ? 1 : 5, report, System.err).run();
                    case "siege" -> siege(registries);
                    case "scanning" -> new ScanningBench(new ScanningBench.Settings(vulndata, scanImageMiB, scanPackages,
                            scanInventories, quick ? 2 : 6, quick ? 10 : 50, dir), report, System.err).run();
                    case "scan-load" -> new ScanLoadBench(new ScanLoadBench.Settings(jar(), dir, scanLoadImageMiB,
                            scanLoadSeconds, warmupSeconds, clients, connections, rounds), report, System.err).run();
                    default -> throw new IllegalArgumentException("unknown workload: " + workload);
                }
            }
            for (RegistryProcess r : registries) {
                if (r.auth != null) {
                    System.err.printf(Locale.ROOT, "%s: signed in %d times (token flow), %d requests refused with a token and "
                            + "repeated after signing in again%n", r.name, r.auth.signIns(), r.auth.refusals());
                }
            }
            report.memory(registries);
            goals(registries);
            System.out.println(report.text());
            if (markdown != null) Files.writeString(markdown, report.markdown());
            return 0;
        } finally {
            for (RegistryProcess r : registries) r.close();
        }
    }

    static final String STOWAGE = "stowage";
    static final String STOWAGE_OPEN = "stowage (auth off)";

    /**
     * The project the bench's repositories (bench/...) live in, made as an operator would (already there is fine; on a
     * registry without Stowage's API, or for a user who may not create projects, it must exist already).
     */
    private static void createBenchProject(RegistryProcess r) throws Exception {
        try (HttpConnection c = new HttpConnection(r.base)) {
            HttpConnection.Response created = c.send("POST", "/api/v1/projects", Map.of("Authorization", r.auth.basic(),
                    "Content-Type", "application/json"), Workloads.bytes("{\"name\":\"bench\"}".getBytes()), true, null);
            if (created.status() != 201 && created.status() != 409) {
                System.err.println(r.name + ": could not create the project 'bench' (" + created.status() + "): assuming it exists");
            }
        }
    }

    /**
     * Manifest GETs by tag from 64 connections while four clients push 100 MiB blobs: the load the memory goal is
     * measured under (64 connections, 4 concurrent 100 MiB pushes), with pull throughput and push throughput.
     */
    private void mixed(List<RegistryProcess> registries) throws Exception {
        int getters = 64;
        int pushers = 4;
        long size = (quick ? 10L : 100L) << 20;
        for (RegistryProcess r : registries) {
            BlobContent.Blob layer = content.blob(seeds.incrementAndGet(), 1024);
            try (HttpConnection c = r.connect()) {
                Workloads.pushMonolithic(c, "bench/mixed", content, layer, new byte[BlobContent.CHUNK]);
                Workloads.pushManifest(c, "bench/mixed", "latest", List.of(layer), "mixed");
            }
        }
        java.util.concurrent.ConcurrentHashMap<String, Report.Sample> pushesByRegistry = new java.util.concurrent.ConcurrentHashMap<>();
        compare("manifest GET by tag, 64 connections, while 4 clients push " + (size >> 20) + " MiB blobs", registries, r -> {
            java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
            java.util.concurrent.CompletableFuture<Report.Sample> pushes = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    return parallel(r, pushers, "MB/s", 1e6, (c, client, latencies, scratch) -> {
                        long bytes = 0;
                        while (!done.get()) {
                            BlobContent.Blob blob = content.blob(seeds.incrementAndGet(), size);
                            long t = System.nanoTime();
                            Workloads.pushMonolithic(c, "bench/mixed", content, blob, scratch);
                            latencies.record(System.nanoTime() - t);
                            bytes += blob.size();
                        }
                        return bytes;
                    });
                } catch (Exception e) {
                    throw new java.util.concurrent.CompletionException(e);
                }
            });
            try {
                return parallel(r, getters, "req/s", 1, (c, client, latencies, scratch) -> {
                    long deadline = System.nanoTime() + durationSeconds * 1_000_000_000L;
                    long count = 0;
                    Map<String, String> accept = Map.of("Accept", Workloads.OCI_MANIFEST);
                    while (System.nanoTime() < deadline) {
                        long t = System.nanoTime();
                        Workloads.expect(c.send("GET", "/v2/bench/mixed/manifests/latest", accept, null, false, null), 200,
                                "manifest GET");
                        latencies.record(System.nanoTime() - t);
                        count++;
                    }
                    return count;
                });
            } finally {
                done.set(true);
                pushesByRegistry.merge(r.name, pushes.join(), (a, b) -> b);
            }
        });
        Map<String, List<Report.Sample>> pushed = new LinkedHashMap<>();
        for (RegistryProcess r : registries) {
            if (pushesByRegistry.containsKey(r.name)) pushed.put(r.name, List.of(pushesByRegistry.get(r.name)));
        }
        report.add("push monolithic " + (size >> 20) + " MiB x4, during those 64 connections of manifest GETs", pushed);
    }

    /** The goals, side by side: authentication's cost, the ratio to Distribution, peak memory. */
    private void goals(List<RegistryProcess> registries) {
        String get = "manifest GET by tag, " + connections + " connections";
        java.util.Optional<Report.Aggregate> withToken = report.aggregate(get, STOWAGE);
        java.util.Optional<Report.Aggregate> open = report.aggregate(get, STOWAGE_OPEN);
        java.util.Optional<Report.Aggregate> distribution = report.aggregate(get, "distribution");
        if (withToken.isPresent() && open.isPresent()) {
            double ratio = withToken.get().rate() / open.get().rate();
            report.goal(new Report.GoalRow(get + ": with a Bearer token / authentication off",
                    String.format(Locale.ROOT, "%.0f / %.0f req/s = %.2f", withToken.get().rate(), open.get().rate(), ratio),
                    ratio, 0.85, ">= 0.85 (within 15%)", true));
        }
        if (withToken.isPresent() && distribution.isPresent()) {
            double ratio = withToken.get().rate() / distribution.get().rate();
            report.goal(new Report.GoalRow(get + ": Stowage with a Bearer token / Distribution",
                    String.format(Locale.ROOT, "%.0f / %.0f req/s = %.1fx", withToken.get().rate(), distribution.get().rate(), ratio),
                    ratio, 20, ">= 20x", true));
        }
        for (RegistryProcess r : registries) {
            if (!r.name.equals(STOWAGE)) continue;
            r.peakRssMiB().ifPresent(mib -> report.goal(new Report.GoalRow("peak resident memory of " + r.name
                    + " over the whole run", String.format(Locale.ROOT, "%.0f MiB", mib), mib, 256, "<= 256 MiB")));
        }
    }

    private Path jar() throws Exception {
        if (stowageJar != null) return stowageJar;
        Path self = Path.of(BenchCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        if (!self.toString().endsWith(".jar")) throw new IllegalStateException("give --stowage-jar (not running from a jar)");
        return self;
    }

    /** Runs {@code round} against each registry, alternating which goes first, and records the results. */
    private void compare(String workload, List<RegistryProcess> registries, Run run) throws Exception {
        long started = System.nanoTime();
        Map<String, List<Report.Sample>> samples = new LinkedHashMap<>();
        for (int round = 0; round < rounds; round++) {
            List<RegistryProcess> order = new ArrayList<>(registries);
            if (round % 2 == 1) java.util.Collections.reverse(order);
            for (RegistryProcess r : order) {
                double cpuBefore = r.cpuSeconds().orElse(Double.NaN);
                Report.Sample s = run.on(r);
                double cpu = r.cpuSeconds().orElse(Double.NaN) - cpuBefore;
                samples.computeIfAbsent(r.name, k -> new ArrayList<>()).add(s.withCpu(cpu));
            }
        }
        report.add(workload, samples);
        System.err.printf(Locale.ROOT, "done: %s (%.0f s)%n", workload, (System.nanoTime() - started) / 1e9);
    }

    @FunctionalInterface
    private interface Run {
        Report.Sample on(RegistryProcess registry) throws Exception;
    }

    private interface ClientTask {
        long run(HttpConnection c, int client, LatencyRecorder latencies, byte[] scratch) throws Exception;
    }

    /** {@code clients} threads each running {@code task}; answers total units and elapsed time. */
    private Report.Sample parallel(RegistryProcess r, int threads, String unit, double unitScale, ClientTask task)
            throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<LatencyRecorder> recorders = new ArrayList<>();
        List<Future<Long>> results = new ArrayList<>();
        long start = System.nanoTime();
        try {
            for (int i = 0; i < threads; i++) {
                LatencyRecorder rec = new LatencyRecorder();
                recorders.add(rec);
                int client = i;
                results.add(pool.submit(() -> {
                    try (HttpConnection c = r.connect()) {
                        return task.run(c, client, rec, new byte[BlobContent.CHUNK]);
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

    private void push(List<RegistryProcess> registries) throws Exception {
        for (RegistryProcess r : registries) r.signIn("/v2/bench/push/blobs/uploads/");
        for (int sizeMiB : sizesMiB) {
            long size = (long) sizeMiB << 20;
            int perClient = quick ? 2 : Math.max(2, Math.min(32, 256 / sizeMiB));
            for (String mode : List.of("monolithic", "chunked")) {
                compare("push " + mode + " " + sizeMiB + " MiB x" + clients, registries, r -> {
                    List<List<BlobContent.Blob>> blobs = new ArrayList<>();
                    for (int c = 0; c < clients; c++) {
                        List<BlobContent.Blob> mine = new ArrayList<>();
                        for (int i = 0; i < perClient; i++) mine.add(content.blob(seeds.incrementAndGet(), size));
                        blobs.add(mine);
                    }
                    return parallel(r, clients, "MB/s", 1e6, (c, client, latencies, scratch) -> {
                        long bytes = 0;
                        for (BlobContent.Blob blob : blobs.get(client)) {
                            long t = System.nanoTime();
                            if (mode.equals("monolithic")) {
                                Workloads.pushMonolithic(c, "bench/push", content, blob, scratch);
                            } else {
                                Workloads.pushChunked(c, "bench/push", content, blob, (long) chunkMiB << 20, scratch);
                            }
                            latencies.record(System.nanoTime() - t);
                            bytes += blob.size();
                        }
                        return bytes;
                    });
                });
            }
        }
    }

    private void pull(List<RegistryProcess> registries) throws Exception {
        long size = (long) pullSizeMiB << 20;
        int pulls = quick ? 2 : 4;
        for (RegistryProcess r : registries) {
            BlobContent.Blob layer = content.blob(seeds.incrementAndGet(), size);
            try (HttpConnection c = r.connect()) {
                Workloads.pushMonolithic(c, "bench/pull", content, layer, new byte[BlobContent.CHUNK]);
                Workloads.pushManifest(c, "bench/pull", "latest", List.of(layer), "pull");
            }
        }
        compare("pull (manifest + config + " + pullSizeMiB + " MiB layer" + (verifyPulls ? ", verified" : "") + ") x"
                + clients, registries, r ->
                parallel(r, clients, "MB/s", 1e6, (c, client, latencies, scratch) -> {
                    long bytes = 0;
                    for (int i = 0; i < pulls; i++) {
                        long t = System.nanoTime();
                        bytes += Workloads.pull(c, "bench/pull", "latest", verifyPulls);
                        latencies.record(System.nanoTime() - t);
                    }
                    return bytes;
                }));
    }

    private void manifests(List<RegistryProcess> registries) throws Exception {
        for (RegistryProcess r : registries) {
            BlobContent.Blob layer = content.blob(seeds.incrementAndGet(), 1024);
            try (HttpConnection c = r.connect()) {
                Workloads.pushMonolithic(c, "bench/small", content, layer, new byte[BlobContent.CHUNK]);
                Workloads.pushManifest(c, "bench/small", "latest", List.of(layer), "small");
            }
        }
        for (String method : List.of("GET", "HEAD")) {
            compare("manifest " + method + " by tag, " + connections + " connections", registries, r ->
                    parallel(r, connections, "req/s", 1, (c, client, latencies, scratch) -> {
                        long deadline = System.nanoTime() + durationSeconds * 1_000_000_000L;
                        long count = 0;
                        Map<String, String> accept = Map.of("Accept", Workloads.OCI_MANIFEST);
                        while (System.nanoTime() < deadline) {
                            long t = System.nanoTime();
                            Workloads.expect(c.send(method, "/v2/bench/small/manifests/latest", accept, null, false, null),
                                    200, "manifest " + method);
                            latencies.record(System.nanoTime() - t);
                            count++;
                        }
                        return count;
                    }));
        }
    }

    /**
     * Pull latency while the registry is under attack: idle, with {@code siegeConnections} idle connections held
     * open by other addresses, and under a {@code siegeFlood}-client flood of failed sign-ins. Stowage meets the attacks
     * as README starts it, with authentication on (the bench's Stowage; pulls anonymous from a public project, the
     * flood at its token endpoint); other registries as they run (an open Distribution answers the flood's /v2/
     * requests without checking them). The open Stowage is not besieged: it is not how Stowage runs.
     */
    private void siege(List<RegistryProcess> registries) throws Exception {
        List<RegistryProcess> besieged = new ArrayList<>();
        for (RegistryProcess r : registries) {
            if (r.name.equals(STOWAGE_OPEN)) continue;
            boolean startedWithAuthentication = r.name.equals(STOWAGE) && r.auth != null && r.cpuSeconds().isPresent();
            if (startedWithAuthentication) Siege.createPublicProject(r.base);
            try (HttpConnection c = r.connect()) {
                BlobContent.Blob layer = content.blob(seeds.incrementAndGet(), 1024);
                Workloads.pushMonolithic(c, Siege.REPOSITORY, content, layer, new byte[BlobContent.CHUNK]);
                Workloads.pushManifest(c, Siege.REPOSITORY, "latest", List.of(layer), "siege");
            }
            besieged.add(startedWithAuthentication ? r.anonymous() : r);
        }
        int seconds = Math.max(2, durationSeconds / 2);
        compare("manifest GET by tag, 1 client, idle", besieged, r -> timedPulls(r, seconds));
        compare("manifest GET by tag, 1 client, " + siegeConnections + " idle connections held", besieged, r -> {
            try (Siege.IdleConnections idle = new Siege.IdleConnections(r.base, siegeConnections, 250)) {
                Report.Sample sample = timedPulls(r, seconds);
                System.err.printf(Locale.ROOT, "%s: %d idle connections opened (%d refused at connect), %d still open after the run%n",
                        r.name, siegeConnections - idle.refused(), idle.refused(), idle.open());
                return sample;
            }
        });
        compare("manifest GET by tag, 1 client, " + siegeFlood + "-client login flood", besieged, r -> {
            String path = r.name.equals(STOWAGE) ? "/token?service=stowage&scope=repository:" + Siege.REPOSITORY + ":pull" : "/v2/";
            try (Siege.LoginFlood flood = new Siege.LoginFlood(r.base, siegeFlood, path)) {
                Thread.sleep(1000);
                Report.Sample sample = timedPulls(r, seconds);
                System.err.printf(Locale.ROOT, "%s: %d failed sign-ins during the run, answers %s%n", r.name, flood.attempts(),
                        flood.statuses());
                return sample;
            }
        });
    }

    private Report.Sample timedPulls(RegistryProcess r, int seconds) throws Exception {
        return parallel(r, 1, "req/s", 1, (c, client, latencies, scratch) -> {
            long deadline = System.nanoTime() + seconds * 1_000_000_000L;
            long count = 0;
            Map<String, String> accept = Map.of("Accept", Workloads.OCI_MANIFEST);
            while (System.nanoTime() < deadline) {
                long t = System.nanoTime();
                Workloads.expect(c.send("GET", "/v2/" + Siege.REPOSITORY + "/manifests/latest", accept, null, false, null),
                        200, "manifest GET");
                latencies.record(System.nanoTime() - t);
                count++;
            }
            return count;
        });
    }

    private void listing(List<RegistryProcess> registries) throws Exception {
        for (RegistryProcess r : registries) {
            long t = System.nanoTime();
            parallel(r, 4, "repos", 1, (c, client, latencies, scratch) -> {
                BlobContent.Blob layer = content.blob(client + 1, 512);
                for (int i = client; i < repositories; i += 4) {
                    String repo = String.format(Locale.ROOT, "bench/list/r%05d", i);
                    Workloads.pushMonolithic(c, repo, content, layer, scratch);
                    Workloads.pushManifest(c, repo, "v1", List.of(layer), repo);
                }
                return 0L;
            });
            try (HttpConnection c = r.connect()) {
                byte[] manifest = Workloads.pushManifest(c, "bench/tags", "base",
                        List.of(pushLayer(c, "bench/tags")), "tags");
                for (int i = 0; i < tags; i++) {
                    Workloads.expect(c.send("PUT", String.format(Locale.ROOT, "/v2/bench/tags/manifests/t%05d", i),
                            Map.of("Content-Type", Workloads.OCI_MANIFEST), Workloads.bytes(manifest), true, null), 201, "tag");
                }
            }
            System.err.printf(Locale.ROOT, "listing setup on %s: %.1f s%n", r.name, (System.nanoTime() - t) / 1e9);
        }
        int walks = quick ? 2 : 10;
        for (RegistryProcess r : registries) r.signIn("/v2/_catalog");
        compare("catalog, " + repositories + " repositories, pages of 100", registries, r ->
                parallel(r, 1, "full listings/s", 1, (c, client, latencies, scratch) -> {
                    for (int i = 0; i < walks; i++) {
                        long t = System.nanoTime();
                        Workloads.walkPages(c, "/v2/_catalog?n=100", new AtomicLong());
                        latencies.record(System.nanoTime() - t);
                    }
                    return walks;
                }));
        // One request without n: Distribution 2.8 ignores n on tags/list and answers every tag (unsorted) at once.
        compare("tags list, " + tags + " tags, one request", registries, r ->
                parallel(r, 1, "full listings/s", 1, (c, client, latencies, scratch) -> {
                    for (int i = 0; i < walks; i++) {
                        long t = System.nanoTime();
                        Workloads.walkPages(c, "/v2/bench/tags/tags/list", new AtomicLong());
                        latencies.record(System.nanoTime() - t);
                    }
                    return walks;
                }));
    }

    /** Every request kind the workloads use, repeated for a while, results discarded. */
    private void warmUp(RegistryProcess r) throws Exception {
        long deadline = System.nanoTime() + warmupSeconds * 1_000_000_000L;
        parallel(r, 2, "warmup", 1, (c, client, latencies, scratch) -> {
            String repo = "bench/warmup" + client;
            while (System.nanoTime() < deadline) {
                BlobContent.Blob layer = content.blob(seeds.incrementAndGet(), 1 << 20);
                Workloads.pushMonolithic(c, repo, content, layer, scratch);
                BlobContent.Blob chunked = content.blob(seeds.incrementAndGet(), 1 << 20);
                Workloads.pushChunked(c, repo, content, chunked, 256 << 10, scratch);
                Workloads.pushManifest(c, repo, "latest", List.of(layer, chunked), "warmup");
                Workloads.pull(c, repo, "latest", true);
                for (int i = 0; i < 200; i++) {
                    c.send(i % 2 == 0 ? "GET" : "HEAD", "/v2/" + repo + "/manifests/latest",
                            Map.of("Accept", Workloads.OCI_MANIFEST), null, false, null);
                }
                Workloads.walkPages(c, "/v2/_catalog?n=2", new AtomicLong());
                Workloads.walkPages(c, "/v2/" + repo + "/tags/list?n=1", new AtomicLong());
            }
            return 0L;
        });
        System.err.println("warmed up: " + r.name);
    }

    private BlobContent.Blob pushLayer(HttpConnection c, String repo) throws Exception {
        BlobContent.Blob layer = content.blob(seeds.incrementAndGet(), 2048);
        Workloads.pushMonolithic(c, repo, content, layer, new byte[BlobContent.CHUNK]);
        return layer;
    }
}
