package dev.stowage.bench;

import dev.stowage.core.Digest;
import dev.stowage.core.RepositoryName;
import dev.stowage.core.event.EventPublisher;
import dev.stowage.metadata.JdbcMetadataStore;
import dev.stowage.metadata.MetadataConfig;
import dev.stowage.scanner.BenchScans;
import dev.stowage.scanner.JdbcScanStore;
import dev.stowage.scanner.SbomAttacher;
import dev.stowage.scanner.ScanPullPolicy;
import dev.stowage.scanner.ScanService;
import dev.stowage.scanner.VulnerabilityDatabase;
import dev.stowage.scanning.advisory.ConversionReport;
import dev.stowage.scanning.advisory.DebianSecurityTrackerConverter;
import dev.stowage.scanning.inventory.FoundPackage;
import dev.stowage.scanning.inventory.ImageInventory;
import dev.stowage.scanning.inventory.Inventory;
import dev.stowage.scanning.inventory.PackageDetector;
import dev.stowage.scanning.inventory.PackageType;
import dev.stowage.scanning.inventory.lang.LanguageDetectors;
import dev.stowage.scanning.version.VersionSchemes;
import dev.stowage.scanning.vuln.OsvArchive;
import dev.stowage.scanning.vuln.OsvRecord;

import io.airlift.compress.zstd.ZstdInputStream;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.io.PrintStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

/**
 * The scanner measured in-process on real data: the inventory of an image of this machine's real files, matching a
 * thousand packages against the whole of the vulnerability data, and re-matching thousands of stored inventories after
 * the data changed, each against the issue's goal.
 */
final class ScanningBench {
    /**
     * @param vulndata    the directory of real OSV exports and advisory lists (see its README.md)
     * @param imageMiB    the image's size: MiB of file content over its five layers
     * @param packages    packages in the inventory that is matched repeatedly
     * @param inventories stored inventories re-matched after a database update
     * @param inventoryRuns timed inventories of the image per compression (the first, cold, is reported on its own)
     * @param matchRuns   timed matches after {@code matchRuns} untimed ones
     */
    record Settings(Path vulndata, int imageMiB, int packages, int inventories, int inventoryRuns, int matchRuns,
                    Path workDir) {}

    static final double INVENTORY_GOAL_SECONDS = 2.0;
    static final double MATCH_GOAL_MS = 100.0;
    static final double REMATCH_GOAL_SECONDS = 60.0;
    private static final List<String> OSV_EXPORTS = List.of("Go", "crates.io", "Maven", "npm", "PyPI");
    private static final List<String> DEBIAN_LISTS = List.of("DSA-list", "DLA-list");
    private static final Map<String, PackageType> LANGUAGE_TYPES = Map.of("Go", PackageType.GO,
            "crates.io", PackageType.CARGO, "Maven", PackageType.MAVEN, "npm", PackageType.NPM, "PyPI", PackageType.PYPI);

    /** CPU time of the measuring thread: on a loaded machine, wall time measures the neighbours too. */
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private final Settings settings;
    private final Report report;
    private final PrintStream log;

    ScanningBench(Settings settings, Report report, PrintStream log) {
        this.settings = settings;
        this.report = report;
        this.log = log;
    }

    /** The vulnerability data directory, checked: one clear line when it is not there. */
    static void checkVulndata(Path vulndata) {
        for (String zip : OSV_EXPORTS) {
            if (!Files.isRegularFile(vulndata.resolve("osv").resolve(zip + ".zip"))) {
                throw new IllegalArgumentException("no vulnerability data at " + vulndata.toAbsolutePath().normalize()
                        + " (osv/" + zip + ".zip missing): give --vulndata <dir> (or -Dstowage.vulndata=<dir>)");
            }
        }
    }

    void run() throws Exception {
        checkVulndata(settings.vulndata());
        Path dir = Files.createDirectories(settings.workDir().resolve("scanning"));
        long t = System.nanoTime();
        RealFilesImage.Built image = RealFilesImage.build(dir.resolve("image"), (long) settings.imageMiB() << 20);
        log.printf(Locale.ROOT, "scanning: image of %d files, %.1f MiB (gzip %.1f MiB, zstd %.1f MiB) built in %.1f s%n",
                image.files(), image.fileBytes() / 1048576.0, image.gzipBytes() / 1048576.0,
                image.zstdBytes() / 1048576.0, seconds(t));

        List<PackageDetector> detectors = Stream.concat(ImageInventory.osPackageDetectors().stream(),
                LanguageDetectors.all().stream()).toList();
        ImageInventory reader = new ImageInventory(detectors);
        Inventory inventory = inventory(reader, image, "gzip", RealFilesImage.Layer::gzip, image.gzipBytes());
        inventory(reader, image, "zstd", RealFilesImage.Layer::zstd, image.zstdBytes());

        JdbcMetadataStore metadata = JdbcMetadataStore.open(MetadataConfig.sqlite(dir.resolve("stowage.db")));
        try {
            JdbcScanStore store = JdbcScanStore.migrated(metadata);
            VulnerabilityDatabase database = new VulnerabilityDatabase(store, VersionSchemes::of, Duration.ofDays(7),
                    Clock.systemUTC());
            ScanPullPolicy pullPolicy = new ScanPullPolicy(store, Clock.systemUTC());
            // a re-match reads no layer, so the service gets no blob store (and no SBOM writer: it writes none)
            ScanService scans = new ScanService(store, metadata, null, reader, database, SbomAttacher.NONE,
                    EventPublisher.NOOP, pullPolicy, Clock.systemUTC());

            t = System.nanoTime();
            int imported = importAllButGhsa(database);
            double importSeconds = seconds(t);
            t = System.nanoTime();
            database.refresh();
            double indexSeconds = seconds(t);
            report.goal(new Report.GoalRow("vulnerability data: import of " + settings.vulndata().getFileName()
                    + " (OSV exports, Debian DSA/DLA lists converted), then index build",
                    String.format(Locale.ROOT, "%d records imported in %.1f s, index built in %.2f s", imported,
                            importSeconds, indexSeconds), Double.NaN, Double.NaN, ""));

            storeInventories(store, database, inventory);

            // the update: the GitHub advisories (25 records, 4 of them in no export) raise the generation
            t = System.nanoTime();
            VulnerabilityDatabase.ImportResult update = database.importOsv("ghsa", "ghsa/",
                    settings.vulndata().resolve("ghsa"));
            database.refresh();
            log.printf(Locale.ROOT, "scanning: update of %d records (%d new) to generation %d in %.2f s%n",
                    update.records(), update.added(), database.generation(), seconds(t));

            match(database, inventory);
            rematch(scans, store, database);
        } finally {
            metadata.close();
        }
    }

    private interface LayerFile {
        Path of(RealFilesImage.Layer layer);
    }

    /** Inventories the image {@code inventoryRuns} times; reports the first (cold) run and the median of the others. */
    private Inventory inventory(ImageInventory reader, RealFilesImage.Built image, String compression, LayerFile file,
                                long compressedBytes) throws IOException {
        List<ImageInventory.Layer> layers = new ArrayList<>();
        for (RealFilesImage.Layer l : image.layers()) {
            Path blob = file.of(l);
            layers.add(new ImageInventory.Layer("sha256:" + l.name(), "application/vnd.oci.image.layer.v1.tar+"
                    + compression, () -> Files.newInputStream(blob)));
        }
        int runs = Math.max(2, settings.inventoryRuns());
        long[] nanos = new long[runs];
        long[] cpu = new long[runs];
        long[] processCpu = new long[runs];
        long[] decompressOnly = new long[runs - 1];
        Inventory inventory = null;
        for (int i = 0; i < runs; i++) {
            long p = processCpuNanos();
            long c = THREADS.getCurrentThreadCpuTime();
            long t = System.nanoTime();
            inventory = reader.inventory(layers);
            nanos[i] = System.nanoTime() - t;
            cpu[i] = THREADS.getCurrentThreadCpuTime() - c;
            processCpu[i] = processCpuNanos() - p;
            if (i > 0) decompressOnly[i - 1] = decompress(image, file, compression);
        }
        long cold = nanos[0];
        long[] warm = Arrays.copyOfRange(nanos, 1, runs);
        long[] warmCpu = Arrays.copyOfRange(cpu, 1, runs);
        long[] warmProcessCpu = Arrays.copyOfRange(processCpu, 1, runs);
        Arrays.sort(warm);
        Arrays.sort(warmCpu);
        Arrays.sort(warmProcessCpu);
        Arrays.sort(decompressOnly);
        double median = warm[warm.length / 2] / 1e9;
        Map<PackageType, Integer> byType = new LinkedHashMap<>();
        for (FoundPackage p : inventory.packages()) byType.merge(p.type(), 1, Integer::sum);
        String measured = String.format(Locale.ROOT, "%.2f s median of %d (first run %.2f s), CPU %.2f s in the "
                        + "inventorying thread (%.2f s in the whole JVM); decompressing the layers alone %.2f s; %.0f MB/s "
                        + "of layer content; %d packages %s, %d skipped parts, %s", median, warm.length, cold / 1e9,
                warmCpu[warmCpu.length / 2] / 1e9, warmProcessCpu[warmProcessCpu.length / 2] / 1e9,
                decompressOnly[decompressOnly.length / 2] / 1e9,
                image.layers().stream().mapToLong(RealFilesImage.Layer::tarBytes).sum() / 1e6 / median,
                inventory.packages().size(), byType.toString().toLowerCase(Locale.ROOT), inventory.skipped().size(),
                inventory.operatingSystem().map(os -> os.id() + " " + os.versionId()).orElse("no OS"));
        report.goal(new Report.GoalRow(String.format(Locale.ROOT, "inventory of a %d MiB, %d-layer image of real files "
                        + "(%s layers, %.1f MiB compressed, on disk)", settings.imageMiB(), image.layers().size(),
                compression, compressedBytes / 1048576.0), measured, median, INVENTORY_GOAL_SECONDS, "< 2 s"));
        log.println("scanning: inventory " + compression + ": " + measured);
        return inventory;
    }

    /** Reads every layer decompressed and throws the bytes away: the floor under an inventory's time. */
    private static long decompress(RealFilesImage.Built image, LayerFile file, String compression) throws IOException {
        long t = System.nanoTime();
        byte[] buffer = new byte[64 * 1024];
        for (RealFilesImage.Layer l : image.layers()) {
            try (InputStream raw = new BufferedInputStream(Files.newInputStream(file.of(l)), 64 * 1024);
                 InputStream in = compression.equals("gzip") ? new GZIPInputStream(raw, 64 * 1024)
                         : new ZstdInputStream(raw)) {
                while (in.read(buffer) >= 0) {
                    // discarded
                }
            }
        }
        return System.nanoTime() - t;
    }

    private int importAllButGhsa(VulnerabilityDatabase database) throws IOException {
        int records = 0;
        for (String ecosystem : OSV_EXPORTS) {
            Path zip = settings.vulndata().resolve("osv").resolve(ecosystem + ".zip");
            records += database.importOsv(ecosystem, zip.getFileName().toString(), zip).records();
        }
        for (String list : DEBIAN_LISTS) {
            Path file = settings.vulndata().resolve("debian").resolve(list);
            if (!Files.isRegularFile(file)) continue;
            records += database.importConverted("Debian " + list, list, sink -> {
                try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                    ConversionReport converted = new DebianSecurityTrackerConverter(list).convert(in, sink);
                    return converted.skippedReasons();
                }
            }).records();
        }
        return records;
    }

    /**
     * Stores {@code inventories} variations of the image's inventory (each keeps a random 25-100% of its packages) with
     * completed reports at the current generation, as scans of that many images would have left them.
     */
    private void storeInventories(JdbcScanStore store, VulnerabilityDatabase database, Inventory image) {
        long t = System.nanoTime();
        long packages = 0;
        Instant now = Instant.now();
        for (int i = 0; i < settings.inventories(); i++) {
            Random random = new Random(i);
            double keep = 0.25 + 0.75 * random.nextDouble();
            List<FoundPackage> kept = new ArrayList<>();
            for (FoundPackage p : image.packages()) if (random.nextDouble() < keep) kept.add(p);
            Inventory variation = new Inventory(image.operatingSystem(), kept, List.of());
            BenchScans.storeScanned(store, database, repository(i), manifest(i), variation, now);
            packages += kept.size();
        }
        double secs = seconds(t);
        report.goal(new Report.GoalRow(String.format(Locale.ROOT, "setup: %,d scanned images stored (inventory and "
                        + "completed report each)", settings.inventories()),
                String.format(Locale.ROOT, "%.1f s; %.0f packages per inventory on average (%,d in all)", secs,
                        (double) packages / Math.max(1, settings.inventories()), packages), Double.NaN, Double.NaN, ""));
        log.printf(Locale.ROOT, "scanning: %d inventories stored in %.1f s%n", settings.inventories(), secs);
    }

    private static RepositoryName repository(int i) {
        return RepositoryName.of("bench/app" + (i % 50));
    }

    private static Digest manifest(int i) {
        return Digest.sha256Of(("stowage bench scanned image " + i).getBytes(StandardCharsets.UTF_8));
    }

    /**
     * {@code packages} packages: the image's own (real: dpkg, Go modules, jars, Python, npm), and where it has fewer, packages
     * the data names at a version of one of their records' events, so every lookup of those evaluates ranges.
     */
    private Inventory thousandPackages(Inventory image) throws IOException {
        List<FoundPackage> packages = new ArrayList<>(image.packages().subList(0,
                Math.min(settings.packages(), image.packages().size())));
        if (packages.size() < settings.packages()) {
            Map<String, FoundPackage> named = new LinkedHashMap<>();
            for (String ecosystem : OSV_EXPORTS) {
                OsvArchive.read(settings.vulndata().resolve("osv").resolve(ecosystem + ".zip"), OsvArchive.Limits.DEFAULT,
                        new OsvArchive.Visitor() {
                            @Override
                            public void record(OsvArchive.Entry entry) {
                                if (!(entry.parse() instanceof OsvRecord.Parsed.Valid valid)) return;
                                for (OsvRecord.Affected a : valid.record().affected()) {
                                    if (a.pkg().isEmpty() || a.ranges().isEmpty() || a.ranges().get(0).events().isEmpty()) continue;
                                    PackageType type = LANGUAGE_TYPES.get(a.pkg().get().ecosystem());
                                    if (type == null) continue;
                                    List<OsvRecord.Event> events = a.ranges().get(0).events();
                                    String version = events.get(events.size() > 1 && named.size() % 2 == 0 ? 1 : 0).version();
                                    if (version.equals("0")) version = "0.0.1";
                                    String name = a.pkg().get().name();
                                    named.putIfAbsent(type + name, new FoundPackage(type, name, version, null, null,
                                            "pkg:" + type.purlType() + "/" + name + "@" + version, "sha256:bench", "/app"));
                                }
                            }

                            @Override
                            public void refused(String name, String reason) {
                            }
                        });
            }
            for (FoundPackage p : named.values()) {
                if (packages.size() >= settings.packages()) break;
                packages.add(p);
            }
        }
        return new Inventory(image.operatingSystem(), packages, List.of());
    }

    private void match(VulnerabilityDatabase database, Inventory image) throws IOException {
        Inventory inventory = thousandPackages(image);
        int own = Math.min(image.packages().size(), inventory.packages().size());
        int runs = Math.max(1, settings.matchRuns());
        int findings = 0;
        for (int i = 0; i < runs; i++) findings = database.match(inventory).size(); // warm-up, untimed
        long[] nanos = new long[runs];
        long[] cpu = new long[runs];
        for (int i = 0; i < runs; i++) {
            long c = THREADS.getCurrentThreadCpuTime();
            long t = System.nanoTime();
            database.match(inventory);
            nanos[i] = System.nanoTime() - t;
            cpu[i] = THREADS.getCurrentThreadCpuTime() - c;
        }
        Arrays.sort(nanos);
        Arrays.sort(cpu);
        double median = nanos[runs / 2] / 1e6;
        double p99 = LatencyRecorder.percentile(nanos, 99) / 1e6;
        String measured = String.format(Locale.ROOT, "median %.2f ms, p99 %.2f ms (p99/goal %.2f), CPU median %.2f ms, "
                        + "p99 %.2f ms, over %d matches after %d untimed; %d findings; %d of the packages are the image's "
                        + "own, %d named by the data", median, p99, p99 / MATCH_GOAL_MS, cpu[runs / 2] / 1e6,
                LatencyRecorder.percentile(cpu, 99) / 1e6, runs, runs, findings, own, inventory.packages().size() - own);
        report.goal(new Report.GoalRow(String.format(Locale.ROOT, "match %,d packages against all of %s (%s)",
                inventory.packages().size(), settings.vulndata().getFileName(),
                String.format(Locale.ROOT, "%,d records", database.status().records())),
                measured, median, MATCH_GOAL_MS, "< 100 ms"));
        log.println("scanning: match: " + measured);
    }

    private void rematch(ScanService scans, JdbcScanStore store, VulnerabilityDatabase database) {
        long p = processCpuNanos();
        long c = THREADS.getCurrentThreadCpuTime();
        long t = System.nanoTime();
        int done = scans.rematch();
        double secs = seconds(t);
        double cpuSecs = (THREADS.getCurrentThreadCpuTime() - c) / 1e9;
        double processCpuSecs = (processCpuNanos() - p) / 1e9;
        if (done != settings.inventories()) {
            throw new IllegalStateException("re-match brought " + done + " reports up to date, expected "
                    + settings.inventories());
        }
        // where the time goes: the same steps over a sample, timed one by one (reports are rewritten as they were)
        BenchScans.RematchSteps steps = new BenchScans.RematchSteps(0, 0, 0, 0, 0);
        int n = Math.min(settings.inventories(), 200);
        Instant now = Instant.now();
        for (int i = 0; i < n; i++) {
            steps = steps.plus(BenchScans.timedRematch(store, database, repository(i), manifest(i), now));
        }
        String breakdown = n == 0 ? "" : String.format(Locale.ROOT, "; per inventory (sample of %d): read %.2f ms, "
                        + "parse %.2f ms, match %.2f ms, report JSON+gzip %.2f ms, store %.2f ms", n,
                steps.readInventory() / 1e6 / n, steps.parseInventory() / 1e6 / n, steps.match() / 1e6 / n,
                steps.writeReportJson() / 1e6 / n, steps.storeReport() / 1e6 / n);
        String measured = String.format(Locale.ROOT, "%.1f s, CPU %.1f s in the re-matching thread (%.1f s in the whole "
                + "JVM, SQLite included); %.2f ms per inventory%s", secs, cpuSecs, processCpuSecs,
                secs * 1000 / Math.max(1, done), breakdown);
        report.goal(new Report.GoalRow(String.format(Locale.ROOT, "re-match %,d stored inventories after a database "
                + "update (ScanService.rematch, SQLite)", settings.inventories()), measured, secs, REMATCH_GOAL_SECONDS,
                "< 60 s"));
        log.println("scanning: rematch: " + measured);
    }

    private static long processCpuNanos() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getProcessCpuTime() : 0;
    }

    private static double seconds(long start) {
        return (System.nanoTime() - start) / 1e9;
    }
}
