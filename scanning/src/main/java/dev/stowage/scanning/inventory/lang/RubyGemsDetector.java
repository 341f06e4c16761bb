package dev.stowage.scanning.inventory.lang;

import dev.stowage.scanning.inventory.FoundPackage;
import dev.stowage.scanning.inventory.MalformedContentException;
import dev.stowage.scanning.inventory.PackageDetector;
import dev.stowage.scanning.inventory.PackageType;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Installed Ruby gems: the gemspecs RubyGems writes into {@code specifications/} (and {@code specifications/default/}
 * for the gems bundled with Ruby itself) when it installs a gem. They are Ruby code, but generated in one fixed form:
 * {@code s.name = "rake".freeze} and {@code s.version = "13.0.6"}, after a {@code # stub: rake 13.0.6 ruby lib} line;
 * both are read, the code is never evaluated.
 */
public final class RubyGemsDetector implements PackageDetector {
    private static final int MAX_GEMSPEC = 1 << 20;
    private static final Pattern STUB = Pattern.compile("# stub: (\\S+) (\\S+)( .*)?");
    private static final Pattern FIELD = Pattern.compile("\\s*s\\.(name|version) = \"([^\"]+)\"(\\.freeze)?\\s*");

    @Override
    public boolean wants(String path, long size, boolean executable) {
        if (!path.endsWith(".gemspec")) {
            return false;
        }
        String directory = path.substring(0, path.lastIndexOf('/'));
        return directory.endsWith("/specifications") || directory.endsWith("/specifications/default");
    }

    @Override
    public List<FoundPackage> read(FileContent file) throws IOException {
        String name = null;
        String version = null;
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(
                Bounded.capped(file.content(), MAX_GEMSPEC, "gemspec"), StandardCharsets.UTF_8))) {
            for (String line; (line = NpmDetector.readLine(lines)) != null; ) {
                Matcher stub = STUB.matcher(line);
                Matcher field = FIELD.matcher(line);
                if (stub.matches() && name == null) {
                    name = stub.group(1);
                    version = stub.group(2);
                } else if (field.matches()) {
                    if (field.group(1).equals("name")) {
                        name = field.group(2);
                    } else {
                        version = field.group(2);
                    }
                }
                if (line.startsWith("end")) {
                    break;
                }
            }
        }
        if (name == null || version == null) {
            throw new MalformedContentException("gemspec without a name and a version");
        }
        return List.of(new FoundPackage(PackageType.RUBYGEMS, name, version, null, null,
                Purls.of(PackageType.RUBYGEMS, null, name, version), file.layer(), file.path()));
    }
}
