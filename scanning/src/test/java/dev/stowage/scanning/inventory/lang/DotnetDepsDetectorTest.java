package dev.stowage.scanning.inventory.lang;

import dev.stowage.scanning.inventory.FoundPackage;
import dev.stowage.scanning.inventory.MalformedContentException;
import dev.stowage.scanning.inventory.PackageType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DotnetDepsDetectorTest {
    @Test
    void aSelfContainedAppYieldsItsNuGetPackageButNotItselfOrItsRuntimePacks() throws Exception {
        // libraries: ExampleApp1/1.0.0 (project), Newtonsoft.Json/13.0.1 (package), two runtimepack entries
        assertThat(Detect.file(new DotnetDepsDetector(), Path.of("src/test/resources/lang/trivy-self-contained.deps.json"),
                "/app/ExampleApp1.deps.json")).containsExactly(new FoundPackage(PackageType.NUGET, "Newtonsoft.Json",
                "13.0.1", null, null, "pkg:nuget/Newtonsoft.Json@13.0.1", Detect.LAYER, "/app/ExampleApp1.deps.json"));
    }

    @Test
    void aMultiProjectAppYieldsOnlyItsPackage() throws Exception {
        // libraries: three projects (Web, Api, Data) and Newtonsoft.Json/13.0.3
        assertThat(Detect.file(new DotnetDepsDetector(), Path.of("src/test/resources/lang/trivy-multi-project.deps.json"),
                "/app/Web.deps.json")).extracting(FoundPackage::purl).containsExactly("pkg:nuget/Newtonsoft.Json@13.0.3");
    }

    @Test
    void depsJsonWithoutLibrariesIsMalformed(@TempDir Path dir) throws Exception {
        Path deps = Files.writeString(dir.resolve("App.deps.json"), "{\"runtimeTarget\": {\"name\": \".NETCoreApp\"}}");

        assertThatThrownBy(() -> Detect.file(new DotnetDepsDetector(), deps, "/app/App.deps.json"))
                .isInstanceOf(MalformedContentException.class).hasMessage("deps.json has no libraries object");
    }
}
