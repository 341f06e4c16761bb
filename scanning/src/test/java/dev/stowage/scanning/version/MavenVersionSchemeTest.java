package dev.stowage.scanning.version;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stowage.scanning.inventory.PackageType;
import dev.stowage.scanning.testing.ClasspathJars;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.maven.artifact.versioning.ComparableVersion;
import org.junit.jupiter.api.Test;

class MavenVersionSchemeTest {
    /** A literal version element: not a property reference, not a version range. */
    private static final Pattern POM_VERSION = Pattern.compile("<version>\\s*([^<>$\\s\\[\\](),]+)\\s*</version>");
    private final VersionScheme maven = VersionSchemes.of(PackageType.MAVEN);

    private void assertAscending(List<String> versions) {
        for (int i = 0; i < versions.size(); i++) {
            for (int j = 0; j < versions.size(); j++) {
                assertThat(Fixtures.sign(maven.compare(versions.get(i), versions.get(j))))
                        .as("%s vs %s", versions.get(i), versions.get(j)).isEqualTo(Integer.compare(i, j));
            }
        }
    }

    @Test
    void ordersComparableVersionTestsQualifierAndNumberLists() {
        // apache/maven ComparableVersionTest: VERSIONS_QUALIFIER, VERSIONS_NUMBER (the current order: since Maven 3.9 a
        // trailing ".a" counts as "-a", so 2.0.a < 2-1)
        assertAscending(List.of("1-alpha2snapshot", "1-alpha2", "1-alpha-123", "1-beta-2", "1-beta123", "1-m2", "1-m11",
                "1-rc", "1-cr2", "1-rc123", "1-SNAPSHOT", "1", "1-sp", "1-sp2", "1-sp123", "1-abc", "1-def", "1-pom-1",
                "1-1-snapshot", "1-1", "1-2", "1-123"));
        assertAscending(List.of("2.0", "2.0.a", "2-1", "2.0.2", "2.0.123", "2.1.0", "2.1-a", "2.1b", "2.1-c",
                "2.1-1", "2.1.0.1", "2.2", "2.123", "11.a2", "11.a11", "11.b2", "11.b11", "11.m2", "11.m11", "11", "11.a",
                "11b", "11c", "11m"));
    }

    @Test
    void equatesComparableVersionTestsEqualPairs() {
        String[][] equal = {{"1", "1.0"}, {"1", "1.0.0"}, {"1.0", "1.0.0"}, {"1", "1-0"}, {"1", "1.0-0"}, {"1.0", "1.0-0"},
                {"1a", "1-a"}, {"1a", "1.0-a"}, {"1.0a", "1-a"}, {"1.0.0x", "1-x"}, {"1.0.RELEASE", "1"}, {"1a", "1.0.0-a"}, {"1x", "1-x"}, {"1x", "1.0-x"}, {"1x", "1.0.0-x"},
                {"1ga", "1"}, {"1final", "1"}, {"1cr", "1rc"}, {"1a1", "1alpha1"}, {"1b2", "1beta2"}, {"1m3", "1milestone3"},
                {"1X", "1x"}, {"1A", "1a"}, {"1Ga", "1"}, {"1GA", "1"}, {"1Final", "1"}, {"1FINAL", "1"}, {"1Cr", "1Rc"},
                {"1m3", "1MILESTONE3"}, {"1-abcdefghijklmnopqrstuvwxyz", "1-ABCDEFGHIJKLMNOPQRSTUVWXYZ"}};
        for (String[] pair : equal) {
            assertThat(maven.compare(pair[0], pair[1])).as("%s == %s", pair[0], pair[1]).isZero();
            assertThat(maven.compare(pair[1], pair[0])).as("%s == %s", pair[1], pair[0]).isZero();
        }
    }

    @Test
    void ordersComparableVersionTestsPairs() {
        String[][] less = {{"1", "2"}, {"1.5", "2"}, {"1", "2.5"}, {"1.0", "1.1"}, {"1.1", "1.2"}, {"1.0.0", "1.1"},
                {"1.0.1", "1.1"}, {"1.1", "1.2.0"}, {"1.0-alpha-1", "1.0"}, {"1.0-alpha-1", "1.0-alpha-2"},
                {"1.0-alpha-1", "1.0-beta-1"}, {"1.0-beta-1", "1.0-SNAPSHOT"}, {"1.0-SNAPSHOT", "1.0"},
                {"1.0-alpha-1-SNAPSHOT", "1.0-alpha-1"}, {"1.0", "1.0-1"}, {"1.0-1", "1.0-2"}, {"1.0.0", "1.0-1"},
                {"2.0-1", "2.0.1"}, {"2.0.1-klm", "2.0.1-lmn"}, {"2.0.1", "2.0.1-xyz"}, {"2.0.1", "2.0.1-123"},
                {"2.0.1-xyz", "2.0.1-123"}, {"6.1.0rc3", "6.1.0"}, {"6.1.0rc3", "6.1H.5-beta"}, {"6.1.0", "6.1H.5-beta"},
                {"20190126.230843", "1234567890.12345"}, {"1234567890.12345", "123456789012345.1H.5-beta"},
                {"123456789012345.1H.5-beta", "12345678901234567890.1H.5-beta"}, {"1-0.alpha", "1"}, {"1-0.beta", "1"},
                {"1.0.b2", "1.0-1"}, {"1.0.0.v20140518", "1.0-1"}, {"1.0.0.x", "1.0-1"}, {"2.17.0", "2.17.1"}, {"2.14.1", "2.15.0"}, {"2.13.4.1", "2.13.4.2"}, {"2.12.7", "2.12.7.1"}};
        for (String[] pair : less) {
            assertThat(maven.compare(pair[0], pair[1])).as("%s < %s", pair[0], pair[1]).isNegative();
            assertThat(maven.compare(pair[1], pair[0])).as("%s > %s", pair[1], pair[0]).isPositive();
        }
    }

    /**
     * Every version the local Maven repository the build resolved its artifacts into names (each pom's directory,
     * and the {@code <version>} of the pom itself, its parent, dependencies and plugins; a few hundred on a fresh
     * machine, thousands on a used one), sorted by this scheme:
     * Maven's own ComparableVersion (maven-artifact 3.9.6) must agree on every neighbouring pair and on a random
     * sample of pairs.
     */
    @Test
    void agreesWithMavensComparableVersionOnEveryVersionInTheLocalRepository() throws IOException {
        TreeSet<String> distinct = new TreeSet<>();
        List<Path> poms;
        try (Stream<Path> files = Files.walk(ClasspathJars.localRepository())) {
            poms = files.filter(p -> p.getFileName().toString().endsWith(".pom")).toList();
        }
        for (Path pom : poms) {
            distinct.add(pom.getParent().getFileName().toString());
            Matcher version = POM_VERSION.matcher(Files.readString(pom, StandardCharsets.ISO_8859_1));
            while (version.find()) {
                distinct.add(version.group(1));
            }
        }
        assertThat(distinct).hasSizeGreaterThan(200);
        List<String> sorted = new ArrayList<>(distinct);
        sorted.sort(maven);
        List<String> disagreements = new ArrayList<>();
        Random random = new Random(4);
        int pairs = 0;
        for (int k = 0; k < sorted.size() - 1 + 200_000; k++) {
            String a;
            String b;
            if (k < sorted.size() - 1) {
                a = sorted.get(k);
                b = sorted.get(k + 1);
            } else {
                a = sorted.get(random.nextInt(sorted.size()));
                b = sorted.get(random.nextInt(sorted.size()));
            }
            int theirs = Fixtures.sign(new ComparableVersion(a).compareTo(new ComparableVersion(b)));
            int ours = Fixtures.sign(maven.compare(a, b));
            if (theirs != ours) {
                disagreements.add(a + " vs " + b + ": Maven " + theirs + ", ours " + ours);
            }
            pairs++;
        }
        assertThat(disagreements).isEmpty();
        System.out.printf("Maven cross-check: %d distinct versions, %d pairs%n", sorted.size(), pairs);
    }
}
