package dev.stowage.scanning.inventory.lang;

import dev.stowage.scanning.inventory.FoundPackage;
import dev.stowage.scanning.inventory.MalformedContentException;
import dev.stowage.scanning.inventory.PackageDetector;
import dev.stowage.scanning.inventory.PackageType;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.jar.Attributes;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipInputStream;

/**
 * Maven artifacts in Java archives (jar, war, ear; Jenkins' hpi and jpi), and in the archives nested in them at any depth up to
 * {@link #MAX_NESTING} (Spring Boot's {@code BOOT-INF/lib}, {@code WEB-INF/lib}, an ear's modules), streamed entry by
 * entry without extracting anything.
 *
 * <p>Every {@code META-INF/maven/<groupId>/<artifactId>/pom.properties} is one artifact, so a shaded jar yields each
 * artifact shaded into it. An archive without any falls back to its manifest and file name, but only where the Maven
 * coordinates follow from them with confidence: the artifactId and version from the file name ({@code
 * name-1.2.3.jar}, the manifest's {@code Implementation-Version} preferred), the groupId only from a {@code
 * Bundle-SymbolicName} of the form {@code <groupId>.<artifactId>} where the artifactId has a hyphen (so it is no Java
 * package segment: maven-bundle-plugin wrote it so). Real jars show weaker signs are wrong: {@code
 * Implementation-Vendor-Id: org.apache} in commons-chain 1.1 and velocity 1.7, {@code Bundle-SymbolicName: com.sun.jna}
 * in JNA (groupId net.java.dev.jna). An archive whose groupId cannot be inferred is not reported: a wrong groupId would
 * miss its own advisories and draw another project's.
 */
public final class JavaArchiveDetector implements PackageDetector {
    /** How deep archives nest: an ear holding a war holding a Spring Boot jar holding its libraries is 3. */
    static final int MAX_NESTING = 4;
    private static final int MAX_METADATA_ENTRY = 1 << 20;
    /** Inflated bytes allowed per compressed byte of the outermost archive (plus a floor): a zip bomb stops here. */
    private static final long INFLATION_RATIO = 64;
    private static final long INFLATION_FLOOR = 64L << 20;
    private static final Pattern POM_PROPERTIES = Pattern.compile("META-INF/maven/([^/]+)/([^/]+)/pom\\.properties");
    private static final Pattern NAME_AND_VERSION =
            Pattern.compile("(?<name>[A-Za-z0-9_.\\-]+?)-(?<version>\\d[A-Za-z0-9_.\\-+]*)\\.(?i:jar|war|ear)");

    @Override
    public boolean wants(String path, long size, boolean executable) {
        return isArchive(path);
    }

    @Override
    public List<FoundPackage> read(FileContent file) throws IOException {
        Budget budget = new Budget(INFLATION_FLOOR + INFLATION_RATIO * Math.max(file.size(), 0));
        Map<String, FoundPackage> found = new LinkedHashMap<>();
        try {
            if (!readArchive(file.content(), file.layer(), file.path(), 0, budget, found)) {
                throw new MalformedContentException("not a zip archive (no entries)");
            }
        } catch (ZipException | EOFException e) {
            throw new MalformedContentException("not a readable zip archive: " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            // ZipInputStream's answer to an entry name that is not valid in the archive's charset
            throw new MalformedContentException("not a readable zip archive: " + e.getMessage(), e);
        }
        return List.copyOf(found.values());
    }

    private boolean readArchive(InputStream raw, String layer, String path, int depth, Budget budget,
                             Map<String, FoundPackage> found) throws IOException {
        CountingZipInputStream zip = new CountingZipInputStream(raw, budget, path);
        try {
            return readEntries(zip, layer, path, depth, budget, found);
        } finally {
            zip.release();
        }
    }

    /** Whether the stream held a zip archive (at least one entry). */
    private boolean readEntries(CountingZipInputStream zip, String layer, String path, int depth, Budget budget,
                             Map<String, FoundPackage> found) throws IOException {
        List<FoundPackage> fromPoms = new ArrayList<>();
        Manifest manifest = null;
        boolean anyEntry = false;
        for (ZipEntry entry; (entry = zip.getNextEntry()) != null; ) {
            anyEntry = true;
            String name = entry.getName();
            if (entry.isDirectory()) {
                continue;
            }
            Matcher pom = POM_PROPERTIES.matcher(name);
            if (pom.matches()) {
                fromPom(Bounded.readAll(zip, MAX_METADATA_ENTRY, path + "!/" + name), pom, layer, path)
                        .ifPresent(fromPoms::add);
            } else if (name.equals("META-INF/MANIFEST.MF")) {
                manifest = new Manifest(new ByteArrayInputStream(
                        Bounded.readAll(zip, MAX_METADATA_ENTRY, path + "!/" + name)));
            } else if (isArchive(name) && depth < MAX_NESTING) {
                try {
                    readArchive(zip, layer, path + "!/" + name, depth + 1, budget, found);
                } catch (ZipException | EOFException e) {
                    // an entry named .jar that is no zip (a test fixture, a damaged copy): the archive around it
                    // is still read; if the outer archive itself is damaged, its next entry fails
                }
            }
        }
        if (!anyEntry) {
            return false;
        }
        if (fromPoms.isEmpty()) {
            fromManifestAndName(manifest, layer, path).ifPresent(fromPoms::add);
        }
        for (FoundPackage p : fromPoms) {
            found.putIfAbsent(p.name() + "@" + p.version() + " " + p.path(), p);
        }
        return true;
    }

    private static Optional<FoundPackage> fromPom(byte[] content, Matcher location, String layer, String path)
            throws IOException {
        Properties properties = new Properties();
        try {
            properties.load(new ByteArrayInputStream(content));
        } catch (IllegalArgumentException e) {
            return Optional.empty(); // a malformed unicode escape: this pom.properties names nothing
        }
        String groupId = properties.getProperty("groupId", location.group(1)).trim();
        String artifactId = properties.getProperty("artifactId", location.group(2)).trim();
        String version = properties.getProperty("version", "").trim();
        if (groupId.isEmpty() || artifactId.isEmpty() || version.isEmpty() || version.contains("${")) {
            return Optional.empty();
        }
        return Optional.of(maven(groupId, artifactId, version, layer, path));
    }

    private static Optional<FoundPackage> fromManifestAndName(Manifest manifest, String layer, String path) {
        String fileName = path.substring(path.lastIndexOf('/') + 1);
        Matcher nameAndVersion = NAME_AND_VERSION.matcher(fileName);
        if (manifest == null || !nameAndVersion.matches()) {
            return Optional.empty();
        }
        Attributes main = manifest.getMainAttributes();
        String artifactId = nameAndVersion.group("name");
        String version = first(main.getValue("Implementation-Version"), main.getValue("Bundle-Version"),
                nameAndVersion.group("version"));
        String groupId = null;
        String symbolicName = main.getValue("Bundle-SymbolicName");
        if (symbolicName != null && artifactId.contains("-")) {
            symbolicName = symbolicName.split(";", 2)[0].trim();
            if (symbolicName.endsWith("." + artifactId)) {
                groupId = symbolicName.substring(0, symbolicName.length() - artifactId.length() - 1);
            }
        }
        if (groupId == null || groupId.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(maven(groupId, artifactId, version, layer, path));
    }

    private static FoundPackage maven(String groupId, String artifactId, String version, String layer, String path) {
        return new FoundPackage(PackageType.MAVEN, groupId + ":" + artifactId, version, null, null,
                Purls.of(PackageType.MAVEN, groupId, artifactId, version), layer, path);
    }

    private static String first(String... candidates) {
        for (String candidate : candidates) {
            if (candidate != null && !candidate.isBlank()) {
                return candidate.trim();
            }
        }
        return null;
    }

    private static boolean isArchive(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        return lower.endsWith(".jar") || lower.endsWith(".war") || lower.endsWith(".ear")
                || lower.endsWith(".hpi") || lower.endsWith(".jpi"); // Jenkins plugins are jars too
    }

    /** Inflated bytes left for one outermost archive, shared by the archives nested in it. */
    private static final class Budget {
        private long remaining;
        private final long total;

        Budget(long total) {
            this.total = total;
            this.remaining = total;
        }
    }

    /**
     * Counts every inflated byte, including those {@code closeEntry} skips (it reads through this class's own
     * {@code read}), against the archive's budget.
     */
    private static final class CountingZipInputStream extends ZipInputStream {
        private final Budget budget;
        private final String path;

        CountingZipInputStream(InputStream in, Budget budget, String path) {
            super(in);
            this.budget = budget;
            this.path = path;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = super.read(buffer, offset, length);
            if (n > 0) {
                budget.remaining -= n;
                if (budget.remaining < 0) {
                    throw new MalformedContentException(path + " inflates to more than " + (budget.total >> 20)
                            + " MiB, " + INFLATION_RATIO + " times its size: a decompression bomb");
                }
            }
            return n;
        }

        @Override
        public void close() {
            // a nested archive's stream is its parent's entry: the parent goes on reading
        }

        /** Frees the native inflater without closing the stream underneath (the parent's entry, or the caller's). */
        void release() {
            inf.end();
        }
    }
}
