package dev.stowage.scanning.version;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stowage.scanning.inventory.PackageType;
import dev.stowage.scanning.testing.VulnDataPath;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;

class SemVerSchemeTest {
    private static final Path VULNDATA = VulnDataPath.root();
    private final VersionScheme semver = VersionSchemes.of(PackageType.GO);

    private void assertAscending(List<String> versions) {
        for (int i = 0; i < versions.size(); i++) {
            for (int j = 0; j < versions.size(); j++) {
                assertThat(Fixtures.sign(semver.compare(versions.get(i), versions.get(j))))
                        .as("%s vs %s", versions.get(i), versions.get(j)).isEqualTo(Integer.compare(i, j));
            }
        }
    }

    @Test
    void ordersSemverOrgsPrecedenceExamples() {
        // semver.org 2.0.0, item 11
        assertAscending(List.of("1.0.0", "2.0.0", "2.1.0", "2.1.1"));
        assertAscending(List.of("1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2",
                "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0"));
    }

    @Test
    void ignoresBuildMetadataAndALeadingV() {
        assertThat(semver.compare("1.0.0+20130313144700", "1.0.0")).isZero();
        assertThat(semver.compare("1.0.0-beta+exp.sha.5114f85", "1.0.0-beta")).isZero();
        assertThat(semver.compare("v1.2.3", "1.2.3")).isZero();
    }

    @Test
    void ordersGoPrereleasesAndPseudoVersions() {
        assertAscending(List.of("0.0.0-20210101000000-abcdef123456", "0.0.0-20220101000000-abcdef123456", "0.1.0",
                "1.26.0-0", "1.26.0-rc.1", "1.26.0", "1.26.1"));
    }

    @Test
    void validatesLikeSemverOrgsGrammar() {
        for (String v : List.of("0.0.4", "1.2.3", "10.20.30", "1.1.2-prerelease+meta", "1.0.0-alpha.beta.1",
                "1.0.0-0A.is.legal", "1.2.3----RC-SNAPSHOT.12.9.1--.12+788", "v1.2.3")) {
            assertThat(semver.isValid(v)).as(v).isTrue();
        }
        for (String v : List.of("1", "1.2", "1.2.3-0123", "01.1.1", "1.2.3.DEV", "1.2-SNAPSHOT", "1.0.0-alpha_beta",
                "+invalid", "", "alpha")) {
            assertThat(semver.isValid(v)).as(v).isFalse();
        }
    }

    @Test
    void ordersTextThatIsNotSemverWithoutThrowing() {
        assertThat(semver.compare("1.2", "1.2.0")).isZero();
        assertThat(semver.compare("1.2", "1.10")).isNegative();
        assertThat(semver.compare("garbage", "0.0.1")).isNegative();
        assertThat(semver.compare("", "")).isZero();
        assertThat(semver.compare(null, "1.0.0")).isNegative();
    }

    /**
     * Plain {@code [v]MAJOR.MINOR.PATCH} is read without the regular expressions; it must order exactly as they read it.
     * Build metadata sends a version through them and changes nothing in its precedence, so it is the reference.
     */
    @Test
    void plainVersionsOrderAsTheRegularExpressionsReadThem() {
        List<String> versions = List.of("0.0.0", "1.2.3", "v1.2.3", "V1.2.3", "1.02.3", "01.2.3", "1.2.10", "10.0.0",
                "1.2.3-rc.1", "1.2", "1..3", "1.2.3.4", "1.2.", ".1.2", "v", "1.2.3 ", "18446744073709551616.0.0");
        for (String a : versions) {
            for (String b : versions) {
                assertThat(Fixtures.sign(semver.compare(a, b))).as("%s vs %s", a, b)
                        .isEqualTo(Fixtures.sign(semver.compare(a.strip() + "+m", b.strip() + "+m")));
            }
        }
    }

    /** Every version named in a SEMVER range of the real Go and RustSec data, ordered as npm's semver orders them. */
    @Test
    void agreesWithNpmsSemverOnEveryVersionInTheGoAndRustsecData() throws Exception {
        List<String> node = Fixtures.firstWorking(List.of(
                List.of("node", "-e", "require('/usr/share/nodejs/semver/functions/compare')"),
                List.of("node", "-e", "require('/usr/lib/node_modules/npm/node_modules/semver/functions/compare')")),
                "the cross-check runs npm's semver (apt-get install node-semver)");
        String root = node.get(2).replace("require('", "").replace("/functions/compare')", "");
        TreeSet<String> distinct = new TreeSet<>();
        ObjectMapper json = new ObjectMapper();
        for (String zip : List.of("osv/Go.zip", "osv/crates.io.zip")) {
            try (ZipFile z = new ZipFile(VULNDATA.resolve(zip).toFile())) {
                for (Enumeration<? extends ZipEntry> e = z.entries(); e.hasMoreElements(); ) {
                    JsonNode record = json.readTree(z.getInputStream(e.nextElement()));
                    for (JsonNode range : record.path("affected").findValues("ranges")) {
                        for (JsonNode event : range.findValues("events")) {
                            for (JsonNode ev : event) {
                                ev.fields().forEachRemaining(f -> distinct.add(f.getValue().asText()));
                            }
                        }
                    }
                }
            }
        }
        distinct.remove("0");
        distinct.removeIf(v -> !semver.isValid(v));
        assertThat(distinct).hasSizeGreaterThan(2000);
        List<String> sorted = new ArrayList<>(distinct);
        sorted.sort(semver);
        List<String[]> pairs = new ArrayList<>();
        for (int i = 1; i < sorted.size(); i++) {
            pairs.add(new String[] {sorted.get(i - 1), sorted.get(i)});
        }
        Random random = new Random(2);
        for (int k = 0; k < 50000; k++) {
            pairs.add(new String[] {sorted.get(random.nextInt(sorted.size())), sorted.get(random.nextInt(sorted.size()))});
        }
        StringBuilder input = new StringBuilder();
        for (String[] p : pairs) {
            input.append(p[0]).append(' ').append(p[1]).append('\n');
        }
        String script = "const compare = require('" + root + "/functions/compare');"
                + "const lines = require('fs').readFileSync(0, 'utf8').split('\\n').filter(l => l);"
                + "process.stdout.write(lines.map(l => { const [a, b] = l.split(' '); return compare(a, b); }).join('\\n') + '\\n');";
        List<String> verdicts = Fixtures.run(List.of("node", "-e", script), input.toString());
        assertThat(verdicts).hasSize(pairs.size());
        List<String> disagreements = new ArrayList<>();
        for (int i = 0; i < pairs.size(); i++) {
            int mine = Fixtures.sign(semver.compare(pairs.get(i)[0], pairs.get(i)[1]));
            if (mine != Integer.parseInt(verdicts.get(i).strip())) {
                disagreements.add(pairs.get(i)[0] + " vs " + pairs.get(i)[1] + ": npm " + verdicts.get(i) + ", ours " + mine);
            }
        }
        assertThat(disagreements).isEmpty();
        System.out.printf("npm semver cross-check: %d distinct versions, %d pairs%n", sorted.size(), pairs.size());
    }
}
