package dev.stowage.scanning.external;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Objects;

/**
 * What the adapter sends as {@code Authorization} when it pulls the artifact from Stowage: the scan request's
 * {@code registry.authorization}. Stowage issues a short-lived, pull-only token for one repository per scan.
 */
public record RegistryCredential(String authorization) {
    public RegistryCredential {
        Objects.requireNonNull(authorization, "authorization");
        if (authorization.isBlank() || authorization.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            throw new IllegalArgumentException("a registry authorization must be one non-empty header value");
        }
    }

    public static RegistryCredential bearer(String token) {
        return new RegistryCredential("Bearer " + token);
    }

    public static RegistryCredential basic(String user, String password) {
        return new RegistryCredential("Basic " + Base64.getEncoder()
                .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));
    }

    @Override
    public String toString() {
        return "RegistryCredential[***]";
    }
}
