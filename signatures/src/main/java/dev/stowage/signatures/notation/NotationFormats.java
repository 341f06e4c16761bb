package dev.stowage.signatures.notation;

import dev.stowage.signatures.SignatureFormat;

import java.util.List;

/** The Notation signature formats, for a {@link dev.stowage.signatures.SignatureVerifier}. */
public final class NotationFormats {
    private NotationFormats() {
    }

    /** One format reads both envelopes (JWS and COSE), told apart by the signature manifest's layer media type. */
    public static List<SignatureFormat> all() {
        return List.of(new NotationFormat());
    }
}
