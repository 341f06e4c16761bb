package dev.stowage.identity;

import java.time.Duration;
import java.util.Optional;

/**
 * @param service        the token audience and the {@code service} of challenges
 * @param realm          the token endpoint URL to announce; empty: {@code http(s)://<Host header>/token}
 * @param tokenLifetime  how long an access token is valid
 */
public record AuthSettings(String service, Optional<String> realm, Duration tokenLifetime) {
    public String realmFor(Optional<String> host, boolean secure) {
        return realm.orElseGet(() -> (secure ? "https://" : "http://") + host.orElse("localhost") + "/token");
    }
}
