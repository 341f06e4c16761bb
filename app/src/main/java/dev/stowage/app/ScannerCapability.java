package dev.stowage.app;

import dev.stowage.core.event.RegistryEvent;
import dev.stowage.core.RepositoryName;
import dev.stowage.core.Digest;
import dev.stowage.scanner.JdbcScanStore;
import dev.stowage.scanner.ReferrerSbomAttacher;
import dev.stowage.scanner.ScanPullPolicy;
import dev.stowage.scanner.ScanService;
import dev.stowage.scanner.ScanRoutes;
import dev.stowage.scanner.VulnerabilityDatabase;
import dev.stowage.scanning.inventory.ImageInventory;
import dev.stowage.scanning.inventory.lang.LanguageDetectors;
import dev.stowage.scanning.sbom.SbomWriter;
import dev.stowage.scanning.version.VersionSchemes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Vulnerability scanning: images are inventoried once (SBOMs attached as referrers), matched against OSV data held in
 * the metadata database, re-matched when the data changes, and pulls refused where a project's policy says. Settings:
 * {@code scanning:}; migrations {@code db/scanner}; verbs {@code stowage vulndb} and {@code stowage admin scan}.
 */
final class ScannerCapability implements Capability {
    private static final Logger LOG = LoggerFactory.getLogger(ScannerCapability.class);

    private JdbcScanStore store;
    private ScanPullPolicy pullPolicy;
    private VulnerabilityDatabase database;
    private ScanService scans;

    @Override
    public String name() {
        return "scanner";
    }

    @Override
    public Optional<String> migrations() {
        return Optional.of(JdbcScanStore.MIGRATIONS);
    }

    @Override
    public List<Object> commands() {
        return List.of(new VulndbCommand());
    }

    @Override
    public List<Object> adminCommands() {
        return List.of(new ScanCommand());
    }

    @Override
    public void prepare(Node node, Contributions out) {
        StowageConfig.Scanning settings = node.config().scanning();
        store = new JdbcScanStore(node.metadata());
        pullPolicy = new ScanPullPolicy(store, node.clock());
        database = new VulnerabilityDatabase(store, VersionSchemes::of, settings.staleAfterDuration(), node.clock());
        out.policy(pullPolicy);
        ExecutorService handOff = Executors.newSingleThreadExecutor(Thread.ofVirtual().name("scan-on-push").factory());
        out.onClose(handOff::shutdown);
        out.listener(event -> {
            if (event.type() != RegistryEvent.Type.PUSH || event.digest() == null) return;
            handOff.execute(() -> {
                try {
                    scans.pushed(RepositoryName.of(event.repository()), Digest.parse(event.digest()), event.mediaType());
                } catch (RuntimeException e) {
                    LOG.warn("scan of {}@{} not queued: {}", event.repository(), event.digest(), e.getMessage());
                }
            });
        });
    }

    @Override
    public void start(Node node, Contributions out) {
        StowageConfig.Scanning settings = node.config().scanning();
        ImageInventory inventory = new ImageInventory(Stream.concat(ImageInventory.osPackageDetectors().stream(),
                LanguageDetectors.all().stream()).toList());
        scans = new ScanService(store, node.metadata(), node.blobs(), inventory, database,
                new ReferrerSbomAttacher(node.service(), new SbomWriter(Main.Version.number().orElse("unknown")),
                        settings.registryAddress(node.config().http()), settings.sbomFormatList(), node.clock()),
                node.events(), pullPolicy, node.clock());
        out.adminRoutes(new ScanRoutes(scans, pullPolicy, database, node.metadata(), node.service(), node.clock()));
        // Policies and allowlists changed on other nodes arrive within seconds (the pull check never reads them itself).
        out.job(scheduler -> scheduler.scheduleWithFixedDelay(this::reloadPolicies, 2, 2, TimeUnit.SECONDS));
        for (int i = 0; i < settings.workers(); i++) {
            boolean refresher = i == 0; // one thread per node rebuilds the index and re-matches when the data changed
            Thread worker = Thread.ofPlatform().name("scan-worker-" + i).daemon().priority(Thread.MIN_PRIORITY)
                    .unstarted(() -> work(refresher));
            out.onClose(worker::interrupt);
            worker.start();
        }
    }

    private void reloadPolicies() {
        try {
            pullPolicy.reload();
        } catch (RuntimeException e) {
            LOG.warn("scanning policies not reloaded: {}", e.getMessage());
        }
    }

    private void refreshQuietly() {
        try {
            if (database.refresh()) scans.rematch();
        } catch (RuntimeException e) {
            LOG.warn("vulnerability data not refreshed: {}", e.getMessage());
        }
    }

    private void work(boolean refresher) {
        long nextRefresh = 0;
        while (!Thread.currentThread().isInterrupted()) {
            try {
                if (refresher && System.nanoTime() - nextRefresh >= 0) {
                    refreshQuietly();
                    nextRefresh = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                }
                if (!scans.workOne()) Thread.sleep(1000);
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.warn("scan worker: {}", e.getMessage());
                try {
                    Thread.sleep(5000);
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }
}
