package dev.stowage.scanning.inventory.lang;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stowage.scanning.inventory.FoundPackage;
import dev.stowage.scanning.inventory.MalformedContentException;
import dev.stowage.scanning.inventory.PackageDetector;
import dev.stowage.scanning.inventory.PackageType;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * PHP packages: {@code composer.lock} ({@code packages}; {@code packages-dev} left out, as a {@code composer install
 * --no-dev} does not install them) and {@code vendor/composer/installed.json} (what is installed, Composer 1's array
 * or Composer 2's {@code packages}). Composer writes tags as versions ({@code v5.4.47}); the leading {@code v} is
 * dropped, as advisories (GitHub's Packagist records) write {@code 5.4.47}. Branch versions ({@code dev-main}) have no
 * release to match and are not reported.
 */
public final class ComposerDetector implements PackageDetector {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public boolean wants(String path, long size, boolean executable) {
        return path.endsWith("/composer.lock") || path.endsWith("/vendor/composer/installed.json");
    }

    @Override
    public List<FoundPackage> read(FileContent file) throws IOException {
        String what = NpmDetector.fileName(file.path());
        JsonNode document;
        try {
            document = JSON.readTree(Bounded.capped(file.content(), Bounded.MAX_BUFFERED, what));
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new MalformedContentException(what + " is not JSON: " + e.getOriginalMessage(), e);
        }
        JsonNode packages = document != null && document.isArray() ? document
                : document == null ? null : document.get("packages");
        if (packages == null || !packages.isArray()) {
            throw new MalformedContentException(what + " has no packages list");
        }
        Map<String, FoundPackage> found = new LinkedHashMap<>();
        for (JsonNode p : packages) {
            String name = p.path("name").asText("");
            String version = p.path("version").asText("");
            if (version.length() > 1 && version.charAt(0) == 'v' && Character.isDigit(version.charAt(1))) {
                version = version.substring(1);
            }
            int slash = name.indexOf('/');
            if (slash <= 0 || version.isEmpty() || !Character.isDigit(version.charAt(0))) {
                continue;
            }
            found.putIfAbsent(name + "@" + version, new FoundPackage(PackageType.PHP_COMPOSER, name, version, null, null,
                    Purls.of(PackageType.PHP_COMPOSER, name.substring(0, slash), name.substring(slash + 1), version),
                    file.layer(), file.path()));
        }
        return List.copyOf(found.values());
    }
}
