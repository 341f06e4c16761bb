package dev.stowage.scanning.version;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stowage.scanning.inventory.PackageType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class RpmVersionSchemeTest {
    private static final Pattern CASE = Pattern.compile("^RPMVERCMP\\(([^,]*), ([^,]*), (-?1|0)\\)$");
    private final VersionScheme rpm = VersionSchemes.of(PackageType.RPM);

    @Test
    void ordersEveryCaseOfRpmsOwnRpmvercmpTable() throws Exception {
        int checked = 0;
        for (String line : Fixtures.lines("rpmvercmp.at")) {
            Matcher m = CASE.matcher(line);
            if (!m.matches()) {
                continue; // the m4 macro definition, dnl lines (rpm's own disabled "oddities"), test setup
            }
            int expected = Integer.parseInt(m.group(3));
            assertThat(Fixtures.sign(RpmVersionScheme.rpmvercmp(m.group(1), m.group(2))))
                    .as("rpmvercmp(%s, %s)", m.group(1), m.group(2)).isEqualTo(expected);
            assertThat(Fixtures.sign(rpm.compare(m.group(1), m.group(2))))
                    .as("%s vs %s", m.group(1), m.group(2)).isEqualTo(expected);
            checked++;
        }
        assertThat(checked).isEqualTo(91);
    }

    @Test
    void comparesEpochThenVersionThenRelease() {
        assertThat(rpm.compare("1:1.0-1", "2.0-1")).isPositive();
        assertThat(rpm.compare("0:1.0-1", "1.0-1")).isZero();
        assertThat(rpm.compare("1.0-2.fc38", "1.0-10.fc38")).isNegative();
        assertThat(rpm.compare("3.0.7-16.el9_2", "3.0.7-16.el9")).isPositive();
        assertThat(rpm.compare("1.0", "1.0-1")).isNegative(); // a missing release sorts below any release
        assertThat(rpm.compare("1.0~rc1-1", "1.0-1")).isNegative();
        assertThat(rpm.compare("1.0^git1-1", "1.0-1")).isPositive();
    }

    @Test
    void neverThrowsOnMalformedVersions() {
        for (String v : List.of("", ":", "-", "a:b", "::--", "~", "^", "\u00e9\u00e9")) {
            assertThat(rpm.compare(v, v)).isZero();
            rpm.compare(v, "1.0-1");
        }
        assertThat(rpm.isValid("2:1.0-1.el9")).isTrue();
        assertThat(rpm.isValid("")).isFalse();
        assertThat(rpm.isValid("1.0-")).isFalse();
        assertThat(rpm.isValid("1.0 1")).isFalse();
    }

    /**
     * The real rpm (rpm.vercmp in rpm's Lua, which compares epoch:version-release as rpm does) on every pair of
     * neighbours of a corpus sorted by this scheme and on a random sample of pairs: the versions installed on this
     * machine (Debian's, varied enough), rpm's own test versions and typical Fedora/RHEL ones.
     */
    @Test
    void agreesWithTheRealRpm() throws Exception {
        Fixtures.requireExecutable("/usr/bin/rpm", "the cross-check runs rpm's own vercmp (apt-get install rpm)");
        TreeSet<String> distinct = new TreeSet<>();
        for (String line : Files.readAllLines(Path.of("/var/lib/dpkg/status"))) {
            if (line.startsWith("Version: ")) {
                distinct.add(line.substring("Version: ".length()).strip());
            }
        }
        for (String line : Fixtures.lines("rpmvercmp.at")) {
            Matcher m = CASE.matcher(line);
            if (m.matches()) {
                distinct.add(m.group(1));
                distinct.add(m.group(2));
            }
        }
        distinct.addAll(List.of("3.0.7-16.el9_2", "3.0.7-16.el9", "1:3.0.7-16.el9", "2.37-4.fc38", "2.37-10.fc38",
                "1.0~rc1-1", "1.0-1", "1.0^git1-1", "1.0^git1~pre-1", "0:1.0-1", "5.14.0-284.11.1.el9_2",
                "5.14.0-284.1.1.el9_2", "1.2.3-0.1.beta.fc39", "1.2.3-1.fc39", "20230101-1", "1.0_1-1", "1.0.a-1",
                "1.0a-1", "1.0A-1", "1.0z-1", "1.0-1.module+el8.1.0+4534+4c6d1a92"));
        List<String> sorted = new ArrayList<>(distinct);
        sorted.sort(rpm);
        List<String[]> pairs = new ArrayList<>();
        for (int i = 1; i < sorted.size(); i++) {
            pairs.add(new String[] {sorted.get(i - 1), sorted.get(i)});
        }
        Random random = new Random(1);
        for (int k = 0; k < 20000; k++) {
            pairs.add(new String[] {sorted.get(random.nextInt(sorted.size())), sorted.get(random.nextInt(sorted.size()))});
        }
        Path pairFile = Files.createTempFile("rpm-pairs", ".txt");
        try {
            StringBuilder input = new StringBuilder();
            for (String[] p : pairs) {
                input.append(p[0]).append(' ').append(p[1]).append('\n');
            }
            Files.writeString(pairFile, input);
            String lua = "%{lua: for line in io.lines('" + pairFile + "') do "
                    + "local a, b = line:match('^(%S+) (%S+)$'); local ok, r = pcall(rpm.vercmp, a, b); "
                    + "if ok then io.write(tostring(r), '\\n') else io.write('x\\n') end end}";
            List<String> verdicts = Fixtures.run(List.of("/usr/bin/rpm", "--eval", lua), "");
            assertThat(verdicts.subList(0, pairs.size())).hasSize(pairs.size());
            List<String> disagreements = new ArrayList<>();
            int compared = 0;
            for (int i = 0; i < pairs.size(); i++) {
                if (verdicts.get(i).equals("x")) {
                    continue; // rpm refuses to parse it
                }
                compared++;
                int mine = Fixtures.sign(rpm.compare(pairs.get(i)[0], pairs.get(i)[1]));
                if (mine != Integer.parseInt(verdicts.get(i).strip())) {
                    disagreements.add(pairs.get(i)[0] + " vs " + pairs.get(i)[1] + ": rpm " + verdicts.get(i) + ", ours " + mine);
                }
            }
            assertThat(disagreements).isEmpty();
            assertThat(compared).isGreaterThan(pairs.size() * 9 / 10);
            System.out.printf("rpm cross-check: %d distinct versions, %d pairs compared%n", sorted.size(), compared);
        } finally {
            Files.deleteIfExists(pairFile);
        }
    }
}
