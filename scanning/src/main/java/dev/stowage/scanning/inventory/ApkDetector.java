package dev.stowage.scanning.inventory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Alpine packages from apk's installed database, {@code /lib/apk/db/installed} (Alpine's documented "Installed
 * Database V2" format: one paragraph per package, each line a one-letter key, a colon and the value; P name, V version,
 * A architecture, o origin, the source package the advisories name).
 */
public final class ApkDetector implements PackageDetector {
    static final List<String> PATHS = List.of("/lib/apk/db/installed", "/usr/lib/apk/db/installed");

    @Override
    public boolean wants(String path, long size, boolean executable) {
        return PATHS.contains(path);
    }

    @Override
    public List<FoundPackage> read(FileContent file) throws IOException {
        List<FoundPackage> found = new ArrayList<>();
        BoundedLines lines = new BoundedLines(file.content(), file.path());
        Map<Character, String> fields = new HashMap<>();
        long stanzaStart = 1;
        String line;
        while ((line = lines.next()) != null) {
            if (line.isBlank()) {
                addPackage(fields, stanzaStart, file, found);
                fields.clear();
                stanzaStart = lines.number() + 1;
                continue;
            }
            if (line.length() < 2 || line.charAt(1) != ':') {
                throw new MalformedContentException(file.path() + ": line " + lines.number()
                        + " is not a 'K:value' line");
            }
            char key = line.charAt(0);
            if (key == 'P' || key == 'V' || key == 'A' || key == 'o') {
                fields.put(key, line.substring(2).strip());
            } else {
                fields.putIfAbsent('?', "");
            }
        }
        addPackage(fields, stanzaStart, file, found);
        return found;
    }

    private static void addPackage(Map<Character, String> fields, long line, FileContent file, List<FoundPackage> found)
            throws MalformedContentException {
        if (fields.isEmpty()) {
            return;
        }
        String name = fields.get('P');
        String version = fields.get('V');
        if (name == null || name.isEmpty() || version == null || version.isEmpty()) {
            throw new MalformedContentException(file.path() + ": the package at line " + line + " has no "
                    + (name == null || name.isEmpty() ? "P: (name)" : "V: (version)") + " line");
        }
        String arch = fields.get('A');
        String purl = PackageUrls.purl("apk", "alpine", name, version, arch == null ? Map.of() : Map.of("arch", arch));
        found.add(new FoundPackage(PackageType.ALPINE, name, version, fields.get('o'), version, purl, file.layer(),
                file.path()));
    }
}
