package dev.stowage.scanner;

import dev.stowage.core.Digest;
import dev.stowage.core.MediaTypes;
import dev.stowage.core.Reference;
import dev.stowage.core.RepositoryName;
import dev.stowage.core.service.BodySource;
import dev.stowage.core.service.RegistryService;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

/** Real images for the scanner's tests: layers of real files of this machine and real jars, pushed to a service. */
final class TestImages {
    static final Path LOG4J = Path.of("target/fixtures/log4j-core-2.14.1.jar");
    /** A Go program of Debian's, with the real build info of the Go toolchain and modules it was built with. */
    static final Path GO_BINARY = Path.of("/usr/bin/docker-registry");

    private TestImages() {
    }

    static Path vulndata() {
        return Path.of(System.getProperty("stowage.vulndata", "../../shared/vulndata"));
    }

    /** A gzip'd layer holding {@code files} (image path -> file on this machine, or bytes). */
    static byte[] layer(Map<String, Object> files) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new GZIPOutputStream(out))) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (Map.Entry<String, Object> f : files.entrySet()) {
                byte[] content = f.getValue() instanceof Path p ? Files.readAllBytes(p) : (byte[]) f.getValue();
                TarArchiveEntry entry = new TarArchiveEntry(f.getKey());
                entry.setSize(content.length);
                entry.setMode(f.getKey().startsWith("usr/bin/") ? 0755 : 0644);
                tar.putArchiveEntry(entry);
                tar.write(content);
                tar.closeArchiveEntry();
            }
        }
        return out.toByteArray();
    }

    /** A Debian 12 image of this machine's package database, a Go binary and a vulnerable jar. */
    static Map<String, Object> debianWithGoAndLog4j() {
        Map<String, Object> files = new LinkedHashMap<>();
        files.put("etc/os-release", Path.of("/etc/os-release").toAbsolutePath());
        files.put("var/lib/dpkg/status", Path.of("/var/lib/dpkg/status"));
        files.put("usr/bin/docker-registry", GO_BINARY);
        files.put("app/lib/log4j-core-2.14.1.jar", LOG4J);
        return files;
    }

    static Digest push(RegistryService registry, RepositoryName repository, byte[] content) {
        Digest digest = Digest.sha256Of(content);
        registry.uploadMonolithic(repository, digest, BodySource.of(content));
        return digest;
    }

    /** Pushes an image of the given layers (gzip'd tars) and answers its manifest's digest and bytes. */
    static Pushed pushImage(RegistryService registry, RepositoryName repository, String tag, List<byte[]> layers) {
        List<String> layerJson = new ArrayList<>();
        for (byte[] layer : layers) {
            Digest d = push(registry, repository, layer);
            layerJson.add("{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"" + d
                    + "\",\"size\":" + layer.length + "}");
        }
        byte[] config = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]},"
                + "\"created\":\"" + tag + "\"}").getBytes(StandardCharsets.UTF_8);
        Digest configDigest = push(registry, repository, config);
        byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"config\":{"
                + "\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + configDigest
                + "\",\"size\":" + config.length + "},\"layers\":[" + String.join(",", layerJson) + "]}")
                .getBytes(StandardCharsets.UTF_8);
        registry.putManifest(repository, Reference.parse(tag), MediaTypes.OCI_MANIFEST, manifest);
        return new Pushed(Digest.sha256Of(manifest), manifest);
    }

    record Pushed(Digest digest, byte[] manifest) {}
}
