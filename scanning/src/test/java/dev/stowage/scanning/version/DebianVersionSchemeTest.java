package dev.stowage.scanning.version;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class DebianVersionSchemeTest {
    private final VersionScheme dpkg = VersionSchemes.of(dev.stowage.scanning.inventory.PackageType.DEBIAN);

    @Test
    void ordersEveryCaseOfDpkgsOwnComparisonTable() throws Exception {
        List<String> cases = Fixtures.lines("dpkg-version.data");
        assertThat(cases).hasSize(44);
        for (String line : cases) {
            String[] f = line.split(" ");
            int expected = Integer.parseInt(f[2]);
            assertThat(Fixtures.sign(dpkg.compare(f[0], f[1]))).as("%s vs %s", f[0], f[1]).isEqualTo(expected);
            assertThat(Fixtures.sign(dpkg.compare(f[1], f[0]))).as("%s vs %s", f[1], f[0]).isEqualTo(-expected);
        }
    }

    @Test
    void tildeSortsBeforeTheEndAndEpochsOutrankEverything() {
        assertThat(dpkg.compare("1.0~rc1-1", "1.0-1")).isNegative();
        assertThat(dpkg.compare("1.0~~", "1.0~")).isNegative();
        assertThat(dpkg.compare("1:0.1", "9.9")).isPositive();
        assertThat(dpkg.compare("2:1.20.11-1+deb11u5", "2:1.20.11-1+deb11u6")).isNegative();
        assertThat(dpkg.compare("1.0a", "1.0+")).isNegative(); // letters before other characters
    }

    @Test
    void splitsUpstreamAndRevisionAtTheLastHyphenAsDpkgsParserTestsDo() {
        // lib/dpkg/t/t-version.c test_version_parse: equal pairs
        assertThat(dpkg.compare("0", "0:0")).isZero();
        assertThat(dpkg.compare("0:0", "0:0-")).isZero();
        assertThat(dpkg.compare("0:0-0-0", "0:0-0-0")).isZero();
        assertThat(DebianVersionScheme.Parts.of("0:0-0-0")).isEqualTo(new DebianVersionScheme.Parts("0", "0-0", "0"));
        assertThat(DebianVersionScheme.Parts.of("0:0:0-0")).isEqualTo(new DebianVersionScheme.Parts("0", "0:0", "0"));
        assertThat(DebianVersionScheme.Parts.of("0:0-0:0-0")).isEqualTo(new DebianVersionScheme.Parts("0", "0-0:0", "0"));
    }

    @Test
    void acceptsTheVersionsDpkgAccepts() {
        for (String v : List.of("0", "0:0", "0:0-0", "1:0", "5:1", "0:0-0-0", "0:0:0-0", "0:09azAZ.-+~:-0",
                "0:0-azAZ09.+~", "  \t0:0-1", "0:0-1\t  ", "1.2.3-4", "2:1.20.11-1+deb11u6")) {
            assertThat(dpkg.isValid(v)).as(v).isTrue();
        }
    }

    @Test
    void rejectsTheVersionsDpkgRejects() {
        // dpkg 1.21 also rejects an empty revision ("0:0-": "revision number is empty"), which older libdpkg tests accept
        List<String> invalid = new ArrayList<>(List.of("0:0-", "0foo-", "", "  ", "0:", "0:0 0-1", "-1:0-1", "999999999999999999999999:0-1",
                "a:0-0", "A:0-0", "-0", "0:-0", "0:abc3-0", "0:0-0:0", "10a:5.2", "5.2@3-2", "foo5.2", "0:foo5.2"));
        for (char c : "!#@$%&/|\\<>()[]{};,_=*^'".toCharArray()) {
            invalid.add("0:0" + c + "-0");
            invalid.add("0:0-0" + c);
        }
        for (String v : invalid) {
            assertThat(dpkg.isValid(v)).as(v).isFalse();
        }
        assertThat(dpkg.isValid(null)).isFalse();
    }

    @Test
    void neverThrowsOnMalformedVersions() {
        for (String v : List.of("", ":", "-", "a:b:c", "::--", "~", "999999999999999999999999:0-1", "\u00e9")) {
            assertThat(dpkg.compare(v, "1.0")).isNotZero();
            assertThat(dpkg.compare(v, v)).isZero();
        }
        assertThat(dpkg.compare(null, "0")).isZero();
    }

    /**
     * Every version installed on this machine (its dpkg status) and tricky ones, sorted by this scheme: the real
     * {@code dpkg --compare-versions} must agree on every neighbouring pair (so, dpkg's order being total, on every
     * pair) and on a random sample of pairs.
     */
    @Test
    void agreesWithTheRealDpkgOnEveryVersionInstalledOnThisMachine() throws Exception {
        Fixtures.requireExecutable("/usr/bin/dpkg", "the cross-check runs dpkg --compare-versions");
        TreeSet<String> distinct = new TreeSet<>();
        for (String line : Files.readAllLines(Path.of("/var/lib/dpkg/status"))) {
            if (line.startsWith("Version: ")) {
                distinct.add(line.substring("Version: ".length()).strip());
            }
        }
        assertThat(distinct).hasSizeGreaterThan(100);
        distinct.addAll(List.of("1.0~rc1", "1.0~rc1-1", "1.0", "1.0-0", "1.0-0~", "1.0+", "1.0a", "1.0.0", "1:0", "0:1",
                "1.0~~", "1.0~", "1.0~a", "1.0~~a", "2:1.20.11-1+deb11u6", "2:1.20.11-1+deb11u5", "2:21.1.7-3+deb12u1",
                "1.2.3-4ubuntu1", "1.2.3-4+b1", "1.2.3-4.1", "007", "7", "1.09", "1.9", "20230101", "1a", "1A", "1Z",
                "1.0-1~bpo11+1", "1.0-1+deb11u1", "10:1", "9:99"));
        for (String line : Fixtures.lines("dpkg-version.data")) {
            String[] f = line.split(" ");
            if (dpkg.isValid(f[0])) {
                distinct.add(f[0]);
            }
            if (dpkg.isValid(f[1])) {
                distinct.add(f[1]);
            }
        }
        List<String> sorted = new ArrayList<>(distinct);
        sorted.sort(dpkg);
        List<String[]> pairs = new ArrayList<>();
        for (int i = 1; i < sorted.size(); i++) {
            pairs.add(new String[] {sorted.get(i - 1), sorted.get(i)});
        }
        Random random = new Random(440);
        for (int k = 0; k < 700; k++) {
            pairs.add(new String[] {sorted.get(random.nextInt(sorted.size())), sorted.get(random.nextInt(sorted.size()))});
        }
        StringBuilder input = new StringBuilder();
        for (String[] p : pairs) {
            input.append(p[0]).append(' ').append(p[1]).append('\n');
        }
        List<String> verdicts = Fixtures.run(List.of("/bin/sh", "-c",
                "while read a b; do if dpkg --compare-versions \"$a\" lt \"$b\"; then echo -1; "
                        + "elif dpkg --compare-versions \"$a\" eq \"$b\"; then echo 0; else echo 1; fi; done"),
                input.toString());
        assertThat(verdicts).hasSize(pairs.size());
        List<String> disagreements = new ArrayList<>();
        for (int i = 0; i < pairs.size(); i++) {
            int mine = Fixtures.sign(dpkg.compare(pairs.get(i)[0], pairs.get(i)[1]));
            if (mine != Integer.parseInt(verdicts.get(i))) {
                disagreements.add(pairs.get(i)[0] + " vs " + pairs.get(i)[1] + ": dpkg " + verdicts.get(i) + ", ours " + mine);
            }
        }
        assertThat(disagreements).isEmpty();
        System.out.printf("dpkg cross-check: %d distinct versions, %d pairs%n", sorted.size(), pairs.size());
    }
}
