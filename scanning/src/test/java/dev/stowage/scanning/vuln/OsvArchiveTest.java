package dev.stowage.scanning.vuln;

import dev.stowage.scanning.inventory.MalformedContentException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class OsvArchiveTest {
    @TempDir
    Path temp;

    /** What a read handed over: records by name with their hashes, and refusals with reasons. */
    private static final class Collected implements OsvArchive.Visitor {
        final Map<String, OsvArchive.Entry> records = new LinkedHashMap<>();
        final Map<String, String> refused = new LinkedHashMap<>();

        @Override
        public void record(OsvArchive.Entry entry) {
            records.put(entry.name(), entry);
        }

        @Override
        public void refused(String name, String reason) {
            refused.put(name, reason);
        }
    }

    private static Collected read(Path source, OsvArchive.Limits limits) throws IOException {
        Collected c = new Collected();
        OsvArchive.Summary summary = OsvArchive.read(source, limits, c);
        assertThat(summary).isEqualTo(new OsvArchive.Summary(c.records.size(), c.refused.size()));
        return c;
    }

    @Test
    void goZipGivesEveryRecordWithTheSha256OfItsBytes() throws IOException {
        Collected c = read(VulnData.osvZip("Go"), OsvArchive.Limits.DEFAULT);
        assertThat(c.records).hasSize(4291);
        assertThat(c.refused).isEmpty();
        // sha256sum of GO-2022-1059.json as unzip extracts it
        assertThat(c.records.get("GO-2022-1059.json").sha256())
                .isEqualTo("2d77d9f5f8fafe9404adc542eaf8dae7d0c3de9ce913895fa333c5b5beda6e89");
    }

    @Test
    void eachEcosystemZipGivesItsRecords() throws IOException {
        assertThat(read(VulnData.osvZip("crates.io"), OsvArchive.Limits.DEFAULT).records).hasSize(1206);
        assertThat(read(VulnData.osvZip("Maven"), OsvArchive.Limits.DEFAULT).records).hasSize(8);
        assertThat(read(VulnData.osvZip("npm"), OsvArchive.Limits.DEFAULT).records).hasSize(7);
        assertThat(read(VulnData.osvZip("PyPI"), OsvArchive.Limits.DEFAULT).records).hasSize(6);
    }

    @Test
    void directoryGivesItsJsonFilesInNameOrder() throws IOException {
        Collected c = read(VulnData.ghsaDirectory(), OsvArchive.Limits.DEFAULT);
        assertThat(c.records).hasSize(25);
        assertThat(List.copyOf(c.records.keySet())).isSorted().contains("GHSA-j8r2-6x86-q33q.json");
        assertThat(c.records.get("GHSA-j8r2-6x86-q33q.json").sha256())
                .isEqualTo("d87c191b8dbd7a5f540a2bb33889d953e1b7d4599d7e92e83820e3d53669cac5");
        assertThat(c.records.get("GHSA-j8r2-6x86-q33q.json").content()).hasSize(5478); // bytes, not characters
    }

    @Test
    void singleJsonFileIsOneRecord() throws IOException {
        Collected c = read(VulnData.ghsaDirectory().resolve("GHSA-jfh8-c2jp-5v3q.json"), OsvArchive.Limits.DEFAULT);
        assertThat(c.records.keySet()).containsExactly("GHSA-jfh8-c2jp-5v3q.json");
        assertThat(c.records.get("GHSA-jfh8-c2jp-5v3q.json").parse()).isInstanceOf(OsvRecord.Parsed.Valid.class);
    }

    /** Change detection is by content: a changed record gets a new hash, the others keep theirs. */
    @Test
    void onlyAChangedRecordChangesItsHash() throws IOException {
        Path dir = Files.createDirectories(temp.resolve("osv"));
        Files.writeString(dir.resolve("A-1.json"), "{\"id\":\"A-1\",\"modified\":\"0001-01-01T00:00:00Z\"}");
        Files.writeString(dir.resolve("A-2.json"), "{\"id\":\"A-2\",\"modified\":\"0001-01-01T00:00:00Z\"}");
        Collected before = read(dir, OsvArchive.Limits.DEFAULT);
        Files.writeString(dir.resolve("A-2.json"),
                "{\"id\":\"A-2\",\"modified\":\"0001-01-01T00:00:00Z\",\"withdrawn\":\"2024-01-01T00:00:00Z\"}");
        Collected after = read(dir, OsvArchive.Limits.DEFAULT);
        assertThat(after.records.get("A-1.json").sha256()).isEqualTo(before.records.get("A-1.json").sha256());
        assertThat(after.records.get("A-2.json").sha256()).isNotEqualTo(before.records.get("A-2.json").sha256());
    }

    @Test
    void zipBombEntryIsRefusedAndTheRestRead() throws IOException {
        Path zip = temp.resolve("bomb.zip");
        try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(zip))) {
            put(out, "A-1.json", "{\"id\":\"A-1\"}".getBytes(StandardCharsets.UTF_8));
            put(out, "BOMB.json", new byte[10 * 1024 * 1024]); // zeros: about 1000 to one
            put(out, "A-2.json", "{\"id\":\"A-2\"}".getBytes(StandardCharsets.UTF_8));
        }
        Collected c = read(zip, OsvArchive.Limits.DEFAULT);
        assertThat(c.records.keySet()).containsExactly("A-1.json", "A-2.json");
        assertThat(c.refused.get("BOMB.json")).startsWith("is compressed ").endsWith("to one, more than the limit of "
                + "100 (a zip bomb?)");
    }

    @Test
    void recordOverTheSizeLimitIsRefused() throws IOException {
        Collected c = read(VulnData.osvZip("Maven"), new OsvArchive.Limits(5000, 100, 100));
        assertThat(c.refused).containsEntry("GHSA-jfh8-c2jp-5v3q.json",
                "declares 12122 bytes, more than the limit of 5000");
        assertThat(c.records).hasSize(8 - c.refused.size()).containsKey("GHSA-57j2-w4cx-62h2.json");
    }

    @Test
    void fileOverTheSizeLimitIsRefused() throws IOException {
        Collected c = read(VulnData.ghsaDirectory(), new OsvArchive.Limits(2000, 100, 100));
        assertThat(c.refused).containsEntry("GHSA-jfh8-c2jp-5v3q.json", "is 12122 bytes, more than the limit of 2000");
        assertThat(c.records).containsOnlyKeys("GHSA-wf5p-g6vw-rhxx.json"); // 1,914 bytes, the only one under 2,000
    }

    /** A central directory that understates an entry's size cannot make the reader inflate past it. */
    @Test
    void entryLargerThanItDeclaresIsRefused() throws IOException {
        Path zip = temp.resolve("liar.zip");
        byte[] big = "{\"id\":\"BIG\",\"details\":\"%s\"}".formatted("x".repeat(50_000)).getBytes(StandardCharsets.UTF_8);
        try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(zip))) {
            put(out, "BIG.json", big);
            put(out, "A-1.json", "{\"id\":\"A-1\"}".getBytes(StandardCharsets.UTF_8));
        }
        byte[] bytes = Files.readAllBytes(zip);
        setCentralDirectorySize(bytes, "BIG.json", 100);
        Files.write(zip, bytes);
        Collected c = read(zip, OsvArchive.Limits.DEFAULT);
        assertThat(c.refused).containsEntry("BIG.json", "inflates to more than the 100 bytes it declares");
        assertThat(c.records).containsOnlyKeys("A-1.json");
    }

    @Test
    void corruptEntryIsRefusedAndTheRestRead() throws IOException {
        Path zip = temp.resolve("corrupt.zip");
        byte[] record = Files.readAllBytes(VulnData.ghsaDirectory().resolve("GHSA-jfh8-c2jp-5v3q.json"));
        try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(zip))) {
            put(out, "GHSA-jfh8-c2jp-5v3q.json", record);
            put(out, "A-1.json", "{\"id\":\"A-1\"}".getBytes(StandardCharsets.UTF_8));
        }
        byte[] bytes = Files.readAllBytes(zip);
        for (int i = 200; i < 400; i++) bytes[i] ^= 0x5a; // inside the first entry's deflated data
        Files.write(zip, bytes);
        Collected c = read(zip, OsvArchive.Limits.DEFAULT);
        assertThat(c.refused).containsOnlyKeys("GHSA-jfh8-c2jp-5v3q.json");
        assertThat(c.records).containsOnlyKeys("A-1.json");
    }

    @Test
    void archiveWithTooManyEntriesIsRefusedWhole() {
        Collected c = new Collected();
        assertThatThrownBy(() -> OsvArchive.read(VulnData.osvZip("npm"), new OsvArchive.Limits(1 << 20, 5, 100), c))
                .isInstanceOf(MalformedContentException.class)
                .hasMessage(VulnData.osvZip("npm") + " has 7 entries, more than the limit of 5");
        assertThat(c.records).isEmpty();
    }

    @Test
    void directoryWithTooManyFilesIsRefusedWhole() {
        assertThatThrownBy(() -> OsvArchive.read(VulnData.ghsaDirectory(), new OsvArchive.Limits(1 << 20, 10, 100),
                new Collected()))
                .isInstanceOf(MalformedContentException.class)
                .hasMessage(VulnData.ghsaDirectory() + " has more than the limit of 10 .json files");
    }

    @Test
    void fileThatIsNotAZipIsRefusedWhole() {
        assertThatThrownBy(() -> OsvArchive.read(VulnData.ROOT.resolve("debian/DSA-list"), OsvArchive.Limits.DEFAULT,
                new Collected()))
                .isInstanceOf(MalformedContentException.class)
                .hasMessageStartingWith(VulnData.ROOT.resolve("debian/DSA-list") + " is not a zip archive");
    }

    @Test
    void entriesThatAreNotJsonAreIgnored() throws IOException {
        Path zip = temp.resolve("mixed.zip");
        try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(zip))) {
            put(out, "README.md", "hello".getBytes(StandardCharsets.UTF_8));
            out.putNextEntry(new ZipEntry("sub/"));
            out.closeEntry();
            put(out, "sub/A-1.json", "{\"id\":\"A-1\"}".getBytes(StandardCharsets.UTF_8));
        }
        Collected c = read(zip, OsvArchive.Limits.DEFAULT);
        assertThat(c.records).containsOnlyKeys("sub/A-1.json");
        assertThat(c.refused).isEmpty();
    }

    private static void put(ZipOutputStream out, String name, byte[] content) throws IOException {
        out.putNextEntry(new ZipEntry(name));
        out.write(content);
        out.closeEntry();
    }

    /** Rewrites the uncompressed size of a central-directory entry (APPNOTE 4.3.12: offset 24, 4 bytes). */
    private static void setCentralDirectorySize(byte[] zip, String name, int size) {
        ByteBuffer b = ByteBuffer.wrap(zip).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i + 46 < zip.length; i++) {
            if (b.getInt(i) != 0x02014b50) continue;
            int nameLength = b.getShort(i + 28) & 0xffff;
            String entryName = new String(zip, i + 46, nameLength, StandardCharsets.UTF_8);
            if (entryName.equals(name)) {
                b.putInt(i + 24, size);
                return;
            }
        }
        throw new AssertionError("no central directory entry " + name);
    }

}
