package dev.stowage.app;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.function.Consumer;

/** Where audit JSON lines go besides the database: nowhere (""), stdout ("-"), or appended to a file. */
final class AuditStream {
    private AuditStream() {}

    static Consumer<String> open(String target) throws IOException {
        if (target == null || target.isBlank()) return null;
        if (target.equals("-")) return System.out::println;
        Path file = Path.of(target);
        if (file.getParent() != null) Files.createDirectories(file.getParent());
        // Audit records name users, addresses and repositories: the file is for the registry's user only.
        if (!Files.exists(file) && FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            try {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(DataDirectory.OWNER_FILE));
            } catch (java.nio.file.FileAlreadyExistsException e) {
                // made meanwhile (another node on shared storage): appended to as it is
            }
        }
        BufferedWriter writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
        return line -> {
            try {
                synchronized (writer) {
                    writer.write(line);
                    writer.newLine();
                    writer.flush();
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
    }
}
