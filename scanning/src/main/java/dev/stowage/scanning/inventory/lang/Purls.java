package dev.stowage.scanning.inventory.lang;

import dev.stowage.scanning.inventory.PackageType;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Pattern;

/** Package URLs as purl-spec writes them: {@code pkg:type/namespace/name@version}, each part percent-encoded. */
public final class Purls {
    private static final Pattern PEP503_SEPARATORS = Pattern.compile("[-_.]+");

    private Purls() {
    }

    /**
     * The purl of a package.
     *
     * @param namespace slash-separated segments ({@code org.apache.commons}, {@code github.com/foo}, {@code @types}), or
     *                  null
     */
    public static String of(PackageType type, String namespace, String name, String version) {
        StringBuilder purl = new StringBuilder("pkg:").append(type.purlType()).append('/');
        if (namespace != null && !namespace.isEmpty()) {
            for (String segment : namespace.split("/")) {
                if (!segment.isEmpty()) {
                    purl.append(encode(segment)).append('/');
                }
            }
        }
        purl.append(encode(name));
        if (version != null && !version.isEmpty()) {
            purl.append('@').append(encode(version));
        }
        return purl.toString();
    }

    /** A slash-separated path (Go module, npm scoped name) split into namespace and last segment. */
    static String ofPath(PackageType type, String path, String version) {
        int slash = path.lastIndexOf('/');
        return slash < 0 ? of(type, null, path, version) : of(type, path.substring(0, slash), path.substring(slash + 1), version);
    }

    /** PyPI's normal form of a project name (PEP 503): lower case, runs of {@code -_.} as one {@code -}. */
    public static String pep503(String name) {
        return PEP503_SEPARATORS.matcher(name).replaceAll("-").toLowerCase(Locale.ROOT);
    }

    private static String encode(String part) {
        StringBuilder out = new StringBuilder(part.length());
        for (byte b : part.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_'
                    || c == '~') {
                out.append((char) c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return out.toString();
    }
}
