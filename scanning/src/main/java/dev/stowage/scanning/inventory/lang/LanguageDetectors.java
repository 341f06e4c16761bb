package dev.stowage.scanning.inventory.lang;

import dev.stowage.scanning.inventory.FoundPackage;
import dev.stowage.scanning.inventory.MalformedContentException;
import dev.stowage.scanning.inventory.PackageDetector;

import java.io.IOException;
import java.util.List;

/** The detectors of language packages (Maven, Go, npm, PyPI, crates.io, RubyGems, Composer, NuGet), for the inventory. */
public final class LanguageDetectors {
    private LanguageDetectors() {
    }

    /**
     * Every language detector, each guarded so that content no parser foresaw (a runtime exception deep in a zip or
     * JSON library) ends as {@link MalformedContentException} for that one file, never as a failed scan.
     */
    public static List<PackageDetector> all() {
        return List.of(new JavaArchiveDetector(), new ExecutableDetector(), new NpmDetector(), new PythonDetector(),
                        new CargoLockDetector(), new RubyGemsDetector(), new ComposerDetector(), new DotnetDepsDetector()).stream()
                .map(Guarded::new).map(PackageDetector.class::cast).toList();
    }

    private record Guarded(PackageDetector detector) implements PackageDetector {
        @Override
        public boolean wants(String path, long size, boolean executable) {
            return detector.wants(path, size, executable);
        }

        @Override
        public List<FoundPackage> read(FileContent file) throws IOException {
            try {
                return detector.read(file);
            } catch (RuntimeException | StackOverflowError e) {
                throw new MalformedContentException(detector.getClass().getSimpleName() + " could not read it: " + e,
                        e);
            }
        }
    }
}
