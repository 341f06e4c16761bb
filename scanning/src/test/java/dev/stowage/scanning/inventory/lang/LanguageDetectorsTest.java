package dev.stowage.scanning.inventory.lang;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stowage.scanning.inventory.FoundPackage;
import dev.stowage.scanning.inventory.PackageDetector;
import dev.stowage.scanning.testing.ClasspathJars;
import dev.stowage.scanning.testing.DebianPackages;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class LanguageDetectorsTest {
    @Test
    void everyDetectorIsOfferedEachFileAndOnlyItsOwnFindIt() throws Exception {
        Path skopeo = DebianPackages.file("skopeo", "/usr/bin/skopeo");
        Path pyyaml = DebianPackages.fileMatching("python3-yaml", ".*/PyYAML-[^/]*\\.dist-info/METADATA");
        List<FoundPackage> found = new ArrayList<>();
        for (PackageDetector detector : LanguageDetectors.all()) {
            found.addAll(Detect.file(detector, skopeo, skopeo.toString()));
            found.addAll(Detect.file(detector, pyyaml, pyyaml.toString()));
            found.addAll(Detect.file(detector, Path.of("src/test/resources/lang/ripgrep-Cargo.lock"), "/src/Cargo.lock"));
        }

        assertThat(found).extracting(FoundPackage::purl).contains(
                "pkg:golang/stdlib@v" + DebianPackages.goToolchain("skopeo"),
                "pkg:pypi/pyyaml@" + DebianPackages.upstreamVersion("python3-yaml"),
                "pkg:cargo/regex@1.13.1").hasSize(1 + 1 + 52);
    }

    @Test
    void realFilesCutAnywhereEndInPackagesOrAReasonNeverInAnotherException(@TempDir Path dir) throws Exception {
        Path databind = ClasspathJars.of(ObjectMapper.class);
        Path pip = DebianPackages.fileMatching("python3-pip", ".*/pip-[^/]*\\.dist-info/METADATA");
        Map<String, Path> files = Map.of(
                "/app/lib/" + databind.getFileName(), databind,
                "/usr/bin/skopeo", DebianPackages.file("skopeo", "/usr/bin/skopeo"),
                "/src/Cargo.lock", Path.of("src/test/resources/lang/ripgrep-Cargo.lock"),
                "/app/composer.lock", Path.of("src/test/resources/lang/composer-composer.lock"),
                "/app/yarn.lock", Path.of("src/test/resources/lang/npm-cli-fixture-tap-yarn.lock"),
                "/usr/lib/node_modules/npm/package.json", NpmDetectorTest.machinesNpm().resolve("package.json"),
                pip.toString(), pip,
                "/usr/lib/ruby/gems/3.1.0/specifications/rake-13.0.6.gemspec",
                Path.of("src/test/resources/lang/libruby3.1/specifications/rake-13.0.6.gemspec"),
                "/app/ExampleApp1.deps.json", Path.of("src/test/resources/lang/trivy-self-contained.deps.json"));
        int outcomes = 0;
        for (Map.Entry<String, Path> file : files.entrySet()) {
            byte[] whole = Files.readAllBytes(file.getValue());
            for (int cut : new int[]{0, 1, 17, whole.length / 3, whole.length / 2, whole.length - 1}) {
                Path truncated = Files.write(dir.resolve("cut"), Arrays.copyOf(whole, cut));
                truncated.toFile().setExecutable(Files.isExecutable(file.getValue()));
                for (PackageDetector detector : LanguageDetectors.all()) {
                    try {
                        Detect.file(detector, truncated, file.getKey());
                    } catch (IOException reason) {
                        assertThat(reason).hasMessageNotContaining("Exception:");
                    }
                    outcomes++;
                }
            }
        }
        assertThat(outcomes).isEqualTo(files.size() * 6 * LanguageDetectors.all().size());
    }
}
