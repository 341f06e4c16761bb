package dev.stowage.scanning.inventory.lang;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import dev.stowage.scanning.inventory.FoundPackage;
import dev.stowage.scanning.inventory.MalformedContentException;
import dev.stowage.scanning.inventory.PackageDetector;
import dev.stowage.scanning.inventory.PackageType;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Rust crates from {@code Cargo.lock}: each {@code [[package]]} with a {@code source} (a registry such as crates.io, or
 * git). Packages without a source are the workspace's own crates, not published ones, and are not reported.
 */
public final class CargoLockDetector implements PackageDetector {
    private static final TomlMapper TOML = new TomlMapper();

    @Override
    public boolean wants(String path, long size, boolean executable) {
        return path.endsWith("/Cargo.lock");
    }

    @Override
    public List<FoundPackage> read(FileContent file) throws IOException {
        JsonNode lock;
        try {
            lock = TOML.readTree(Bounded.capped(file.content(), Bounded.MAX_BUFFERED, "Cargo.lock"));
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new MalformedContentException("Cargo.lock is not TOML: " + e.getOriginalMessage(), e);
        }
        JsonNode packages = lock == null ? null : lock.get("package");
        if (packages == null) {
            return List.of();
        }
        if (!packages.isArray()) {
            throw new MalformedContentException("Cargo.lock whose package is not an array of tables");
        }
        Map<String, FoundPackage> found = new LinkedHashMap<>();
        for (JsonNode crate : packages) {
            String name = crate.path("name").asText("");
            String version = crate.path("version").asText("");
            if (name.isEmpty() || version.isEmpty() || !crate.hasNonNull("source")) {
                continue;
            }
            found.putIfAbsent(name + "@" + version, new FoundPackage(PackageType.CARGO, name, version, null, null,
                    Purls.of(PackageType.CARGO, null, name, version), file.layer(), file.path()));
        }
        return List.copyOf(found.values());
    }
}
