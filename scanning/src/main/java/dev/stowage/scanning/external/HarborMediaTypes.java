package dev.stowage.scanning.external;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** The MIME types of Harbor's pluggable scanner adapter API v1.1, and how responses' types are compared with them. */
public final class HarborMediaTypes {
    public static final String METADATA = "application/vnd.scanner.adapter.metadata+json; version=1.0";
    public static final String SCAN_REQUEST = "application/vnd.scanner.adapter.scan.request+json; version=1.0";
    public static final String SCAN_RESPONSE = "application/vnd.scanner.adapter.scan.response+json; version=1.0";
    public static final String VULNERABILITY_REPORT = "application/vnd.security.vulnerability.report; version=1.1";
    public static final String ERROR = "application/vnd.scanner.adapter.error+json; version=1.0";
    /** Artifact types an adapter can be asked to scan. */
    public static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    public static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";

    private HarborMediaTypes() {
    }

    /**
     * Whether two MIME types are the same: type and subtype case-insensitively, parameters by name case-insensitively
     * and by value exactly (quotes and spaces around {@code ;} and {@code =} do not count).
     */
    public static boolean same(String actual, String expected) {
        if (actual == null || expected == null) return false;
        return canonical(actual).equals(canonical(expected));
    }

    private static String canonical(String mediaType) {
        String[] parts = mediaType.split(";");
        Map<String, String> parameters = new TreeMap<>();
        for (int i = 1; i < parts.length; i++) {
            String parameter = parts[i].trim();
            if (parameter.isEmpty()) continue;
            int eq = parameter.indexOf('=');
            String name = (eq < 0 ? parameter : parameter.substring(0, eq)).trim().toLowerCase(Locale.ROOT);
            String value = eq < 0 ? "" : parameter.substring(eq + 1).trim();
            if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
                value = value.substring(1, value.length() - 1);
            }
            parameters.put(name, value);
        }
        return parts[0].trim().toLowerCase(Locale.ROOT) + parameters;
    }
}
