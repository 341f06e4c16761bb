package dev.stowage.app;

import dev.stowage.core.Digest;
import dev.stowage.core.access.AccessController;
import dev.stowage.core.access.RegistryPolicy;
import dev.stowage.core.service.GarbageCollector;
import dev.stowage.core.service.RegistryService;
import dev.stowage.core.service.ServiceSettings;
import dev.stowage.metadata.JdbcMetadataStore;
import dev.stowage.metadata.MetadataConfig;
import dev.stowage.server.RegistryServer;
import dev.stowage.server.ServerSettings;
import dev.stowage.storage.FileSystemBlobStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code stowage bench-gc}: the collector's mark phase over a synthetic registry of {@code --blobs} blobs in its
 * metadata (nine in ten referenced by tagged manifests of ten layers each, one in ten garbage), while the registry
 * serves manifest pulls from other threads. The metadata rows are real; the blob bytes are not written (the mark
 * reads only metadata), so the run is a dry run.
 */
@Command(name = "bench-gc", mixinStandardHelpOptions = true,
        description = "Measure the garbage collector's mark phase over a synthetic metadata fill, while serving pulls.")
final class GcBenchCommand implements Callable<Integer> {
    @Option(names = "--blobs", defaultValue = "1000000", description = "blobs in the metadata (default: ${DEFAULT-VALUE})")
    int blobs;

    @Option(names = "--database-url", description = "a PostgreSQL JDBC URL to fill instead of an embedded SQLite file "
            + "(its tables must be empty)")
    String databaseUrl;

    @Option(names = "--database-user", defaultValue = "") String user;
    @Option(names = "--database-password", defaultValue = "") String password;

    @Override
    public Integer call() throws Exception {
        Path dir = Files.createTempDirectory("stowage-bench-gc");
        String url = databaseUrl != null ? databaseUrl : "jdbc:sqlite:" + dir.resolve("stowage.db");
        try (JdbcMetadataStore metadata = JdbcMetadataStore.open(new MetadataConfig(url, user, password, 8));
             FileSystemBlobStore store = new FileSystemBlobStore(dir.resolve("blobs"))) {
            long fill0 = System.nanoTime();
            List<Digest> manifests = fill(url);
            System.out.printf("filled %d blobs, %d manifests in %.1f s%n", blobs, manifests.size(),
                    (System.nanoTime() - fill0) / 1e9);
            RegistryService service = new RegistryService(store, metadata, RegistryPolicy.PERMISSIVE,
                    ServiceSettings.DEFAULTS, Clock.systemUTC());
            try (RegistryServer server = RegistryServer.start(ServerSettings.of("127.0.0.1", 0), service,
                    AccessController.OPEN)) {
                AtomicBoolean stop = new AtomicBoolean();
                AtomicLong served = new AtomicLong();
                AtomicLong failed = new AtomicLong();
                HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
                try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
                    for (int c = 0; c < 4; c++) {
                        clients.submit(() -> {
                            while (!stop.get()) {
                                int i = ThreadLocalRandom.current().nextInt(manifests.size());
                                HttpRequest get = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                                        + "/v2/" + repository(i) + "/manifests/t" + i))
                                        .header("Accept", "application/vnd.oci.image.manifest.v1+json").build();
                                try {
                                    int status = http.send(get, HttpResponse.BodyHandlers.discarding()).statusCode();
                                    (status == 200 ? served : failed).incrementAndGet();
                                } catch (Exception e) {
                                    failed.incrementAndGet();
                                }
                            }
                            return null;
                        });
                    }
                    GarbageCollector.Report report = new GarbageCollector(service)
                            .run(new GarbageCollector.Options(true, true, Duration.ofHours(1)));
                    stop.set(true);
                    System.out.printf("mark phase: %d ms over %d blobs (%d manifests); garbage found: %d blobs "
                                    + "(%d bytes), %d untagged manifests; pulls served meanwhile: %d, failed: %d%n",
                            report.markMillis(), blobs, manifests.size(), report.blobsDeleted(), report.bytesFreed(),
                            report.manifestsDeleted(), served.get(), failed.get());
                    long expectedGarbage = blobs - (long) manifests.size() * LAYERS;
                    if (report.blobsDeleted() != expectedGarbage || failed.get() > 0) {
                        System.out.println("UNEXPECTED: wanted " + expectedGarbage + " garbage blobs and no failed pull");
                        return 1;
                    }
                }
            }
            return 0;
        } finally {
            if (databaseUrl == null) deleteTree(dir);
        }
    }

    private static final int LAYERS = 10;
    private static final int REPOSITORIES = 1000;

    private static String repository(int manifest) {
        return "bench/r" + (manifest % REPOSITORIES);
    }

    /** Writes the rows as a registry of that size would have them, two days old (past any grace period). */
    private List<Digest> fill(String url) throws Exception {
        long old = System.currentTimeMillis() - Duration.ofDays(2).toMillis();
        int manifestCount = (int) (blobs * 0.9) / LAYERS;
        List<Digest> manifests = new ArrayList<>(manifestCount);
        try (Connection c = DriverManager.getConnection(url, user, password)) {
            c.setAutoCommit(false);
            try (PreparedStatement repo = c.prepareStatement("INSERT INTO repositories (name, created_at) VALUES (?, ?)")) {
                for (int r = 0; r < REPOSITORIES; r++) {
                    repo.setString(1, repository(r));
                    repo.setLong(2, old);
                    repo.addBatch();
                }
                repo.executeBatch();
            }
            try (PreparedStatement blob = c.prepareStatement("INSERT INTO blobs (digest, size, state, created_at) VALUES (?, ?, 'present', ?)");
                 PreparedStatement link = c.prepareStatement("INSERT INTO repository_blobs (repository_id, digest, linked_at) "
                         + "VALUES ((SELECT id FROM repositories WHERE name = ?), ?, ?)");
                 PreparedStatement manifest = c.prepareStatement("INSERT INTO manifests (repository_id, digest, media_type, "
                         + "size, payload, pushed_at) VALUES ((SELECT id FROM repositories WHERE name = ?), ?, ?, ?, ?, ?)");
                 PreparedStatement reference = c.prepareStatement("INSERT INTO manifest_references (repository_id, "
                         + "parent_digest, child_digest, kind) VALUES ((SELECT id FROM repositories WHERE name = ?), ?, ?, 'blob')");
                 PreparedStatement tag = c.prepareStatement("INSERT INTO tags (repository_id, name, manifest_digest, updated_at) "
                         + "VALUES ((SELECT id FROM repositories WHERE name = ?), ?, ?, ?)")) {
                for (int b = 0; b < blobs; b++) {
                    Digest d = Digest.sha256Of(("blob " + b).getBytes(StandardCharsets.UTF_8));
                    int owner = b / LAYERS;
                    String repo = repository(owner);
                    blob.setString(1, d.toString());
                    blob.setLong(2, 1000 + b % 1000);
                    blob.setLong(3, old);
                    blob.addBatch();
                    link.setString(1, repo);
                    link.setString(2, d.toString());
                    link.setLong(3, old);
                    link.addBatch();
                    if (owner < manifestCount) {
                        if (b % LAYERS == 0) {
                            byte[] payload = ("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                                    + "\"n\":" + owner + "}").getBytes(StandardCharsets.UTF_8);
                            Digest m = Digest.sha256Of(payload);
                            manifests.add(m);
                            manifest.setString(1, repo);
                            manifest.setString(2, m.toString());
                            manifest.setString(3, "application/vnd.oci.image.manifest.v1+json");
                            manifest.setLong(4, payload.length);
                            manifest.setBytes(5, payload);
                            manifest.setLong(6, old);
                            manifest.addBatch();
                            tag.setString(1, repo);
                            tag.setString(2, "t" + owner);
                            tag.setString(3, m.toString());
                            tag.setLong(4, old);
                            tag.addBatch();
                        }
                        reference.setString(1, repo);
                        reference.setString(2, manifests.get(owner).toString());
                        reference.setString(3, d.toString());
                        reference.addBatch();
                    }
                    if (b % 10_000 == 9_999 || b == blobs - 1) {
                        blob.executeBatch();
                        link.executeBatch();
                        manifest.executeBatch();
                        reference.executeBatch();
                        tag.executeBatch();
                        c.commit();
                    }
                }
            }
        }
        return manifests;
    }

    private static void deleteTree(Path dir) throws java.io.IOException {
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}
