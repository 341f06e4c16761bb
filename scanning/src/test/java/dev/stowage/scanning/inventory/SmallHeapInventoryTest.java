package dev.stowage.scanning.inventory;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static dev.stowage.scanning.inventory.TestLayer.GZIP;
import static dev.stowage.scanning.inventory.TestLayer.ZSTD;
import static dev.stowage.scanning.inventory.TestLayer.layer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Layers that decompress to far more than the heap: the surefire execution {@code small-heap} (scanning/pom.xml) runs
 * this class in a 64 MiB heap; in the default, large-heap execution it is skipped, since there it would prove nothing.
 * The layers are generated as streams: gzip members (and zstd frames) of zeros, concatenated, as the formats allow.
 */
class SmallHeapInventoryTest {
    private static final long GiB = 1024L * 1024 * 1024;
    private static final int CHUNK = 4 * 1024 * 1024;
    private static byte[] status;

    @BeforeAll
    static void onlyInASmallHeap() throws IOException {
        assumeTrue(Runtime.getRuntime().maxMemory() <= 128L * 1024 * 1024, "runs in the small-heap execution only");
        status = Files.readAllBytes(Path.of("/var/lib/dpkg/status"));
    }

    /** A tar holding one file of {@code size} zeros, compressed chunk by chunk; {@code size} < 0: zeros without end. */
    private static ImageInventory.Layer zeros(String mediaType, String path, long size) {
        boolean zstd = mediaType.equals(ZSTD);
        byte[] endOfArchive = new TestLayer().tar();
        // an endless layer declares the largest size an 11-digit octal header holds (8 GiB) and never ends
        byte[] fileHeader = TestLayer.rawHeader(path, '0', size < 0 ? (1L << 33) - 512 : size);
        byte[] zeroChunk = zstd ? TestLayer.zstd(new byte[CHUNK]) : TestLayer.gzip(new byte[CHUNK]);
        byte[] start = zstd ? TestLayer.zstd(fileHeader) : TestLayer.gzip(fileHeader);
        byte[] end = zstd ? TestLayer.zstd(endOfArchive) : TestLayer.gzip(endOfArchive);
        long chunks = size < 0 ? Long.MAX_VALUE : size / CHUNK;
        return new ImageInventory.Layer("sha256:zeros-" + mediaType.hashCode() + "-" + size, mediaType, () -> {
            // not SequenceInputStream: its close() drains the enumeration, which here has no end
            return new InputStream() {
                private long next = -1;
                private byte[] current = start;
                private int position;

                @Override
                public int read() {
                    byte[] one = new byte[1];
                    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
                }

                @Override
                public int read(byte[] b, int off, int len) {
                    while (position == current.length) {
                        if (next >= chunks) {
                            return -1;
                        }
                        next++;
                        current = next < chunks ? zeroChunk : end;
                        position = 0;
                    }
                    int n = Math.min(len, current.length - position);
                    System.arraycopy(current, position, b, off, n);
                    position += n;
                    return n;
                }
            };
        });
    }

    private static ImageInventory.Layer realDpkg() {
        return layer(GZIP, new TestLayer().file("var/lib/dpkg/status", status).gzip());
    }

    @Test
    void aDetectorStreamsAFileOfGigabytesThroughASmallHeap() throws IOException {
        AtomicLong read = new AtomicLong();
        PackageDetector counting = new PackageDetector() {
            @Override
            public boolean wants(String path, long size, boolean executable) {
                return path.equals("/big/zeros");
            }

            @Override
            public List<FoundPackage> read(FileContent file) throws IOException {
                byte[] buffer = new byte[64 * 1024];
                int n;
                while ((n = file.content().read(buffer)) > 0) {
                    read.addAndGet(n);
                }
                return List.of();
            }
        };
        List<PackageDetector> detectors = List.of(new DpkgDetector(), counting);
        ImageInventory inventory = new ImageInventory(detectors, InventoryLimits.defaults().withMaxFileBytes(4 * GiB));

        Inventory result = inventory.inventory(List.of(zeros(GZIP, "big/zeros", 2 * GiB), realDpkg()));

        assertThat(read.get()).isEqualTo(2 * GiB);
        assertThat(result.skipped()).isEmpty();
        assertThat(result.packages()).isNotEmpty();
    }

    @Test
    void aZstdLayerOfAGigabyteDecompressesThroughASmallHeap() throws IOException {
        Inventory result = new ImageInventory(ImageInventory.osPackageDetectors())
                .inventory(List.of(zeros(ZSTD, "big/zeros", GiB), realDpkg()));

        assertThat(result.skipped()).isEmpty();
        assertThat(result.packages()).isNotEmpty();
    }

    @Test
    void aGiganticPackageDatabaseIsSkippedWithoutBeingRead() throws IOException {
        ImageInventory.Layer huge = zeros(GZIP, "var/lib/dpkg/status", GiB);

        Inventory result = new ImageInventory(ImageInventory.osPackageDetectors()).inventory(List.of(huge));

        assertThat(result.skipped()).containsExactly(new SkippedPart(huge.digest(), "/var/lib/dpkg/status",
                "file of 1073741824 bytes, over the 268435456-byte limit for a file read by a package detector"));
    }

    @Test
    void anEndlessDecompressionBombIsStoppedAtTheLayerLimitAndTheNextLayerIsRead() throws IOException {
        ImageInventory.Layer bomb = zeros(GZIP, "bomb", -1);
        ImageInventory limited = new ImageInventory(ImageInventory.osPackageDetectors(),
                InventoryLimits.defaults().withMaxLayerBytes(GiB));

        Inventory result = limited.inventory(List.of(bomb, realDpkg()));

        assertThat(result.skipped()).containsExactly(new SkippedPart(bomb.digest(), "/",
                "layer decompresses to more than 1073741824 bytes (the per-layer limit; a decompression bomb?)"));
        assertThat(result.packages()).isNotEmpty();
    }
}
