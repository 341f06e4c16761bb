package dev.stowage.scanning.inventory;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;

import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The inventory of an image's final filesystem. Each layer is read once, as a stream, in order; every regular file is
 * offered to every {@link PackageDetector}; whiteouts, opaque directories and replaced paths drop what lower layers
 * declared. The operating system comes from {@code /etc/os-release} (else {@code /usr/lib/os-release}), resolved through
 * the image's own symbolic links. A layer or file that cannot be read becomes a {@link SkippedPart}; the rest of the
 * image is still inventoried. Bounded by {@link InventoryLimits}: nothing is unpacked to disk except one file at a time
 * that a detector must open as a file (the rpmdb) or that several detectors want and is too large to share in memory,
 * and then within the per-file limit.
 */
public final class ImageInventory {
    /** The path a {@link SkippedPart} carries when a whole layer could not be read. */
    public static final String WHOLE_LAYER = "/";

    /** Files of this size or less, wanted by more than one reader, are held in memory rather than in a temporary file. */
    private static final int SHARED_IN_MEMORY = 4 * 1024 * 1024;
    private static final int OS_RELEASE_MAX = 64 * 1024;

    /** One layer of the image, lowest first. */
    public record Layer(String digest, String mediaType, Blob blob) {
        public Layer {
            Objects.requireNonNull(digest, "digest");
            Objects.requireNonNull(blob, "blob");
        }
    }

    /** Opens the layer's blob, as stored (compressed). */
    @FunctionalInterface
    public interface Blob {
        InputStream open() throws IOException;
    }

    private final List<PackageDetector> detectors;
    private final InventoryLimits limits;

    public ImageInventory(List<PackageDetector> detectors) {
        this(detectors, InventoryLimits.defaults());
    }

    public ImageInventory(List<PackageDetector> detectors, InventoryLimits limits) {
        this.detectors = List.copyOf(detectors);
        this.limits = Objects.requireNonNull(limits, "limits");
    }

    /** The detectors of the operating system's package databases: dpkg, apk and rpm. */
    public static List<PackageDetector> osPackageDetectors() {
        return List.of(new DpkgDetector(), new ApkDetector(), new RpmDetector());
    }

    /**
     * Inventories the image.
     *
     * @throws IOException only when a blob cannot be opened or read from its storage (so the scan can be retried);
     *                     anything wrong with the image's content is reported in {@link Inventory#skipped()}
     */
    public Inventory inventory(List<Layer> layers) throws IOException {
        FinalFilesystem filesystem = new FinalFilesystem();
        List<SkippedPart> layerProblems = new ArrayList<>();
        for (Layer layer : layers) {
            readLayer(layer, filesystem, layerProblems);
        }
        List<SkippedPart> skipped = new ArrayList<>(layerProblems);
        skipped.addAll(filesystem.problems());
        Optional<OperatingSystem> os = operatingSystem(filesystem, skipped);
        List<FoundPackage> packages = new ArrayList<>();
        for (FinalFilesystem.Node node : filesystem.nodes().values()) {
            for (FoundPackage found : node.packages()) {
                packages.add(found.type().operatingSystemPackage() ? PackageUrls.forDistribution(found, os) : found);
            }
            skipped.addAll(node.skipped());
        }
        return new Inventory(os, packages, skipped);
    }

    private void readLayer(Layer layer, FinalFilesystem filesystem, List<SkippedPart> problems) throws IOException {
        String digest = layer.digest();
        if (!LayerStreams.isLayerMediaType(layer.mediaType())) {
            problems.add(new SkippedPart(digest, WHOLE_LAYER, "encrypted layer, cannot be read: " + layer.mediaType()));
            return;
        }
        FinalFilesystem.Changes changes = filesystem.begin(digest);
        try (InputStream blob = layer.blob().open()) {
            InputStream tarBytes = LayerStreams.tarStream(blob, limits);
            BoundedTarInputStream tar = new BoundedTarInputStream(tarBytes, limits.maxHeaderBytes());
            long entries = 0;
            TarArchiveEntry entry;
            while ((entry = nextEntry(tar)) != null) {
                if (++entries > limits.maxLayerEntries()) {
                    throw new LayerStreams.UnreadableLayerException("more than " + limits.maxLayerEntries()
                            + " entries in the layer (the per-layer limit)");
                }
                readEntry(digest, entry, tar, changes);
            }
            changes.apply();
        } catch (LayerStreams.BlobReadException e) {
            throw (IOException) e.getCause();
        } catch (LayerStreams.UnreadableLayerException e) {
            problems.add(new SkippedPart(digest, WHOLE_LAYER, e.getMessage()));
        } catch (IOException | RuntimeException e) {
            problems.add(new SkippedPart(digest, WHOLE_LAYER, "not a readable tar: " + LayerStreams.describe(e)));
        }
    }

    /** commons-compress reports some malformed headers as unchecked exceptions; they are the layer's fault too. */
    private static TarArchiveEntry nextEntry(BoundedTarInputStream tar) throws IOException {
        try {
            return tar.getNextEntry();
        } catch (LayerStreams.BlobReadException | LayerStreams.UnreadableLayerException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new LayerStreams.UnreadableLayerException("not a readable tar: " + LayerStreams.describe(e));
        }
    }

    private void readEntry(String layer, TarArchiveEntry entry, InputStream tar, FinalFilesystem.Changes changes)
            throws IOException {
        String path;
        try {
            path = ImagePaths.entryPath(entry.getName());
        } catch (ImagePaths.OutsideImageException e) {
            changes.skip(new SkippedPart(layer, ImagePaths.printable(entry.getName()), e.getMessage()));
            return;
        }
        if (path.equals("/")) {
            return;
        }
        String name = ImagePaths.baseName(path);
        String directory = ImagePaths.parent(path);
        if (name.equals(".wh..wh..opq")) {
            changes.opaque(directory);
            return;
        }
        if (name.startsWith(".wh..wh.")) {
            return; // AUFS bookkeeping (.wh..wh.plnk, .wh..wh.aufs): not part of the image's filesystem
        }
        if (name.startsWith(".wh.")) {
            changes.whiteout(ImagePaths.child(directory, name.substring(4)));
            return;
        }
        if (entry.isDirectory()) {
            changes.directory(path);
        } else if (entry.isSymbolicLink()) {
            changes.symlink(path, entry.getLinkName());
        } else if (entry.isLink()) {
            try {
                changes.hardLink(path, ImagePaths.entryPath(entry.getLinkName()));
            } catch (ImagePaths.OutsideImageException e) {
                changes.replace(path);
                changes.skip(new SkippedPart(layer, path, "hard link target " + e.getMessage()));
            }
        } else if (entry.isFile()) {
            readFile(layer, path, entry, tar, changes);
        } else {
            changes.replace(path); // device, FIFO: nothing to read, but it takes the path
        }
    }

    private void readFile(String layer, String path, TarArchiveEntry entry, InputStream tar,
                          FinalFilesystem.Changes changes) throws IOException {
        long size = entry.getSize();
        boolean executable = (entry.getMode() & 0111) != 0;
        List<PackageDetector> wanting = new ArrayList<>();
        for (PackageDetector detector : detectors) {
            if (detector.wants(path, size, executable)) {
                wanting.add(detector);
            }
        }
        boolean osRelease = ImagePaths.baseName(path).contains("os-release") && size <= OS_RELEASE_MAX;
        if (wanting.isEmpty() && !osRelease) {
            changes.file(path, List.of(), List.of(), null);
            return;
        }
        List<FoundPackage> packages = new ArrayList<>();
        List<SkippedPart> skipped = new ArrayList<>();
        byte[] content = null;
        if (!wanting.isEmpty() && size > limits.maxFileBytes()) {
            skipped.add(new SkippedPart(layer, path, "file of " + size + " bytes, over the " + limits.maxFileBytes()
                    + "-byte limit for a file read by a package detector"));
        } else if (osRelease || wanting.size() > 1 && size <= SHARED_IN_MEMORY) {
            byte[] bytes = new EntryContent(tar, size).readAllBytes();
            content = bytes;
            for (PackageDetector detector : wanting) {
                detect(detector, layer, path, size, () -> new ByteArrayInputStream(bytes), packages, skipped);
            }
        } else if (wanting.size() == 1) {
            detect(wanting.get(0), layer, path, size, () -> new EntryContent(tar, size), packages, skipped);
        } else {
            Path copy = Files.createTempFile("stowage-layer-file", ".tmp");
            try {
                try (OutputStream out = Files.newOutputStream(copy)) {
                    new EntryContent(tar, size).transferTo(out);
                }
                for (PackageDetector detector : wanting) {
                    detect(detector, layer, path, size, () -> Files.newInputStream(copy), packages, skipped);
                }
            } finally {
                Files.deleteIfExists(copy);
            }
        }
        changes.file(path, packages, skipped, osRelease ? content : null);
    }

    private interface ContentOpener {
        InputStream open() throws IOException;
    }

    private static void detect(PackageDetector detector, String layer, String path, long size, ContentOpener opener,
                               List<FoundPackage> packages, List<SkippedPart> skipped) throws IOException {
        try (InputStream content = opener.open()) {
            packages.addAll(detector.read(new PackageDetector.FileContent(layer, path, size, content)));
        } catch (LayerStreams.BlobReadException | LayerStreams.UnreadableLayerException e) {
            throw e; // the layer's stream failed under the detector: the layer, not the file, is unreadable
        } catch (IOException e) {
            Throwable layerFailure = layerFailure(e);
            if (layerFailure != null) {
                throw (IOException) layerFailure;
            }
            skipped.add(new SkippedPart(layer, path, LayerStreams.describe(e)));
        } catch (RuntimeException e) {
            Throwable layerFailure = layerFailure(e);
            if (layerFailure != null) {
                throw (IOException) layerFailure;
            }
            skipped.add(new SkippedPart(layer, path, detector.getClass().getSimpleName() + " failed: "
                    + LayerStreams.describe(e)));
        }
    }

    /** A detector may wrap the stream's exception in its own; the layer's failure still wins. */
    private static Throwable layerFailure(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof LayerStreams.BlobReadException || cause instanceof LayerStreams.UnreadableLayerException) {
                return cause;
            }
        }
        return null;
    }

    private Optional<OperatingSystem> operatingSystem(FinalFilesystem filesystem, List<SkippedPart> skipped) {
        for (String candidate : List.of("/etc/os-release", "/usr/lib/os-release")) {
            FinalFilesystem.Resolution resolution = filesystem.resolve(candidate, limits.maxSymlinkHops());
            if (resolution.problem() != null) {
                skipped.add(new SkippedPart(resolution.problemLayer(), candidate, resolution.problem()));
                continue;
            }
            FinalFilesystem.Node node = filesystem.node(resolution.path());
            if (node != null && node.content() != null) {
                return Optional.of(OsRelease.parse(node.content()));
            }
        }
        return Optional.empty();
    }

    /**
     * One file's content within the layer's tar stream: never more than the entry, never closes the tar stream (the
     * detector closes what it is given), and notes a failure of the stream so it can be told from the detector's own.
     */
    private static final class EntryContent extends ReadThroughFilterStream {
        private long remaining;

        EntryContent(InputStream tar, long size) {
            super(tar);
            this.remaining = size;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (remaining <= 0) {
                return -1;
            }
            int n = in.read(b, off, (int) Math.min(len, remaining));
            if (n > 0) {
                remaining -= n;
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long skipped = in.skip(Math.min(n, remaining));
            remaining -= skipped;
            return skipped;
        }

        @Override
        public int available() throws IOException {
            return (int) Math.min(in.available(), remaining);
        }

        @Override
        public void close() {
            // the tar stream stays open for the next entry
        }

        @Override
        public boolean markSupported() {
            return false;
        }
    }
}
