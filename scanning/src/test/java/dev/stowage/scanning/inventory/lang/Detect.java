package dev.stowage.scanning.inventory.lang;

import dev.stowage.scanning.inventory.FoundPackage;
import dev.stowage.scanning.inventory.PackageDetector;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Offers files to a detector exactly as the inventory walker does: path, size, executable bit, then a stream. */
final class Detect {
    static final String LAYER = "sha256:" + "ab".repeat(32);

    private Detect() {
    }

    /** The packages the detector finds in a file placed at {@code imagePath}, or none if it does not want the file. */
    static List<FoundPackage> file(PackageDetector detector, Path file, String imagePath) throws IOException {
        long size = Files.size(file);
        if (!detector.wants(imagePath, size, Files.isExecutable(file))) {
            return List.of();
        }
        try (InputStream content = Files.newInputStream(file)) {
            return detector.read(new PackageDetector.FileContent(LAYER, imagePath, size, content));
        }
    }

    /** Every regular file under a directory, offered with its path under {@code imageRoot}. */
    static List<FoundPackage> tree(PackageDetector detector, Path root, String imageRoot) throws IOException {
        List<FoundPackage> found = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
                found.addAll(file(detector, file, imageRoot + "/" + root.relativize(file)));
            }
        }
        return found;
    }
}
