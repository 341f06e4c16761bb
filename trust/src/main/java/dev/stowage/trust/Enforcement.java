package dev.stowage.trust;

import java.util.Locale;
import java.util.Optional;

/** What a project's trust policy does to pulls: nothing, report only (admission warns), or refuse unverified images. */
public enum Enforcement {
    OFF, AUDIT, ENFORCE;

    public String apiName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<Enforcement> parse(String text) {
        if (text == null) return Optional.empty();
        for (Enforcement e : values()) {
            if (e.apiName().equals(text)) return Optional.of(e);
        }
        return Optional.empty();
    }
}
