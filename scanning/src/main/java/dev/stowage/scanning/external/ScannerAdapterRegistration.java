package dev.stowage.scanning.external;

import java.net.URI;
import java.util.Locale;
import java.util.Objects;

/**
 * A registered scanner adapter (Harbor's pluggable scanner API v1.1).
 *
 * @param name          the name operators know it by, e.g. {@code trivy}
 * @param url           its base URL, without {@code /api/v1}: {@code https://trivy-adapter:8443}
 * @param auth          how to authenticate to it
 * @param skipTlsVerify accept any certificate and host name; refused by the client unless the operator allowed it
 *                      ({@link ScannerAdapterClient.Settings#allowSkipTlsVerify()}), because it hands the registry
 *                      credential in each scan request to whoever answers
 */
public record ScannerAdapterRegistration(String name, URI url, AdapterAuthentication auth, boolean skipTlsVerify) {
    public ScannerAdapterRegistration {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(auth, "auth");
        if (name.isBlank()) throw new IllegalArgumentException("the scanner adapter needs a name");
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || url.getHost() == null) {
            throw new IllegalArgumentException("scanner adapter URL must be http(s)://host[:port][/path], got '"
                    + url + "'");
        }
        if (url.getRawUserInfo() != null || url.getRawQuery() != null || url.getRawFragment() != null) {
            throw new IllegalArgumentException("scanner adapter URL must not carry credentials, a query or a fragment"
                    + " (give credentials as its authentication), got '" + url.getHost() + "'");
        }
        if (skipTlsVerify && !scheme.equals("https")) {
            throw new IllegalArgumentException("skipTlsVerify only applies to an https:// scanner adapter URL");
        }
    }

    public ScannerAdapterRegistration(String name, URI url, AdapterAuthentication auth) {
        this(name, url, auth, false);
    }

    /** The URL of an API path, e.g. {@code /api/v1/metadata}. */
    URI endpoint(String apiPath) {
        String base = url.toString();
        while (base.endsWith("/")) base = base.substring(0, base.length() - 1);
        return URI.create(base + apiPath);
    }
}
