package dev.stowage.app;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The documents a new administrator reads render as written: every code fence stands on its own line and is closed. */
class DocumentationTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @Test
    void everyCodeFenceStandsAloneAndIsClosed() throws IOException {
        List<String> problems = new ArrayList<>();
        for (Path document : documents()) {
            List<String> lines = Files.readAllLines(document);
            boolean open = false;
            int openedAt = 0;
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i);
                if (!line.contains("```")) continue;
                String where = ROOT.relativize(document) + ":" + (i + 1);
                if (open && !line.strip().equals("```")) {
                    problems.add(where + ": a closing fence must stand alone, found: " + line);
                } else if (!open && !line.strip().matches("```[A-Za-z0-9_+-]*")) {
                    problems.add(where + ": text beside an opening fence: " + line);
                }
                open = !open;
                openedAt = i + 1;
            }
            if (open) problems.add(ROOT.relativize(document) + ":" + openedAt + ": fence never closed");
        }
        assertThat(problems).isEmpty();
    }

    private static List<Path> documents() throws IOException {
        List<Path> documents = new ArrayList<>(List.of(ROOT.resolve("README.md"), ROOT.resolve("BENCHMARKS.md")));
        try (Stream<Path> docs = Files.list(ROOT.resolve("docs"))) {
            docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(documents::add);
        }
        assertThat(documents).allMatch(Files::isRegularFile);
        return documents;
    }
}
