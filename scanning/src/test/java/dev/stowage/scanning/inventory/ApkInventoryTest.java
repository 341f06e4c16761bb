package dev.stowage.scanning.inventory;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;

import static dev.stowage.scanning.inventory.TestLayer.GZIP;
import static dev.stowage.scanning.inventory.TestLayer.layer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

/**
 * apk's installed database. No Alpine mirror is reachable from the test machines, so the database is written here in
 * the documented "Installed Database V2" format (wiki.alpinelinux.org/wiki/Apk_spec), with the field values of two real
 * Alpine 3.19 packages (busybox 1.36.1-r15 and libssl3 3.1.4-r5, whose origin is openssl).
 */
class ApkInventoryTest {
    private static final String INSTALLED = """
            C:Q1pIdqmPyMuy5Qsb1k2R+cBE8INbY=
            P:busybox
            V:1.36.1-r15
            A:x86_64
            S:509412
            I:926985
            T:Size optimized toolbox of many common UNIX utilities
            U:https://busybox.net/
            L:GPL-2.0-only
            o:busybox
            m:Sören Tempel <soeren+alpine@soeren-tempel.net>
            t:1701189883
            c:2f5e1e4aa8d9c8a11f0a1c5a6e0a5a2d2c1e1e9e
            D:so:libc.musl-x86_64.so.1
            p:/bin/sh cmd:busybox=1.36.1-r15 cmd:sh=1.36.1-r15
            r:busybox-initscripts
            F:bin
            R:busybox
            a:0:0:755
            Z:Q1+Xq0T0x0k7cX0qkJm8+TT3G6XvE=

            C:Q1b0nT5pKxHrJ9k9nEdyZ6aCW+TrI=
            P:libssl3
            V:3.1.4-r5
            A:x86_64
            S:239617
            I:557056
            T:SSL shared libraries
            U:https://www.openssl.org/
            L:Apache-2.0
            o:openssl
            m:Ariadne Conill <ariadne@dereferenced.org>
            t:1706098800
            D:so:libc.musl-x86_64.so.1 so:libcrypto.so.3
            p:so:libssl.so.3=3
            F:lib
            R:libssl.so.3
            a:0:0:755
            Z:Q1Ypa0X1kqSq5kHZ8mBkJN4Y0nCFs=

            """;

    private static final String ALPINE_OS_RELEASE = """
            NAME="Alpine Linux"
            ID=alpine
            VERSION_ID=3.19.1
            PRETTY_NAME="Alpine Linux v3.19"
            HOME_URL="https://alpinelinux.org/"
            BUG_REPORT_URL="https://gitlab.alpinelinux.org/alpine/aports/-/issues"
            """;

    private static final ImageInventory INVENTORY = new ImageInventory(ImageInventory.osPackageDetectors());

    @Test
    void readsNameVersionArchitectureAndOriginOfEachInstalledPackage() throws IOException {
        ImageInventory.Layer base = layer(GZIP, new TestLayer().file("etc/os-release", ALPINE_OS_RELEASE)
                .file("lib/apk/db/installed", INSTALLED).gzip());

        Inventory inventory = INVENTORY.inventory(List.of(base));

        assertThat(inventory.skipped()).isEmpty();
        assertThat(inventory.operatingSystem()).contains(new OperatingSystem("alpine", "3.19.1", "Alpine Linux v3.19"));
        assertThat(inventory.packages()).extracting(FoundPackage::type, FoundPackage::name, FoundPackage::version,
                        FoundPackage::sourceName, FoundPackage::sourceVersion, FoundPackage::purl, FoundPackage::path)
                .containsExactly(
                        tuple(PackageType.ALPINE, "busybox", "1.36.1-r15", "busybox", "1.36.1-r15",
                                "pkg:apk/alpine/busybox@1.36.1-r15?arch=x86_64", "/lib/apk/db/installed"),
                        tuple(PackageType.ALPINE, "libssl3", "3.1.4-r5", "openssl", "3.1.4-r5",
                                "pkg:apk/alpine/libssl3@3.1.4-r5?arch=x86_64", "/lib/apk/db/installed"));
    }

    @Test
    void aLineThatIsNotKeyColonValueMakesTheDatabaseMalformed() throws IOException {
        ImageInventory.Layer bad = layer(GZIP, new TestLayer().file("lib/apk/db/installed",
                "P:busybox\nV:1.36.1-r15\nnonsense\n").gzip());

        Inventory inventory = INVENTORY.inventory(List.of(bad));

        assertThat(inventory.packages()).isEmpty();
        assertThat(inventory.skipped()).containsExactly(new SkippedPart(bad.digest(), "/lib/apk/db/installed",
                "/lib/apk/db/installed: line 3 is not a 'K:value' line"));
    }

    @Test
    void aPackageWithoutVersionMakesTheDatabaseMalformed() throws IOException {
        ImageInventory.Layer bad = layer(GZIP, new TestLayer().file("lib/apk/db/installed", "P:busybox\nA:x86_64\n").gzip());

        Inventory inventory = INVENTORY.inventory(List.of(bad));

        assertThat(inventory.skipped()).extracting(SkippedPart::reason)
                .containsExactly("/lib/apk/db/installed: the package at line 1 has no V: (version) line");
    }
}
