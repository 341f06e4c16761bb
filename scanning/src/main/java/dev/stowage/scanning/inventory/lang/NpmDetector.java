package dev.stowage.scanning.inventory.lang;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stowage.scanning.inventory.FoundPackage;
import dev.stowage.scanning.inventory.MalformedContentException;
import dev.stowage.scanning.inventory.PackageDetector;
import dev.stowage.scanning.inventory.PackageType;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * npm packages from:
 * <ul>
 *   <li>{@code package-lock.json} and {@code npm-shrinkwrap.json}, lockfile versions 1 ({@code dependencies}, nested)
 *   and 2/3 ({@code packages}); entries marked {@code dev} or {@code devOptional} are left out, as Trivy does, because
 *   a production install ({@code npm ci --omit=dev}) does not install them, and what is installed is found through
 *   its {@code node_modules} anyway;</li>
 *   <li>{@code node_modules/<name>/package.json} and {@code node_modules/@scope/name/package.json}: each installed
 *   package. A project's own {@code package.json} outside {@code node_modules} is not read: the project is not a
 *   published dependency, and its name could draw a same-named package's advisories;</li>
 *   <li>{@code yarn.lock} (Yarn 1 and Berry) and {@code pnpm-lock.yaml} (versions 5, 6 and 9), line by line.</li>
 * </ul>
 * Entries from git, file or link sources have no registry version and are not reported.
 */
public final class NpmDetector implements PackageDetector {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_PACKAGE_JSON = 16 << 20;
    private static final int MAX_LINE = 1 << 20;

    @Override
    public boolean wants(String path, long size, boolean executable) {
        String name = fileName(path);
        return switch (name) {
            // a lockfile a published package ships inside node_modules describes its author's tree, not this image's
            case "package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml" -> !path.contains("/node_modules/");
            case "package.json" -> installedPackageDirectory(path) != null;
            default -> false;
        };
    }

    @Override
    public List<FoundPackage> read(FileContent file) throws IOException {
        return switch (fileName(file.path())) {
            case "package.json" -> installedPackage(file);
            case "yarn.lock" -> yarnLock(file);
            case "pnpm-lock.yaml" -> pnpmLock(file);
            default -> packageLock(file);
        };
    }

    /** The package name a {@code .../node_modules/<name>/package.json} path installs, or null. */
    static String installedPackageDirectory(String path) {
        int modules = path.lastIndexOf("/node_modules/");
        if (modules < 0 || !path.endsWith("/package.json")) {
            return null;
        }
        String name = path.substring(modules + "/node_modules/".length(), path.length() - "/package.json".length());
        int slash = name.indexOf('/');
        boolean valid = name.startsWith("@") ? slash > 1 && name.indexOf('/', slash + 1) < 0 && slash < name.length() - 1
                : slash < 0 && !name.isEmpty() && !name.startsWith(".");
        return valid ? name : null;
    }

    private List<FoundPackage> installedPackage(FileContent file) throws IOException {
        String name = null;
        String version = null;
        try (JsonParser parser = JSON.getFactory().createParser(
                Bounded.capped(file.content(), MAX_PACKAGE_JSON, "package.json"))) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw new MalformedContentException("package.json is not a JSON object");
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                if (value == JsonToken.VALUE_STRING && field.equals("name")) {
                    name = parser.getText();
                } else if (value == JsonToken.VALUE_STRING && field.equals("version")) {
                    version = parser.getText();
                } else {
                    parser.skipChildren();
                }
                if (name != null && version != null) {
                    break;
                }
            }
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new MalformedContentException("package.json is not JSON: " + e.getOriginalMessage(), e);
        }
        if (name == null || version == null || !registryVersion(version)) {
            return List.of();
        }
        return List.of(npm(name, version, file));
    }

    private List<FoundPackage> packageLock(FileContent file) throws IOException {
        JsonNode lock = readJson(file, fileName(file.path()));
        Map<String, FoundPackage> found = new LinkedHashMap<>();
        JsonNode packages = lock.get("packages");
        if (packages != null && packages.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = packages.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> entry = it.next();
                String key = entry.getKey();
                JsonNode value = entry.getValue();
                int modules = key.lastIndexOf("node_modules/");
                if (modules < 0 || value.path("link").asBoolean() || development(value)) {
                    continue; // the root project, a workspace folder, a link to one, or a development dependency
                }
                String name = value.path("name").asText(key.substring(modules + "node_modules/".length()));
                add(found, name, value.path("version").asText(""), file);
            }
        } else {
            dependenciesV1(lock.get("dependencies"), found, file, 0);
        }
        return List.copyOf(found.values());
    }

    private void dependenciesV1(JsonNode dependencies, Map<String, FoundPackage> found, FileContent file, int depth)
            throws MalformedContentException {
        if (dependencies == null || !dependencies.isObject()) {
            return;
        }
        if (depth > 256) {
            throw new MalformedContentException("package-lock.json nests dependencies more than 256 deep");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = dependencies.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            JsonNode value = entry.getValue();
            if (!development(value)) {
                add(found, entry.getKey(), value.path("version").asText(""), file);
            }
            dependenciesV1(value.get("dependencies"), found, file, depth + 1);
        }
    }

    private static boolean development(JsonNode entry) {
        return entry.path("dev").asBoolean() || entry.path("devOptional").asBoolean();
    }

    private List<FoundPackage> yarnLock(FileContent file) throws IOException {
        Map<String, FoundPackage> found = new LinkedHashMap<>();
        String name = null;
        try (BufferedReader lines = reader(file)) {
            for (String line; (line = readLine(lines)) != null; ) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                if (!Character.isWhitespace(line.charAt(0))) {
                    name = yarnEntryName(line);
                } else if (name != null) {
                    String trimmed = line.trim();
                    if (trimmed.startsWith("version ") || trimmed.startsWith("version:")) {
                        String version = unquote(trimmed.substring("version".length() + 1).trim());
                        add(found, name, version, file);
                        name = null;
                    }
                }
            }
        }
        return List.copyOf(found.values());
    }

    /** The package name of a yarn.lock entry header ({@code "@babel/core@^7.0.0", "@babel/core@^7.1.0":}). */
    private static String yarnEntryName(String header) {
        String first = header.endsWith(":") ? header.substring(0, header.length() - 1) : header;
        first = unquote(first.split(",", 2)[0].trim());
        int at = first.indexOf('@', 1);
        if (at < 0) {
            return null; // __metadata and other non-package keys
        }
        String range = first.substring(at + 1);
        if (range.startsWith("workspace:") || range.startsWith("patch:") || range.startsWith("link:")
                || range.startsWith("portal:") || range.startsWith("file:")) {
            return null;
        }
        return first.substring(0, at);
    }

    private List<FoundPackage> pnpmLock(FileContent file) throws IOException {
        Map<String, FoundPackage> found = new LinkedHashMap<>();
        boolean inPackages = false;
        try (BufferedReader lines = reader(file)) {
            for (String line; (line = readLine(lines)) != null; ) {
                if (line.isBlank() || line.trim().startsWith("#")) {
                    continue;
                }
                if (!Character.isWhitespace(line.charAt(0))) {
                    inPackages = line.startsWith("packages:");
                    continue;
                }
                if (inPackages && line.startsWith("  ") && !Character.isWhitespace(line.charAt(2))
                        && line.trim().endsWith(":")) {
                    pnpmKey(line.trim(), found, file);
                }
            }
        }
        return List.copyOf(found.values());
    }

    /** {@code /name/1.0.0_peer:} (v5), {@code /name@1.0.0(peer):} (v6), {@code 'name@1.0.0':} (v9). */
    private void pnpmKey(String key, Map<String, FoundPackage> found, FileContent file) {
        key = unquote(key.substring(0, key.length() - 1).trim());
        if (key.startsWith("/")) {
            key = key.substring(1);
        }
        int peers = key.indexOf('(');
        if (peers > 0) {
            key = key.substring(0, peers);
        }
        int at = key.indexOf('@', 1);
        String name;
        String version;
        if (at > 0) {
            name = key.substring(0, at);
            version = key.substring(at + 1);
        } else {
            int slash = key.lastIndexOf('/');
            if (slash <= 0) {
                return;
            }
            name = key.substring(0, slash);
            version = key.substring(slash + 1);
            int peer = version.indexOf('_');
            if (peer > 0) {
                version = version.substring(0, peer);
            }
        }
        add(found, name, version, file);
    }

    private static void add(Map<String, FoundPackage> found, String name, String version, FileContent file) {
        if (version.startsWith("npm:")) {
            // an alias: "string-width-cjs": "npm:string-width@4.2.3" installs string-width
            String target = version.substring(4);
            int at = target.lastIndexOf('@');
            if (at <= 0) {
                return;
            }
            name = target.substring(0, at);
            version = target.substring(at + 1);
        }
        if (name.isEmpty() || !registryVersion(version)) {
            return;
        }
        found.putIfAbsent(name + "@" + version, npm(name, version, file));
    }

    private static boolean registryVersion(String version) {
        return !version.isEmpty() && Character.isDigit(version.charAt(0)) && version.indexOf(':') < 0
                && version.indexOf('/') < 0;
    }

    private static FoundPackage npm(String name, String version, FileContent file) {
        return new FoundPackage(PackageType.NPM, name, version, null, null,
                Purls.ofPath(PackageType.NPM, name, version), file.layer(), file.path());
    }

    private static JsonNode readJson(FileContent file, String what) throws IOException {
        try {
            JsonNode node = JSON.readTree(Bounded.capped(file.content(), Bounded.MAX_BUFFERED, what));
            if (node == null || !node.isObject()) {
                throw new MalformedContentException(what + " is not a JSON object");
            }
            return node;
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new MalformedContentException(what + " is not JSON: " + e.getOriginalMessage(), e);
        }
    }

    private static BufferedReader reader(FileContent file) {
        return new BufferedReader(new InputStreamReader(
                Bounded.capped(file.content(), Bounded.MAX_BUFFERED, fileName(file.path())), StandardCharsets.UTF_8));
    }

    /** A line, but never more than {@link #MAX_LINE} characters of one held. */
    static String readLine(BufferedReader reader) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int c; (c = reader.read()) >= 0; ) {
            if (c == '\n') {
                return stripCarriageReturn(line);
            }
            if (line.length() >= MAX_LINE) {
                throw new MalformedContentException("a line longer than " + MAX_LINE + " characters");
            }
            line.append((char) c);
        }
        return line.isEmpty() ? null : stripCarriageReturn(line);
    }

    private static String stripCarriageReturn(StringBuilder line) {
        int end = line.length();
        return end > 0 && line.charAt(end - 1) == '\r' ? line.substring(0, end - 1) : line.toString();
    }

    private static String unquote(String text) {
        if (text.length() >= 2 && (text.startsWith("\"") && text.endsWith("\"") || text.startsWith("'") && text.endsWith("'"))) {
            return text.substring(1, text.length() - 1);
        }
        return text;
    }

    static String fileName(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }
}
