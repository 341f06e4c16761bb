package dev.stowage.scanning.inventory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * RPM packages from the SQLite rpmdb of current Fedora, RHEL, CentOS Stream, Rocky and Alma images
 * ({@code /var/lib/rpm/rpmdb.sqlite}, or {@code /usr/lib/sysimage/rpm/rpmdb.sqlite} where {@code /var/lib/rpm} is a link
 * to it). SQLite can only open a file, so the database is copied to a private temporary directory (within the size the
 * inventory allows a detector) and deleted after; the copy is opened immutable and read-only. Table {@code Packages}
 * holds one rpm header per installed package ({@link RpmHeader}). The older Berkeley DB and NDB rpmdbs are not read.
 */
public final class RpmDetector implements PackageDetector {
    static final List<String> PATHS = List.of("/var/lib/rpm/rpmdb.sqlite", "/usr/lib/sysimage/rpm/rpmdb.sqlite");
    /** A real header is some kilobytes to a few hundred; a larger one is not read into memory. */
    private static final int MAX_HEADER_BYTES = 16 * 1024 * 1024;

    @Override
    public boolean wants(String path, long size, boolean executable) {
        return PATHS.contains(path);
    }

    @Override
    public List<FoundPackage> read(FileContent file) throws IOException {
        Path directory = Files.createTempDirectory("stowage-rpmdb");
        try {
            Path copy = directory.resolve("rpmdb.sqlite");
            try (InputStream in = file.content()) {
                Files.copy(in, copy, StandardCopyOption.REPLACE_EXISTING);
            }
            return read(copy, file);
        } finally {
            try (Stream<Path> files = Files.walk(directory)) {
                for (Path path : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(path);
                }
            }
        }
    }

    private static List<FoundPackage> read(Path database, FileContent file) throws MalformedContentException {
        Properties properties = new Properties();
        properties.setProperty("open_mode", "1"); // SQLITE_OPEN_READONLY
        String url = "jdbc:sqlite:file:" + database.toAbsolutePath() + "?immutable=1";
        List<FoundPackage> found = new ArrayList<>();
        try (Connection connection = DriverManager.getConnection(url, properties);
             Statement statement = connection.createStatement()) {
            statement.execute("PRAGMA trusted_schema = OFF");
            try (ResultSet rows = statement.executeQuery(
                    "SELECT hnum, length(blob), CASE WHEN length(blob) <= " + MAX_HEADER_BYTES
                            + " THEN blob END FROM Packages ORDER BY hnum")) {
                while (rows.next()) {
                    long number = rows.getLong(1);
                    byte[] blob = rows.getBytes(3);
                    if (blob == null) {
                        throw new MalformedContentException(file.path() + ": package " + number + " has a header of "
                                + rows.getLong(2) + " bytes, over the " + MAX_HEADER_BYTES + "-byte limit");
                    }
                    RpmHeader header;
                    try {
                        header = RpmHeader.parse(blob);
                    } catch (MalformedContentException e) {
                        throw new MalformedContentException(file.path() + ": package " + number + ": " + e.getMessage());
                    }
                    FoundPackage pkg = toPackage(header, number, file);
                    if (pkg != null) {
                        found.add(pkg);
                    }
                }
            }
        } catch (SQLException e) {
            throw new MalformedContentException(file.path() + ": not a readable SQLite rpmdb: " + e.getMessage(), e);
        }
        return found;
    }

    private static FoundPackage toPackage(RpmHeader header, long number, FileContent file)
            throws MalformedContentException {
        String name = header.string(RpmHeader.Tag.NAME);
        String version = header.string(RpmHeader.Tag.VERSION);
        String release = header.string(RpmHeader.Tag.RELEASE);
        if (name == null || version == null || release == null) {
            throw new MalformedContentException(file.path() + ": package " + number
                    + " has no name, version or release tag");
        }
        String arch = header.string(RpmHeader.Tag.ARCH);
        if (name.equals("gpg-pubkey") && arch == null) {
            return null; // an imported signing key, kept in the rpmdb as a pseudo-package
        }
        Integer epoch = header.number(RpmHeader.Tag.EPOCH);
        String epochPrefix = epoch == null ? "" : epoch + ":";
        String fullVersion = epochPrefix + version + "-" + release;
        String sourceName = name;
        String sourceVersion = fullVersion;
        String sourceRpm = header.string(RpmHeader.Tag.SOURCERPM);
        if (sourceRpm != null) {
            String[] nvr = sourceNameVersionRelease(sourceRpm);
            if (nvr != null) {
                sourceName = nvr[0];
                sourceVersion = epochPrefix + nvr[1] + "-" + nvr[2];
            }
        }
        Map<String, String> qualifiers = new LinkedHashMap<>();
        qualifiers.put("arch", arch);
        qualifiers.put("epoch", epoch == null ? null : epoch.toString());
        String purl = PackageUrls.purl("rpm", "redhat", name, version + "-" + release, qualifiers);
        return new FoundPackage(PackageType.RPM, name, fullVersion, sourceName, sourceVersion, purl, file.layer(),
                file.path());
    }

    /** {@code bash-5.2.15-5.fc39.src.rpm} is name {@code bash}, version {@code 5.2.15}, release {@code 5.fc39}. */
    static String[] sourceNameVersionRelease(String sourceRpm) {
        String nvr;
        if (sourceRpm.endsWith(".src.rpm")) {
            nvr = sourceRpm.substring(0, sourceRpm.length() - ".src.rpm".length());
        } else if (sourceRpm.endsWith(".nosrc.rpm")) {
            nvr = sourceRpm.substring(0, sourceRpm.length() - ".nosrc.rpm".length());
        } else {
            return null;
        }
        int releaseDash = nvr.lastIndexOf('-');
        int versionDash = releaseDash <= 0 ? -1 : nvr.lastIndexOf('-', releaseDash - 1);
        if (versionDash <= 0) {
            return null;
        }
        return new String[] {nvr.substring(0, versionDash), nvr.substring(versionDash + 1, releaseDash),
                nvr.substring(releaseDash + 1)};
    }
}
