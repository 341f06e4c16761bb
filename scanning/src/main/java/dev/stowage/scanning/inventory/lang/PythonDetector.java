package dev.stowage.scanning.inventory.lang;

import dev.stowage.scanning.inventory.FoundPackage;
import dev.stowage.scanning.inventory.MalformedContentException;
import dev.stowage.scanning.inventory.PackageDetector;
import dev.stowage.scanning.inventory.PackageType;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Installed Python distributions: {@code *.dist-info/METADATA} (wheels, pip), {@code *.egg-info/PKG-INFO} and the
 * single-file {@code *.egg-info} of older setuptools (Debian's {@code dist-packages} has both). Only the RFC 822 header
 * block is read ({@code Name}, {@code Version}); the long description after it is not. The name is reported as the
 * distribution writes it; the purl carries its PEP 503 normal form ({@link Purls#pep503}), which is what advisories
 * must be matched on.
 */
public final class PythonDetector implements PackageDetector {
    private static final int MAX_HEADERS = 1 << 20;

    @Override
    public boolean wants(String path, long size, boolean executable) {
        return path.endsWith(".dist-info/METADATA") || path.endsWith(".egg-info/PKG-INFO") || path.endsWith(".egg-info");
    }

    @Override
    public List<FoundPackage> read(FileContent file) throws IOException {
        String name = null;
        String version = null;
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(
                Bounded.capped(file.content(), MAX_HEADERS, "the metadata headers"), StandardCharsets.UTF_8))) {
            for (String line; (line = NpmDetector.readLine(lines)) != null && !line.isEmpty(); ) {
                int colon = line.indexOf(':');
                if (colon <= 0 || Character.isWhitespace(line.charAt(0))) {
                    continue; // a continuation line
                }
                String header = line.substring(0, colon).trim();
                String value = line.substring(colon + 1).trim();
                if (header.equalsIgnoreCase("Name") && name == null) {
                    name = value;
                } else if (header.equalsIgnoreCase("Version") && version == null) {
                    version = value;
                }
                if (name != null && version != null) {
                    break;
                }
            }
        }
        if (name == null || name.isEmpty() || version == null || version.isEmpty()) {
            throw new MalformedContentException("Python package metadata without a Name and a Version header");
        }
        return List.of(new FoundPackage(PackageType.PYPI, name, version, null, null,
                Purls.of(PackageType.PYPI, null, Purls.pep503(name), version), file.layer(), file.path()));
    }
}
