package dev.stowage.bench;

import io.airlift.compress.zstd.ZstdOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;

/**
 * A container image made of real files of this machine, as layers on disk: an operating-system layer (its
 * os-release, its dpkg database, real shared libraries), a layer of Debian's Go programs (docker-registry, skopeo)
 * and other executables, a layer of real jars from the local Maven repository, a layer of Python and npm packages, and
 * a last layer as {@code apt-get install} makes one (the dpkg database written again, a whiteout, more files). Each
 * layer gets its share of the size; files are taken in path order (so a size gives the same image every time) and a
 * file larger than what is left of its layer's share is passed over (the named ones first in a layer go in whatever its
 * share, if the image has room).
 */
final class RealFilesImage {
    /** One layer: its tar (uncompressed) bytes, and the same tar gzip'd and, where asked, zstd-compressed, on disk. */
    record Layer(String name, long tarBytes, int files, Path gzip, Path zstd) {}

    record Built(List<Layer> layers, long fileBytes, int files) {
        long gzipBytes() throws IOException {
            long n = 0;
            for (Layer l : layers) n += Files.size(l.gzip());
            return n;
        }

        long zstdBytes() throws IOException {
            long n = 0;
            for (Layer l : layers) n += Files.size(l.zstd());
            return n;
        }
    }

    private record Source(String imagePath, Path file) {}

    private interface Plan {
        /** The sources of a layer in the order they are taken; the first ones are taken whatever their size. */
        List<Source> sources() throws IOException;
    }

    private RealFilesImage() {
    }

    static final Path M2 = Path.of(System.getProperty("user.home"), ".m2", "repository");

    /** Builds an image of about {@code bytes} bytes of file content in five layers, under {@code dir}. */
    static Built build(Path dir, long bytes) throws IOException {
        Files.createDirectories(dir);
        // shares of the size: OS 25%, executables 40%, jars 20%, Python and npm 10%, the last layer 5%
        List<Double> shares = List.of(0.25, 0.40, 0.20, 0.10, 0.05);
        List<String> names = List.of("os", "executables", "jars", "python-npm", "update");
        List<Plan> plans = List.of(
                () -> concat(List.of(new Source("etc/os-release", Path.of("/etc/os-release")),
                                new Source("var/lib/dpkg/status", Path.of("/var/lib/dpkg/status"))),
                        tree("/usr/lib/x86_64-linux-gnu", "usr/lib/x86_64-linux-gnu", f -> f.contains(".so"))),
                () -> concat(List.of(new Source("usr/bin/docker-registry", Path.of("/usr/bin/docker-registry")),
                                new Source("usr/bin/skopeo", Path.of("/usr/bin/skopeo"))),
                        tree("/usr/bin", "usr/bin", f -> true), tree("/usr/sbin", "usr/sbin", f -> true)),
                () -> tree(M2.toString(), "app/lib", f -> f.endsWith(".jar")),
                () -> concat(tree("/usr/lib/python3/dist-packages", "usr/lib/python3/dist-packages", f -> true),
                        tree("/usr/lib/node_modules", "usr/lib/node_modules", f -> true)),
                () -> concat(List.of(new Source("var/lib/dpkg/status", Path.of("/var/lib/dpkg/status"))),
                        tree("/usr/share/perl5", "usr/share/perl5", f -> true)));
        List<Integer> essentials = List.of(2, 2, 0, 0, 1);
        List<Layer> layers = new ArrayList<>();
        long fileBytes = 0;
        int files = 0;
        for (int i = 0; i < plans.size(); i++) {
            long share = (long) (bytes * shares.get(i));
            Path tar = dir.resolve("layer" + i + ".tar");
            int count = 0;
            long taken = 0;
            try (TarArchiveOutputStream out = new TarArchiveOutputStream(Files.newOutputStream(tar))) {
                out.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
                out.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
                Set<String> written = new HashSet<>();
                if (i == 4) whiteout(out); // apt-get removed a library of the first layer
                List<Source> sources = plans.get(i).sources();
                for (int k = 0; k < sources.size(); k++) {
                    Source s = sources.get(k);
                    if (!Files.isRegularFile(s.file()) || !Files.isReadable(s.file())) continue;
                    long size = Files.size(s.file());
                    // the layer's named files (os-release, the dpkg database, the Go programs) go in whatever its share
                    boolean named = k < essentials.get(i);
                    if (named ? fileBytes + taken + size > bytes : taken + size > share) continue;
                    if (!written.add(s.imagePath())) continue;
                    add(out, s);
                    taken += size;
                    count++;
                    if (share - taken < 512) break;
                }
            }
            Path gzip = dir.resolve("layer" + i + ".tar.gz");
            try (InputStream in = Files.newInputStream(tar); OutputStream gz = new GZIPOutputStream(
                    Files.newOutputStream(gzip), 64 * 1024)) {
                in.transferTo(gz);
            }
            Path zstd = dir.resolve("layer" + i + ".tar.zst");
            try (InputStream in = Files.newInputStream(tar); OutputStream zs = new ZstdOutputStream(
                    Files.newOutputStream(zstd))) {
                in.transferTo(zs);
            }
            layers.add(new Layer(names.get(i), Files.size(tar), count, gzip, zstd));
            Files.delete(tar);
            fileBytes += taken;
            files += count;
        }
        return new Built(List.copyOf(layers), fileBytes, files);
    }

    private static void whiteout(TarArchiveOutputStream out) throws IOException {
        try (Stream<Path> libs = Files.list(Path.of("/usr/lib/x86_64-linux-gnu"))) {
            Path first = libs.filter(p -> p.getFileName().toString().contains(".so")).sorted().findFirst().orElse(null);
            if (first == null) return;
            TarArchiveEntry entry = new TarArchiveEntry("usr/lib/x86_64-linux-gnu/.wh." + first.getFileName());
            entry.setSize(0);
            out.putArchiveEntry(entry);
            out.closeArchiveEntry();
        }
    }

    private static void add(TarArchiveOutputStream out, Source s) throws IOException {
        TarArchiveEntry entry = new TarArchiveEntry(s.imagePath());
        long size = Files.size(s.file());
        entry.setSize(size);
        entry.setMode(mode(s.file()));
        entry.setModTime(Files.getLastModifiedTime(s.file()).toMillis());
        out.putArchiveEntry(entry);
        try (InputStream in = Files.newInputStream(s.file())) {
            // a file that changed size since it was listed: exactly the declared size goes into the tar
            long copied = in.transferTo(new BoundedOutput(out, size));
            for (long k = copied; k < size; k++) out.write(0);
        }
        out.closeArchiveEntry();
    }

    private static int mode(Path file) {
        try {
            int mode = 0;
            for (PosixFilePermission p : Files.getPosixFilePermissions(file)) mode |= 1 << (8 - p.ordinal());
            return mode;
        } catch (IOException | UnsupportedOperationException e) {
            return 0644;
        }
    }

    @SafeVarargs
    private static List<Source> concat(List<Source>... parts) {
        List<Source> all = new ArrayList<>();
        for (List<Source> p : parts) all.addAll(p);
        return all;
    }

    private static List<Source> tree(String root, String imageRoot, java.util.function.Predicate<String> take)
            throws IOException {
        Path base = Path.of(root);
        if (!Files.isDirectory(base)) return List.of();
        try (Stream<Path> walk = Files.walk(base)) {
            return walk.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS))
                    .filter(p -> take.test(p.getFileName().toString()))
                    .sorted()
                    .map(p -> new Source(imageRoot + "/" + imagePath(base, p, imageRoot), p))
                    .toList();
        } catch (java.io.UncheckedIOException e) {
            return List.of(); // a directory that could not be read while walking: that tree is left out
        }
    }

    /** Jars keep only their file name under app/lib (an application's lib directory); other trees keep their shape. */
    private static String imagePath(Path base, Path file, String imageRoot) {
        return imageRoot.equals("app/lib") ? file.getFileName().toString() : base.relativize(file).toString();
    }

    /** Passes at most {@code limit} bytes on, without closing the tar. */
    private static final class BoundedOutput extends OutputStream {
        private final OutputStream out;
        private long left;

        BoundedOutput(OutputStream out, long limit) {
            this.out = out;
            this.left = limit;
        }

        @Override
        public void write(int b) throws IOException {
            if (left > 0) {
                out.write(b);
                left--;
            }
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            int n = (int) Math.min(len, left);
            if (n > 0) {
                out.write(b, off, n);
                left -= n;
            }
        }
    }
}
