package dev.stowage.scanning.inventory.lang;

import dev.stowage.scanning.inventory.PackageDetector;

import java.util.List;

/** The detectors of language packages (Maven, Go, npm, PyPI, crates.io, ...), for the inventory to offer files to. */
public final class LanguageDetectors {
    private LanguageDetectors() {
    }

    public static List<PackageDetector> all() {
        return List.of(new JavaArchiveDetector(), new ExecutableDetector(), new NpmDetector(), new PythonDetector(),
                new CargoLockDetector(), new RubyGemsDetector(), new ComposerDetector());
    }
}
