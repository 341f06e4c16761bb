package dev.stowage.scanning.inventory.lang;

import dev.stowage.scanning.inventory.FoundPackage;
import dev.stowage.scanning.inventory.PackageDetector;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

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
}
