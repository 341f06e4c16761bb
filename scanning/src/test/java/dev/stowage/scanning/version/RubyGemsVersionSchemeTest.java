package dev.stowage.scanning.version;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stowage.scanning.inventory.PackageType;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Cases from RubyGems' own test/rubygems/test_gem_version.rb (test_spaceship, test_equals2, test_semver, test_initialize). */
class RubyGemsVersionSchemeTest {
    private final VersionScheme gem = VersionSchemes.of(PackageType.RUBYGEMS);

    @Test
    void ordersRubyGemsSpaceshipCases() {
        assertThat(gem.compare("1.0", "1.0.0")).isZero();
        assertThat(gem.compare("1.0", "1.0.a")).isPositive();
        assertThat(gem.compare("1.8.2", "0.0.0")).isPositive();
        assertThat(gem.compare("1.8.2", "1.8.2.a")).isPositive();
        assertThat(gem.compare("1.8.2.b", "1.8.2.a")).isPositive();
        assertThat(gem.compare("1.8.2.a", "1.8.2")).isNegative();
        assertThat(gem.compare("1.8.2.a10", "1.8.2.a9")).isPositive();
        assertThat(gem.compare("", "0")).isZero();
        assertThat(gem.compare("1.2.b1", "1.2.b.1")).isZero();
    }

    @Test
    void ordersHyphenatedPrereleasesBeforeTheirRelease() {
        List<String> ascending = List.of("1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0");
        for (int i = 1; i < ascending.size(); i++) {
            assertThat(gem.compare(ascending.get(i - 1), ascending.get(i))).as("%s < %s", ascending.get(i - 1), ascending.get(i)).isNegative();
        }
    }

    @Test
    void acceptsSurroundingWhitespaceAndRejectsJunk() {
        for (String good : List.of("1.0", "1.0 ", " 1.0 ", "1.0\n", "\n1.0\n")) {
            assertThat(gem.isValid(good)).as(good).isTrue();
            assertThat(gem.compare("1.0", good)).isZero();
        }
        for (String bad : List.of("junk", "1.0\n2.0")) {
            assertThat(gem.isValid(bad)).as(bad).isFalse();
            assertThat(gem.compare(bad, "0")).isNegative();
        }
    }
}
