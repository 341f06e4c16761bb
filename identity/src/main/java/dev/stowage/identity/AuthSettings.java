package dev.stowage.identity;

import java.time.Duration;
import java.util.Optional;

/**
 * @param service        the token audience and the {@code service} of challenges
 * @param realm          the token endpoint URL to announce; empty: {@code http(s)://<Host header>/token}
 * @param tokenLifetime  how long an access token is valid
 */
public record AuthSettings(String service, Optional<String> realm, Duration tokenLifetime) {
    /**
     * The realm as it goes into a quoted challenge parameter. The server refuses a Host that is not
     * {@code host[:port]}; whatever reaches here anyway (or is configured) has its quotes, backslashes, controls and
     * non-ASCII percent-encoded, so the realm can never close its quotes and add parameters.
     */
    public String realmFor(Optional<String> host, boolean secure) {
        return headerSafe(realm.orElseGet(() -> (secure ? "https://" : "http://") + host.orElse("localhost") + "/token"));
    }

    private static String headerSafe(String url) {
        StringBuilder out = new StringBuilder(url.length());
        for (byte b : url.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c <= 0x20 || c >= 0x7f || c == '"' || c == '\\') out.append('%').append(String.format("%02X", c));
            else out.append((char) c);
        }
        return out.toString();
    }
}
