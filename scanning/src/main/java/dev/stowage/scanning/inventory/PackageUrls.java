package dev.stowage.scanning.inventory;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Package URLs (purl-spec) for OS packages. A detector reads a package database without knowing which distribution the
 * image is (os-release may come in another layer), so it writes the package-manager's default namespace; once the
 * whole image is read, {@link #forDistribution} sets the distribution's id as the namespace (deb: debian or ubuntu;
 * rpm: fedora, rocky, almalinux, rhel, ...) and adds the {@code distro} qualifier.
 */
final class PackageUrls {
    private PackageUrls() {
    }

    /**
     * {@code pkg:type/namespace/name@version?qualifiers}, qualifiers sorted by key (the canonical form), empty ones
     * left out.
     */
    static String purl(String type, String namespace, String name, String version, Map<String, String> qualifiers) {
        StringBuilder out = new StringBuilder("pkg:").append(type).append('/');
        if (namespace != null && !namespace.isEmpty()) {
            out.append(encode(namespace)).append('/');
        }
        out.append(encode(name)).append('@').append(encode(version));
        char separator = '?';
        for (Map.Entry<String, String> qualifier : new TreeMap<>(qualifiers).entrySet()) {
            if (qualifier.getValue() == null || qualifier.getValue().isEmpty()) {
                continue;
            }
            out.append(separator).append(qualifier.getKey()).append('=').append(encode(qualifier.getValue()));
            separator = '&';
        }
        return out.toString();
    }

    static FoundPackage forDistribution(FoundPackage found, Optional<OperatingSystem> os) {
        if (os.isEmpty() || found.type() == PackageType.ALPINE) {
            return found;
        }
        String purl = found.purl();
        int question = purl.indexOf('?');
        String base = question < 0 ? purl : purl.substring(0, question);
        Map<String, String> qualifiers = new TreeMap<>();
        if (question >= 0) {
            for (String pair : purl.substring(question + 1).split("&")) {
                int equals = pair.indexOf('=');
                if (equals > 0) {
                    qualifiers.put(pair.substring(0, equals), pair.substring(equals + 1));
                }
            }
        }
        OperatingSystem system = os.get();
        String id = system.id().toLowerCase(java.util.Locale.ROOT);
        qualifiers.put("distro", encode(system.versionId().isEmpty() ? id : id + "-" + system.versionId()));
        // base is pkg:type/namespace/name@version: swap the namespace
        int typeEnd = base.indexOf('/');
        int namespaceEnd = base.indexOf('/', typeEnd + 1);
        StringBuilder out = new StringBuilder(base.substring(0, typeEnd + 1)).append(encode(id))
                .append(base.substring(namespaceEnd));
        char separator = '?';
        for (Map.Entry<String, String> qualifier : qualifiers.entrySet()) {
            out.append(separator).append(qualifier.getKey()).append('=').append(qualifier.getValue());
            separator = '&';
        }
        return new FoundPackage(found.type(), found.name(), found.version(), found.sourceName(), found.sourceVersion(),
                out.toString(), found.layer(), found.path());
    }

    /** Percent-encodes all but the unreserved characters and ':' (which purl-spec leaves as is). */
    static String encode(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
                    || c == '-' || c == '.' || c == '_' || c == '~' || c == ':') {
                out.append((char) c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
            }
        }
        return out.toString();
    }
}
