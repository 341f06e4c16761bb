package dev.stowage.app;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.Consumer;

/** Where audit JSON lines go besides the database: nowhere (""), stdout ("-"), or appended to a file. */
final class AuditStream {
    private AuditStream() {}

    static Consumer<String> open(String target) throws IOException {
        if (target == null || target.isBlank()) return null;
        if (target.equals("-")) return System.out::println;
        Path file = Path.of(target);
        if (file.getParent() != null) Files.createDirectories(file.getParent());
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
