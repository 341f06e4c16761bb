package dev.stowage.signatures.notation;

import dev.stowage.signatures.SignatureKind;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A Notation signature envelope (JWS or COSE) once parsed and its signed attributes checked against the signature
 * specification: what was signed ({@code signedBytes}: the JWS signing input or the COSE Sig_structure), the signature,
 * the payload, the signing scheme and times, and the certificate chain as DER (leaf first).
 */
record NotationEnvelope(SignatureKind kind, NotationAlgorithm algorithm, byte[] signedBytes, byte[] signature,
                        byte[] payload, String signingScheme, Instant signingTime, Optional<Instant> expiry,
                        List<byte[]> chain, boolean carriesTimestamp) {

    static final String SIGNING_SCHEME = "io.cncf.notary.signingScheme";
    static final String SIGNING_TIME = "io.cncf.notary.signingTime";
    static final String AUTHENTIC_SIGNING_TIME = "io.cncf.notary.authenticSigningTime";
    static final String EXPIRY = "io.cncf.notary.expiry";
    static final String SIGNING_AGENT = "io.cncf.notary.signingAgent";
    static final String TIMESTAMP_SIGNATURE = "io.cncf.notary.timestampSignature";
    static final String VERIFICATION_PLUGIN = "io.cncf.notary.verificationPlugin";
    static final String VERIFICATION_PLUGIN_MIN_VERSION = "io.cncf.notary.verificationPluginMinVersion";
    static final String SCHEME_X509 = "notary.x509";
    static final String SCHEME_SIGNING_AUTHORITY = "notary.x509.signingAuthority";

    /** A chain longer than this is no code-signing chain anyone issued; refusing it bounds the parsing. */
    static final int MAX_CHAIN = 10;

    /** The signed attributes as a parser read them, before the specification's rules are applied. */
    record SignedAttributes(String contentType, String signingScheme, Optional<Instant> signingTime,
                            Optional<Instant> authenticSigningTime, Optional<Instant> expiry, List<String> critical,
                            Set<String> present) {}

    /** Why an envelope is refused; a checked exception so that no parser failure escapes as a runtime error. */
    static final class Refusal extends Exception {
        Refusal(String reason) {
            super(reason, null, false, false);
        }
    }

    /**
     * The signature specification's rules on signed attributes (signature-envelope-jws.md / -cose.md, "Protected
     * headers"): the payload content type, a known signing scheme with its own time attribute and not the other's,
     * {@code crit} naming the signing scheme (and the expiry and authentic signing time when present), and no critical
     * attribute Stowage does not process: a verifier must refuse what it does not understand.
     *
     * @return the signing time the scheme makes authoritative for the chain's validity
     */
    static Instant checkSignedAttributes(SignedAttributes attributes) throws Refusal {
        if (attributes.contentType() == null) throw new Refusal("the content type (cty) header is missing");
        if (!NotationSigning.PAYLOAD_CONTENT_TYPE.equals(attributes.contentType())) {
            throw new Refusal("unsupported payload content type " + quote(attributes.contentType())
                    + " (expected " + NotationSigning.PAYLOAD_CONTENT_TYPE + ")");
        }
        String scheme = attributes.signingScheme();
        if (scheme == null) throw new Refusal("the " + SIGNING_SCHEME + " header is missing");
        Instant signingTime;
        List<String> mustBeCritical = new ArrayList<>(List.of(SIGNING_SCHEME));
        switch (scheme) {
            case SCHEME_X509 -> {
                if (attributes.authenticSigningTime().isPresent()) {
                    throw new Refusal(AUTHENTIC_SIGNING_TIME + " must not be present under the notary.x509 scheme");
                }
                signingTime = attributes.signingTime().orElseThrow(
                        () -> new Refusal(SIGNING_TIME + " is required under the notary.x509 scheme"));
            }
            case SCHEME_SIGNING_AUTHORITY -> {
                if (attributes.signingTime().isPresent()) {
                    throw new Refusal(SIGNING_TIME + " must not be present under the notary.x509.signingAuthority scheme");
                }
                signingTime = attributes.authenticSigningTime().orElseThrow(() -> new Refusal(
                        AUTHENTIC_SIGNING_TIME + " is required under the notary.x509.signingAuthority scheme"));
                mustBeCritical.add(AUTHENTIC_SIGNING_TIME);
            }
            default -> throw new Refusal("unsupported signing scheme " + quote(scheme));
        }
        if (attributes.expiry().isPresent()) {
            mustBeCritical.add(EXPIRY);
            if (!attributes.expiry().get().isAfter(signingTime)) {
                throw new Refusal("the expiry " + attributes.expiry().get() + " is not after the signing time " + signingTime);
            }
        }
        if (attributes.critical().isEmpty()) throw new Refusal("the crit header is missing or empty");
        for (String critical : attributes.critical()) {
            if (critical.equals(VERIFICATION_PLUGIN) || critical.equals(VERIFICATION_PLUGIN_MIN_VERSION)) {
                throw new Refusal("critical header " + critical + " asks for a Notation verification plugin, which Stowage does not run");
            }
            if (!Set.of(SIGNING_SCHEME, SIGNING_TIME, AUTHENTIC_SIGNING_TIME, EXPIRY).contains(critical)) {
                throw new Refusal("unknown critical header " + quote(critical));
            }
            if (!attributes.present().contains(critical)) {
                throw new Refusal("header " + critical + " is marked critical but not present");
            }
        }
        for (String required : mustBeCritical) {
            if (!attributes.critical().contains(required)) {
                throw new Refusal("header " + required + " must be marked critical");
            }
        }
        return signingTime;
    }

    static String quote(String text) {
        String shown = text.length() > 100 ? text.substring(0, 100) + "..." : text;
        StringBuilder quoted = new StringBuilder("\"");
        shown.codePoints().forEach(c -> {
            if (c < 0x20 || c == 0x7f) quoted.append(String.format("\\u%04x", c));
            else quoted.appendCodePoint(c);
        });
        return quoted.append('"').toString();
    }
}
