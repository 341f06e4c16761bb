package dev.stowage.signatures.sigstore;

/**
 * Why a signature is not verified, raised inside a format's verification and turned into a failed
 * {@link dev.stowage.signatures.SignatureCheck} at its edge; never leaves this package. Its message is the reason
 * people read, so it names what was wrong and never echoes unbounded input.
 */
final class Rejected extends Exception {
    Rejected(String reason) {
        super(reason, null, false, false);
    }

    static Rejected malformed(String what) {
        return new Rejected("malformed " + what);
    }
}
