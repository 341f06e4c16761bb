package dev.stowage.scanning.inventory;

import java.util.List;
import java.util.Optional;

/** What an image contains: its operating system, its packages, and what could not be read. */
public record Inventory(Optional<OperatingSystem> operatingSystem, List<FoundPackage> packages,
                        List<SkippedPart> skipped) {
    public Inventory {
        packages = List.copyOf(packages);
        skipped = List.copyOf(skipped);
    }
}
