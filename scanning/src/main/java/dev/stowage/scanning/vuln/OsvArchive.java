package dev.stowage.scanning.vuln;

import dev.stowage.scanning.inventory.MalformedContentException;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * Reads OSV records from an export: a zip of {@code <ID>.json} files (OSV's per-ecosystem {@code all.zip}), a directory
 * tree of {@code .json} files, or one {@code .json} file. One record at a time is in memory, never the archive; each
 * comes with the SHA-256 of its raw bytes, which is what an incremental import compares (a record's {@code modified}
 * cannot be trusted for that: golang/vulndb's repository copy sets every one to 0001-01-01).
 *
 * <p>Bounded: an archive with more entries than {@link Limits#maxEntries()} is refused whole, before anything is read;
 * a record over {@link Limits#maxRecordBytes()} (as declared, or as it turns out while inflating), an entry that
 * inflates to more than it declares or fails its CRC, or one compressed more than {@link Limits#maxCompressionRatio()}
 * to one (a zip bomb) is refused with a reason, and the rest is read. Files that are not {@code .json} are ignored.
 */
public final class OsvArchive {
    private OsvArchive() {
    }

    /**
     * @param maxRecordBytes      the largest record read (real OSV records are a few KiB; Linux distribution ones with
     *                            long version lists reach a few MiB)
     * @param maxEntries          the most entries an archive may have (OSV's all.zip of every ecosystem: about
     *                            700,000)
     * @param maxCompressionRatio the most an entry larger than 64 KiB may be compressed (JSON: 3 to 20 to one)
     */
    public record Limits(long maxRecordBytes, int maxEntries, int maxCompressionRatio) {
        public static final Limits DEFAULT = new Limits(16L * 1024 * 1024, 2_000_000, 100);

        public Limits {
            if (maxRecordBytes < 1 || maxEntries < 1 || maxCompressionRatio < 1) {
                throw new IllegalArgumentException("OSV archive limits must be positive");
            }
        }
    }

    /** Entries at most this large are not checked for their compression ratio (tiny files compress oddly). */
    private static final long RATIO_CHECK_FLOOR = 64 * 1024;

    /** One record's raw bytes, where it was found and their SHA-256 (lower-case hex). */
    public record Entry(String name, String sha256, byte[] content) {
        public OsvRecord.Parsed parse() {
            return OsvRecord.parse(content);
        }
    }

    /** Receives the archive's records in order, and the entries that were refused. */
    public interface Visitor {
        void record(Entry entry);

        void refused(String name, String reason);
    }

    /** How many records were handed over and how many entries refused. */
    public record Summary(int records, int refused) {
    }

    /**
     * Reads the export at {@code source}. Throws {@link MalformedContentException} for an archive refused whole (not a
     * zip, too many entries) and {@link IOException} when it cannot be read at all.
     */
    public static Summary read(Path source, Limits limits, Visitor visitor) throws IOException {
        if (Files.isDirectory(source)) return readDirectory(source, limits, visitor);
        if (!Files.isRegularFile(source)) throw new IOException(source + " is neither a file nor a directory");
        if (source.getFileName().toString().endsWith(".json")) {
            Counting counting = new Counting(visitor);
            readFile(source, source.getFileName().toString(), limits, counting);
            return counting.summary();
        }
        return readZip(source, limits, visitor);
    }

    private static Summary readZip(Path source, Limits limits, Visitor visitor) throws IOException {
        ZipFile zip;
        try {
            zip = new ZipFile(source.toFile());
        } catch (ZipException e) {
            throw new MalformedContentException(source + " is not a zip archive: " + e.getMessage());
        }
        Counting counting = new Counting(visitor);
        try (zip) {
            if (zip.size() > limits.maxEntries()) {
                throw new MalformedContentException(source + " has " + zip.size() + " entries, more than the limit of "
                        + limits.maxEntries());
            }
            Enumeration<? extends ZipEntry> entries = zip.entries();
            while (entries.hasMoreElements()) {
                ZipEntry entry = entries.nextElement();
                if (entry.isDirectory() || !entry.getName().endsWith(".json")) continue;
                String refusal = zipEntryRefusal(entry, limits);
                if (refusal != null) {
                    counting.refused(entry.getName(), refusal);
                    continue;
                }
                try (InputStream in = zip.getInputStream(entry)) {
                    long declared = entry.getSize();
                    long bound = declared >= 0 ? declared : limits.maxRecordBytes();
                    byte[] content = readBounded(in, bound);
                    if (content == null) {
                        counting.refused(entry.getName(), declared >= 0
                                ? "inflates to more than the " + declared + " bytes it declares"
                                : "is larger than the limit of " + limits.maxRecordBytes() + " bytes");
                        continue;
                    }
                    if (declared >= 0 && content.length != declared) {
                        counting.refused(entry.getName(), "inflates to " + content.length + " bytes, not the "
                                + declared + " it declares");
                        continue;
                    }
                    if (entry.getCrc() >= 0 && crc(content) != entry.getCrc()) {
                        counting.refused(entry.getName(), "fails its CRC check (corrupt entry)");
                        continue;
                    }
                    counting.record(new Entry(entry.getName(), sha256(content), content));
                } catch (ZipException | java.io.EOFException e) {
                    counting.refused(entry.getName(), "is corrupt: " + e.getMessage());
                }
            }
        }
        return counting.summary();
    }

    private static String zipEntryRefusal(ZipEntry entry, Limits limits) {
        long size = entry.getSize();
        long compressed = entry.getCompressedSize();
        if (size > limits.maxRecordBytes()) {
            return "declares " + size + " bytes, more than the limit of " + limits.maxRecordBytes();
        }
        if (size > RATIO_CHECK_FLOOR && compressed > 0 && size / compressed >= limits.maxCompressionRatio()) {
            return "is compressed " + (size / compressed) + " to one, more than the limit of "
                    + limits.maxCompressionRatio() + " (a zip bomb?)";
        }
        return null;
    }

    private static Summary readDirectory(Path root, Limits limits, Visitor visitor) throws IOException {
        List<Path> files = new ArrayList<>();
        // symbolic links are not followed: a link loop or a link out of the tree cannot be walked into
        try (Stream<Path> walk = Files.walk(root, 32, new FileVisitOption[0])) {
            var it = walk.iterator();
            while (it.hasNext()) {
                Path p = it.next();
                if (!p.getFileName().toString().endsWith(".json") || !Files.isRegularFile(p)) continue;
                files.add(p);
                if (files.size() > limits.maxEntries()) {
                    throw new MalformedContentException(root + " has more than the limit of " + limits.maxEntries()
                            + " .json files");
                }
            }
        }
        files.sort(null);
        Counting counting = new Counting(visitor);
        for (Path file : files) {
            readFile(file, root.relativize(file).toString().replace('\\', '/'), limits, counting);
        }
        return counting.summary();
    }

    private static void readFile(Path file, String name, Limits limits, Visitor visitor) {
        long size;
        try {
            size = Files.readAttributes(file, BasicFileAttributes.class).size();
        } catch (IOException e) {
            visitor.refused(name, "cannot be read: " + e.getMessage());
            return;
        }
        if (size > limits.maxRecordBytes()) {
            visitor.refused(name, "is " + size + " bytes, more than the limit of " + limits.maxRecordBytes());
            return;
        }
        byte[] content;
        try (InputStream in = Files.newInputStream(file)) {
            content = readBounded(in, limits.maxRecordBytes());
        } catch (IOException e) {
            visitor.refused(name, "cannot be read: " + e.getMessage());
            return;
        }
        if (content == null) {
            visitor.refused(name, "grew past the limit of " + limits.maxRecordBytes() + " bytes while read");
            return;
        }
        visitor.record(new Entry(name, sha256(content), content));
    }

    /** The stream's bytes, or null when it holds more than {@code max}. */
    private static byte[] readBounded(InputStream in, long max) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.min(Math.max(max, 0), 64 * 1024));
        byte[] buffer = new byte[16 * 1024];
        long total = 0;
        for (int n; (n = in.read(buffer)) > 0; ) {
            total += n;
            if (total > max) return null;
            out.write(buffer, 0, n);
        }
        return out.toByteArray();
    }

    private static long crc(byte[] content) {
        CRC32 crc = new CRC32();
        crc.update(content);
        return crc.getValue();
    }

    static String sha256(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    private static final class Counting implements Visitor {
        private final Visitor delegate;
        private int records;
        private int refused;

        Counting(Visitor delegate) {
            this.delegate = delegate;
        }

        @Override
        public void record(Entry entry) {
            records++;
            delegate.record(entry);
        }

        @Override
        public void refused(String name, String reason) {
            refused++;
            delegate.refused(name, reason);
        }

        Summary summary() {
            return new Summary(records, refused);
        }
    }
}
