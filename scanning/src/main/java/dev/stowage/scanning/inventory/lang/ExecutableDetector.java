package dev.stowage.scanning.inventory.lang;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stowage.scanning.inventory.FoundPackage;
import dev.stowage.scanning.inventory.MalformedContentException;
import dev.stowage.scanning.inventory.PackageDetector;
import dev.stowage.scanning.inventory.PackageType;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Packages compiled into executables, read in one pass over the file:
 * <ul>
 *   <li>Go binaries: the toolchain as package {@code stdlib} and every module of the embedded build information
 *   ({@link GoBuildInfo}), replacements applied;</li>
 *   <li>Rust binaries built with cargo-auditable: the crates listed in the zlib-compressed JSON of the ELF section
 *   {@code .dep-v0}. ELF section headers sit at the end of the file and point back into it, so an ELF executable that
 *   is not a Go binary (no Go build ID note in its first page) is copied to a temporary file while it is streamed
 *   (deleted at once; at most {@link #MAX_SPOOLED} bytes, a larger one is only searched for Go build information).
 *   The copy is sparse: only the header and what follows the loaded segments, where cargo-auditable's section (written
 *   without SHF_ALLOC), the section names and the section headers lie, are written.</li>
 * </ul>
 * Crates and modules built from local paths are not reported: they are the project itself, not published packages,
 * and a local crate named like a published one would draw that one's advisories.
 */
public final class ExecutableDetector implements PackageDetector {
    static final long MAX_SPOOLED = 256L << 20;
    /** How much of an executable's start is looked at before deciding how to read the rest: the ELF header and notes. */
    private static final int PREFIX = 8 << 10;
    private static final int MAX_DEP_SECTION = 8 << 20;
    private static final int MAX_DEP_JSON = 64 << 20;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path temporaryDirectory;

    public ExecutableDetector() {
        this(Path.of(System.getProperty("java.io.tmpdir")));
    }

    /** @param temporaryDirectory where ELF executables are spooled while their section headers are read */
    public ExecutableDetector(Path temporaryDirectory) {
        this.temporaryDirectory = temporaryDirectory;
    }

    @Override
    public boolean wants(String path, long size, boolean executable) {
        return executable && size >= 64;
    }

    @Override
    public List<FoundPackage> read(FileContent file) throws IOException {
        InputStream in = file.content();
        byte[] start = in.readNBytes(PREFIX);
        InputStream whole = new SequenceInputStream(new ByteArrayInputStream(start), in);
        if (start.length < 64 || start[0] == '#' && start[1] == '!') {
            return List.of();
        }
        if (!ElfSections.isElf(start) || hasGoBuildIdNote(start) || file.size() > MAX_SPOOLED) {
            return GoBuildInfo.find(whole).map(info -> goPackages(info, file)).orElse(List.of());
        }
        Path spool = Files.createTempFile(temporaryDirectory, "stowage-elf-", ".bin");
        try {
            try (FileChannel copy = FileChannel.open(spool, StandardOpenOption.WRITE)) {
                InputStream capped = Bounded.capped(whole, MAX_SPOOLED, "an ELF executable");
                Optional<GoBuildInfo> go = GoBuildInfo.find(
                        new SparseCopy(capped, copy, start.length, ElfSections.endOfLoadedSegments(start)));
                if (go.isPresent()) {
                    return goPackages(go.get(), file);
                }
            }
            try (FileChannel channel = FileChannel.open(spool, StandardOpenOption.READ)) {
                Optional<byte[]> section = ElfSections.section(channel, ".dep-v0", MAX_DEP_SECTION);
                return section.isPresent() ? cargoAuditable(section.get(), file) : List.of();
            }
        } finally {
            Files.deleteIfExists(spool);
        }
    }

    /**
     * Whether the start of an ELF file holds the Go linker's build ID note (namesz 4, type 4, name {@code Go}), which
     * it places in the first page: such a binary is streamed for its build information without being spooled, which
     * matters because the build information sits near the end of the file.
     */
    static boolean hasGoBuildIdNote(byte[] start) {
        for (int at = 0; at + 16 <= start.length; at += 4) {
            if (start[at + 12] == 'G' && start[at + 13] == 'o' && start[at + 14] == 0 && start[at + 15] == 0
                    && (start[at] == 4 && start[at + 1] == 0 && start[at + 2] == 0 && start[at + 3] == 0
                        && start[at + 8] == 4 && start[at + 9] == 0 && start[at + 10] == 0 && start[at + 11] == 0
                    || start[at] == 0 && start[at + 1] == 0 && start[at + 2] == 0 && start[at + 3] == 4
                        && start[at + 8] == 0 && start[at + 9] == 0 && start[at + 10] == 0 && start[at + 11] == 4)) {
                return true;
            }
        }
        return false;
    }

    static List<FoundPackage> goPackages(GoBuildInfo info, FileContent file) {
        Map<String, FoundPackage> found = new LinkedHashMap<>();
        goToolchainVersion(info.goVersion()).ifPresent(version ->
                found.put("stdlib", go("stdlib", version, file)));
        String[] previous = null;
        List<String[]> modules = new ArrayList<>();
        for (String line : info.moduleInfo().split("\n")) {
            String[] fields = line.split("\t", -1);
            switch (fields[0]) {
                case "mod", "dep" -> {
                    previous = fields.length >= 3 ? new String[]{fields[1], fields[2]} : null;
                    if (previous != null) {
                        modules.add(previous);
                    }
                }
                case "=>" -> {
                    if (previous != null && fields.length >= 3) {
                        // a replacement stands for the module of the line before it
                        previous[0] = fields[1];
                        previous[1] = fields[2];
                    }
                    previous = null;
                }
                default -> previous = null;
            }
        }
        for (String[] module : modules) {
            String path = module[0];
            String version = module[1];
            if (path.startsWith(".") || path.startsWith("/") || !version.startsWith("v")) {
                continue; // a local directory, or "(devel)": the binary's own code, with no published version
            }
            found.putIfAbsent(path, go(path, version.substring(1), file));
        }
        return List.copyOf(found.values());
    }

    /**
     * The toolchain version as the Go vulnerability database writes it: {@code go1.19.8} is {@code 1.19.8},
     * {@code go1.20} is {@code 1.20.0}, {@code go1.21rc2} is {@code 1.21.0-rc.2}; a development build has none.
     */
    static Optional<String> goToolchainVersion(String goVersion) {
        String release = goVersion.split(" ", 2)[0];
        java.util.regex.Matcher m = java.util.regex.Pattern
                .compile("go(\\d+)\\.(\\d+)(?:\\.(\\d+))?(?:(rc|beta)(\\d+))?").matcher(release);
        if (!m.matches()) {
            return Optional.empty();
        }
        String version = m.group(1) + "." + m.group(2) + "." + (m.group(3) == null ? "0" : m.group(3));
        return Optional.of(m.group(4) == null ? version : version + "-" + m.group(4) + "." + m.group(5));
    }

    private static FoundPackage go(String module, String version, FileContent file) {
        return new FoundPackage(PackageType.GO, module, version, null, null,
                Purls.ofPath(PackageType.GO, module, "v" + version), file.layer(), file.path());
    }

    private static List<FoundPackage> cargoAuditable(byte[] compressed, FileContent file) throws IOException {
        JsonNode dependencies;
        try {
            dependencies = JSON.readTree(inflate(compressed));
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new MalformedContentException("cargo-auditable section .dep-v0 is not JSON: "
                    + e.getOriginalMessage(), e);
        }
        JsonNode packages = dependencies == null ? null : dependencies.get("packages");
        if (packages == null || !packages.isArray()) {
            throw new MalformedContentException("cargo-auditable section .dep-v0 has no packages list");
        }
        Map<String, FoundPackage> found = new LinkedHashMap<>();
        for (JsonNode crate : packages) {
            String name = crate.path("name").asText("");
            String version = crate.path("version").asText("");
            String source = crate.path("source").asText("");
            if (name.isEmpty() || version.isEmpty() || source.equals("local")) {
                continue;
            }
            found.putIfAbsent(name + "@" + version, new FoundPackage(PackageType.CARGO, name, version, null, null,
                    Purls.of(PackageType.CARGO, null, name, version), file.layer(), file.path()));
        }
        return List.copyOf(found.values());
    }

    private static byte[] inflate(byte[] compressed) throws MalformedContentException {
        Inflater inflater = new Inflater();
        try {
            inflater.setInput(compressed);
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(compressed.length * 4);
            byte[] chunk = new byte[1 << 16];
            while (!inflater.finished()) {
                int n = inflater.inflate(chunk);
                if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                    throw new MalformedContentException("cargo-auditable section .dep-v0 is cut off");
                }
                out.write(chunk, 0, n);
                if (out.size() > MAX_DEP_JSON) {
                    throw Bounded.tooLarge("cargo-auditable section .dep-v0", MAX_DEP_JSON);
                }
            }
            return out.toByteArray();
        } catch (DataFormatException e) {
            throw new MalformedContentException("cargo-auditable section .dep-v0 is not zlib data: " + e.getMessage(), e);
        } finally {
            inflater.end();
        }
    }

    /**
     * Copies what is read to a file at the same offsets, except the loaded segments after the header: cargo-auditable
     * writes {@code .dep-v0} without SHF_ALLOC, so it lies with the section headers in the part after them, and the
     * skipped part stays a hole in a sparse file (no disk written for it).
     */
    private static final class SparseCopy extends java.io.FilterInputStream {
        private final FileChannel copy;
        private final long keepBelow;
        private final long keepFrom;
        private long position;

        SparseCopy(InputStream in, FileChannel copy, long keepBelow, long keepFrom) {
            super(in);
            this.copy = copy;
            this.keepBelow = keepBelow;
            this.keepFrom = keepFrom;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = super.read(buffer, offset, length);
            if (n > 0) {
                for (int i = 0; i < n; ) {
                    long at = position + i;
                    boolean keep = at < keepBelow || at >= keepFrom;
                    long boundary = at < keepBelow ? keepBelow : at < keepFrom ? keepFrom : Long.MAX_VALUE;
                    int run = (int) Math.min(n - i, boundary - at);
                    if (keep) {
                        java.nio.ByteBuffer chunk = java.nio.ByteBuffer.wrap(buffer, offset + i, run);
                        while (chunk.hasRemaining()) {
                            copy.write(chunk, at + (chunk.position() - offset - i));
                        }
                    }
                    i += run;
                }
                position += n;
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            byte[] discard = new byte[(int) Math.min(n, 8192)];
            int read = read(discard, 0, discard.length);
            return Math.max(read, 0);
        }
    }
}
