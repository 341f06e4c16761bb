package dev.stowage.scanning.inventory;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.List;

import static dev.stowage.scanning.inventory.TestLayer.GZIP;
import static dev.stowage.scanning.inventory.TestLayer.layer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.assertj.core.groups.Tuple.tuple;

/**
 * A real SQLite rpmdb, written by the real rpm tool (Debian's package {@code rpm}, which CI installs): two packages built
 * with rpmbuild, one with an epoch, recorded with {@code rpm --justdb}. Skipped where rpm is missing, except in CI.
 */
class RpmInventoryTest {
    /** Rocky Linux 9.3's /etc/os-release, as the rocky:9.3 image has it (abridged to the keys read). */
    private static final String ROCKY_OS_RELEASE = """
            NAME="Rocky Linux"
            VERSION="9.3 (Blue Onyx)"
            ID="rocky"
            ID_LIKE="rhel centos fedora"
            VERSION_ID="9.3"
            PRETTY_NAME="Rocky Linux 9.3 (Blue Onyx)"
            """;

    @TempDir
    static Path work;
    private static byte[] rpmdb;

    @BeforeAll
    static void buildARealRpmdb() throws Exception {
        boolean present = Files.isExecutable(Path.of("/usr/bin/rpm")) && Files.isExecutable(Path.of("/usr/bin/rpmbuild"));
        if (!present && "true".equals(System.getenv("CI"))) {
            fail("rpm and rpmbuild are needed (apt-get install rpm)");
        }
        assumeTrue(present, "rpm and rpmbuild are not installed");
        String spec = """
                Name: %s
                Version: 1.2.3
                Release: 4.el9
                %s
                Summary: a package for the inventory tests
                License: MIT
                BuildArch: %s
                %%description
                A package with no files, only a header.
                %%files
                """;
        Files.writeString(work.resolve("hello.spec"), spec.formatted("stowage-hello", "Epoch: 2", "noarch"));
        Files.writeString(work.resolve("bye.spec"), spec.formatted("stowage-bye", "", "x86_64"));
        Path top = work.resolve("top");
        run("rpmbuild", "--define", "_topdir " + top, "-bb", work.resolve("hello.spec").toString());
        run("rpmbuild", "--define", "_topdir " + top, "--target", "x86_64", "-bb", work.resolve("bye.spec").toString());
        Path db = Files.createDirectories(work.resolve("db"));
        run("rpm", "--dbpath", db.toString(), "--define", "_db_backend sqlite", "--initdb");
        List<String> install = new ArrayList<>(List.of("rpm", "--dbpath", db.toString(), "--define", "_db_backend sqlite",
                "-i", "--justdb", "--nodeps", "--noscripts", "--ignorearch", "--ignoreos"));
        install.add(top.resolve("RPMS/noarch/stowage-hello-1.2.3-4.el9.noarch.rpm").toString());
        install.add(top.resolve("RPMS/x86_64/stowage-bye-1.2.3-4.el9.x86_64.rpm").toString());
        run(install.toArray(String[]::new));
        rpmdb = Files.readAllBytes(db.resolve("rpmdb.sqlite"));
    }

    private static void run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(work.resolve("command.log").toFile()).start();
        if (process.waitFor() != 0) {
            fail(String.join(" ", command) + " failed: " + Files.readString(work.resolve("command.log")));
        }
    }

    private static final ImageInventory INVENTORY = new ImageInventory(ImageInventory.osPackageDetectors());

    @Test
    void readsEveryPackageOfARealSqliteRpmdbWithEpochArchAndSourceRpm() throws IOException {
        ImageInventory.Layer base = layer(GZIP, new TestLayer().file("etc/os-release", ROCKY_OS_RELEASE)
                .file("var/lib/rpm/rpmdb.sqlite", rpmdb).gzip());

        Inventory inventory = INVENTORY.inventory(List.of(base));

        assertThat(inventory.skipped()).isEmpty();
        assertThat(inventory.operatingSystem()).contains(new OperatingSystem("rocky", "9.3", "Rocky Linux 9.3 (Blue Onyx)"));
        assertThat(inventory.packages()).extracting(FoundPackage::type, FoundPackage::name, FoundPackage::version,
                        FoundPackage::sourceName, FoundPackage::sourceVersion, FoundPackage::purl, FoundPackage::path)
                .containsExactlyInAnyOrder(
                        tuple(PackageType.RPM, "stowage-hello", "2:1.2.3-4.el9", "stowage-hello", "2:1.2.3-4.el9",
                                "pkg:rpm/rocky/stowage-hello@1.2.3-4.el9?arch=noarch&distro=rocky-9.3&epoch=2",
                                "/var/lib/rpm/rpmdb.sqlite"),
                        tuple(PackageType.RPM, "stowage-bye", "1.2.3-4.el9", "stowage-bye", "1.2.3-4.el9",
                                "pkg:rpm/rocky/stowage-bye@1.2.3-4.el9?arch=x86_64&distro=rocky-9.3",
                                "/var/lib/rpm/rpmdb.sqlite"));
        assertThat(inventory.packages()).allSatisfy(p -> assertThat(p.layer()).isEqualTo(base.digest()));
    }

    @Test
    void readsFedorasRpmdbUnderUsrLibSysimageWhereVarLibRpmIsALink() throws IOException {
        Inventory inventory = INVENTORY.inventory(List.of(layer(GZIP, new TestLayer()
                .symlink("var/lib/rpm", "../../usr/lib/sysimage/rpm")
                .file("usr/lib/sysimage/rpm/rpmdb.sqlite", rpmdb).gzip())));

        assertThat(inventory.packages()).extracting(FoundPackage::name)
                .containsExactlyInAnyOrder("stowage-hello", "stowage-bye");
    }

    @Test
    void leavesNoTemporaryCopyBehind() throws IOException {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        List<Path> before = rpmdbCopies(tmp);

        INVENTORY.inventory(List.of(layer(GZIP, new TestLayer().file("var/lib/rpm/rpmdb.sqlite", rpmdb).gzip())));

        assertThat(rpmdbCopies(tmp)).isEqualTo(before);
    }

    private static List<Path> rpmdbCopies(Path tmp) throws IOException {
        try (var files = Files.list(tmp)) {
            return files.filter(p -> p.getFileName().toString().startsWith("stowage-rpmdb")).sorted().toList();
        }
    }

    @Test
    void aFileThatIsNotSqliteIsSkippedWithTheReason() throws IOException {
        ImageInventory.Layer bad = layer(GZIP, new TestLayer().file("var/lib/rpm/rpmdb.sqlite",
                "this is not a database".repeat(100)).gzip());

        Inventory inventory = INVENTORY.inventory(List.of(bad));

        assertThat(inventory.packages()).isEmpty();
        assertThat(inventory.skipped()).singleElement().satisfies(skipped -> {
            assertThat(skipped.path()).isEqualTo("/var/lib/rpm/rpmdb.sqlite");
            assertThat(skipped.reason()).startsWith("/var/lib/rpm/rpmdb.sqlite: not a readable SQLite rpmdb: ");
        });
    }

    @Test
    void aHeaderPointingOutsideItsDataIsMalformed() throws Exception {
        Path copy = work.resolve("tampered.sqlite");
        Files.write(copy, rpmdb);
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + copy);
             java.sql.Statement pragma = connection.createStatement();
             PreparedStatement update = connection.prepareStatement("UPDATE Packages SET blob = ? WHERE hnum = 1")) {
            pragma.executeUpdate("PRAGMA journal_mode = DELETE");
            // one index entry: NAME (1000), STRING, offset 4096 in 16 bytes of data
            java.nio.ByteBuffer header = java.nio.ByteBuffer.allocate(8 + 16 + 16);
            header.putInt(1).putInt(16).putInt(1000).putInt(6).putInt(4096).putInt(1);
            update.setBytes(1, header.array());
            update.executeUpdate();
        }
        ImageInventory.Layer bad = layer(GZIP, new TestLayer().file("var/lib/rpm/rpmdb.sqlite",
                Files.readAllBytes(copy)).gzip());

        Inventory inventory = INVENTORY.inventory(List.of(bad));

        assertThat(inventory.skipped()).extracting(SkippedPart::reason).containsExactly(
                "/var/lib/rpm/rpmdb.sqlite: package 1: rpm header tag 1000 points outside the header data");
    }

    @Test
    void splitsASourceRpmNameIntoNameVersionAndRelease() {
        assertThat(RpmDetector.sourceNameVersionRelease("glibc-langpack-2.34-83.el9_3.7.src.rpm"))
                .containsExactly("glibc-langpack", "2.34", "83.el9_3.7");
        assertThat(RpmDetector.sourceNameVersionRelease("not-a-source-rpm")).isNull();
    }
}
