package dev.stowage.scanning.external;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Objects;
import java.util.Optional;

/**
 * How Stowage authenticates to a scanner adapter, as Harbor does it: {@code Basic} sends
 * {@code Authorization: Basic base64(secret)} (the secret is {@code user:password}), {@code Bearer} sends
 * {@code Authorization: Bearer secret}, {@code X-ScannerAdapter-API-Key} sends that header with the secret.
 */
public record AdapterAuthentication(Scheme scheme, String secret) {
    public static final AdapterAuthentication NONE = new AdapterAuthentication(Scheme.NONE, "");

    public enum Scheme {
        NONE(""), BASIC("Basic"), BEARER("Bearer"), API_KEY("X-ScannerAdapter-API-Key");

        private final String harborName;

        Scheme(String harborName) {
            this.harborName = harborName;
        }

        /** The name Harbor's scanner registration uses for it ({@code auth} field). */
        public String harborName() {
            return harborName;
        }

        /** The scheme of Harbor's name for it (case-insensitive; empty or {@code none} for none). */
        public static Scheme ofHarborName(String name) {
            String given = name == null ? "" : name.trim();
            if (given.equalsIgnoreCase("none")) return NONE;
            for (Scheme scheme : values()) {
                if (scheme.harborName.equalsIgnoreCase(given)) return scheme;
            }
            throw new IllegalArgumentException("unknown scanner adapter authentication '" + name
                    + "': use one of Basic, Bearer, X-ScannerAdapter-API-Key or none");
        }
    }

    public AdapterAuthentication {
        Objects.requireNonNull(scheme, "scheme");
        secret = secret == null ? "" : secret;
        if (scheme != Scheme.NONE && secret.isEmpty()) {
            throw new IllegalArgumentException(scheme.harborName + " authentication needs a secret");
        }
        if (scheme == Scheme.BASIC && !secret.contains(":")) {
            throw new IllegalArgumentException("Basic authentication needs the secret as user:password");
        }
        if (secret.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            throw new IllegalArgumentException("the scanner adapter secret must not contain control characters");
        }
    }

    public static AdapterAuthentication basic(String user, String password) {
        return new AdapterAuthentication(Scheme.BASIC, user + ":" + password);
    }

    public static AdapterAuthentication bearer(String token) {
        return new AdapterAuthentication(Scheme.BEARER, token);
    }

    public static AdapterAuthentication apiKey(String key) {
        return new AdapterAuthentication(Scheme.API_KEY, key);
    }

    /** The header name and value to send, none for {@link Scheme#NONE}. */
    Optional<String[]> header() {
        return switch (scheme) {
            case NONE -> Optional.empty();
            case BASIC -> Optional.of(new String[]{"Authorization",
                    "Basic " + Base64.getEncoder().encodeToString(secret.getBytes(StandardCharsets.UTF_8))});
            case BEARER -> Optional.of(new String[]{"Authorization", "Bearer " + secret});
            case API_KEY -> Optional.of(new String[]{"X-ScannerAdapter-API-Key", secret});
        };
    }

    @Override
    public String toString() {
        return "AdapterAuthentication[" + scheme + (secret.isEmpty() ? "" : ", secret=***") + "]";
    }
}
