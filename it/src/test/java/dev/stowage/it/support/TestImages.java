package dev.stowage.it.support;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Real images built during the test run from Debian's busybox-static binary: a root filesystem layer (busybox and
 * its applet links), an image config with the right diff_ids, a manifest, and an OCI image layout on disk.
 */
public final class TestImages {
    public static final Path BUSYBOX = Path.of("/bin/busybox");
    private static final ObjectMapper JSON = new ObjectMapper();

    private TestImages() {}

    public record Image(String manifestDigest, long manifestSize, String configDigest, String layerDigest, long layerSize) {}

    public static void requireBusybox() {
        boolean present = Files.isExecutable(BUSYBOX);
        String message = "a static /bin/busybox is needed to build test images (apt-get install busybox-static)";
        if (!present && "true".equals(System.getenv("CI"))) fail(message);
        assumeTrue(present, message);
    }

    /** An uncompressed tar of a tiny root filesystem: /bin/busybox, /bin/sh and friends, and a marker file. */
    public static byte[] rootfsTar(String marker) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            addDir(tar, "bin/");
            addDir(tar, "etc/");
            byte[] busybox = Files.readAllBytes(BUSYBOX);
            TarArchiveEntry bb = new TarArchiveEntry("bin/busybox");
            bb.setSize(busybox.length);
            bb.setMode(0755);
            bb.setModTime(0);
            tar.putArchiveEntry(bb);
            tar.write(busybox);
            tar.closeArchiveEntry();
            for (String applet : List.of("sh", "echo", "ls", "cat", "true")) {
                TarArchiveEntry link = new TarArchiveEntry("bin/" + applet, TarArchiveEntry.LF_SYMLINK);
                link.setLinkName("busybox");
                link.setModTime(0);
                tar.putArchiveEntry(link);
                tar.closeArchiveEntry();
            }
            byte[] text = (marker + "\n").getBytes(StandardCharsets.UTF_8);
            TarArchiveEntry file = new TarArchiveEntry("etc/stowage-test");
            file.setSize(text.length);
            file.setMode(0644);
            file.setModTime(0);
            tar.putArchiveEntry(file);
            tar.write(text);
            tar.closeArchiveEntry();
        }
        return bytes.toByteArray();
    }

    private static void addDir(TarArchiveOutputStream tar, String name) throws IOException {
        TarArchiveEntry dir = new TarArchiveEntry(name);
        dir.setMode(040755);
        dir.setModTime(0);
        tar.putArchiveEntry(dir);
        tar.closeArchiveEntry();
    }

    public static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        }
        return out.toByteArray();
    }

    public static String sha256(byte[] data) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Writes one image into an OCI layout at {@code layout} (creating or extending it) under {@code tag}. */
    public static Image writeImage(Path layout, String tag, String arch, String marker) throws IOException {
        return writeImage(layout, tag, arch, List.of(rootfsTar(marker)));
    }

    /**
     * The busybox image plus a second layer holding {@code size} bytes of incompressible random content
     * ({@code /data/random.bin}, reproducible from {@code seed}): big enough that uploads and downloads stream.
     * The answer's {@code layerDigest} is the random layer's.
     */
    public static Image writeImageWithRandomLayer(Path layout, String tag, int size, long seed) throws IOException {
        return writeImage(layout, tag, "amd64", List.of(rootfsTar("random layer " + seed), randomTar(size, seed)));
    }

    /** An uncompressed tar of one file {@code data/random.bin} with {@code size} random bytes. */
    public static byte[] randomTar(int size, long seed) throws IOException {
        byte[] content = new byte[size];
        new java.util.Random(seed).nextBytes(content);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(size + 4096);
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
            addDir(tar, "data/");
            TarArchiveEntry file = new TarArchiveEntry("data/random.bin");
            file.setSize(size);
            file.setMode(0644);
            file.setModTime(0);
            tar.putArchiveEntry(file);
            tar.write(content);
            tar.closeArchiveEntry();
        }
        return bytes.toByteArray();
    }

    /** One image of the given uncompressed layer tars (gzipped here, in order); its last layer is reported. */
    private static Image writeImage(Path layout, String tag, String arch, List<byte[]> layerTars) throws IOException {
        List<byte[]> layers = new ArrayList<>();
        List<String> diffIds = new ArrayList<>();
        for (byte[] tarBytes : layerTars) {
            layers.add(gzip(tarBytes));
            diffIds.add(sha256(tarBytes));
        }
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("architecture", arch);
        config.put("os", "linux");
        config.put("config", Map.of("Cmd", List.of("/bin/sh"), "Env", List.of("PATH=/bin")));
        config.put("rootfs", Map.of("type", "layers", "diff_ids", diffIds));
        byte[] configBytes = JSON.writeValueAsBytes(config);
        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("schemaVersion", 2);
        manifest.put("mediaType", "application/vnd.oci.image.manifest.v1+json");
        manifest.put("config", descriptor("application/vnd.oci.image.config.v1+json", configBytes));
        manifest.put("layers", layers.stream().map(l -> descriptor("application/vnd.oci.image.layer.v1.tar+gzip", l)).toList());
        byte[] manifestBytes = JSON.writeValueAsBytes(manifest);
        for (byte[] layer : layers) writeBlob(layout, layer);
        writeBlob(layout, configBytes);
        writeBlob(layout, manifestBytes);
        Map<String, Object> entry = descriptor("application/vnd.oci.image.manifest.v1+json", manifestBytes);
        entry.put("platform", Map.of("architecture", arch, "os", "linux"));
        addToIndex(layout, entry, tag);
        byte[] last = layers.getLast();
        return new Image(sha256(manifestBytes), manifestBytes.length, sha256(configBytes), sha256(last), last.length);
    }

    /** An OCI layout whose {@code tag} is an image index over amd64 and arm64 images. */
    public static String writeMultiArch(Path layout, String tag) throws IOException {
        Path scratch = Files.createTempDirectory("multiarch");
        List<Map<String, Object>> children = new ArrayList<>();
        for (String arch : List.of("amd64", "arm64")) {
            Image image = writeImage(scratch, arch, arch, "built for " + arch);
            Map<String, Object> child = new LinkedHashMap<>();
            child.put("mediaType", "application/vnd.oci.image.manifest.v1+json");
            child.put("digest", image.manifestDigest());
            child.put("size", image.manifestSize());
            child.put("platform", Map.of("architecture", arch, "os", "linux"));
            children.add(child);
        }
        copyBlobs(scratch, layout);
        Map<String, Object> index = new LinkedHashMap<>();
        index.put("schemaVersion", 2);
        index.put("mediaType", "application/vnd.oci.image.index.v1+json");
        index.put("manifests", children);
        byte[] indexBytes = JSON.writeValueAsBytes(index);
        writeBlob(layout, indexBytes);
        addToIndex(layout, descriptor("application/vnd.oci.image.index.v1+json", indexBytes), tag);
        return sha256(indexBytes);
    }

    /** A Helm chart made by {@code helm create} and packaged: answers the .tgz (version 0.1.0). */
    public static Path helmChart(Path dir, String name) throws IOException {
        Path charts = Files.createDirectories(dir.resolve("charts-" + name));
        com.marcnuri.helm.Helm chart = com.marcnuri.helm.Helm.create().withName(name).withDir(charts).call();
        Path packages = Files.createDirectories(dir.resolve("packages-" + name));
        chart.packageIt().withDestination(packages).call();
        return packages.resolve(name + "-0.1.0.tgz");
    }

    private static Map<String, Object> descriptor(String mediaType, byte[] content) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("mediaType", mediaType);
        d.put("digest", sha256(content));
        d.put("size", content.length);
        return d;
    }

    private static void writeBlob(Path layout, byte[] content) throws IOException {
        Path path = layout.resolve("blobs/sha256").resolve(sha256(content).substring(7));
        Files.createDirectories(path.getParent());
        Files.write(path, content);
    }

    private static void copyBlobs(Path from, Path to) throws IOException {
        Path target = Files.createDirectories(to.resolve("blobs/sha256"));
        try (var files = Files.list(from.resolve("blobs/sha256"))) {
            for (Path f : (Iterable<Path>) files::iterator) Files.copy(f, target.resolve(f.getFileName()),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
    }

    @SuppressWarnings("unchecked")
    private static void addToIndex(Path layout, Map<String, Object> entry, String tag) throws IOException {
        Files.createDirectories(layout);
        Files.writeString(layout.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
        Path indexPath = layout.resolve("index.json");
        Map<String, Object> index = Files.exists(indexPath)
                ? JSON.readValue(indexPath.toFile(), Map.class)
                : new LinkedHashMap<>(Map.of("schemaVersion", 2, "manifests", new ArrayList<>()));
        List<Map<String, Object>> manifests = (List<Map<String, Object>>) index.get("manifests");
        Map<String, Object> tagged = new LinkedHashMap<>(entry);
        tagged.put("annotations", Map.of("org.opencontainers.image.ref.name", tag));
        manifests.add(tagged);
        JSON.writeValue(indexPath.toFile(), index);
    }
}
