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

class CargoLockDetectorTest {
    private static final Path RIPGREP_LOCK = Path.of("src/test/resources/lang/ripgrep-Cargo.lock");

    @Test
    void ripgrepsLockfileYieldsEveryRegistryCrateAndNoneOfItsOwn() throws Exception {
        List<FoundPackage> found = Detect.file(new CargoLockDetector(), RIPGREP_LOCK, "/src/ripgrep/Cargo.lock");

        // 63 [[package]] tables, 52 with a crates.io source; the 11 without are ripgrep's own workspace crates
        assertThat(found).hasSize(52).allSatisfy(p -> assertThat(p.type()).isEqualTo(PackageType.CARGO));
        assertThat(found).contains(new FoundPackage(PackageType.CARGO, "regex", "1.13.1", null, null,
                "pkg:cargo/regex@1.13.1", Detect.LAYER, "/src/ripgrep/Cargo.lock"));
        assertThat(found).filteredOn(p -> p.name().equals("syn")).extracting(FoundPackage::version)
                .containsExactly("2.0.119", "3.0.3");
        assertThat(found).extracting(FoundPackage::name).doesNotContain("ripgrep", "grep", "globset", "ignore");
    }

    @Test
    void lockfileThatIsNotTomlIsMalformed(@TempDir Path dir) throws Exception {
        Path lock = dir.resolve("Cargo.lock");
        Files.writeString(lock, Files.readString(RIPGREP_LOCK).replace("[[package]]\nname = \"regex\"", "[[package\nname = regex"));

        assertThatThrownBy(() -> Detect.file(new CargoLockDetector(), lock, "/src/Cargo.lock"))
                .isInstanceOf(MalformedContentException.class).hasMessageStartingWith("Cargo.lock is not TOML");
    }
}
