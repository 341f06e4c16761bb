package dev.stowage.app;

import dev.stowage.metadata.JdbcMetadataStore;
import dev.stowage.scanner.JdbcScanStore;
import dev.stowage.scanner.ScanStore;
import dev.stowage.scanner.VulnerabilityDataDownload;
import dev.stowage.scanner.VulnerabilityDatabase;
import dev.stowage.scanning.advisory.AlpineSecdbConverter;
import dev.stowage.scanning.advisory.DebianSecurityTrackerConverter;
import dev.stowage.scanning.version.VersionSchemes;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.Reader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code stowage vulndb}: the vulnerability data in the metadata database, updated from an OSV mirror or imported from
 * files (air-gapped). Works on the database directly, like {@code reset-password}; running nodes notice the new
 * generation within seconds and re-match stored inventories.
 */
@Command(name = "vulndb", mixinStandardHelpOptions = true,
        description = {"The vulnerability data scans match against (OSV format), in the metadata database.",
                "Reads the same configuration as serve: --data for the embedded database, or --config / STOWAGE_DATABASE_URL."},
        subcommands = {VulndbCommand.Update.class, VulndbCommand.Import.class, VulndbCommand.Status.class})
final class VulndbCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                "name a verb: update, import or status");
    }

    /** Opens the configured database with the scanner's tables. */
    static <T> T withDatabase(ConfigOptions options, java.util.function.Function<VulnerabilityDatabase, T> work)
            throws Exception {
        StowageConfig config = options.load(Map.of());
        DataDirectory.prepare(config, ConfigOptions::warn);
        try (JdbcMetadataStore metadata = Stowage.openMetadata(config)) {
            VulnerabilityDatabase database = new VulnerabilityDatabase(JdbcScanStore.migrated(metadata), VersionSchemes::of,
                    config.scanning().staleAfterDuration(), Clock.systemUTC());
            return work.apply(database);
        }
    }

    static void print(VulnerabilityDatabase.ImportResult r, String origin) {
        System.out.printf("%s: %d records from %s (%d new, %d changed, %d unchanged, %d removed, %d refused)%n",
                r.source(), r.records(), origin, r.added(), r.changed(), r.unchanged(), r.removed(), r.refused());
        r.refusals().forEach(reason -> System.out.println("  refused " + reason));
    }

    @Command(name = "update", mixinStandardHelpOptions = true,
            description = {"Download the per-ecosystem OSV exports (<mirror>/<Ecosystem>/all.zip) and import what changed."})
    static final class Update implements Callable<Integer> {
        @Mixin
        ConfigOptions options;

        @Option(names = "--mirror", description = "the OSV mirror (default: scanning.mirror, OSV's public exports)")
        URI mirror;

        @Option(names = "--ecosystem", split = ",", description = "ecosystems to fetch (default: scanning.ecosystems)")
        List<String> ecosystems;

        @Override
        public Integer call() throws Exception {
            return withDatabase(options, database -> {
                StowageConfig.Scanning settings;
                try {
                    settings = options.load(Map.of()).scanning();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                URI from = mirror != null ? mirror : URI.create(settings.mirror());
                List<String> which = ecosystems != null ? ecosystems : settings.ecosystemList();
                List<VulnerabilityDataDownload.Outcome> outcomes = new VulnerabilityDataDownload(database,
                        Duration.ofMinutes(10)).update(from, which);
                int failed = 0;
                for (VulnerabilityDataDownload.Outcome o : outcomes) {
                    if (o.ok()) print(o.result(), o.url().toString());
                    else {
                        failed++;
                        System.out.println(o.ecosystem() + ": not updated: " + o.error());
                    }
                }
                if (failed > 0) {
                    throw new OperatorError(null, 3, failed + " of " + outcomes.size() + " ecosystems could not be "
                            + "updated (offline? use stowage vulndb import with files brought in)");
                }
                return 0;
            });
        }
    }

    @Command(name = "import", mixinStandardHelpOptions = true,
            description = {"Import vulnerability data from files, air-gapped. Each argument is one full export of a source:",
                    "  an OSV export zip (<Ecosystem>.zip or <Ecosystem>/all.zip), a directory of OSV .json files or one .json record;",
                    "  Debian's security tracker list (DSA-list or DLA-list, as in the tracker's data/DSA/list);",
                    "  a tree of Alpine secdb files (v3.N/main.yaml, community.yaml).",
                    "Only records that changed are written; records the export no longer holds are removed."})
    static final class Import implements Callable<Integer> {
        @Mixin
        ConfigOptions options;

        @Option(names = "--source", description = "the source name to store under (default: from the file name)")
        String source;

        @Parameters(arity = "1..*", paramLabel = "PATH", description = "exports to import")
        List<Path> paths;

        @Override
        public Integer call() throws Exception {
            for (Path path : paths) {
                if (!Files.exists(path)) {
                    throw new ConfigException(path + " does not exist", "give an OSV zip, a directory or a tracker list");
                }
            }
            List<Path> exports = new ArrayList<>();
            for (Path path : paths) exports.addAll(expand(path));
            return withDatabase(options, database -> {
                int failed = 0;
                for (Path path : exports) {
                    try {
                        print(importOne(database, path), path.toString());
                    } catch (java.io.IOException | RuntimeException e) {
                        failed++;
                        System.err.println("stowage vulndb import: " + path + ": not imported: "
                                + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
                    }
                }
                if (failed > 0) throw new OperatorError(null, 1, failed + " of " + exports.size() + " exports not imported");
                return 0;
            });
        }

        /** A directory of OSV export zips (as downloaded per ecosystem) is each of its zips. */
        private static List<Path> expand(Path path) throws java.io.IOException {
            if (!Files.isDirectory(path)) return List.of(path);
            try (var children = Files.list(path)) {
                List<Path> zips = children.filter(c -> c.getFileName().toString().endsWith(".zip")).sorted().toList();
                return zips.isEmpty() ? List.of(path) : zips;
            }
        }

        private VulnerabilityDatabase.ImportResult importOne(VulnerabilityDatabase database, Path path)
                throws java.io.IOException {
            String name = path.getFileName().toString();
            if (Files.isRegularFile(path) && (name.equals("DSA-list") || name.equals("DLA-list") || name.equals("list"))) {
                String src = source != null ? source : "Debian-" + (name.equals("list") ? path.getParent().getFileName() : name);
                return database.importConverted(src, path.toString(), sink -> {
                    try (Reader in = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
                        return new DebianSecurityTrackerConverter(name).convert(in, sink).skippedReasons();
                    }
                });
            }
            if (Files.isDirectory(path) && isAlpineSecdb(path)) {
                String src = source != null ? source : "Alpine-secdb";
                return database.importConverted(src, path.toString(), sink -> {
                    AlpineSecdbConverter converter = AlpineSecdbConverter.readTree(path);
                    return converter.writeRecords(Files.getLastModifiedTime(path).toInstant(), sink).skippedReasons();
                });
            }
            String src = source != null ? source
                    : name.equals("all.zip") && path.getParent() != null ? path.getParent().getFileName().toString()
                    : name.endsWith(".zip") ? name.substring(0, name.length() - 4) : name;
            return database.importOsv(src, path.toString(), path);
        }

        private static boolean isAlpineSecdb(Path dir) throws java.io.IOException {
            try (var children = Files.list(dir)) {
                return children.anyMatch(c -> c.getFileName().toString().matches("v\\d+\\.\\d+")
                        && Files.isRegularFile(c.resolve("main.yaml")));
            }
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true, description = {"What vulnerability data is loaded and how old it is."})
    static final class Status implements Callable<Integer> {
        @Mixin
        ConfigOptions options;

        @Override
        public Integer call() throws Exception {
            return withDatabase(options, database -> {
                VulnerabilityDatabase.Status s = database.status();
                System.out.printf("generation %d, %d records, data as of %s%s%n", s.generation(), s.records(),
                        s.dataTime().map(Instant::toString).orElse("never (no data: run stowage vulndb update or import)"),
                        s.stale() && s.dataTime().isPresent() ? " — STALE: older than " + s.staleAfter().toDays()
                                + " days; run stowage vulndb update or import newer files" : "");
                for (ScanStore.SourceStatus src : s.sources()) {
                    System.out.printf("  %-20s %7d records  data as of %s  imported %s  from %s%n", src.source(),
                            src.records(), VulnerabilityDatabase.dataTime(src), src.importedAt(), src.origin());
                }
                return 0;
            });
        }
    }
}
