package dev.stowage.scanning.inventory.lang;

import com.ctc.wstx.stax.WstxInputFactory;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stowage.scanning.inventory.FoundPackage;
import dev.stowage.scanning.inventory.MalformedContentException;
import dev.stowage.scanning.inventory.PackageType;
import dev.stowage.scanning.testing.ClasspathJars;
import org.apiguardian.api.API;
import org.checkerframework.checker.nullness.qual.NonNull;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JavaArchiveDetectorTest {
    // real jars of this module's own test classpath, as the build resolved them (the parent pom's Jackson 2.18.2)
    private static final Path DATABIND = ClasspathJars.of(ObjectMapper.class);
    private static final Path CORE = ClasspathJars.of(JsonFactory.class);
    private static final Path WOODSTOX = ClasspathJars.of(WstxInputFactory.class);

    private static FoundPackage maven(String groupId, String artifactId, String version, String path) {
        return new FoundPackage(PackageType.MAVEN, groupId + ":" + artifactId, version, null, null,
                "pkg:maven/" + groupId + "/" + artifactId + "@" + version, Detect.LAYER, path);
    }

    @Test
    void aPlainJarIsTheArtifactItsPomPropertiesName() throws Exception {
        assertThat(Detect.file(new JavaArchiveDetector(), DATABIND, "/app/lib/jackson-databind-2.18.2.jar"))
                .containsExactly(maven("com.fasterxml.jackson.core", "jackson-databind", "2.18.2",
                        "/app/lib/jackson-databind-2.18.2.jar"));
    }

    @Test
    void aShadedJarYieldsEveryArtifactShadedIntoIt() throws Exception {
        // unzip -l: woodstox-core 7.0.0 (cyclonedx-core-java's) shades MSV's xsdlib and isorelax, each with its
        // META-INF/maven/<groupId>/<artifactId>/pom.properties beside its own
        assertThat(WOODSTOX.getFileName()).hasToString("woodstox-core-7.0.0.jar");

        assertThat(Detect.file(new JavaArchiveDetector(), WOODSTOX, "/opt/woodstox-core-7.0.0.jar"))
                .containsExactlyInAnyOrder(
                        maven("com.fasterxml.woodstox", "woodstox-core", "7.0.0", "/opt/woodstox-core-7.0.0.jar"),
                        maven("net.java.dev.msv", "xsdlib", "2022.7", "/opt/woodstox-core-7.0.0.jar"),
                        maven("com.sun.xml.bind.jaxb", "isorelax", "20090621", "/opt/woodstox-core-7.0.0.jar"));
    }

    @Test
    void jarsNestedInASpringBootJarInAWarInAnEarAreFoundWithTheirPaths(@TempDir Path dir) throws Exception {
        Path boot = dir.resolve("app.jar");
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(boot))) {
            text(zip, "META-INF/MANIFEST.MF", "Manifest-Version: 1.0\r\nMain-Class: org.springframework.boot.loader.launch.JarLauncher\r\n\r\n");
            stored(zip, "BOOT-INF/lib/jackson-databind-2.18.2.jar", Files.readAllBytes(DATABIND));
            stored(zip, "BOOT-INF/lib/jackson-core-2.18.2.jar", Files.readAllBytes(CORE));
        }
        Path war = dir.resolve("web.war");
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(war))) {
            zip.putNextEntry(new ZipEntry("WEB-INF/lib/app.jar")); // deflated, as wars usually are
            Files.copy(boot, zip);
        }
        Path ear = dir.resolve("site.ear");
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(ear))) {
            stored(zip, "web.war", Files.readAllBytes(war));
        }

        assertThat(Detect.file(new JavaArchiveDetector(), ear, "/deploy/site.ear")).containsExactly(
                maven("com.fasterxml.jackson.core", "jackson-databind", "2.18.2",
                        "/deploy/site.ear!/web.war!/WEB-INF/lib/app.jar!/BOOT-INF/lib/jackson-databind-2.18.2.jar"),
                maven("com.fasterxml.jackson.core", "jackson-core", "2.18.2",
                        "/deploy/site.ear!/web.war!/WEB-INF/lib/app.jar!/BOOT-INF/lib/jackson-core-2.18.2.jar"));
    }

    @Test
    void archivesNestedUpToTheBoundAreOpened(@TempDir Path dir) throws Exception {
        Path outer = Files.write(dir.resolve("outer.jar"), nested(JavaArchiveDetector.MAX_NESTING));

        assertThat(Detect.file(new JavaArchiveDetector(), outer, "/outer.jar")).singleElement()
                .satisfies(p -> assertThat(p.path()).isEqualTo("/outer.jar!/lib/level3.jar!/lib/level2.jar!/lib/level1.jar"
                        + "!/lib/level0.jar"));
    }

    @Test
    void archivesNestedDeeperThanTheBoundAreNotOpened(@TempDir Path dir) throws Exception {
        Path outer = Files.write(dir.resolve("outer.jar"), nested(JavaArchiveDetector.MAX_NESTING + 1));

        assertThat(Detect.file(new JavaArchiveDetector(), outer, "/outer.jar")).isEmpty();
    }

    /** jackson-databind wrapped in {@code levels} jars. */
    private static byte[] nested(int levels) throws Exception {
        byte[] archive = Files.readAllBytes(DATABIND);
        for (int level = 0; level < levels; level++) {
            archive = zipOf("lib/level" + level + ".jar", archive);
        }
        return archive;
    }

    @Test
    void withoutPomPropertiesAHyphenatedBundleSymbolicNameGivesTheGroupId(@TempDir Path dir) throws Exception {
        // jackson-databind's own manifest: Bundle-SymbolicName: com.fasterxml.jackson.core.jackson-databind
        Path stripped = dir.resolve("jackson-databind-2.18.2.jar");
        try (ZipInputStream in = new ZipInputStream(Files.newInputStream(DATABIND));
             ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(stripped))) {
            for (ZipEntry entry; (entry = in.getNextEntry()) != null; ) {
                if (!entry.getName().startsWith("META-INF/maven/")) {
                    out.putNextEntry(new ZipEntry(entry.getName()));
                    in.transferTo(out);
                }
            }
        }

        assertThat(Detect.file(new JavaArchiveDetector(), stripped, "/app/jackson-databind-2.18.2.jar"))
                .containsExactly(maven("com.fasterxml.jackson.core", "jackson-databind", "2.18.2",
                        "/app/jackson-databind-2.18.2.jar"));
    }

    @Test
    void withoutPomPropertiesAWeakManifestGuessesNoGroupId() throws Exception {
        // Neither jar has pom.properties. checker-qual 3.37.0: Bundle-SymbolicName checker-qual, groupId
        // org.checkerframework; apiguardian-api 1.1.2: Bundle-SymbolicName org.apiguardian.api (a Java package, not
        // <groupId>.<artifactId>), Implementation-Vendor apiguardian.org, groupId org.apiguardian
        Path checker = ClasspathJars.of(NonNull.class);
        Path apiguardian = ClasspathJars.of(API.class);
        assertThat(List.of(checker.getFileName().toString(), apiguardian.getFileName().toString()))
                .containsExactly("checker-qual-3.37.0.jar", "apiguardian-api-1.1.2.jar");

        assertThat(Detect.file(new JavaArchiveDetector(), checker, "/lib/checker-qual-3.37.0.jar")).isEmpty();
        assertThat(Detect.file(new JavaArchiveDetector(), apiguardian, "/lib/apiguardian-api-1.1.2.jar")).isEmpty();
    }

    @Test
    void aTruncatedJarIsMalformed(@TempDir Path dir) throws Exception {
        byte[] whole = Files.readAllBytes(DATABIND);
        Path truncated = Files.write(dir.resolve("cut.jar"), Arrays.copyOf(whole, whole.length / 2));

        assertThatThrownBy(() -> Detect.file(new JavaArchiveDetector(), truncated, "/app/cut.jar"))
                .isInstanceOf(MalformedContentException.class).hasMessageStartingWith("not a readable zip archive");
    }

    @Test
    void aFileNamedJarThatIsNoZipIsMalformed(@TempDir Path dir) throws Exception {
        Path text = Files.writeString(dir.resolve("notes.jar"), "just text\n".repeat(10));

        assertThatThrownBy(() -> Detect.file(new JavaArchiveDetector(), text, "/app/notes.jar"))
                .isInstanceOf(MalformedContentException.class).hasMessage("not a zip archive (no entries)");
    }

    @Test
    void anEntryInflatingFarBeyondTheArchiveSizeStopsAsADecompressionBomb(@TempDir Path dir) throws Exception {
        Path bomb = dir.resolve("bomb.jar");
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(bomb))) {
            zip.putNextEntry(new ZipEntry("zeros.bin"));
            byte[] zeros = new byte[1 << 20];
            for (int i = 0; i < 128; i++) {
                zip.write(zeros);
            }
        }
        assertThat(Files.size(bomb)).isLessThan(1 << 20);

        assertThatThrownBy(() -> Detect.file(new JavaArchiveDetector(), bomb, "/app/bomb.jar"))
                .isInstanceOf(MalformedContentException.class).hasMessageContaining("a decompression bomb");
    }

    @Test
    void aGiganticPomPropertiesIsNotBuffered(@TempDir Path dir) throws Exception {
        Path jar = dir.resolve("big.jar");
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(jar))) {
            text(zip, "META-INF/maven/g/a/pom.properties", "#" + "x".repeat(2 << 20) + "\nversion=1\n");
        }

        assertThatThrownBy(() -> Detect.file(new JavaArchiveDetector(), jar, "/big.jar"))
                .isInstanceOf(MalformedContentException.class).hasMessageContaining("larger than 1 MiB");
    }

    private static byte[] zipOf(String name, byte[] content) throws Exception {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            stored(zip, name, content);
        }
        return bytes.toByteArray();
    }

    private static void text(ZipOutputStream zip, String name, String content) throws Exception {
        zip.putNextEntry(new ZipEntry(name));
        zip.write(content.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** Spring Boot stores nested jars uncompressed. */
    private static void stored(ZipOutputStream zip, String name, byte[] content) throws Exception {
        ZipEntry entry = new ZipEntry(name);
        entry.setMethod(ZipEntry.STORED);
        entry.setSize(content.length);
        CRC32 crc = new CRC32();
        crc.update(content);
        entry.setCrc(crc.getValue());
        zip.putNextEntry(entry);
        zip.write(content);
    }
}
