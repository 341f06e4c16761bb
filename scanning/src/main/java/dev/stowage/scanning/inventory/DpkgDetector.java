package dev.stowage.scanning.inventory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Debian packages from dpkg's database: {@code /var/lib/dpkg/status}, and the one-file-per-package
 * {@code /var/lib/dpkg/status.d/} of distroless images (which have no dpkg). Each stanza is a deb822 paragraph; a
 * package counts when its {@code Status} says it is installed (distroless files carry no Status: every one is).
 */
public final class DpkgDetector implements PackageDetector {
    static final String STATUS = "/var/lib/dpkg/status";
    static final String STATUS_DIRECTORY = "/var/lib/dpkg/status.d/";

    @Override
    public boolean wants(String path, long size, boolean executable) {
        if (path.equals(STATUS)) {
            return true;
        }
        return path.startsWith(STATUS_DIRECTORY) && path.indexOf('/', STATUS_DIRECTORY.length()) < 0
                && !path.endsWith(".md5sums");
    }

    @Override
    public List<FoundPackage> read(FileContent file) throws IOException {
        List<FoundPackage> found = new ArrayList<>();
        BoundedLines lines = new BoundedLines(file.content(), file.path());
        Map<String, String> fields = new HashMap<>();
        long stanzaStart = 1;
        String line;
        while ((line = lines.next()) != null) {
            if (line.isBlank()) {
                addPackage(fields, stanzaStart, file, found);
                fields.clear();
                stanzaStart = lines.number() + 1;
                continue;
            }
            if (line.charAt(0) == ' ' || line.charAt(0) == '\t') {
                if (fields.isEmpty()) {
                    throw new MalformedContentException(file.path() + ": line " + lines.number()
                            + " continues a field but no field precedes it");
                }
                continue; // continuation of a multi-line field (Description, Conffiles): not needed
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new MalformedContentException(file.path() + ": line " + lines.number()
                        + " is not a 'Field: value' line");
            }
            String name = line.substring(0, colon);
            if (KEPT.contains(name)) {
                fields.put(name, line.substring(colon + 1).strip());
            } else {
                fields.putIfAbsent("", "");
            }
        }
        addPackage(fields, stanzaStart, file, found);
        return found;
    }

    private static final List<String> KEPT = List.of("Package", "Version", "Source", "Architecture", "Status");

    private static void addPackage(Map<String, String> fields, long line, FileContent file, List<FoundPackage> found)
            throws MalformedContentException {
        if (fields.isEmpty()) {
            return;
        }
        String name = fields.get("Package");
        String version = fields.get("Version");
        if (name == null || name.isEmpty() || version == null || version.isEmpty()) {
            throw new MalformedContentException(file.path() + ": the paragraph at line " + line
                    + " has no " + (name == null || name.isEmpty() ? "Package" : "Version") + " field");
        }
        String status = fields.get("Status");
        if (status != null) {
            String[] words = status.split("\\s+");
            if (words.length != 3 || !words[2].equals("installed")) {
                return; // config-files, half-installed, not-installed: not on the filesystem as a package
            }
        }
        String sourceName = name;
        String sourceVersion = version;
        String source = fields.get("Source");
        if (source != null && !source.isEmpty()) {
            int open = source.indexOf('(');
            if (open >= 0) {
                int close = source.indexOf(')', open);
                if (close < 0) {
                    throw new MalformedContentException(file.path() + ": the paragraph at line " + line
                            + " has an unclosed version in its Source field");
                }
                sourceName = source.substring(0, open).strip();
                sourceVersion = source.substring(open + 1, close).strip();
            } else {
                sourceName = source;
            }
        }
        String arch = fields.get("Architecture");
        String purl = PackageUrls.purl("deb", "debian", name, version, arch == null ? Map.of() : Map.of("arch", arch));
        found.add(new FoundPackage(PackageType.DEBIAN, name, version, sourceName, sourceVersion, purl, file.layer(),
                file.path()));
    }
}
