package dev.stowage.scanning.version;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stowage.scanning.inventory.PackageType;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class Pep440SchemeTest {
    private final VersionScheme pep440 = VersionSchemes.of(PackageType.PYPI);

    @Test
    void ordersPackagingsSortedVersionList() throws Exception {
        List<String> versions = Fixtures.lines("pep440-ordered.txt");
        assertThat(versions).hasSize(92);
        for (int i = 0; i < versions.size(); i++) {
            for (int j = 0; j < versions.size(); j++) {
                assertThat(Fixtures.sign(pep440.compare(versions.get(i), versions.get(j))))
                        .as("%s vs %s", versions.get(i), versions.get(j)).isEqualTo(Integer.compare(i, j));
            }
        }
    }

    @Test
    void equatesEverySpellingWithItsNormalForm() throws Exception {
        List<String> pairs = Fixtures.lines("pep440-normalised.txt");
        assertThat(pairs).hasSize(100);
        for (String line : pairs) {
            String[] f = line.split(" ");
            assertThat(pep440.compare(f[0], f[1])).as("%s == %s", f[0], f[1]).isZero();
            assertThat(pep440.isValid(f[0])).as(f[0]).isTrue();
        }
        assertThat(pep440.compare("1.0RC1", "1.0rc1")).isZero();
        assertThat(pep440.compare("1.0.0", "1")).isZero();
    }

    @Test
    void rejectsWhatPackagingRejects() throws Exception {
        List<String> invalid = Fixtures.lines("pep440-invalid.txt");
        assertThat(invalid).hasSize(20);
        for (String v : invalid) {
            assertThat(pep440.isValid(v)).as(v).isFalse();
            assertThat(pep440.compare(v, "0")).as("an invalid version sorts first: %s", v).isNegative();
        }
    }

    /**
     * The versions of every Python distribution installed for the oracle's interpreter, packaging's own test versions
     * and the PyPI advisories' versions, sorted by this scheme: packaging's Version must agree on every neighbouring
     * pair and on a random sample.
     */
    @Test
    void agreesWithPackagingOnTheInstalledDistributionsAndItsTestVersions() throws Exception {
        List<String> python = Fixtures.firstWorking(List.of(
                List.of("/usr/bin/python3", "-c", "import packaging.version"),
                List.of("python3", "-c", "import packaging.version")),
                "the cross-check runs packaging.version (apt-get install python3-packaging)");
        TreeSet<String> distinct = new TreeSet<>(Fixtures.lines("pep440-ordered.txt"));
        for (String line : Fixtures.lines("pep440-normalised.txt")) {
            distinct.addAll(List.of(line.split(" ")));
        }
        distinct.addAll(Fixtures.run(List.of(python.get(0), "-c",
                "import importlib.metadata as m\nfor d in m.distributions(): print(d.version)"), ""));
        distinct.addAll(List.of("2.31.0", "2.30.0", "1.26.17", "2.0.6", "5.4", "5.4.1", "3.1.3", "4.0.6", "65.5.1",
                "3.2.14", "4.0.0a1", "4.0.0b1", "4.0.0rc1", "4.0.0.dev20220101", "4.0.0.post1"));
        distinct.removeIf(v -> !pep440.isValid(v));
        List<String> sorted = new ArrayList<>(distinct);
        sorted.sort(pep440);
        List<String[]> pairs = new ArrayList<>();
        for (int i = 1; i < sorted.size(); i++) {
            pairs.add(new String[] {sorted.get(i - 1), sorted.get(i)});
        }
        Random random = new Random(3);
        for (int k = 0; k < 20000; k++) {
            pairs.add(new String[] {sorted.get(random.nextInt(sorted.size())), sorted.get(random.nextInt(sorted.size()))});
        }
        StringBuilder input = new StringBuilder();
        for (String[] p : pairs) {
            input.append(p[0]).append('\t').append(p[1]).append('\n');
        }
        String script = "import sys\nfrom packaging.version import Version\n"
                + "for line in sys.stdin:\n"
                + "    a, b = line.rstrip('\\n').split('\\t')\n"
                + "    x, y = Version(a), Version(b)\n"
                + "    print(-1 if x < y else (0 if x == y else 1))\n";
        List<String> verdicts = Fixtures.run(List.of(python.get(0), "-c", script), input.toString());
        assertThat(verdicts).hasSize(pairs.size());
        List<String> disagreements = new ArrayList<>();
        for (int i = 0; i < pairs.size(); i++) {
            int mine = Fixtures.sign(pep440.compare(pairs.get(i)[0], pairs.get(i)[1]));
            if (mine != Integer.parseInt(verdicts.get(i).strip())) {
                disagreements.add(pairs.get(i)[0] + " vs " + pairs.get(i)[1] + ": packaging " + verdicts.get(i) + ", ours " + mine);
            }
        }
        assertThat(disagreements).isEmpty();
        System.out.printf("packaging cross-check: %d distinct versions, %d pairs%n", sorted.size(), pairs.size());
    }
}
