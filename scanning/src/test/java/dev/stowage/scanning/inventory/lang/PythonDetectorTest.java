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

class PythonDetectorTest {
    private static final Path DIST_PACKAGES = Path.of("/usr/lib/python3/dist-packages");

    @Test
    void debiansDistPackagesYieldEveryDistInfoAndEggInfo() throws Exception {
        List<FoundPackage> found = Detect.tree(new PythonDetector(), DIST_PACKAGES, "/usr/lib/python3/dist-packages");

        // 28 = `ls -d *.dist-info/METADATA *.egg-info/PKG-INFO | wc -l` on this Debian 12
        assertThat(found).hasSize(28).allSatisfy(p -> assertThat(p.type()).isEqualTo(PackageType.PYPI));
        // dpkg: python3-yaml 6.0-3+b2 owns PyYAML-6.0.dist-info
        assertThat(found).contains(new FoundPackage(PackageType.PYPI, "PyYAML", "6.0", null, null,
                "pkg:pypi/pyyaml@6.0", Detect.LAYER,
                "/usr/lib/python3/dist-packages/PyYAML-6.0.dist-info/METADATA"));
        assertThat(found).filteredOn(p -> p.name().equals("lazr.restfulclient")).singleElement()
                .satisfies(p -> assertThat(p.purl()).isEqualTo("pkg:pypi/lazr-restfulclient@0.14.5"));
        assertThat(found).filteredOn(p -> p.name().equals("pip")).singleElement()
                .satisfies(p -> assertThat(p.version()).isEqualTo("23.0.1"));
    }

    @Test
    void metadataWithoutAVersionIsMalformed(@TempDir Path dir) throws Exception {
        Path metadata = dir.resolve("METADATA");
        Files.writeString(metadata, "Metadata-Version: 2.1\nName: broken\n\nVersion: 1.0 (in the body)\n");

        assertThatThrownBy(() -> Detect.file(new PythonDetector(), metadata, "/app/broken-1.0.dist-info/METADATA"))
                .isInstanceOf(MalformedContentException.class).hasMessageContaining("Version");
    }

    @Test
    void pep503NormalisesRunsOfSeparators() {
        assertThat(Purls.pep503("Foo__Bar.-baz")).isEqualTo("foo-bar-baz");
    }
}
