package dev.stowage.scanning.inventory.lang;

import dev.stowage.scanning.inventory.FoundPackage;
import dev.stowage.scanning.inventory.MalformedContentException;
import dev.stowage.scanning.inventory.PackageType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RubyGemsDetectorTest {
    private static final String SPECS = "/usr/lib/ruby/gems/3.1.0/specifications";

    @Test
    void debiansRuby31YieldsItsBundledAndDefaultGems() throws Exception {
        List<FoundPackage> found = Detect.tree(new RubyGemsDetector(),
                Path.of("src/test/resources/lang/libruby3.1/specifications"), SPECS);

        // libruby3.1 ships 15 bundled gems' and 70 default gems' gemspecs; Ruby 3.1's NEWS lists rake 13.0.6
        assertThat(found).hasSize(85).allSatisfy(p -> assertThat(p.type()).isEqualTo(PackageType.RUBYGEMS));
        assertThat(found).contains(
                new FoundPackage(PackageType.RUBYGEMS, "rake", "13.0.6", null, null, "pkg:gem/rake@13.0.6",
                        Detect.LAYER, SPECS + "/rake-13.0.6.gemspec"),
                new FoundPackage(PackageType.RUBYGEMS, "cgi", "0.3.5", null, null, "pkg:gem/cgi@0.3.5",
                        Detect.LAYER, SPECS + "/default/cgi-0.3.5.gemspec"));
        assertThat(found).filteredOn(p -> p.name().equals("json")).singleElement()
                .satisfies(p -> assertThat(p.version()).isEqualTo("2.6.1"));
    }

    @Test
    void onlyGemspecsInASpecificationsDirectoryAreWanted() {
        RubyGemsDetector gems = new RubyGemsDetector();
        assertThat(gems.wants(SPECS + "/rake-13.0.6.gemspec", 100, false)).isTrue();
        assertThat(gems.wants(SPECS + "/default/cgi-0.3.5.gemspec", 100, false)).isTrue();
        assertThat(gems.wants("/src/app/app.gemspec", 100, false)).isFalse();
    }

    @Test
    void aGemspecWithoutAVersionIsMalformed(@TempDir Path dir) throws Exception {
        Path spec = Files.writeString(dir.resolve("x.gemspec"), "Gem::Specification.new do |s|\n  s.name = \"x\"\nend\n");

        assertThatThrownBy(() -> Detect.file(new RubyGemsDetector(), spec, SPECS + "/x.gemspec"))
                .isInstanceOf(MalformedContentException.class).hasMessage("gemspec without a name and a version");
    }
}
