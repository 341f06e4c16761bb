package dev.stowage.scanner;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stowage.core.Descriptor;
import dev.stowage.core.Digest;
import dev.stowage.core.RepositoryName;
import dev.stowage.core.event.EventPublisher;
import dev.stowage.core.event.RegistryEvent;
import dev.stowage.core.manifest.ManifestParser;
import dev.stowage.core.manifest.ParsedManifest;
import dev.stowage.core.policy.RunnableImages;
import dev.stowage.core.spi.BlobContent;
import dev.stowage.core.spi.BlobStore;
import dev.stowage.core.spi.ManifestRecord;
import dev.stowage.core.spi.MetadataStore;
import dev.stowage.scanning.external.HarborReport;
import dev.stowage.scanning.external.HarborReportMapper;
import dev.stowage.scanning.external.ScannerAdapterRegistration;
import dev.stowage.scanning.inventory.ImageInventory;
import dev.stowage.scanning.inventory.Inventory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The scanner's use cases: queue a manifest (on push, on request), work the queue (inventory from the layers once,
 * match, report, attach SBOMs, publish the outcome), and match stored inventories again when the data changes. A project
 * whose scanner is an external adapter ({@link ScannerAdapters}) has its images scanned by the adapter instead: its
 * report is stored as Stowage's own under the adapter's name, and is made again only when a scan is queued (re-matching
 * applies to the built-in scanner's reports).
 */
public final class ScanService {
    private static final Logger LOG = LoggerFactory.getLogger(ScanService.class);
    /** Image configs the scanner reads (images, not Helm charts, signatures or other artifacts). */
    static final int MAX_ATTEMPTS = 3;
    static final int MAX_PACKAGES = 50_000;
    static final Duration LEASE = Duration.ofMinutes(10);

    private final ScanStore store;
    private final MetadataStore metadata;
    private final BlobStore blobs;
    private final ImageInventory reader;
    private final Matcher matcher;
    private final SbomAttacher sboms;
    private final EventPublisher events;
    private final ScanPullPolicy pullPolicy;
    private final Clock clock;
    /** Null: only the built-in scanner. */
    private final ScannerAdapters adapters;

    public ScanService(ScanStore store, MetadataStore metadata, BlobStore blobs, ImageInventory reader, Matcher matcher,
                       SbomAttacher sboms, EventPublisher events, ScanPullPolicy pullPolicy, Clock clock) {
        this(store, metadata, blobs, reader, matcher, sboms, events, pullPolicy, clock, null);
    }

    public ScanService(ScanStore store, MetadataStore metadata, BlobStore blobs, ImageInventory reader, Matcher matcher,
                       SbomAttacher sboms, EventPublisher events, ScanPullPolicy pullPolicy, Clock clock,
                       ScannerAdapters adapters) {
        this.store = store;
        this.metadata = metadata;
        this.blobs = blobs;
        this.reader = reader;
        this.matcher = matcher;
        this.sboms = sboms;
        this.events = events;
        this.pullPolicy = pullPolicy;
        this.clock = clock;
        this.adapters = adapters;
    }

    public ScanStore store() {
        return store;
    }

    /** A manifest was pushed: queued when its project scans on push and it is something the scanner reads. */
    public void pushed(RepositoryName repository, Digest manifest, String mediaType) {
        if (!pullPolicy.policyOf(repository.project()).scanOnPush()) return;
        if (!scannable(mediaType)) return;
        queue(repository, manifest, "push");
    }

    static boolean scannable(String mediaType) {
        return mediaType != null && dev.stowage.core.MediaTypes.MANIFESTS.contains(mediaType);
    }

    /** Queues a scan of the manifest (once: already queued stays queued); answers whether it was newly queued. */
    public boolean queue(RepositoryName repository, Digest manifest, String reason) {
        Instant now = clock.instant();
        boolean added = store.enqueue(repository, manifest, reason, now);
        if (added) {
            store.markStatus(repository, manifest, ScanStore.Status.QUEUED, now);
            pullPolicy.reportChanged(manifest);
        }
        return added;
    }

    /** Works one due job, if there is one; answers whether there was. */
    public boolean workOne() {
        Optional<ScanStore.Job> claimed = store.claim(clock.instant(), LEASE);
        if (claimed.isEmpty()) return false;
        ScanStore.Job job = claimed.get();
        String scanner = ScannerAdapters.BUILT_IN;
        try {
            Optional<ManifestRecord> record = metadata.findManifest(job.repository(), job.manifest());
            if (record.isEmpty()) {
                store.finish(job); // deleted since it was queued
                return true;
            }
            String project = job.repository().project();
            if (adapters != null) scanner = adapters.scannerOf(project).scanner();
            Optional<ScannerAdapterRegistration> adapter = scanner.equals(ScannerAdapters.BUILT_IN) ? Optional.empty()
                    : adapters.adapterFor(project);
            store.markStatus(job.repository(), job.manifest(), ScanStore.Status.RUNNING, clock.instant());
            Outcome outcome = scan(job.repository(), record.get(), adapter);
            store.finish(job);
            pullPolicy.reportChanged(job.manifest());
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("status", outcome.status().name());
            data.put("counts", countsMap(outcome.counts()));
            data.put("scanner", scanner);
            if (outcome.status() == ScanStore.Status.COMPLETED) {
                events.publish(RegistryEvent.scanned(RegistryEvent.Type.SCANNING_COMPLETED, job.repository(),
                        job.manifest(), data));
            }
        } catch (RuntimeException | IOException e) {
            String reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            // an adapter that answered with an error, broke the protocol or ran out of time would do so again
            boolean worthRetrying = !(e instanceof AdapterScanFailed failure) || failure.retryable();
            if (worthRetrying && job.attempts() < MAX_ATTEMPTS) {
                LOG.info("scan of {}@{} failed (attempt {}), will retry: {}", job.repository(), job.manifest(),
                        job.attempts(), reason);
                store.retry(job, clock.instant().plus(Duration.ofSeconds(30L * job.attempts())));
            } else {
                LOG.warn("scan of {}@{} failed: {}", job.repository(), job.manifest(), reason);
                failed(job.repository(), job.manifest(), scanner, reason);
                store.finish(job);
                pullPolicy.reportChanged(job.manifest());
                events.publish(RegistryEvent.scanned(RegistryEvent.Type.SCANNING_FAILED, job.repository(),
                        job.manifest(), Map.of("error", reason, "scanner", scanner)));
            }
        }
        return true;
    }

    private void failed(RepositoryName repository, Digest manifest, String scanner, String reason) {
        Optional<ScanStore.StoredReport> previous = store.report(manifest);
        store.putReport(new ScanStore.StoredReport(manifest, repository, ScanStore.Status.FAILED, scanner,
                previous.map(ScanStore.StoredReport::generation).orElse(-1L),
                previous.map(ScanStore.StoredReport::counts).orElse(ScanStore.SeverityCounts.NONE),
                previous.flatMap(ScanStore.StoredReport::report), reason, clock.instant()));
    }

    record Outcome(ScanStore.Status status, ScanStore.SeverityCounts counts, JsonNode report) {}

    /** Scans an image or an index (each platform's image, then the index's report over them). */
    Outcome scan(RepositoryName repository, ManifestRecord record) throws IOException {
        return scan(repository, record, Optional.empty());
    }

    /** As {@link #scan(RepositoryName, ManifestRecord)}, through {@code adapter} when given. */
    Outcome scan(RepositoryName repository, ManifestRecord record, Optional<ScannerAdapterRegistration> adapter)
            throws IOException {
        ParsedManifest parsed = ManifestParser.parse(record.payload(), record.mediaType(), record.digest());
        if (parsed.isIndex()) return scanIndex(repository, parsed, adapter);
        return scanImage(repository, parsed, adapter);
    }

    private Outcome scanImage(RepositoryName repository, ParsedManifest manifest,
                              Optional<ScannerAdapterRegistration> adapter) throws IOException {
        Instant now = clock.instant();
        if (!RunnableImages.runnable(manifest.digest(), manifest.mediaType(), manifest.payload())) {
            String what = manifest.effectiveArtifactType().orElse(manifest.mediaType());
            ObjectNode report = InventoryJson.MAPPER.createObjectNode().put("scanner", "stowage")
                    .put("unsupported", "not a container image (" + what + "); nothing to scan");
            store.putReport(new ScanStore.StoredReport(manifest.digest(), repository, ScanStore.Status.UNSUPPORTED, "stowage", -1,
                    ScanStore.SeverityCounts.NONE, Optional.of(InventoryJson.gzip(report)), "", now));
            return new Outcome(ScanStore.Status.UNSUPPORTED, ScanStore.SeverityCounts.NONE, report);
        }
        if (adapter.isPresent()) return scanImageThrough(adapter.get(), repository, manifest);
        Inventory inventory = inventoryOf(repository, manifest);
        try {
            sboms.attach(repository, manifest.digest(), manifest.mediaType(), manifest.payload().length, inventory);
        } catch (RuntimeException e) {
            // a full quota, say: the scan's report stands without its SBOM referrers
            LOG.warn("SBOMs of {}@{} not attached: {}", repository, manifest.digest(), e.getMessage());
        }
        long generation = matcher.generation();
        ObjectNode report = ReportJson.imageReport(inventory, matcher.match(inventory), generation);
        ScanStore.SeverityCounts counts = ReportJson.countsOf(report);
        store.putReport(new ScanStore.StoredReport(manifest.digest(), repository, ScanStore.Status.COMPLETED, "stowage",
                generation,
                counts, Optional.of(InventoryJson.gzip(report)), "", clock.instant()));
        return new Outcome(ScanStore.Status.COMPLETED, counts, report);
    }

    /**
     * The adapter's report of an image as Stowage's own. Packages found in the image's stored inventory (when the built-in
     * scanner read it before) get their layer and path from it; no layer is read for an adapter's scan.
     */
    private Outcome scanImageThrough(ScannerAdapterRegistration adapter, RepositoryName repository,
                                     ParsedManifest manifest) {
        HarborReport harbor = adapters.scan(adapter, repository, manifest.digest(), manifest.mediaType());
        Optional<byte[]> stored = store.inventory(manifest.digest());
        Inventory inventory = stored.map(bytes -> InventoryJson.fromJson(InventoryJson.gunzip(bytes)))
                .orElse(new Inventory(Optional.empty(), List.of(), List.of()));
        ObjectNode report = ReportJson.imageReport(inventory, HarborReportMapper.findings(harbor, inventory), -1);
        report.put("scanner", adapter.name());
        if (stored.isEmpty()) report.remove("packages"); // the adapter does not say how many it found
        report.putObject("adapter").put("name", harbor.scannerName()).put("vendor", harbor.scannerVendor())
                .put("version", harbor.scannerVersion());
        ScanStore.SeverityCounts counts = ReportJson.countsOf(report);
        store.putReport(new ScanStore.StoredReport(manifest.digest(), repository, ScanStore.Status.COMPLETED,
                adapter.name(), -1, counts, Optional.of(InventoryJson.gzip(report)), "", clock.instant()));
        return new Outcome(ScanStore.Status.COMPLETED, counts, report);
    }

    /** The stored inventory, else one read from the layers (and stored, and its SBOMs attached). */
    private Inventory inventoryOf(RepositoryName repository, ParsedManifest manifest) throws IOException {
        Optional<byte[]> stored = store.inventory(manifest.digest());
        if (stored.isPresent()) return InventoryJson.fromJson(InventoryJson.gunzip(stored.get()));
        List<ImageInventory.Layer> layers = new ArrayList<>();
        String config = manifest.config().map(Descriptor::digest).map(Digest::toString).orElse("");
        for (Descriptor d : manifest.blobs()) {
            if (d.digest().toString().equals(config)) continue;
            layers.add(new ImageInventory.Layer(d.digest().toString(), d.mediaType(), () -> open(d.digest())));
        }
        Inventory inventory = bounded(reader.inventory(layers));
        store.putInventory(manifest.digest(), InventoryJson.gzip(InventoryJson.toJson(inventory)), clock.instant());
        return inventory;
    }

    /**
     * At most {@link #MAX_PACKAGES} packages: an image that declares more (a hostile lock file of a million entries) is
     * scanned as far as that and reported as not fully read, which no pull policy counts as clean.
     */
    static Inventory bounded(Inventory inventory) {
        if (inventory.packages().size() <= MAX_PACKAGES) return inventory;
        List<dev.stowage.scanning.inventory.SkippedPart> skipped = new ArrayList<>(inventory.skipped());
        skipped.add(new dev.stowage.scanning.inventory.SkippedPart("", ImageInventory.WHOLE_LAYER, "the image declares "
                + inventory.packages().size() + " packages; only the first " + MAX_PACKAGES + " were scanned"));
        return new Inventory(inventory.operatingSystem(), inventory.packages().subList(0, MAX_PACKAGES), skipped);
    }

    private InputStream open(Digest digest) throws IOException {
        BlobContent content = blobs.open(digest).orElseThrow(() -> new IOException("layer " + digest + " is not stored"));
        return content.openStream(0, content.size());
    }

    private Outcome scanIndex(RepositoryName repository, ParsedManifest index,
                              Optional<ScannerAdapterRegistration> adapter) throws IOException {
        List<ReportJson.PlatformReport> platforms = new ArrayList<>();
        for (Descriptor child : index.children()) {
            String platform = platformOf(index.payload(), child.digest());
            Optional<ManifestRecord> record = metadata.findManifest(repository, child.digest());
            if (record.isEmpty()) {
                platforms.add(new ReportJson.PlatformReport(platform, child.digest().toString(), "FAILED", null,
                        "manifest not stored in this repository"));
                continue;
            }
            ParsedManifest parsed = ManifestParser.parse(record.get().payload(), record.get().mediaType(), child.digest());
            if (parsed.isIndex()) continue; // nested indexes: not an image of a platform
            Outcome outcome = scanImage(repository, parsed, adapter);
            pullPolicy.reportChanged(child.digest());
            if (outcome.status() == ScanStore.Status.UNSUPPORTED) continue; // attestations listed in an index
            platforms.add(new ReportJson.PlatformReport(platform, child.digest().toString(), outcome.status().name(),
                    outcome.report(), ""));
        }
        // an adapter's reports are never re-matched: no data generation
        long generation = adapter.isPresent() ? -1 : matcher.generation();
        String scanner = adapter.map(ScannerAdapterRegistration::name).orElse(ScannerAdapters.BUILT_IN);
        ObjectNode report = ReportJson.indexReport(platforms, generation);
        report.put("scanner", scanner);
        ScanStore.SeverityCounts counts = ReportJson.countsOf(report);
        store.putReport(new ScanStore.StoredReport(index.digest(), repository, ScanStore.Status.COMPLETED, scanner,
                generation,
                counts, Optional.of(InventoryJson.gzip(report)), "", clock.instant()));
        return new Outcome(ScanStore.Status.COMPLETED, counts, report);
    }

    /** {@code os/architecture[/variant]} of an index entry, from the index's own JSON. */
    static String platformOf(byte[] indexPayload, Digest child) {
        try {
            for (JsonNode m : InventoryJson.MAPPER.readTree(indexPayload).path("manifests")) {
                if (!m.path("digest").asText().equals(child.toString())) continue;
                JsonNode p = m.path("platform");
                if (p.isMissingNode()) return "unknown";
                String variant = p.path("variant").asText("");
                return p.path("os").asText("unknown") + "/" + p.path("architecture").asText("unknown")
                        + (variant.isEmpty() ? "" : "/" + variant);
            }
        } catch (IOException e) {
            return "unknown";
        }
        return "unknown";
    }

    /**
     * Matches stored inventories again after the data changed, without reading layers; an index's report is queued to be
     * made again over its platforms' (which reads no layers either). Answers how many reports were brought up to date.
     * One node at a time (a lease in the database).
     */
    public int rematch() {
        long generation = matcher.generation();
        if (generation < 0 || store.reportsBehind(generation, Optional.empty(), 1).isEmpty()) return 0;
        if (!store.claimRematch(clock.instant(), LEASE)) return 0;
        try {
            int done = 0;
            Optional<Digest> after = Optional.empty();
            List<ScanStore.Behind> behind;
            while (!(behind = store.reportsBehind(generation, after, 200)).isEmpty()) {
                for (ScanStore.Behind b : behind) {
                    after = Optional.of(b.manifest());
                    if (!b.inventory()) {
                        queue(b.repository(), b.manifest(), "rematch");
                        continue;
                    }
                    Inventory inventory = InventoryJson.fromJson(InventoryJson.gunzip(store.inventory(b.manifest()).orElseThrow()));
                    ObjectNode report = ReportJson.imageReport(inventory, matcher.match(inventory), generation);
                    store.putReport(new ScanStore.StoredReport(b.manifest(), b.repository(), ScanStore.Status.COMPLETED,
                            "stowage", generation, ReportJson.countsOf(report), Optional.of(InventoryJson.gzip(report)), "",
                            clock.instant()));
                    pullPolicy.reportChanged(b.manifest());
                    done++;
                }
            }
            return done;
        } finally {
            store.releaseRematch();
        }
    }

    static Map<String, Object> countsMap(ScanStore.SeverityCounts c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("critical", c.critical());
        m.put("high", c.high());
        m.put("medium", c.medium());
        m.put("low", c.low());
        m.put("unknown", c.unknown());
        return m;
    }
}
