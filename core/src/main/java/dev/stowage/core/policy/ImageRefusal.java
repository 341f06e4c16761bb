package dev.stowage.core.policy;

import java.util.Map;

/**
 * One check's refusal: {@code message} is the sentence a client shows (it names the project's policy and where to see
 * more); {@code detail} the figures behind it, as the error's JSON detail carries them.
 */
public record ImageRefusal(String check, String message, Map<String, Object> detail) {
    public ImageRefusal {
        detail = Map.copyOf(detail);
    }
}
