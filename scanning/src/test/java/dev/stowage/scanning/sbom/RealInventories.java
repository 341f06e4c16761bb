package dev.stowage.scanning.sbom;

import com.github.packageurl.MalformedPackageURLException;
import com.github.packageurl.PackageURL;
import dev.stowage.scanning.inventory.FoundPackage;
import dev.stowage.scanning.inventory.Inventory;
import dev.stowage.scanning.inventory.OperatingSystem;
import dev.stowage.scanning.inventory.PackageType;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Inventories of real software: the dpkg database of this machine (parsed just enough to name its packages) and
 * language packages the machine really has (jars of the local Maven repository, Go modules of Debian's docker-registry).
 */
final class RealInventories {
    static final String BASE_LAYER = layerDigest("debian base layer");
    static final String APP_LAYER = layerDigest("application layer");

    private RealInventories() {
    }

    static Inventory machineImage() {
        OperatingSystem os = machineOperatingSystem();
        List<FoundPackage> packages = new ArrayList<>(dpkgPackages(os));
        packages.addAll(languagePackages());
        return new Inventory(Optional.of(os), packages, List.of());
    }

    static OperatingSystem machineOperatingSystem() {
        Map<String, String> fields = new HashMap<>();
        try {
            for (String line : Files.readAllLines(Path.of("/etc/os-release"))) {
                int eq = line.indexOf('=');
                if (eq > 0) fields.put(line.substring(0, eq), line.substring(eq + 1).replace("\"", ""));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new OperatingSystem(fields.get("ID"), fields.getOrDefault("VERSION_ID", ""),
                fields.getOrDefault("PRETTY_NAME", ""));
    }

    /** Every installed package of /var/lib/dpkg/status (hundreds on this machine). */
    static List<FoundPackage> dpkgPackages(OperatingSystem os) {
        String status;
        try {
            status = Files.readString(Path.of("/var/lib/dpkg/status"), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<FoundPackage> packages = new ArrayList<>();
        for (String paragraph : status.split("\n\n")) {
            Map<String, String> fields = new HashMap<>();
            for (String line : paragraph.split("\n")) {
                int colon = line.indexOf(':');
                if (colon > 0 && !Character.isWhitespace(line.charAt(0))) {
                    fields.put(line.substring(0, colon), line.substring(colon + 1).trim());
                }
            }
            if (!fields.getOrDefault("Status", "").endsWith(" installed") || !fields.containsKey("Version")) continue;
            String name = fields.get("Package");
            String version = fields.get("Version");
            String source = fields.getOrDefault("Source", name);
            String sourceVersion = version;
            int paren = source.indexOf(" (");
            if (paren > 0) {
                sourceVersion = source.substring(paren + 2, source.length() - 1);
                source = source.substring(0, paren);
            }
            TreeMap<String, String> qualifiers = new TreeMap<>();
            qualifiers.put("arch", fields.getOrDefault("Architecture", "all"));
            qualifiers.put("distro", os.id() + "-" + os.versionId());
            packages.add(new FoundPackage(PackageType.DEBIAN, name, version, source, sourceVersion,
                    purl("deb", os.id(), name, version, qualifiers), BASE_LAYER, "/var/lib/dpkg/status"));
        }
        return packages;
    }

    static List<FoundPackage> languagePackages() {
        return List.of(
                new FoundPackage(PackageType.MAVEN, "com.fasterxml.jackson.core:jackson-databind", "2.18.2", null, null,
                        purl("maven", "com.fasterxml.jackson.core", "jackson-databind", "2.18.2", null), APP_LAYER,
                        "/app/app.jar!/BOOT-INF/lib/jackson-databind-2.18.2.jar"),
                new FoundPackage(PackageType.MAVEN, "org.cyclonedx:cyclonedx-core-java", "12.2.0", null, null,
                        purl("maven", "org.cyclonedx", "cyclonedx-core-java", "12.2.0", null), APP_LAYER,
                        "/app/app.jar!/BOOT-INF/lib/cyclonedx-core-java-12.2.0.jar"),
                new FoundPackage(PackageType.GO, "github.com/docker/distribution", "2.8.2+incompatible", null, null,
                        purl("golang", "github.com/docker", "distribution", "v2.8.2+incompatible", null), APP_LAYER,
                        "/usr/bin/docker-registry"),
                new FoundPackage(PackageType.GO, "stdlib", "1.19.8", null, null,
                        purl("golang", null, "stdlib", "v1.19.8", null), APP_LAYER, "/usr/bin/docker-registry"),
                new FoundPackage(PackageType.NPM, "@babel/core", "7.22.5", null, null,
                        purl("npm", "@babel", "core", "7.22.5", null), APP_LAYER,
                        "/srv/web/node_modules/@babel/core/package.json"),
                new FoundPackage(PackageType.PYPI, "requests", "2.31.0", null, null,
                        purl("pypi", null, "requests", "2.31.0", null), APP_LAYER,
                        "/usr/lib/python3/dist-packages/requests-2.31.0.dist-info/METADATA"));
    }

    static String purl(String type, String namespace, String name, String version, TreeMap<String, String> qualifiers) {
        try {
            return new PackageURL(type, namespace, name, version, qualifiers, null).canonicalize();
        } catch (MalformedPackageURLException e) {
            throw new IllegalArgumentException(e);
        }
    }

    static String layerDigest(String seed) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(seed.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
