package dev.stowage.scanning.inventory.lang;

import dev.stowage.scanning.inventory.FoundPackage;
import dev.stowage.scanning.inventory.MalformedContentException;
import dev.stowage.scanning.inventory.PackageType;
import dev.stowage.scanning.testing.Commands;
import dev.stowage.scanning.testing.DebianPackages;
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
    void debiansDistPackagesYieldEveryDistributionPythonItselfFinds() throws Exception {
        // the oracle: Python's importlib.metadata on the same folder, with packaging's PEP 503 name for the purl
        DebianPackages.file("python3-packaging", "/usr/lib/python3/dist-packages/packaging");
        List<String> expected = Commands.output("/usr/bin/python3", "-c", String.join("\n",
                "import importlib.metadata, packaging.utils",
                "for d in importlib.metadata.distributions(path=['" + DIST_PACKAGES + "']):",
                "    n = d.metadata['Name']",
                "    print(n, d.version, 'pkg:pypi/' + packaging.utils.canonicalize_name(n) + '@' + d.version)"))
                .lines().toList();

        List<FoundPackage> found = Detect.tree(new PythonDetector(), DIST_PACKAGES, "/usr/lib/python3/dist-packages");

        assertThat(expected).hasSizeGreaterThan(3); // python3-yaml, python3-pip, python3-packaging at least
        assertThat(found).allSatisfy(p -> assertThat(p.type()).isEqualTo(PackageType.PYPI))
                .extracting(p -> p.name() + " " + p.version() + " " + p.purl())
                .containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    void eachDistributionIsReportedWhereDebianInstalledItsMetadata() throws Exception {
        // python3-yaml installs PyYAML-<version>.dist-info; Debian's version 6.0-3+b2 is upstream 6.0
        Path metadata = DebianPackages.fileMatching("python3-yaml", ".*/PyYAML-[^/]*\\.dist-info/METADATA");
        String version = DebianPackages.upstreamVersion("python3-yaml");

        List<FoundPackage> found = Detect.tree(new PythonDetector(), DIST_PACKAGES, "/usr/lib/python3/dist-packages");

        assertThat(found).contains(new FoundPackage(PackageType.PYPI, "PyYAML", version, null, null,
                "pkg:pypi/pyyaml@" + version, Detect.LAYER, metadata.toString()));
        assertThat(found).filteredOn(p -> p.name().equals("pip")).singleElement()
                .satisfies(p -> assertThat(p.version()).isEqualTo(DebianPackages.upstreamVersion("python3-pip")));
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
