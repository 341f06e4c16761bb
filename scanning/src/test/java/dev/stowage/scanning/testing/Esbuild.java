package dev.stowage.scanning.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

/**
 * esbuild's release binary for linux-x64, a Go program built in module mode (so it carries module dependencies in
 * its build info), as esbuild publishes it on the npm registry: package {@code @esbuild/linux-x64}, file
 * {@code package/bin/esbuild}. The test fetches it with {@code npm pack} the first time and keeps it under target/.
 */
public final class Esbuild {
    public static final String VERSION = "0.25.0";
    /** The registry's integrity of the tarball, which npm pack also checks; and the binary's own digest. */
    private static final String TARBALL_INTEGRITY =
            "sha512-9yl91rHw/cpwMCNytUDxwj2XjFpxML0y9HAOH9pNVQDpQrBxHy01Dx+vaMu0N1CKa/RzBD2hB4u//nfc+Sd3Cw==";
    private static final String BINARY_SHA256 = "98f635ee88526a7d9dd7a82c8a79f341c0247de8aa56d38158c0963892957829";
    private static final String SPEC = "@esbuild/linux-x64@" + VERSION;

    private Esbuild() {
    }

    /** The binary, fetched from the npm registry if target/ does not have it yet. */
    public static synchronized Path binary() throws IOException, InterruptedException {
        Path cache = Path.of(System.getProperty("basedir", "")).toAbsolutePath()
                .resolve("target/fixtures/esbuild-linux-x64-" + VERSION);
        Path binary = cache.resolve("esbuild");
        if (Files.isRegularFile(binary) && sha256(Files.readAllBytes(binary)).equals(BINARY_SHA256)) {
            return binary;
        }
        Files.createDirectories(cache);
        Path work = Files.createTempDirectory(cache, "npm-pack");
        try {
            Path tarball = work.resolve(pack(work));
            byte[] content = entry(tarball, "package/bin/esbuild");
            if (!sha256(content).equals(BINARY_SHA256)) {
                throw new IllegalStateException(SPEC + "'s package/bin/esbuild has SHA-256 " + sha256(content)
                        + ", not " + BINARY_SHA256);
            }
            Path fetched = Files.write(work.resolve("esbuild"), content);
            Files.setPosixFilePermissions(fetched, PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.move(fetched, binary, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return binary;
        } finally {
            try (Stream<Path> files = Files.walk(work)) {
                for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(file);
                }
            }
        }
    }

    /** {@code npm pack} of the pinned version into a directory; the tarball's file name. */
    private static String pack(Path into) throws IOException, InterruptedException {
        List<String> command = List.of("npm", "pack", SPEC, "--json", "--pack-destination", into.toString());
        Path log = into.resolve("npm.log");
        Process npm;
        try {
            npm = new ProcessBuilder(command).directory(into.toFile()).redirectError(log.toFile()).start();
        } catch (IOException notFound) {
            throw Required.missing(String.join(" ", command) + " could not start (" + notFound.getMessage()
                    + "): the test fetches esbuild's Go binary from the npm registry with the machine's npm");
        }
        String out = new String(npm.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!npm.waitFor(5, TimeUnit.MINUTES) || npm.exitValue() != 0) {
            npm.destroyForcibly();
            throw Required.missing(String.join(" ", command) + " failed (the test fetches esbuild's Go binary from the"
                    + " npm registry): " + Files.readString(log).strip());
        }
        JsonNode packed = new ObjectMapper().readTree(out).path(0);
        if (!packed.path("integrity").asText().equals(TARBALL_INTEGRITY)) {
            throw new IllegalStateException(SPEC + " has integrity " + packed.path("integrity") + ", not "
                    + TARBALL_INTEGRITY);
        }
        return packed.path("filename").asText();
    }

    private static byte[] entry(Path tarball, String name) throws IOException {
        try (InputStream gzip = new GZIPInputStream(Files.newInputStream(tarball));
             TarArchiveInputStream tar = new TarArchiveInputStream(gzip)) {
            for (TarArchiveEntry entry; (entry = tar.getNextEntry()) != null; ) {
                if (entry.getName().equals(name)) {
                    return tar.readAllBytes();
                }
            }
        }
        throw new IllegalStateException(tarball.getFileName() + " has no " + name);
    }

    private static String sha256(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
