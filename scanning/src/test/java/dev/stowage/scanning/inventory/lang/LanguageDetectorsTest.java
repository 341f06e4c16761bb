package dev.stowage.scanning.inventory.lang;

import dev.stowage.scanning.inventory.FoundPackage;
import dev.stowage.scanning.inventory.PackageDetector;
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
        List<FoundPackage> found = new ArrayList<>();
        for (PackageDetector detector : LanguageDetectors.all()) {
            found.addAll(Detect.file(detector, Path.of("/usr/bin/skopeo"), "/usr/bin/skopeo"));
            found.addAll(Detect.file(detector, Path.of("/usr/lib/python3/dist-packages/PyYAML-6.0.dist-info/METADATA"),
                    "/usr/lib/python3/dist-packages/PyYAML-6.0.dist-info/METADATA"));
            found.addAll(Detect.file(detector, Path.of("src/test/resources/lang/ripgrep-Cargo.lock"), "/src/Cargo.lock"));
        }

        assertThat(found).extracting(FoundPackage::purl).contains("pkg:golang/stdlib@v1.19.8", "pkg:pypi/pyyaml@6.0",
                "pkg:cargo/regex@1.13.1").hasSize(1 + 1 + 52);
    }

    @Test
    void realFilesCutAnywhereEndInPackagesOrAReasonNeverInAnotherException(@TempDir Path dir) throws Exception {
        Path home = Path.of(System.getProperty("user.home"));
        Map<String, Path> files = Map.of(
                "/app/lib/jackson-databind-2.18.2.jar",
                home.resolve(".m2/repository/com/fasterxml/jackson/core/jackson-databind/2.18.2/jackson-databind-2.18.2.jar"),
                "/usr/bin/skopeo", Path.of("/usr/bin/skopeo"),
                "/src/Cargo.lock", Path.of("src/test/resources/lang/ripgrep-Cargo.lock"),
                "/app/composer.lock", Path.of("src/test/resources/lang/composer-composer.lock"),
                "/app/yarn.lock", Path.of("src/test/resources/lang/npm-cli-fixture-tap-yarn.lock"),
                "/usr/lib/node_modules/npm/package.json", Path.of("/usr/lib/node_modules/npm/package.json"),
                "/usr/lib/python3/dist-packages/pip-23.0.1.dist-info/METADATA",
                Path.of("/usr/lib/python3/dist-packages/pip-23.0.1.dist-info/METADATA"),
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
