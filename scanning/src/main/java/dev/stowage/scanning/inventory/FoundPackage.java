package dev.stowage.scanning.inventory;

import java.util.Objects;

/**
 * One package found in an image's final filesystem.
 *
 * @param type          how it was found (decides version ordering)
 * @param name          the name in its ecosystem's own form: Maven {@code groupId:artifactId}, Go module path,
 *                      Debian binary package name, ...
 * @param version       the installed version as the package manager writes it (Debian with epoch, Go without {@code v})
 * @param sourceName    the source package for OS packages (Debian and Alpine advisories name sources), else the name
 * @param sourceVersion the source package's version, else the version
 * @param purl          the package URL (purl-spec), e.g. {@code pkg:deb/debian/libc6@2.36-9?arch=amd64}
 * @param layer         the digest of the layer the file that declares it came from
 * @param path          that file's absolute path in the image, e.g. {@code /var/lib/dpkg/status}; inside an archive
 *                      {@code /app/app.jar!/BOOT-INF/lib/x.jar}
 */
public record FoundPackage(PackageType type, String name, String version, String sourceName, String sourceVersion,
                           String purl, String layer, String path) {
    public FoundPackage {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(version, "version");
        sourceName = sourceName == null || sourceName.isBlank() ? name : sourceName;
        sourceVersion = sourceVersion == null || sourceVersion.isBlank() ? version : sourceVersion;
        Objects.requireNonNull(purl, "purl");
        Objects.requireNonNull(layer, "layer");
        Objects.requireNonNull(path, "path");
    }
}
