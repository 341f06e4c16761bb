package dev.stowage.app;

import dev.stowage.core.spi.SecretSealer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The data directory and the files in it that hold secrets: the embedded database and the key that seals the
 * secrets inside it. Everything Stowage creates there is for its own user only (directories 0700, files 0600);
 * what it finds readable or writable by others it refuses to use, unless {@code storage.allowLoosePermissions}.
 */
final class DataDirectory {
    static final Set<PosixFilePermission> OWNER_DIRECTORY = PosixFilePermissions.fromString("rwx------");
    static final Set<PosixFilePermission> OWNER_FILE = PosixFilePermissions.fromString("rw-------");
    private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");

    private DataDirectory() {}

    /**
     * Creates the storage directory and the SQLite file (if that is the database) for the owner only, or checks the
     * existing ones. An empty directory someone made with {@code mkdir} is tightened rather than refused.
     */
    static void prepare(StowageConfig config, Consumer<String> warnings) throws IOException {
        if (!POSIX) return;
        Path storage = config.storagePath();
        boolean allowLoose = config.storage().allowLoosePermissions();
        if (!Files.exists(storage)) {
            createDirectory(storage);
        } else if (isLoose(storage) && isEmptyDirectory(storage)) {
            Files.setPosixFilePermissions(storage, OWNER_DIRECTORY);
        } else {
            check(storage, allowLoose, warnings);
        }
        sqliteFile(config.jdbcUrl()).ifPresent(db -> {
            try {
                if (!Files.exists(db)) {
                    createDirectory(db.getParent());
                    // Created before SQLite opens it: SQLite gives its -wal and -shm files the database file's mode.
                    Files.createFile(db, PosixFilePermissions.asFileAttribute(OWNER_FILE));
                } else {
                    check(db, allowLoose, warnings);
                }
                for (String journal : new String[] {"-wal", "-shm", "-journal"}) {
                    Path file = db.resolveSibling(db.getFileName() + journal);
                    if (Files.exists(file)) check(file, allowLoose, warnings);
                }
            } catch (IOException e) {
                throw new ConfigException("cannot create the database file " + db + ": " + e.getMessage(),
                        "check that the user running Stowage may write to " + db.getParent());
            }
        });
    }

    /** For commands that work on an installation: a data directory without its database is the wrong one. */
    static void requireExistingDatabase(StowageConfig config) {
        sqliteFile(config.jdbcUrl()).filter(db -> !Files.exists(db)).ifPresent(db -> {
            throw new ConfigException("there is no database at " + db,
                    "give the installation's data directory with --data, or its configuration with --config");
        });
    }

    /**
     * The sealer for secrets in the database: {@code secrets.key} if set, else the key file, made on first start.
     * The key itself never reaches a log or a message.
     */
    static SecretSealer sealer(StowageConfig config, Consumer<String> warnings) throws IOException {
        var given = config.secretsKey();
        if (given.isPresent()) return SecretSealer.withKey(given.get());
        Path file = config.secretsKeyFile();
        if (!Files.exists(file)) create(file);
        if (POSIX) check(file, config.storage().allowLoosePermissions(), warnings);
        byte[] key;
        try {
            key = Base64.getDecoder().decode(Files.readString(file, StandardCharsets.US_ASCII).trim());
        } catch (IllegalArgumentException | java.nio.charset.MalformedInputException e) {
            key = new byte[0];
        } catch (java.nio.file.AccessDeniedException e) {
            throw new ConfigException("the secrets key file " + file + " cannot be read",
                    "let the user running Stowage read it");
        }
        if (key.length != SecretSealer.KEY_BYTES) {
            throw new ConfigException("the secrets key file " + file + " does not hold the base64 of 32 bytes",
                    "restore it from a backup: the secrets in the database can only be read with it");
        }
        return SecretSealer.withKey(key);
    }

    /** A new random key, written so that two nodes starting at once on a shared directory end with the same one. */
    private static void create(Path file) throws IOException {
        createDirectory(file.getParent());
        Path temporary = Files.createTempFile(file.getParent(), ".secret", ".tmp", ownerFile());
        try {
            Files.writeString(temporary, Base64.getEncoder().encodeToString(SecretSealer.newKey()) + "\n",
                    StandardCharsets.US_ASCII);
            Files.createLink(file, temporary); // atomic, and refused if another node made the file first
        } catch (FileAlreadyExistsException e) {
            // the other node's key is the one
        } catch (UnsupportedOperationException e) {
            Files.move(temporary, file);
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    private static FileAttribute<?>[] ownerFile() {
        return POSIX ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(OWNER_FILE)} : new FileAttribute<?>[0];
    }

    private static void createDirectory(Path directory) throws IOException {
        if (directory == null || Files.isDirectory(directory)) return;
        if (POSIX) {
            Files.createDirectories(directory, PosixFilePermissions.asFileAttribute(OWNER_DIRECTORY));
        } else {
            Files.createDirectories(directory);
        }
    }

    private static java.util.Optional<Path> sqliteFile(String jdbcUrl) {
        if (!jdbcUrl.startsWith("jdbc:sqlite:")) return java.util.Optional.empty();
        String target = jdbcUrl.substring("jdbc:sqlite:".length());
        int query = target.indexOf('?');
        if (query >= 0) target = target.substring(0, query);
        if (target.isEmpty() || target.startsWith("file:") || target.contains(":memory:")) return java.util.Optional.empty();
        return java.util.Optional.of(Path.of(target).toAbsolutePath().normalize());
    }

    private static boolean isLoose(Path path) throws IOException {
        return Files.getPosixFilePermissions(path).stream().anyMatch(p -> !OWNER_DIRECTORY.contains(p));
    }

    private static boolean isEmptyDirectory(Path path) throws IOException {
        if (!Files.isDirectory(path)) return false;
        try (Stream<Path> entries = Files.list(path)) {
            return entries.findAny().isEmpty();
        }
    }

    /** A key file kept elsewhere (the audit checkpoint key): refused, like secret.key, when others may read it. */
    static void requireOwnerOnly(Path file, StowageConfig config, Consumer<String> warnings) throws IOException {
        if (POSIX && Files.exists(file)) check(file, config.storage().allowLoosePermissions(), warnings);
    }

    /** Refuses (or, if allowed, warns about) a path that users other than its owner may read or write. */
    private static void check(Path path, boolean allowLoose, Consumer<String> warnings) throws IOException {
        if (!isLoose(path)) return;
        boolean directory = Files.isDirectory(path);
        String mode = mode(Files.getPosixFilePermissions(path));
        String what = path + " is open to other users (mode " + mode + ")";
        String fix = "chmod " + (directory ? "700 " : "600 ") + quoted(path);
        if (!allowLoose) {
            throw new ConfigException(what, "run: " + fix + "; or set storage.allowLoosePermissions: true to accept it");
        }
        warnings.accept("warning: " + what + " and storage.allowLoosePermissions is on: other local users may read "
                + "the registry's data (to fix: " + fix + ")");
    }

    static String mode(Set<PosixFilePermission> permissions) {
        int bits = 0;
        for (PosixFilePermission p : permissions) bits |= 1 << (8 - p.ordinal());
        return String.format("%04o", bits);
    }

    private static String quoted(Path path) {
        String text = path.toString();
        return text.matches("[A-Za-z0-9_./+-]+") ? text : "'" + text.replace("'", "'\\''") + "'";
    }
}
