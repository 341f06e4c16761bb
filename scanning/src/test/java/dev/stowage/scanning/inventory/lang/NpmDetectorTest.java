package dev.stowage.scanning.inventory.lang;

import dev.stowage.scanning.inventory.FoundPackage;
import dev.stowage.scanning.inventory.MalformedContentException;
import dev.stowage.scanning.inventory.PackageType;
import dev.stowage.scanning.testing.Commands;
import dev.stowage.scanning.testing.Required;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.zip.GZIPInputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NpmDetectorTest {
    private static final Path RESOURCES = Path.of("src/test/resources/lang");

    private static FoundPackage npm(String name, String version, String purl, String path) {
        return new FoundPackage(PackageType.NPM, name, version, null, null, purl, Detect.LAYER, path);
    }

    /** The npm of the machine image's Node.js (/usr/lib/node_modules/npm), where {@code npm root -g} says it is. */
    static Path machinesNpm() {
        Path npm;
        try {
            npm = Path.of(Commands.output("npm", "root", "-g").strip()).resolve("npm");
        } catch (IllegalStateException missing) {
            throw Required.missing("npm does not run (" + missing.getMessage() + "): the machine image has Node.js with npm");
        }
        if (!Files.isRegularFile(npm.resolve("package.json"))) {
            throw new IllegalStateException("npm root -g says npm is installed at " + npm + " but it has no package.json");
        }
        return npm;
    }

    @Test
    void theInstalledNpmPackageYieldsItselfAndEveryPackageNpmListsInIt() throws Exception {
        Path root = machinesNpm();
        String version = Commands.output("npm", "--version").strip();
        // the oracle: npm's own reading of the tree (Arborist), which exits 1 as the tree lacks npm's devDependencies
        Process ls = new ProcessBuilder("npm", "ls", "--all", "--parseable", "--offline").directory(root.toFile())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        Set<String> listed = new TreeSet<>();
        for (String line : new String(ls.getInputStream().readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
            if (!line.isBlank()) {
                listed.add(line.strip() + "/package.json");
            }
        }
        ls.waitFor();

        List<FoundPackage> found = Detect.tree(new NpmDetector(), root, root.toString());

        assertThat(listed).hasSizeGreaterThan(100).contains(root + "/package.json");
        assertThat(found).allSatisfy(p -> assertThat(p.type()).isEqualTo(PackageType.NPM))
                .extracting(FoundPackage::path).containsExactlyInAnyOrderElementsOf(listed);
        assertThat(found).contains(npm("npm", version, "pkg:npm/npm@" + version, root + "/package.json"));
        assertThat(found).filteredOn(p -> p.name().startsWith("@npmcli/")).isNotEmpty()
                .allSatisfy(p -> assertThat(p.purl()).startsWith("pkg:npm/%40npmcli/"));
    }

    @Test
    void lockfilesAreWantedOutsideNodeModulesOnly() {
        NpmDetector npm = new NpmDetector();
        assertThat(npm.wants("/app/package-lock.json", 100, false)).isTrue();
        assertThat(npm.wants("/app/yarn.lock", 100, false)).isTrue();
        assertThat(npm.wants("/app/pnpm-lock.yaml", 100, false)).isTrue();
        assertThat(npm.wants("/app/node_modules/some-lib/package-lock.json", 100, false)).isFalse();
        assertThat(npm.wants("/app/node_modules/some-lib/yarn.lock", 100, false)).isFalse();
    }

    @Test
    void onlyPackageJsonFilesOfInstalledPackagesAreWanted() {
        NpmDetector npm = new NpmDetector();
        assertThat(npm.wants("/app/node_modules/left-pad/package.json", 100, false)).isTrue();
        assertThat(npm.wants("/app/node_modules/@types/node/package.json", 100, false)).isTrue();
        assertThat(npm.wants("/app/node_modules/a/node_modules/b/package.json", 100, false)).isTrue();
        assertThat(npm.wants("/app/package.json", 100, false)).isFalse();
        assertThat(npm.wants("/app/node_modules/left-pad/lib/package.json", 100, false)).isFalse();
        assertThat(npm.wants("/app/node_modules/@types/package.json", 100, false)).isFalse();
    }

    @Test
    void lockfileVersion1YieldsItsNestedNonDevelopmentDependencies(@TempDir Path dir) throws Exception {
        List<FoundPackage> found = lockfile(dir, "npm-cli-lockfile-v1.json.gz");

        // npm 6.13.7's lockfile; npm 6 bundled semver 5.7.1 and tar 4.4.13
        assertThat(found).hasSize(439);
        assertThat(found).contains(npm("semver", "5.7.1", "pkg:npm/semver@5.7.1", "/app/package-lock.json"),
                npm("tar", "4.4.13", "pkg:npm/tar@4.4.13", "/app/package-lock.json"));
    }

    @Test
    void lockfileVersion2YieldsItsPackagesWithoutDevelopmentOnes(@TempDir Path dir) throws Exception {
        List<FoundPackage> found = lockfile(dir, "npm-cli-lockfile-v2.json.gz");

        assertThat(found).hasSize(183);
        assertThat(found).contains(npm("semver", "7.3.7", "pkg:npm/semver@7.3.7", "/app/package-lock.json"));
        assertThat(found).extracting(FoundPackage::name).doesNotContain("tap", "npm"); // dev tool; the root project
    }

    @Test
    void lockfileVersion3YieldsItsPackagesWithoutDevelopmentOnes(@TempDir Path dir) throws Exception {
        List<FoundPackage> found = lockfile(dir, "npm-cli-lockfile-v3.json.gz");

        // npm 10.9.0 ships semver 7.6.3 and tar 6.2.1 (and tar 7.4.3 under @sigstore)
        assertThat(found).hasSize(194);
        assertThat(found).contains(npm("semver", "7.6.3", "pkg:npm/semver@7.6.3", "/app/package-lock.json"),
                npm("tar", "6.2.1", "pkg:npm/tar@6.2.1", "/app/package-lock.json"));
        assertThat(found).extracting(FoundPackage::name).doesNotContain("tap", "npm", "@npmcli/docs");
    }

    @Test
    void yarnLockYieldsEachResolvedVersion() throws Exception {
        List<FoundPackage> found = Detect.file(new NpmDetector(), RESOURCES.resolve("npm-cli-fixture-tap-yarn.lock"),
                "/app/yarn.lock");

        assertThat(found).hasSize(369); // 369 `  version "..."` entries, no two alike
        assertThat(found).contains(npm("yaml", "1.6.0", "pkg:npm/yaml@1.6.0", "/app/yarn.lock"),
                npm("@babel/code-frame", "7.0.0", "pkg:npm/%40babel/code-frame@7.0.0", "/app/yarn.lock"));
    }

    @Test
    void pnpmLockfilesOfVersions5And6And9YieldTheSamePackages(@TempDir Path dir) throws Exception {
        // PyYAML reads 438 package keys in the 5.3 file and 440 in 6.0 and 9.0 (/abbrev/1.1.1, /abbrev@1.1.1,
        // abbrev@1.1.1); axios 0.15.3 and lodash 4.17.15 are the fixture's vulnerable packages
        for (String version : List.of("5", "6", "9")) {
            Path lock = unpack(dir, "pnpm-has-vulnerabilities-v" + version + ".yaml.gz", "pnpm-lock.yaml");
            List<FoundPackage> found = Detect.file(new NpmDetector(), lock, "/app/pnpm-lock.yaml");

            assertThat(found).as("lockfile version " + version).hasSize(version.equals("5") ? 438 : 440)
                    .contains(npm("axios", "0.15.3", "pkg:npm/axios@0.15.3", "/app/pnpm-lock.yaml"),
                            npm("lodash", "4.17.15", "pkg:npm/lodash@4.17.15", "/app/pnpm-lock.yaml"));
        }
    }

    @Test
    void lockfileThatIsNotJsonIsMalformed(@TempDir Path dir) throws Exception {
        Path lock = Files.writeString(dir.resolve("package-lock.json"), "{\"lockfileVersion\": 3, \"packages\": {\"node_");

        assertThatThrownBy(() -> Detect.file(new NpmDetector(), lock, "/app/package-lock.json"))
                .isInstanceOf(MalformedContentException.class).hasMessageStartingWith("package-lock.json is not JSON");
    }

    @Test
    void packageJsonThatIsNotAnObjectIsMalformed(@TempDir Path dir) throws Exception {
        Path json = Files.writeString(dir.resolve("package.json"), "[\"left-pad\", \"1.3.0\"]");

        assertThatThrownBy(() -> Detect.file(new NpmDetector(), json, "/app/node_modules/left-pad/package.json"))
                .isInstanceOf(MalformedContentException.class).hasMessage("package.json is not a JSON object");
    }

    private static List<FoundPackage> lockfile(Path dir, String resource) throws Exception {
        return Detect.file(new NpmDetector(), unpack(dir, resource, "package-lock.json"), "/app/package-lock.json");
    }

    private static Path unpack(Path dir, String resource, String name) throws Exception {
        Path file = dir.resolve(name);
        try (InputStream in = new GZIPInputStream(Files.newInputStream(RESOURCES.resolve(resource)))) {
            Files.copy(in, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        return file;
    }
}
