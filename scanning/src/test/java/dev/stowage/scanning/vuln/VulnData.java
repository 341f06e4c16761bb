package dev.stowage.scanning.vuln;

import dev.stowage.scanning.testing.VulnDataPath;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The real OSV records of the shared vulndata (see its README.md), loaded once per test JVM. */
final class VulnData {
    static final Path ROOT = VulnDataPath.root();
    private static final Map<Path, List<OsvRecord>> LOADED = new ConcurrentHashMap<>();

    private VulnData() {
    }

    static Path osvZip(String ecosystem) {
        return ROOT.resolve("osv").resolve(ecosystem + ".zip");
    }

    static Path ghsaDirectory() {
        return ROOT.resolve("ghsa");
    }

    /** Every record of a zip or directory; fails the test if any is refused or rejected. */
    static List<OsvRecord> records(Path source) {
        return LOADED.computeIfAbsent(source, s -> {
            List<OsvRecord> records = new ArrayList<>();
            try {
                OsvArchive.read(s, OsvArchive.Limits.DEFAULT, new OsvArchive.Visitor() {
                    @Override
                    public void record(OsvArchive.Entry entry) {
                        switch (entry.parse()) {
                            case OsvRecord.Parsed.Valid v -> records.add(v.record());
                            case OsvRecord.Parsed.Rejected r ->
                                    throw new AssertionError(entry.name() + " rejected: " + r.reason());
                        }
                    }

                    @Override
                    public void refused(String name, String reason) {
                        throw new AssertionError(name + " refused: " + reason);
                    }
                });
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return List.copyOf(records);
        });
    }

    /** Go.zip, crates.io.zip, Maven/npm/PyPI.zip and ghsa/ (whose 21 language records repeat the zips'). */
    static List<OsvRecord> all() {
        List<OsvRecord> all = new ArrayList<>();
        for (String zip : List.of("Go", "crates.io", "Maven", "npm", "PyPI")) all.addAll(records(osvZip(zip)));
        all.addAll(records(ghsaDirectory()));
        return all;
    }

    static OsvRecord record(List<OsvRecord> records, String id) {
        return records.stream().filter(r -> r.id().equals(id)).findFirst()
                .orElseThrow(() -> new AssertionError("no record " + id));
    }
}
