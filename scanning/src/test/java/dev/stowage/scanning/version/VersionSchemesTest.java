package dev.stowage.scanning.version;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stowage.scanning.inventory.PackageType;
import org.junit.jupiter.api.Test;

class VersionSchemesTest {
    @Test
    void givesEachPackageTypeItsPackageManagersOrdering() {
        assertThat(VersionSchemes.of(PackageType.DEBIAN)).isSameAs(DebianVersionScheme.INSTANCE);
        assertThat(VersionSchemes.of(PackageType.ALPINE)).isSameAs(ApkVersionScheme.INSTANCE);
        assertThat(VersionSchemes.of(PackageType.RPM)).isSameAs(RpmVersionScheme.INSTANCE);
        assertThat(VersionSchemes.of(PackageType.GO)).isSameAs(SemVerScheme.INSTANCE);
        assertThat(VersionSchemes.of(PackageType.NPM)).isSameAs(SemVerScheme.INSTANCE);
        assertThat(VersionSchemes.of(PackageType.CARGO)).isSameAs(SemVerScheme.INSTANCE);
        assertThat(VersionSchemes.of(PackageType.PYPI)).isSameAs(Pep440Scheme.INSTANCE);
        assertThat(VersionSchemes.of(PackageType.MAVEN)).isSameAs(MavenVersionScheme.INSTANCE);
        assertThat(VersionSchemes.of(PackageType.RUBYGEMS)).isSameAs(RubyGemsVersionScheme.INSTANCE);
        assertThat(VersionSchemes.of(PackageType.NUGET)).isSameAs(SemVerScheme.INSTANCE);
        assertThat(VersionSchemes.of(PackageType.PHP_COMPOSER)).isSameAs(SemVerScheme.INSTANCE);
    }

    @Test
    void noSchemeThrowsOnHostileText() {
        String[] hostile = {null, "", " ", "\u0000", "-", ".", ":", "~", "^", "+", "!", "v", "1!", "99999999999999999999999999",
                "1.0-", "a:b-c", "\uD835\uDFE4", "1..2", "1__2", "-r", "0:", "1.0+", "(", "[1,2)"};
        for (PackageType type : PackageType.values()) {
            VersionScheme scheme = VersionSchemes.of(type);
            for (String a : hostile) {
                scheme.isValid(a);
                for (String b : hostile) {
                    scheme.compare(a, b);
                }
            }
        }
    }

    /** A Comparator that is not antisymmetric or transitive breaks List.sort ("violates its general contract"). */
    @Test
    void everySchemeIsAConsistentTotalOrderEvenOverMalformedText() {
        String[] corpus = {"", "0", "1", "1.0", "1.0.0", "1.0-1", "1.0-r0", "1.0-r1", "1:1.0", "1.0~rc1", "1.0^git1", "1.0a",
                "1.0b", "1.0bc", "1.0.a", "1.0-alpha", "1.0-SNAPSHOT", "1.0rc1", "1.0.post1", "1.0.dev1", "1.0+local",
                "1.0_alpha", "1.0_p1", "1.0_foo", "v1.2.3", "1.2.3-beta.2", "1.2.3-beta.11", "2", "10", "1..2", "-", "~",
                "a", "z", "1.0bd", "1.0-", "0:", "x:1", "1.0.0.0", "01", "1.01", "1.0-r", "1.0~abc-r1", "1!2.0", "2.0-1",
                "\u00e9", "1.0 1"};
        for (PackageType type : PackageType.values()) {
            VersionScheme scheme = VersionSchemes.of(type);
            int n = corpus.length;
            int[][] c = new int[n][n];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    c[i][j] = Integer.signum(scheme.compare(corpus[i], corpus[j]));
                }
            }
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    assertThat(c[i][j]).as("%s: %s vs %s is the mirror of the reverse", scheme, corpus[i], corpus[j]).isEqualTo(-c[j][i]);
                    for (int k = 0; k < n; k++) {
                        if (c[i][j] <= 0 && c[j][k] <= 0) {
                            // a <= b <= c implies a <= c, and a == c when both steps are equalities
                            int expectedAtMost = c[i][j] == 0 && c[j][k] == 0 ? 0 : c[i][j] + c[j][k] < 0 ? -1 : 0;
                            assertThat(c[i][k]).as("%s: %s <= %s <= %s", scheme, corpus[i], corpus[j], corpus[k])
                                    .isLessThanOrEqualTo(expectedAtMost);
                            if (c[i][j] == 0 && c[j][k] == 0) {
                                assertThat(c[i][k]).as("%s: %s == %s == %s", scheme, corpus[i], corpus[j], corpus[k]).isZero();
                            }
                        }
                    }
                }
            }
        }
    }
}
