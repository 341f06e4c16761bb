package dev.stowage.app;

import dev.stowage.core.event.RegistryEvent;
import dev.stowage.core.RepositoryName;
import dev.stowage.core.Digest;
import dev.stowage.core.access.Scope;
import dev.stowage.identity.RegistryTokens;
import dev.stowage.identity.SigningKeys;
import dev.stowage.scanner.JdbcScanStore;
import dev.stowage.scanner.JdbcScannerAdapterStore;
import dev.stowage.scanner.PullCredentials;
import dev.stowage.scanner.ScannerAdapters;
import dev.stowage.scanner.ScannerRoutes;
import dev.stowage.scanner.ReferrerSbomAttacher;
import dev.stowage.scanner.ScanPullPolicy;
import dev.stowage.scanner.ScanService;
import dev.stowage.scanner.ScanRoutes;
import dev.stowage.scanner.VulnerabilityDatabase;
import dev.stowage.scanning.external.RegistryCredential;
import dev.stowage.scanning.external.ScannerAdapterClient;
import dev.stowage.scanning.inventory.ImageInventory;
import dev.stowage.scanning.inventory.lang.LanguageDetectors;
import dev.stowage.scanning.sbom.SbomWriter;
import dev.stowage.scanning.version.VersionSchemes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Vulnerability scanning: images are inventoried once (SBOMs attached as referrers), matched against OSV data held in
 * the metadata database, re-matched when the data changes, and pulls refused where a project's policy says; or scanned
 * by a registered external scanner (a Harbor pluggable scanner adapter) given a short-lived pull token. Settings:
 * {@code scanning:}; migrations {@code db/scanner}; verbs {@code stowage vulndb} and {@code stowage admin scan}.
 */
final class ScannerCapability implements Capability {
    private static final Logger LOG = LoggerFactory.getLogger(ScannerCapability.class);
    /** The issuer of every registry token, as {@code Stowage.start} makes its RegistryTokens. */
    private static final String TOKEN_ISSUER = "stowage";

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
        out.imageCheck(pullPolicy);
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
        ScannerAdapters adapters = new ScannerAdapters(new JdbcScannerAdapterStore(node.metadata(), node.sealer()),
                new ScannerAdapters.Settings(ScannerAdapterClient.Settings.defaults()
                        .withAllowSkipTlsVerify(settings.adapterSkipTlsVerify()),
                        settings.adapterRegistryUrl(node.config().http(), node.config().tls().enabled()),
                        settings.adapterTimeoutDuration()),
                pullCredentials(node), node.clock());
        scans = new ScanService(store, node.metadata(), node.blobs(), inventory, database,
                new ReferrerSbomAttacher(node.service(), new SbomWriter(Main.Version.number().orElse("unknown")),
                        node.config().http().address(), settings.sbomFormatList(), node.clock()),
                node.events(), pullPolicy, node.clock(), adapters);
        out.adminRoutes(new ScanRoutes(scans, pullPolicy, database, node.metadata(), node.service(),
                project -> node.accounts().project(project), node.clock()));
        out.adminRoutes(new ScannerRoutes(adapters));
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

    /**
     * Registry tokens for scanner adapters: pull of one repository, for the scan's time, subject {@code scanner:<name>},
     * signed like /token's (same issuer and service) with the keys as they are now, so any node verifies them and a key
     * rotation elsewhere is followed (one read of the keys per scan). None without access control.
     */
    private static PullCredentials pullCredentials(Node node) {
        StowageConfig config = node.config();
        if (!config.auth().enabled()) return PullCredentials.NONE;
        Duration grace = StowageConfig.parseDuration(config.auth().keyGrace(), "auth.keyGrace");
        return (scanner, repository, lifetime) -> {
            SigningKeys keys = SigningKeys.shared(node.identities(), node.clock(), grace);
            RegistryTokens tokens = new RegistryTokens(keys, TOKEN_ISSUER, config.auth().service(), lifetime,
                    node.clock());
            String token = tokens.issue(RegistryTokens.SCANNER_SUBJECT_PREFIX + scanner,
                    List.of(new Scope(Scope.REPOSITORY, repository.value(), Set.of("pull")))).token();
            return Optional.of(RegistryCredential.bearer(token));
        };
    }

    /**
     * Java thread priorities are ignored on Linux, so MIN_PRIORITY alone lets a scan take a full share of the CPU from
     * pushes and pulls (measured: manifest GETs at 0.55 of their unscanned rate). {@code renice} of this thread's own
     * id (Linux schedules threads as tasks) gives the scan what requests leave. Answers whether it took effect.
     */
    static boolean lowerOsPriority() {
        try {
            // /proc/thread-self -> <pid>/task/<tid>
            String task = java.nio.file.Files.readSymbolicLink(java.nio.file.Path.of("/proc/thread-self")).toString();
            String tid = task.substring(task.lastIndexOf('/') + 1);
            Process renice = new ProcessBuilder("renice", "-n", "19", "-p", tid).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return renice.waitFor() == 0;
        } catch (java.io.IOException | RuntimeException e) {
            LOG.info("scan workers run at normal OS priority: {}", e.toString());
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
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
            database.refresh();
            // whenever reports are behind the data this node has (another node may have held the claim last time)
            scans.rematch();
        } catch (RuntimeException e) {
            LOG.warn("vulnerability data not refreshed: {}", e.getMessage());
        }
    }

    private void work(boolean refresher) {
        lowerOsPriority();
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
