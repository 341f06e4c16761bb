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

class ComposerDetectorTest {
    @Test
    void composersOwnLockfileYieldsItsPackagesWithoutDevelopmentOnes() throws Exception {
        List<FoundPackage> found = Detect.file(new ComposerDetector(),
                Path.of("src/test/resources/lang/composer-composer.lock"), "/app/composer.lock");

        // 30 "packages", 6 "packages-dev" (phpstan/*, symfony/phpunit-bridge)
        assertThat(found).hasSize(30).allSatisfy(p -> assertThat(p.type()).isEqualTo(PackageType.PHP_COMPOSER));
        assertThat(found).contains(
                new FoundPackage(PackageType.PHP_COMPOSER, "symfony/console", "5.4.47", null, null,
                        "pkg:composer/symfony/console@5.4.47", Detect.LAYER, "/app/composer.lock"),
                new FoundPackage(PackageType.PHP_COMPOSER, "composer/semver", "3.4.4", null, null,
                        "pkg:composer/composer/semver@3.4.4", Detect.LAYER, "/app/composer.lock"));
        assertThat(found).extracting(FoundPackage::name).doesNotContain("phpstan/phpstan", "symfony/phpunit-bridge");
    }

    @Test
    void aLockfileThatIsNotJsonIsMalformed(@TempDir Path dir) throws Exception {
        Path lock = Files.writeString(dir.resolve("composer.lock"), "{\"packages\": [{\"name\": ");

        assertThatThrownBy(() -> Detect.file(new ComposerDetector(), lock, "/app/composer.lock"))
                .isInstanceOf(MalformedContentException.class).hasMessageStartingWith("composer.lock is not JSON");
    }
}
