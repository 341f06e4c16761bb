package dev.stowage.scanning.inventory;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;

/**
 * Measures the inventory of a 5-layer image built from this machine's real files (/usr, plus its dpkg database and
 * os-release in the first layer): the goal is under 2 s for 100 MiB. Prints the figures; asserts nothing.
 * <pre>
 * ./mvnw -q -o -pl scanning -am test-compile dependency:build-classpath -Dmdep.outputFile=/tmp/scanning.cp -Dmdep.includeScope=test
 * java -cp scanning/target/classes:scanning/target/test-classes:$(cat /tmp/scanning.cp) \
 *     dev.stowage.scanning.inventory.InventoryMeasurement [compressed MiB, default 100] [source dir, default /usr]
 * </pre>
 */
public final class InventoryMeasurement {
    private static final int LAYERS = 5;

    public static void main(String[] args) throws IOException {
        long target = (args.length > 0 ? Long.parseLong(args[0]) : 100) * 1024 * 1024;
        Path source = Path.of(args.length > 1 ? args[1] : "/usr");
        Path directory = Files.createTempDirectory("stowage-measure");
        List<ImageInventory.Layer> layers = new ArrayList<>();
        long uncompressed = 0;
        long compressed = 0;
        long files = 0;
        try (Stream<Path> walk = Files.walk(source)) {
            Iterator<Path> paths = walk.iterator();
            for (int i = 0; i < LAYERS; i++) {
                Path blob = directory.resolve("layer" + i + ".tar.gz");
                long layerTarget = target / LAYERS;
                try (OutputStream file = Files.newOutputStream(blob);
                     CountingOutputStream counted = new CountingOutputStream(file);
                     GZIPOutputStream gzip = new GZIPOutputStream(counted, 64 * 1024);
                     TarArchiveOutputStream tar = new TarArchiveOutputStream(gzip)) {
                    tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
                    tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
                    if (i == 0) {
                        uncompressed += add(tar, Path.of("/var/lib/dpkg/status"), "var/lib/dpkg/status");
                        uncompressed += add(tar, Path.of("/usr/lib/os-release"), "etc/os-release");
                    }
                    while (counted.count < layerTarget && paths.hasNext()) {
                        Path path = paths.next();
                        String name = path.toString().substring(1);
                        uncompressed += add(tar, path, name);
                        files++;
                    }
                }
                compressed += Files.size(blob);
                layers.add(new ImageInventory.Layer("sha256:layer" + i, TestLayer.GZIP, () -> Files.newInputStream(blob)));
            }
        }
        System.out.printf("image: %d layers, %d entries, %.1f MiB compressed, %.1f MiB uncompressed%n", LAYERS, files,
                compressed / 1048576.0, uncompressed / 1048576.0);
        ImageInventory inventory = new ImageInventory(ImageInventory.osPackageDetectors());
        for (int run = 1; run <= 5; run++) {
            long start = System.nanoTime();
            Inventory result = inventory.inventory(layers);
            long millis = (System.nanoTime() - start) / 1_000_000;
            System.out.printf("run %d: %d ms, %d packages, %d skipped, os %s%n", run, millis, result.packages().size(),
                    result.skipped().size(), result.operatingSystem().map(OperatingSystem::prettyName).orElse("-"));
        }
        try (Stream<Path> blobs = Files.list(directory)) {
            for (Path blob : blobs.toList()) {
                Files.delete(blob);
            }
        }
        Files.delete(directory);
    }

    private static long add(TarArchiveOutputStream tar, Path path, String name) throws IOException {
        if (Files.isSymbolicLink(path)) {
            TarArchiveEntry entry = new TarArchiveEntry(name, TarArchiveEntry.LF_SYMLINK);
            entry.setLinkName(Files.readSymbolicLink(path).toString());
            tar.putArchiveEntry(entry);
            tar.closeArchiveEntry();
            return 0;
        }
        if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
            tar.putArchiveEntry(new TarArchiveEntry(name + "/"));
            tar.closeArchiveEntry();
            return 0;
        }
        if (!Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS) || !Files.isReadable(path)) {
            return 0;
        }
        TarArchiveEntry entry = new TarArchiveEntry(name);
        long size = Files.size(path);
        entry.setSize(size);
        entry.setMode(Files.getPosixFilePermissions(path).contains(PosixFilePermission.OWNER_EXECUTE) ? 0755 : 0644);
        tar.putArchiveEntry(entry);
        Files.copy(path, tar);
        tar.closeArchiveEntry();
        return size;
    }

    private static final class CountingOutputStream extends java.io.FilterOutputStream {
        long count;

        CountingOutputStream(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }
    }
}
