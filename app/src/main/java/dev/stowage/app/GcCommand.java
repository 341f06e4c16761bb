package dev.stowage.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stowage.core.access.RegistryPolicy;
import dev.stowage.core.service.GarbageCollector;
import dev.stowage.core.service.RegistryService;
import dev.stowage.core.service.ServiceSettings;
import dev.stowage.metadata.JdbcMetadataStore;
import dev.stowage.metadata.MetadataConfig;
import dev.stowage.storage.FileSystemBlobStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.time.Clock;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code stowage gc}: one collection against the configured storage and database, safe while registry nodes serve
 * them (the collector claims each deletion under a row lock). Prints the report as JSON.
 */
@Command(name = "gc", mixinStandardHelpOptions = true,
        description = "Garbage-collect unreferenced blobs (and, with --untagged, manifests no tag names), online.")
final class GcCommand implements Callable<Integer> {
    @Mixin
    ConfigOptions options;

    @Option(names = "--dry-run", description = "list what would go; delete nothing")
    boolean dryRun;

    @Option(names = "--untagged", description = "also delete manifests no tag, index or live subject needs")
    boolean untagged;

    @Option(names = "--grace", description = "leave content pushed or linked more recently than this (default: gc.grace)")
    String grace;

    @Override
    public Integer call() throws Exception {
        StowageConfig config = options.load(grace == null ? Map.of() : Map.of("STOWAGE_GC_GRACE", grace));
        DataDirectory.requireExistingDatabase(config); // a mistyped --data must not become a new, empty registry
        DataDirectory.prepare(config, ConfigOptions::warn);
        try (JdbcMetadataStore metadata = JdbcMetadataStore.open(new MetadataConfig(config.jdbcUrl(),
                config.database().user(), config.database().password(), 2));
             FileSystemBlobStore blobs = new FileSystemBlobStore(config.storagePath())) {
            RegistryService service = new RegistryService(blobs, metadata, RegistryPolicy.PERMISSIVE,
                    ServiceSettings.DEFAULTS, Clock.systemUTC());
            GarbageCollector.Report report = new GarbageCollector(service).run(new GarbageCollector.Options(dryRun,
                    untagged || config.gc().untagged(), config.gcGrace()));
            System.out.println(new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(report));
            return 0;
        }
    }
}
