package dev.stowage.scanning.version;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stowage.scanning.inventory.PackageType;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ApkVersionSchemeTest {
    private final VersionScheme apk = VersionSchemes.of(PackageType.ALPINE);

    @Test
    void satisfiesEveryComparisonOfApkToolsOwnTestData() throws Exception {
        List<String> failures = new ArrayList<>();
        int checked = 0;
        for (String raw : Fixtures.lines("apk-version.data")) {
            String line = raw.replaceAll("#.*", "").strip();
            String[] f = line.split("\\s+");
            if (f.length != 3 || f[1].contains("~")) {
                continue; // validity lines (below) and fuzzy matches, which are not an ordering
            }
            boolean inverted = f[1].startsWith("!");
            String op = inverted ? f[1].substring(1) : f[1];
            int c = apk.compare(f[0], f[2]);
            boolean holds = switch (op) {
                case "<" -> c < 0;
                case ">" -> c > 0;
                case "=" -> c == 0;
                case "<=" -> c <= 0;
                case ">=" -> c >= 0;
                default -> throw new AssertionError("unknown operator in " + line);
            };
            // the reverse comparison must be its mirror image
            int reverse = apk.compare(f[2], f[0]);
            if (holds == inverted || Fixtures.sign(reverse) != -Fixtures.sign(c)) {
                failures.add(line + " (compare " + c + ", reverse " + reverse + ")");
            }
            checked++;
        }
        assertThat(failures).isEmpty();
        assertThat(checked).isEqualTo(738);
    }

    @Test
    void validatesVersionsAsApkToolsTestDataDoes() throws Exception {
        List<String> failures = new ArrayList<>();
        int checked = 0;
        for (String raw : Fixtures.lines("apk-version.data")) {
            String line = raw.replaceAll("#.*", "").strip();
            if (line.isEmpty() || line.split("\\s+").length != 1) {
                continue;
            }
            boolean expectValid = !line.startsWith("!");
            String version = expectValid ? line : line.substring(1);
            if (apk.isValid(version) != expectValid) {
                failures.add(line);
            }
            checked++;
        }
        assertThat(failures).isEmpty();
        assertThat(checked).isEqualTo(31);
    }

    @Test
    void ordersSuffixesAndRevisionsAsAlpineDoes() {
        List<String> ascending = List.of("1.1.1d-r0", "1.1.1d-r2", "1.1.1g-r0", "1.2_alpha", "1.2_beta1", "1.2_pre2",
                "1.2_rc1", "1.2", "1.2-r1", "1.2_cvs", "1.2_svn", "1.2_git20200101", "1.2_hg", "1.2_p1", "1.2a", "1.2.1");
        for (int i = 1; i < ascending.size(); i++) {
            assertThat(apk.compare(ascending.get(i - 1), ascending.get(i))).as("%s < %s", ascending.get(i - 1), ascending.get(i)).isNegative();
        }
    }

    @Test
    void neverThrowsOnMalformedVersions() {
        for (String v : List.of("", "-", "_", "~", "a", "1.0-r", "1.0_foo", "1..2", "\u00e9")) {
            assertThat(apk.compare(v, v)).isZero();
            apk.compare(v, "1.0-r0");
            apk.compare("1.0-r0", v);
            assertThat(apk.isValid(v)).as(v).isFalse();
        }
    }
}
