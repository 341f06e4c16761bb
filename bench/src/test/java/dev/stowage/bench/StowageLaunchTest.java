package dev.stowage.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StowageLaunchTest {
    @TempDir Path dir;

    /** A JDK's layout as far as the launch reads it: bin/java and the release file. */
    private Path jdk(String name, String version) throws Exception {
        Path home = Files.createDirectories(dir.resolve(name));
        Path java = Files.createDirectories(home.resolve("bin")).resolve("java");
        Files.writeString(java, "");
        Files.writeString(home.resolve("release"), "IMPLEMENTOR=\"Eclipse Adoptium\"\nJAVA_VERSION=\"" + version + "\"\n");
        return java;
    }

    private Path jar() throws Exception {
        Path target = Files.createDirectories(dir.resolve("app/target"));
        Files.writeString(target.resolve("jvm.options"), "-Xmx160m\n");
        return Files.writeString(target.resolve("stowage.jar"), "");
    }

    @Test
    void startsTheJarWithTheOptionsFileBesideIt() throws Exception {
        Path java = jdk("jdk-25", "25.0.3");
        Path jar = jar();
        assertThat(StowageLaunch.command(java, jar, List.of("serve", "--help"))).containsExactly(java.toString(),
                "@" + jar.resolveSibling("jvm.options"), "-jar", jar.toString(), "serve", "--help");
    }

    @Test
    void usesTheAotCacheBesideTheJarOnAJdkThatReadsIt() throws Exception {
        Path jar = jar();
        Path aot = Files.writeString(jar.resolveSibling("stowage.aot"), "");
        Path java25 = jdk("jdk-25", "25.0.3");
        assertThat(StowageLaunch.command(java25, jar, List.of("serve"))).containsExactly(java25.toString(),
                "@" + jar.resolveSibling("jvm.options"), "-XX:AOTCache=" + aot, "-Xlog:aot=off", "-Xlog:cds=off", "-jar",
                jar.toString(), "serve");
        Path java26 = jdk("jdk-26", "26-ea");
        assertThat(StowageLaunch.command(java26, jar, List.of())).contains("-XX:AOTCache=" + aot);
        // JDK 21 has no -XX:AOTCache (it would refuse to start)
        assertThat(StowageLaunch.command(jdk("jdk-21", "21.0.7"), jar, List.of())).noneMatch(a -> a.startsWith("-XX:AOTCache"));
    }

    @Test
    void readsTheVersionOfTheJdkALinkLeadsTo() throws Exception {
        Path link = Files.createSymbolicLink(Files.createDirectories(dir.resolve("usr/bin")).resolve("java"), jdk("jdk-25", "25"));
        assertThat(StowageLaunch.featureVersion(link)).isEqualTo(25);
        assertThat(StowageLaunch.featureVersion(dir.resolve("nowhere/bin/java"))).isZero();
    }

    @Test
    void aJarWithoutItsOptionsFileSaysHowToBuildIt() throws Exception {
        Path jar = Files.writeString(Files.createDirectories(dir.resolve("elsewhere")).resolve("stowage.jar"), "");
        assertThatThrownBy(() -> StowageLaunch.command(jdk("jdk-25", "25"), jar, List.of("serve")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage(jar.resolveSibling("jvm.options") + " is missing: build the jar with ./mvnw install (it is copied "
                        + "there from app/src/main/launch)");
    }

    @Test
    void theLaunchersOptionsFileStartsThisJdkWithTheHeapItSets() throws Exception {
        Path options = Path.of("../app/src/main/launch/jvm.options").toAbsolutePath().normalize();
        String xmx = Files.readAllLines(options).stream().filter(l -> l.startsWith("-Xmx")).findFirst().orElseThrow().substring(4);
        long heap = Long.parseLong(xmx.substring(0, xmx.length() - 1)) << switch (Character.toLowerCase(xmx.charAt(xmx.length() - 1))) {
            case 'k' -> 10;
            case 'm' -> 20;
            case 'g' -> 30;
            default -> throw new IllegalStateException("-Xmx" + xmx);
        };
        Path java = Path.of(ProcessHandle.current().info().command().orElseThrow());
        Process p = new ProcessBuilder(java.toString(), "@" + options, "-XX:+PrintFlagsFinal", "-version")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(out).isZero();
        assertThat(out).containsPattern("size_t MaxHeapSize\\s+= " + heap + " ");
    }
}
