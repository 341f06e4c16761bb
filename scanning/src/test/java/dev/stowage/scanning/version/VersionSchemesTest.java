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
}
