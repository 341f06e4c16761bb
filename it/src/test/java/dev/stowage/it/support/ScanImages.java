package dev.stowage.it.support;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/**
 * Images for the scanner's tests, of real software of this machine: an OCI layout of images whose layers hold real
 * files (a dpkg database, a Go binary, a jar from the local Maven repository) or hostile content (a decompression
 * bomb, random bytes), and image indexes over them. Clients (skopeo) push them from the layout.
 */
public final class ScanImages {
    private static final ObjectMapper JSON = new ObjectMapper();
    public static final String GZIP_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip";

    private ScanImages() {}

    /** A layer blob as pushed, with the digest of its uncompressed tar (the image config's diff_id). */
    public record Layer(byte[] blob, String diffId, String mediaType) {
        public String digest() {
            return TestImages.sha256(blob);
        }
    }

    /** One image in a layout: its manifest's digest and size, and its layers. */
    public record Image(String manifestDigest, long manifestSize, String arch, List<Layer> layers) {}

    /** A gzip'd tar layer of {@code files}: image path (no leading slash) -> a file of this machine or its bytes. */
    public static Layer layer(Map<String, Object> files) throws IOException {
        ByteArrayOutputStream tarBytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(tarBytes)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (Map.Entry<String, Object> f : files.entrySet()) {
                byte[] content = f.getValue() instanceof Path p ? Files.readAllBytes(p)
                        : f.getValue() instanceof String s ? s.getBytes(StandardCharsets.UTF_8) : (byte[]) f.getValue();
                TarArchiveEntry entry = new TarArchiveEntry(f.getKey());
                entry.setSize(content.length);
                entry.setMode(f.getKey().startsWith("usr/bin/") ? 0755 : 0644);
                entry.setModTime(0);
                tar.putArchiveEntry(entry);
                tar.write(content);
                tar.closeArchiveEntry();
            }
        }
        byte[] tar = tarBytes.toByteArray();
        return new Layer(TestImages.gzip(tar), TestImages.sha256(tar), GZIP_LAYER);
    }

    /**
     * A decompression bomb: a gzip'd tar of one file {@code path} of {@code size} zero bytes, made as a stream (the
     * uncompressed tar is never held); 2 GiB come to a few MiB.
     */
    public static Layer zeroBomb(String path, long size) throws Exception {
        ByteArrayOutputStream compressed = new ByteArrayOutputStream();
        MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
        GZIPOutputStream gzip = new GZIPOutputStream(compressed, 1 << 16) {
            { def.setLevel(Deflater.BEST_SPEED); }
        };
        try (OutputStream uncompressed = new DigestOutputStream(gzip, sha256);
             TarArchiveOutputStream tar = new TarArchiveOutputStream(uncompressed, 1 << 16)) {
            TarArchiveEntry entry = new TarArchiveEntry(path);
            entry.setSize(size);
            entry.setMode(0644);
            entry.setModTime(0);
            tar.putArchiveEntry(entry);
            byte[] zeros = new byte[1 << 20];
            for (long left = size; left > 0; left -= zeros.length) tar.write(zeros, 0, (int) Math.min(left, zeros.length));
            tar.closeArchiveEntry();
        }
        return new Layer(compressed.toByteArray(), "sha256:" + HexFormat.of().formatHex(sha256.digest()), GZIP_LAYER);
    }

    /** {@code size} random bytes that claim to be a gzip'd tar layer. */
    public static Layer randomBytes(int size, long seed) {
        byte[] content = new byte[size];
        new Random(seed).nextBytes(content);
        return new Layer(content, TestImages.sha256(content), GZIP_LAYER);
    }

    /** Writes one linux image of {@code layers} into the OCI layout at {@code layout} under {@code tag}. */
    public static Image writeImage(Path layout, String tag, String arch, List<Layer> layers) throws IOException {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("architecture", arch);
        config.put("os", "linux");
        config.put("config", Map.of("Cmd", List.of("/usr/bin/docker-registry"), "Env", List.of("PATH=/usr/bin")));
        config.put("rootfs", Map.of("type", "layers", "diff_ids", layers.stream().map(Layer::diffId).toList()));
        byte[] configBytes = JSON.writeValueAsBytes(config);
        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("schemaVersion", 2);
        manifest.put("mediaType", "application/vnd.oci.image.manifest.v1+json");
        manifest.put("config", descriptor("application/vnd.oci.image.config.v1+json", configBytes));
        manifest.put("layers", layers.stream().map(l -> descriptor(l.mediaType(), l.blob())).toList());
        byte[] manifestBytes = JSON.writeValueAsBytes(manifest);
        for (Layer layer : layers) writeBlob(layout, layer.blob());
        writeBlob(layout, configBytes);
        writeBlob(layout, manifestBytes);
        Map<String, Object> entry = descriptor("application/vnd.oci.image.manifest.v1+json", manifestBytes);
        entry.put("platform", Map.of("architecture", arch, "os", "linux"));
        addToIndex(layout, entry, tag);
        return new Image(TestImages.sha256(manifestBytes), manifestBytes.length, arch, layers);
    }

    /**
     * Writes an image index over {@code images} (already in the layout, each with its own architecture) under
     * {@code tag}; answers the index's digest. Push it with {@code skopeo copy --all}.
     */
    public static String writeIndex(Path layout, String tag, List<Image> images) throws IOException {
        List<Map<String, Object>> children = new ArrayList<>();
        for (Image image : images) {
            Map<String, Object> child = new LinkedHashMap<>();
            child.put("mediaType", "application/vnd.oci.image.manifest.v1+json");
            child.put("digest", image.manifestDigest());
            child.put("size", image.manifestSize());
            child.put("platform", Map.of("architecture", image.arch(), "os", "linux"));
            children.add(child);
        }
        Map<String, Object> index = new LinkedHashMap<>();
        index.put("schemaVersion", 2);
        index.put("mediaType", "application/vnd.oci.image.index.v1+json");
        index.put("manifests", children);
        byte[] indexBytes = JSON.writeValueAsBytes(index);
        writeBlob(layout, indexBytes);
        addToIndex(layout, descriptor("application/vnd.oci.image.index.v1+json", indexBytes), tag);
        return TestImages.sha256(indexBytes);
    }

    private static Map<String, Object> descriptor(String mediaType, byte[] content) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("mediaType", mediaType);
        d.put("digest", TestImages.sha256(content));
        d.put("size", content.length);
        return d;
    }

    private static void writeBlob(Path layout, byte[] content) throws IOException {
        Path path = layout.resolve("blobs/sha256").resolve(TestImages.sha256(content).substring(7));
        Files.createDirectories(path.getParent());
        if (!Files.exists(path)) Files.write(path, content);
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
