package dev.stowage.core.audit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;

/**
 * The node's own last signed checkpoint, kept in a small file next to its checkpoint key, outside the database:
 * whoever deletes the newest records and their checkpoint rows from the database cannot make the node forget how
 * far it had signed. Written (mode 0600) by replacing the file atomically, so a crash leaves the old or the new one.
 */
public final class LastCheckpoint {
    private LastCheckpoint() {}

    /** The file beside {@code keyFile}: {@code audit-checkpoint.key} keeps its last checkpoint in {@code audit-checkpoint.last}. */
    public static Path besideKey(Path keyFile) {
        String name = keyFile.getFileName().toString();
        String stem = name.endsWith(".key") ? name.substring(0, name.length() - 4) : name;
        return keyFile.resolveSibling(stem + ".last");
    }

    /** The checkpoint in {@code file}; empty when there is no file; an IllegalArgumentException naming it when unreadable. */
    public static Optional<AuditCheckpoint> read(Path file) throws IOException {
        if (!Files.exists(file)) return Optional.empty();
        try {
            return Optional.of(AuditCheckpoint.parse(Files.readString(file, StandardCharsets.UTF_8)));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + " (the node's last audit checkpoint) is damaged: " + e.getMessage());
        }
    }

    public static void write(Path file, AuditCheckpoint checkpoint) throws IOException {
        Path directory = file.toAbsolutePath().getParent();
        boolean posix = Files.getFileStore(directory).supportsFileAttributeView("posix");
        FileAttribute<?>[] ownerOnly = posix
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))}
                : new FileAttribute<?>[0];
        Path temporary = Files.createTempFile(directory, ".audit-checkpoint", ".tmp", ownerOnly);
        try {
            Files.writeString(temporary, checkpoint.toJson() + "\n", StandardCharsets.UTF_8);
            try {
                Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(temporary);
        }
    }
}
