package dev.stowage.scanning.inventory.lang;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stowage.scanning.inventory.FoundPackage;
import dev.stowage.scanning.inventory.MalformedContentException;
import dev.stowage.scanning.inventory.PackageDetector;
import dev.stowage.scanning.inventory.PackageType;

import java.io.IOException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * NuGet packages of a published .NET application, from its {@code <app>.deps.json}: each {@code libraries} entry
 * {@code "Name/Version"} of type {@code package}. Projects (the application's own assemblies) and runtime packs (the
 * runtime of a self-contained deployment, advisories for which are published against the runtime, not NuGet) are not
 * reported.
 */
public final class DotnetDepsDetector implements PackageDetector {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public boolean wants(String path, long size, boolean executable) {
        return path.endsWith(".deps.json");
    }

    @Override
    public List<FoundPackage> read(FileContent file) throws IOException {
        JsonNode document;
        try {
            document = JSON.readTree(Bounded.capped(file.content(), Bounded.MAX_BUFFERED, "deps.json"));
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new MalformedContentException("deps.json is not JSON: " + e.getOriginalMessage(), e);
        }
        JsonNode libraries = document == null ? null : document.get("libraries");
        if (libraries == null || !libraries.isObject()) {
            throw new MalformedContentException("deps.json has no libraries object");
        }
        Map<String, FoundPackage> found = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = libraries.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> library = it.next();
            int slash = library.getKey().lastIndexOf('/');
            if (slash <= 0 || slash == library.getKey().length() - 1
                    || !library.getValue().path("type").asText("").equals("package")) {
                continue;
            }
            String name = library.getKey().substring(0, slash);
            String version = library.getKey().substring(slash + 1);
            found.putIfAbsent(library.getKey(), new FoundPackage(PackageType.NUGET, name, version, null, null,
                    Purls.of(PackageType.NUGET, null, name, version), file.layer(), file.path()));
        }
        return List.copyOf(found.values());
    }
}
