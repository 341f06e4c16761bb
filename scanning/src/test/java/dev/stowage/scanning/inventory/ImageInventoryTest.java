package dev.stowage.scanning.inventory;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import static dev.stowage.scanning.inventory.TestLayer.GZIP;
import static dev.stowage.scanning.inventory.TestLayer.TAR;
import static dev.stowage.scanning.inventory.TestLayer.ZSTD;
import static dev.stowage.scanning.inventory.TestLayer.layer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The inventory of images built from this machine's real dpkg database and os-release, packed into real tar, tar+gzip
 * and tar+zstd layers, with whiteouts, opaque directories and replacements in upper layers, and hostile layers.
 */
class ImageInventoryTest {
    private static byte[] status;
    private static byte[] osRelease;
    private static long installedPackages;
    private static String dpkgVersion;

    @BeforeAll
    static void readThisMachine() throws IOException {
        status = Files.readAllBytes(Path.of("/var/lib/dpkg/status"));
        osRelease = Files.readAllBytes(Path.of("/usr/lib/os-release"));
        String text = new String(status, StandardCharsets.UTF_8);
        installedPackages = text.lines().filter(line -> line.startsWith("Status: ") && line.endsWith(" installed")).count();
        String dpkg = text.substring(text.indexOf("\nPackage: dpkg\n") + 1);
        dpkgVersion = dpkg.lines().takeWhile(line -> !line.isEmpty())
                .filter(line -> line.startsWith("Version: ")).findFirst().orElseThrow().substring(9);
    }

    private static final ImageInventory INVENTORY = new ImageInventory(ImageInventory.osPackageDetectors());

    /** A Debian root as debootstrap lays it out: os-release in /usr/lib, /etc/os-release a relative link to it. */
    private static TestLayer debianBase() {
        return new TestLayer().directory("etc").directory("usr/lib").file("usr/lib/os-release", osRelease)
                .symlink("etc/os-release", "../usr/lib/os-release")
                .directory("var/lib/dpkg").file("var/lib/dpkg/status", status);
    }

    @Test
    void findsEveryInstalledPackageOfARealDpkgDatabaseInAGzipLayer() throws IOException {
        ImageInventory.Layer base = layer(GZIP, debianBase().gzip());

        Inventory inventory = INVENTORY.inventory(List.of(base));

        assertThat(inventory.skipped()).isEmpty();
        assertThat(inventory.packages()).hasSize((int) installedPackages);
        assertThat(inventory.packages()).allSatisfy(p -> {
            assertThat(p.type()).isEqualTo(PackageType.DEBIAN);
            assertThat(p.layer()).isEqualTo(base.digest());
            assertThat(p.path()).isEqualTo("/var/lib/dpkg/status");
        });
        FoundPackage dpkg = inventory.packages().stream().filter(p -> p.name().equals("dpkg")).findFirst().orElseThrow();
        assertThat(dpkg.version()).isEqualTo(dpkgVersion);
        assertThat(dpkg.purl()).isEqualTo("pkg:deb/debian/dpkg@" + PackageUrls.encode(dpkgVersion)
                + "?arch=amd64&distro=debian-12");
    }

    @Test
    void readsTheOperatingSystemThroughDebiansRelativeOsReleaseLink() throws IOException {
        Inventory inventory = INVENTORY.inventory(List.of(layer(GZIP, debianBase().gzip())));

        assertThat(inventory.operatingSystem())
                .contains(new OperatingSystem("debian", "12", "Debian GNU/Linux 12 (bookworm)"));
    }

    @Test
    void readsZstdAndUncompressedLayersTooWhateverTheMediaTypeSays() throws IOException {
        byte[] tar = debianBase().tar();
        for (ImageInventory.Layer layer : List.of(layer(ZSTD, TestLayer.zstd(tar)), layer(TAR, tar),
                layer(GZIP, TestLayer.zstd(tar)), layer(TestLayer.DOCKER_GZIP, TestLayer.gzip(tar)))) {
            Inventory inventory = INVENTORY.inventory(List.of(layer));

            assertThat(inventory.skipped()).as(layer.mediaType()).isEmpty();
            assertThat(inventory.packages()).as(layer.mediaType()).hasSize((int) installedPackages);
        }
    }

    @Test
    void readsGzipAndZstdLayersMadeByTheTarCommand(@org.junit.jupiter.api.io.TempDir Path root) throws Exception {
        Files.createDirectories(root.resolve("rootfs/var/lib/dpkg"));
        Files.createDirectories(root.resolve("rootfs/usr/lib"));
        Files.createDirectories(root.resolve("rootfs/etc"));
        Files.write(root.resolve("rootfs/var/lib/dpkg/status"), status);
        Files.write(root.resolve("rootfs/usr/lib/os-release"), osRelease);
        Files.createSymbolicLink(root.resolve("rootfs/etc/os-release"), Path.of("../usr/lib/os-release"));
        for (String compression : List.of("--gzip", "--zstd")) {
            Path blob = root.resolve("layer" + compression);
            Process tar = new ProcessBuilder("tar", compression, "-cf", blob.toString(), "-C",
                    root.resolve("rootfs").toString(), ".").inheritIO().start();
            assertThat(tar.waitFor()).as("tar " + compression + " (zstd needs the zstd package)").isZero();

            Inventory inventory = INVENTORY.inventory(List.of(new ImageInventory.Layer("sha256:tar", TAR,
                    () -> Files.newInputStream(blob))));

            assertThat(inventory.skipped()).as(compression).isEmpty();
            assertThat(inventory.operatingSystem().map(OperatingSystem::id)).as(compression).contains("debian");
            assertThat(inventory.packages()).as(compression).hasSize((int) installedPackages);
        }
    }

    @Test
    void aWhiteoutInALaterLayerDropsThePackagesOfTheDeletedDatabase() throws IOException {
        Inventory inventory = INVENTORY.inventory(List.of(layer(GZIP, debianBase().gzip()),
                layer(GZIP, new TestLayer().whiteout("var/lib/dpkg/status").gzip())));

        assertThat(inventory.packages()).isEmpty();
        assertThat(inventory.operatingSystem()).isPresent();
    }

    @Test
    void aWhiteoutOfAParentDirectoryDropsEverythingUnderIt() throws IOException {
        Inventory inventory = INVENTORY.inventory(List.of(layer(GZIP, debianBase().gzip()),
                layer(GZIP, new TestLayer().whiteout("var/lib").gzip())));

        assertThat(inventory.packages()).isEmpty();
    }

    @Test
    void anOpaqueDirectoryHidesTheLowerLayersFilesButKeepsItsOwn() throws IOException {
        String own = "Package: own\nStatus: install ok installed\nVersion: 1.0-1\nArchitecture: all\n";
        ImageInventory.Layer upper = layer(GZIP, new TestLayer().directory("var/lib/dpkg")
                .file("var/lib/dpkg/status", own).opaque("var/lib/dpkg").gzip());

        Inventory inventory = INVENTORY.inventory(List.of(layer(GZIP, debianBase().gzip()), upper));

        assertThat(inventory.packages()).extracting(FoundPackage::name).containsExactly("own");
        assertThat(inventory.packages().get(0).layer()).isEqualTo(upper.digest());
    }

    @Test
    void anOpaqueDirectoryWithNothingOfItsOwnLeavesNoPackages() throws IOException {
        Inventory inventory = INVENTORY.inventory(List.of(layer(GZIP, debianBase().gzip()),
                layer(GZIP, new TestLayer().opaque("var").gzip())));

        assertThat(inventory.packages()).isEmpty();
    }

    @Test
    void aReplacedDatabaseDeclaresOnlyTheUpperLayersPackages() throws IOException {
        String replacement = "Package: left\nStatus: install ok installed\nVersion: 2\nArchitecture: amd64\n";
        ImageInventory.Layer upper = layer(GZIP, new TestLayer().file("var/lib/dpkg/status", replacement).gzip());

        Inventory inventory = INVENTORY.inventory(List.of(layer(GZIP, debianBase().gzip()), upper));

        assertThat(inventory.packages()).extracting(FoundPackage::name, FoundPackage::layer)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("left", upper.digest()));
    }

    @Test
    void aDirectoryReplacedByALinkTakesItsPackagesWithIt() throws IOException {
        Inventory inventory = INVENTORY.inventory(List.of(layer(GZIP, debianBase().gzip()),
                layer(GZIP, new TestLayer().symlink("var/lib/dpkg", "/nowhere").gzip())));

        assertThat(inventory.packages()).isEmpty();
    }

    @Test
    void aDeletedOsReleaseLeavesNoOperatingSystem() throws IOException {
        Inventory inventory = INVENTORY.inventory(List.of(layer(GZIP, debianBase().gzip()),
                layer(GZIP, new TestLayer().whiteout("usr/lib/os-release").gzip())));

        assertThat(inventory.operatingSystem()).isEmpty();
        assertThat(inventory.packages()).hasSize((int) installedPackages);
    }

    @Test
    void readsDistrolessStatusDirectoryOneFilePerPackage() throws IOException {
        // distroless writes each package's paragraph to status.d/<name>, without a Status field, plus md5sums files
        String text = new String(status, StandardCharsets.UTF_8);
        List<String> paragraphs = Arrays.stream(text.split("\n\n")).limit(3).toList();
        TestLayer layer = new TestLayer().file("etc/os-release", osRelease);
        for (String paragraph : paragraphs) {
            String name = paragraph.lines().filter(l -> l.startsWith("Package: ")).findFirst().orElseThrow().substring(9);
            String withoutStatus = String.join("\n", paragraph.lines().filter(l -> !l.startsWith("Status:")).toList());
            layer.file("var/lib/dpkg/status.d/" + name, withoutStatus + "\n");
            layer.file("var/lib/dpkg/status.d/" + name + ".md5sums", "d41d8cd98f00b204e9800998ecf8427e  usr/x\n");
        }

        Inventory inventory = INVENTORY.inventory(List.of(layer(GZIP, layer.gzip())));

        assertThat(inventory.skipped()).isEmpty();
        assertThat(inventory.packages()).hasSize(3);
        assertThat(inventory.packages()).allSatisfy(p -> assertThat(p.path()).startsWith("/var/lib/dpkg/status.d/"));
    }

    @Test
    void takesTheSourcePackageAndItsVersionFromTheSourceField() throws IOException {
        String stanzas = """
                Package: libssl3
                Status: install ok installed
                Architecture: amd64
                Source: openssl (3.0.15-1~deb12u1)
                Version: 3.0.15-1~deb12u1+b1

                Package: bsdutils
                Status: install ok installed
                Architecture: amd64
                Source: util-linux
                Version: 1:2.38.1-5+b1

                Package: removed
                Status: deinstall ok config-files
                Architecture: amd64
                Version: 1.0
                """;
        Inventory inventory = INVENTORY.inventory(List.of(layer(GZIP, new TestLayer().file("etc/os-release", osRelease)
                .file("var/lib/dpkg/status", stanzas).gzip())));

        assertThat(inventory.packages()).extracting(FoundPackage::name, FoundPackage::version,
                        FoundPackage::sourceName, FoundPackage::sourceVersion, FoundPackage::purl)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("libssl3", "3.0.15-1~deb12u1+b1", "openssl",
                                "3.0.15-1~deb12u1", "pkg:deb/debian/libssl3@3.0.15-1~deb12u1%2Bb1?arch=amd64&distro=debian-12"),
                        org.assertj.core.groups.Tuple.tuple("bsdutils", "1:2.38.1-5+b1", "util-linux", "1:2.38.1-5+b1",
                                "pkg:deb/debian/bsdutils@1:2.38.1-5%2Bb1?arch=amd64&distro=debian-12"));
    }

    @Test
    void normalisesDotSlashAndDuplicateSlashes() throws IOException {
        Inventory inventory = INVENTORY.inventory(List.of(layer(GZIP, new TestLayer()
                .file("./var//lib/./dpkg/status", status).gzip())));

        assertThat(inventory.packages()).hasSize((int) installedPackages);
        assertThat(inventory.packages().get(0).path()).isEqualTo("/var/lib/dpkg/status");
    }

    @Test
    void skipsEntriesThatClimbAboveTheRootOrAreAbsolute() throws IOException {
        ImageInventory.Layer hostile = layer(GZIP, new TestLayer()
                .file("../../var/lib/dpkg/status", status)
                .file("/var/lib/dpkg/status", status)
                .file("usr/../../etc/passwd", "root:x:0:0::/root:/bin/sh\n").gzip());

        Inventory inventory = INVENTORY.inventory(List.of(hostile));

        assertThat(inventory.packages()).isEmpty();
        assertThat(inventory.skipped()).containsExactly(
                new SkippedPart(hostile.digest(), "../../var/lib/dpkg/status",
                        "path climbs above the image root: ../../var/lib/dpkg/status"),
                new SkippedPart(hostile.digest(), "/var/lib/dpkg/status",
                        "absolute path in a layer tar: /var/lib/dpkg/status"),
                new SkippedPart(hostile.digest(), "usr/../../etc/passwd",
                        "path climbs above the image root: usr/../../etc/passwd"));
    }

    @Test
    void reportsASymlinkLoopAndFallsBackToUsrLibOsRelease() throws IOException {
        ImageInventory.Layer looping = layer(GZIP, new TestLayer()
                .symlink("etc/os-release", "os-release.d/current")
                .symlink("etc/os-release.d", "loop")
                .symlink("etc/loop", "os-release.d")
                .file("usr/lib/os-release", osRelease).gzip());

        Inventory inventory = INVENTORY.inventory(List.of(looping));

        assertThat(inventory.skipped()).singleElement().satisfies(skipped -> {
            assertThat(skipped.layer()).isEqualTo(looping.digest());
            assertThat(skipped.path()).isEqualTo("/etc/os-release");
            assertThat(skipped.reason()).startsWith("symbolic link loop at /etc/os-release");
        });
        assertThat(inventory.operatingSystem().map(OperatingSystem::id)).contains("debian");
    }

    @Test
    void aCorruptGzipLayerIsSkippedWithItsReasonAndTheOtherLayersAreRead() throws IOException {
        byte[] corrupt = debianBase().gzip();
        for (int i = 20; i < corrupt.length - 8; i += 97) {
            corrupt[i] ^= 0x5a;
        }
        ImageInventory.Layer bad = layer(GZIP, corrupt);
        ImageInventory.Layer good = layer(GZIP, new TestLayer().file("var/lib/dpkg/status", status).gzip());

        Inventory inventory = INVENTORY.inventory(List.of(bad, good));

        assertThat(inventory.skipped()).singleElement().satisfies(skipped -> {
            assertThat(skipped.layer()).isEqualTo(bad.digest());
            assertThat(skipped.path()).isEqualTo(ImageInventory.WHOLE_LAYER);
            assertThat(skipped.reason()).startsWith("corrupt gzip data: ");
        });
        assertThat(inventory.packages()).hasSize((int) installedPackages)
                .allSatisfy(p -> assertThat(p.layer()).isEqualTo(good.digest()));
    }

    @Test
    void aTruncatedGzipLayerIsSkippedWholeEvenWhereItsFirstFilesWereRead() throws IOException {
        byte[] whole = new TestLayer().file("var/lib/dpkg/status", status)
                .file("filler", new byte[200_000]).gzip();
        byte[] truncated = Arrays.copyOf(whole, whole.length - 200);
        ImageInventory.Layer bad = layer(GZIP, truncated);

        Inventory inventory = INVENTORY.inventory(List.of(bad));

        assertThat(inventory.packages()).isEmpty();
        assertThat(inventory.skipped()).extracting(SkippedPart::layer, SkippedPart::path)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(bad.digest(), "/"));
        assertThat(inventory.skipped().get(0).reason()).startsWith("corrupt gzip data: ");
    }

    @Test
    void aCorruptZstdLayerIsSkippedWithItsReason() throws IOException {
        byte[] corrupt = debianBase().zstd();
        for (int i = 40; i < corrupt.length; i += 61) {
            corrupt[i] ^= 0x33;
        }
        ImageInventory.Layer bad = layer(ZSTD, corrupt);
        ImageInventory.Layer good = layer(ZSTD, new TestLayer().file("var/lib/dpkg/status", status).zstd());

        Inventory inventory = INVENTORY.inventory(List.of(bad, good));

        assertThat(inventory.skipped()).singleElement().satisfies(skipped -> {
            assertThat(skipped.layer()).isEqualTo(bad.digest());
            assertThat(skipped.reason()).startsWith("corrupt zstd data: ");
        });
        assertThat(inventory.packages()).hasSize((int) installedPackages);
    }

    @Test
    void aZstdFrameAskingForAHugeWindowIsRefusedBeforeTheDecoderAllocatesIt() throws IOException {
        // frame header: magic, descriptor 0 (window descriptor follows), window 2^30 bytes; then one RLE block
        byte[] frame = {0x28, (byte) 0xb5, 0x2f, (byte) 0xfd, 0x00, (byte) 0xa0, 0x13, 0x00, 0x10, 0x00};
        ImageInventory.Layer bad = layer(ZSTD, frame);

        Inventory inventory = INVENTORY.inventory(List.of(bad));

        assertThat(inventory.skipped()).containsExactly(new SkippedPart(bad.digest(), "/",
                "zstd frame needs a 1073741824-byte window, over the 134217728-byte limit"));
    }

    @Test
    void aLayerDecompressingBeyondTheLimitIsStoppedAsABomb() throws IOException {
        byte[] bomb = TestLayer.gzip(new TestLayer().file("zeros", new byte[8 * 1024 * 1024]).tar());
        ImageInventory small = new ImageInventory(ImageInventory.osPackageDetectors(),
                InventoryLimits.defaults().withMaxLayerBytes(1024 * 1024));

        Inventory inventory = small.inventory(List.of(layer(GZIP, bomb),
                layer(GZIP, new TestLayer().file("var/lib/dpkg/status", status).gzip())));

        assertThat(inventory.skipped()).extracting(SkippedPart::reason).containsExactly(
                "layer decompresses to more than 1048576 bytes (the per-layer limit; a decompression bomb?)");
        assertThat(inventory.packages()).hasSize((int) installedPackages);
    }

    @Test
    void aLayerWithMoreEntriesThanTheLimitIsSkipped() throws IOException {
        TestLayer many = new TestLayer();
        for (int i = 0; i < 11; i++) {
            many.file("f" + i, "x");
        }
        ImageInventory limited = new ImageInventory(ImageInventory.osPackageDetectors(),
                InventoryLimits.defaults().withMaxLayerEntries(10));

        Inventory inventory = limited.inventory(List.of(layer(TAR, many.tar())));

        assertThat(inventory.skipped()).extracting(SkippedPart::reason)
                .containsExactly("more than 10 entries in the layer (the per-layer limit)");
    }

    @Test
    void aGiganticLongNameIsRefusedNotHeldInMemory() throws IOException {
        // a GNU long-name entry (type L, as GNU tar writes for names over 100 bytes) declaring a 2 MiB name
        int nameLength = 2 * 1024 * 1024;
        java.io.ByteArrayOutputStream tar = new java.io.ByteArrayOutputStream();
        tar.write(TestLayer.rawHeader("././@LongLink", 'L', nameLength));
        tar.write("d/".repeat(nameLength / 2).getBytes(StandardCharsets.US_ASCII));
        tar.write(new byte[1024]);

        Inventory inventory = INVENTORY.inventory(List.of(layer(TAR, tar.toByteArray())));

        assertThat(inventory.skipped()).extracting(SkippedPart::reason).containsExactly(
                "tar meta entry (PAX header or long name) of 2097152 bytes, over the 1048576-byte limit");
    }

    @Test
    void aMalformedStatusFileIsSkippedWithTheLineAtFault() throws IOException {
        String malformed = "Package: a\nStatus: install ok installed\nVersion: 1\nthis line has no colon\n";
        ImageInventory.Layer layer = layer(GZIP, new TestLayer().file("var/lib/dpkg/status", malformed).gzip());

        Inventory inventory = INVENTORY.inventory(List.of(layer));

        assertThat(inventory.packages()).isEmpty();
        assertThat(inventory.skipped()).containsExactly(new SkippedPart(layer.digest(), "/var/lib/dpkg/status",
                "/var/lib/dpkg/status: line 4 is not a 'Field: value' line"));
    }

    @Test
    void aParagraphWithoutVersionIsMalformed() throws IOException {
        ImageInventory.Layer layer = layer(GZIP, new TestLayer().file("var/lib/dpkg/status",
                "Package: a\nStatus: install ok installed\n\nPackage: b\nVersion: 1\n").gzip());

        Inventory inventory = INVENTORY.inventory(List.of(layer));

        assertThat(inventory.skipped()).extracting(SkippedPart::reason)
                .containsExactly("/var/lib/dpkg/status: the paragraph at line 1 has no Version field");
    }

    @Test
    void aFileOverThePerFileLimitIsSkippedNotRead() throws IOException {
        ImageInventory limited = new ImageInventory(ImageInventory.osPackageDetectors(),
                InventoryLimits.defaults().withMaxFileBytes(1024));
        ImageInventory.Layer layer = layer(GZIP, new TestLayer().file("var/lib/dpkg/status", status).gzip());

        Inventory inventory = limited.inventory(List.of(layer));

        assertThat(inventory.packages()).isEmpty();
        assertThat(inventory.skipped()).containsExactly(new SkippedPart(layer.digest(), "/var/lib/dpkg/status",
                "file of " + status.length + " bytes, over the 1024-byte limit for a file read by a package detector"));
    }

    @Test
    void aSkippedFileThatALaterLayerDeletesIsNoLongerReported() throws IOException {
        Inventory inventory = INVENTORY.inventory(List.of(
                layer(GZIP, new TestLayer().file("var/lib/dpkg/status", "garbage\n").gzip()),
                layer(GZIP, new TestLayer().whiteout("var/lib/dpkg/status").gzip())));

        assertThat(inventory.skipped()).isEmpty();
    }

    @Test
    void aLayerDeclaredWithAnUnknownMediaTypeIsStillReadAsTheRuntimeWould() throws IOException {
        Inventory inventory = INVENTORY.inventory(List.of(layer("application/octet-stream",
                new TestLayer().file("var/lib/dpkg/status", Files.readString(Path.of("/var/lib/dpkg/status"))).gzip())));

        assertThat(inventory.skipped()).isEmpty();
        assertThat(inventory.packages()).isNotEmpty();
    }

    @Test
    void anEncryptedLayerIsSkippedAsUnreadable() throws IOException {
        ImageInventory.Layer encrypted = layer("application/vnd.oci.image.layer.v1.tar+gzip+encrypted", new byte[10]);

        Inventory inventory = INVENTORY.inventory(List.of(encrypted));

        assertThat(inventory.skipped()).containsExactly(new SkippedPart(encrypted.digest(), "/",
                "encrypted layer, cannot be read: application/vnd.oci.image.layer.v1.tar+gzip+encrypted"));
    }

    @Test
    void aStorageFailureFailsTheInventoryInsteadOfSkippingTheLayer() {
        IOException disk = new IOException("disk on fire");
        ImageInventory.Layer failing = new ImageInventory.Layer("sha256:x", GZIP, () -> new InputStream() {
            @Override
            public int read() throws IOException {
                throw disk;
            }
        });

        assertThatThrownBy(() -> INVENTORY.inventory(List.of(failing))).isSameAs(disk);
    }

    @Test
    void aHardLinkToADatabaseDeclaresItsPackagesAtTheLinkToo() throws IOException {
        Inventory inventory = INVENTORY.inventory(List.of(layer(GZIP, new TestLayer()
                .file("var/lib/dpkg/status", status).hardLink("var/lib/dpkg/status.d/all", "var/lib/dpkg/status")
                .gzip())));

        assertThat(inventory.packages()).hasSize(2 * (int) installedPackages);
        assertThat(inventory.packages()).extracting(FoundPackage::path).containsOnly("/var/lib/dpkg/status",
                "/var/lib/dpkg/status.d/all");
    }

    @Test
    void theSameFileWantedByTwoDetectorsReachesBoth() throws IOException {
        PackageDetector second = new PackageDetector() {
            @Override
            public boolean wants(String path, long size, boolean executable) {
                return path.equals("/var/lib/dpkg/status");
            }

            @Override
            public List<FoundPackage> read(FileContent file) throws IOException {
                byte[] all = file.content().readAllBytes();
                return List.of(new FoundPackage(PackageType.NPM, "bytes", String.valueOf(all.length), null, null,
                        "pkg:npm/bytes@" + all.length, file.layer(), file.path()));
            }
        };
        ImageInventory both = new ImageInventory(List.of(new DpkgDetector(), second));

        Inventory inventory = both.inventory(List.of(layer(GZIP, new TestLayer().file("var/lib/dpkg/status", status).gzip())));

        assertThat(inventory.packages()).hasSize((int) installedPackages + 1);
        assertThat(inventory.packages()).filteredOn(p -> p.type() == PackageType.NPM).extracting(FoundPackage::version)
                .containsExactly(String.valueOf(status.length));
    }

    @Test
    void withoutOsReleaseDebianPackagesKeepTheDefaultNamespaceAndNoDistro() throws IOException {
        Inventory inventory = INVENTORY.inventory(List.of(layer(GZIP, new TestLayer()
                .file("var/lib/dpkg/status", "Package: a\nVersion: 1\nArchitecture: arm64\n").gzip())));

        assertThat(inventory.operatingSystem()).isEqualTo(Optional.empty());
        assertThat(inventory.packages()).extracting(FoundPackage::purl).containsExactly("pkg:deb/debian/a@1?arch=arm64");
    }

    static InputStream bytes(byte[] data) {
        return new ByteArrayInputStream(data);
    }
}
