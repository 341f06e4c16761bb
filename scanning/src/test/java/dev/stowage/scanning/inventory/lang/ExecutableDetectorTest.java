package dev.stowage.scanning.inventory.lang;

import dev.stowage.scanning.inventory.FoundPackage;
import dev.stowage.scanning.inventory.MalformedContentException;
import dev.stowage.scanning.inventory.PackageDetector;
import dev.stowage.scanning.inventory.PackageType;
import dev.stowage.scanning.testing.DebianPackages;
import dev.stowage.scanning.testing.Esbuild;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.zip.DeflaterOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ExecutableDetectorTest {
    private static Path skopeo() {
        return DebianPackages.file("skopeo", "/usr/bin/skopeo");
    }

    private static FoundPackage go(String module, String version, String path) {
        return new FoundPackage(PackageType.GO, module, version, null, null,
                Purls.ofPath(PackageType.GO, module, "v" + version), Detect.LAYER, path);
    }

    @Test
    void debiansSkopeoIsAGopathBuildReportingOnlyItsGoToolchain() throws Exception {
        // Debian builds in GOPATH mode, so no module lines; dpkg's Built-Using names the toolchain: golang-1.19 (= 1.19.8-2)
        String toolchain = DebianPackages.goToolchain("skopeo");
        List<FoundPackage> found = Detect.file(new ExecutableDetector(), skopeo(), "/usr/bin/skopeo");

        assertThat(found).containsExactly(go("stdlib", toolchain, "/usr/bin/skopeo"));
        assertThat(found.get(0).purl()).isEqualTo("pkg:golang/stdlib@v" + toolchain);
    }

    @Test
    void debiansDockerRegistryReportsTheGoToolchainItWasBuiltUsing() throws Exception {
        Path registry = DebianPackages.file("docker-registry", "/usr/bin/docker-registry");

        assertThat(Detect.file(new ExecutableDetector(), registry, "/usr/bin/docker-registry"))
                .containsExactly(go("stdlib", DebianPackages.goToolchain("docker-registry"), "/usr/bin/docker-registry"));
    }

    @Test
    void esbuildsReleaseBinaryYieldsItsGoToolchainAndItsOneModuleDependency() throws Exception {
        Path esbuild = Esbuild.binary();

        List<FoundPackage> found = Detect.file(new ExecutableDetector(), esbuild, "/usr/local/bin/esbuild");

        // esbuild v0.25.0 (tag commit e9174d67, the binary's vcs.revision): its Makefile insists on go1.23.5, its go.mod
        // and go.sum require only golang.org/x/sys v0.0.0-20220715151400-c0bba94af5f8; the main module
        // github.com/evanw/esbuild is at (devel), the binary's own code, and no package
        assertThat(found).containsExactly(
                go("stdlib", "1.23.5", "/usr/local/bin/esbuild"),
                go("golang.org/x/sys", "0.0.0-20220715151400-c0bba94af5f8", "/usr/local/bin/esbuild"));
        assertThat(found.get(1).purl()).isEqualTo("pkg:golang/golang.org/x/sys@v0.0.0-20220715151400-c0bba94af5f8");
    }

    @Test
    void terraformsModulesAreReportedWithoutItsLocalReplacements() throws Exception {
        // Terraform v1.11.4's build info, cut from HashiCorp's release binary (resources/lang/README.md): go1.23.3, a
        // main module at (devel), 221 dep lines, 9 of them replaced by ./internal/... directories at (devel)
        String modinfo = Files.readString(Path.of("src/test/resources/lang/terraform-1.11.4-go-modinfo.txt"));
        List<FoundPackage> found = ExecutableDetector.goPackages(new GoBuildInfo("go1.23.3", modinfo),
                new PackageDetector.FileContent(Detect.LAYER, "/bin/terraform", 0, InputStream.nullInputStream()));

        assertThat(found).hasSize(1 + 221 - 9).allSatisfy(p -> assertThat(p.type()).isEqualTo(PackageType.GO));
        assertThat(found.get(0)).isEqualTo(go("stdlib", "1.23.3", "/bin/terraform"));
        assertThat(found).contains(
                go("github.com/hashicorp/hcl/v2", "2.23.0", "/bin/terraform"),
                go("github.com/zclconf/go-cty", "1.16.0", "/bin/terraform"),
                go("golang.org/x/crypto", "0.35.0", "/bin/terraform"),
                go("google.golang.org/grpc", "1.59.0", "/bin/terraform"));
        assertThat(found).filteredOn(p -> p.name().equals("golang.org/x/crypto")).singleElement()
                .satisfies(p -> assertThat(p.purl()).isEqualTo("pkg:golang/golang.org/x/crypto@v0.35.0"));
        assertThat(found).extracting(FoundPackage::name)
                .doesNotContain("github.com/hashicorp/terraform", "github.com/hashicorp/terraform/internal/legacy");
    }

    @Test
    void aNonGoElfExecutableHasNoPackages() throws Exception {
        assertThat(Detect.file(new ExecutableDetector(), Path.of("/usr/bin/true"), "/usr/bin/true")).isEmpty();
    }

    @Test
    void goBinariesAreKnownByTheBuildIdNoteInTheirFirstPage() throws Exception {
        assertThat(ExecutableDetector.hasGoBuildIdNote(firstPages(skopeo()))).isTrue();
        assertThat(ExecutableDetector.hasGoBuildIdNote(firstPages(Esbuild.binary()))).isTrue();
        assertThat(ExecutableDetector.hasGoBuildIdNote(firstPages(Path.of("/usr/bin/true")))).isFalse();
    }

    @Test
    void theLoadedSegmentsEndWhereReadelfSays() throws Exception {
        // readelf -lW /usr/bin/true: the last LOAD is at offset 0x007d70 with file size 0x000470
        Path readelfCommand = DebianPackages.file("binutils", "/usr/bin/readelf");
        Process readelf = new ProcessBuilder(readelfCommand.toString(), "-lW", "/usr/bin/true").start();
        long end = 0;
        for (String line : new String(readelf.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).split("\n")) {
            String[] fields = line.trim().split("\\s+");
            if (fields[0].equals("LOAD")) {
                end = Math.max(end, Long.decode(fields[1]) + Long.decode(fields[4]));
            }
        }
        assertThat(readelf.waitFor()).isZero();

        assertThat(end).isPositive();
        assertThat(ElfSections.endOfLoadedSegments(firstPages(Path.of("/usr/bin/true")))).isEqualTo(end);
    }

    private static byte[] firstPages(Path file) throws Exception {
        try (var in = Files.newInputStream(file)) {
            return in.readNBytes(8 << 10);
        }
    }

    @Test
    void goToolchainVersionsAreWrittenAsTheGoVulnerabilityDatabaseDoes() {
        assertThat(ExecutableDetector.goToolchainVersion("go1.20")).contains("1.20.0");
        assertThat(ExecutableDetector.goToolchainVersion("go1.21rc2")).contains("1.21.0-rc.2");
        assertThat(ExecutableDetector.goToolchainVersion("go1.22.1 X:boringcrypto")).contains("1.22.1");
        assertThat(ExecutableDetector.goToolchainVersion("devel go1.23-abcdef")).isEmpty();
    }

    @Test
    void aFakeMagicWithAGarbageLengthIsMalformed(@TempDir Path dir) throws Exception {
        ByteArrayOutputStream content = new ByteArrayOutputStream();
        content.write(new byte[]{0x7f, 'E', 'L', 'F'});
        content.write(new byte[60]);
        content.write("\u00ff Go buildinf:".getBytes(StandardCharsets.ISO_8859_1));
        content.write(new byte[]{8, 2});
        content.write(new byte[16]);
        content.write(new byte[]{(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x7f}); // a 34 GiB version
        Path binary = executable(dir, content.toByteArray());

        assertThatThrownBy(() -> Detect.file(new ExecutableDetector(dir), binary, "/bin/fake"))
                .isInstanceOf(MalformedContentException.class)
                .hasMessageContaining("the Go version is 34359738367 bytes long");
        assertThat(Files.list(dir)).containsExactly(binary); // the spooled copy is gone
    }

    @Test
    void buildInfoOfGoBefore118IsSkippedWithAReason(@TempDir Path dir) throws Exception {
        ByteArrayOutputStream content = new ByteArrayOutputStream();
        content.write(new byte[64]);
        content.write("\u00ff Go buildinf:".getBytes(StandardCharsets.ISO_8859_1));
        content.write(new byte[]{8, 0});
        content.write(new byte[16]);
        Path binary = executable(dir, content.toByteArray());

        assertThatThrownBy(() -> Detect.file(new ExecutableDetector(dir), binary, "/bin/old"))
                .isInstanceOf(MalformedContentException.class).hasMessageContaining("before 1.18");
    }

    @Test
    void cargoAuditableSectionListsTheCratesButNotTheLocalOnes(@TempDir Path dir) throws Exception {
        String json = "{\"packages\":[{\"name\":\"memchr\",\"version\":\"2.8.3\",\"source\":\"crates.io\"},"
                + "{\"name\":\"regex\",\"version\":\"1.13.1\",\"source\":\"crates.io\",\"dependencies\":[0]},"
                + "{\"name\":\"rg-demo\",\"version\":\"0.1.0\",\"source\":\"local\",\"dependencies\":[1],\"root\":true}]}";
        Path binary = withDepSection(dir, deflate(json.getBytes(StandardCharsets.UTF_8)));

        List<FoundPackage> found = Detect.file(new ExecutableDetector(dir), binary, "/usr/local/bin/rg-demo");

        assertThat(found).containsExactly(
                new FoundPackage(PackageType.CARGO, "memchr", "2.8.3", null, null, "pkg:cargo/memchr@2.8.3",
                        Detect.LAYER, "/usr/local/bin/rg-demo"),
                new FoundPackage(PackageType.CARGO, "regex", "1.13.1", null, null, "pkg:cargo/regex@1.13.1",
                        Detect.LAYER, "/usr/local/bin/rg-demo"));
        assertThat(Files.list(dir)).containsExactlyInAnyOrder(binary, dir.resolve("dep-v0"));
    }

    @Test
    void cargoAuditableSectionThatIsNotZlibIsMalformed(@TempDir Path dir) throws Exception {
        Path binary = withDepSection(dir, "{\"packages\":[]}".getBytes(StandardCharsets.UTF_8));

        assertThatThrownBy(() -> Detect.file(new ExecutableDetector(dir), binary, "/bin/x"))
                .isInstanceOf(MalformedContentException.class).hasMessageContaining("not zlib data");
    }

    @Test
    void aShellScriptIsNotRead(@TempDir Path dir) throws Exception {
        Path script = executable(dir, ("#!/bin/sh\n" + "echo ".repeat(20)).getBytes(StandardCharsets.US_ASCII));
        assertThat(Detect.file(new ExecutableDetector(dir), script, "/entrypoint.sh")).isEmpty();
    }

    /** A real ELF executable (this machine's true) with a .dep-v0 section added the way a linker section is. */
    private static Path withDepSection(Path dir, byte[] section) throws Exception {
        Path content = Files.write(dir.resolve("dep-v0"), section);
        Path binary = dir.resolve("true-auditable");
        Path objcopyCommand = DebianPackages.file("binutils", "/usr/bin/objcopy");
        Process objcopy = new ProcessBuilder(objcopyCommand.toString(), "--add-section", ".dep-v0=" + content,
                "/usr/bin/true", binary.toString()).redirectErrorStream(true).start();
        assertThat(objcopy.waitFor()).as(new String(objcopy.getInputStream().readAllBytes())).isZero();
        Files.setPosixFilePermissions(binary, PosixFilePermissions.fromString("rwxr-xr-x"));
        return binary;
    }

    private static byte[] deflate(byte[] data) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (DeflaterOutputStream zlib = new DeflaterOutputStream(out)) {
            zlib.write(data);
        }
        return out.toByteArray();
    }

    private static Path executable(Path dir, byte[] content) throws Exception {
        Path file = Files.write(dir.resolve("binary"), content);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        return file;
    }
}
