package dev.stowage.signatures.notation;

import dev.stowage.signatures.SignatureKind;
import dev.stowage.signatures.notation.NotationEnvelope.Refusal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads the COSE envelope of signature-envelope-cose.md: a COSE_Sign1_Tagged (CBOR tag 18) whose protected header holds
 * alg (label 1), crit (2), content type (3) and Notation's text labels with epoch times (tag 1), and whose unprotected
 * header holds x5chain (label 33, leaf first). What was signed is the Sig_structure
 * {@code ["Signature1", protected, h'', payload]} (RFC 9052 section 4.4).
 */
final class CoseEnvelopes {
    static final long COSE_SIGN1_TAG = 18;
    static final long LABEL_ALG = 1;
    static final long LABEL_CRIT = 2;
    static final long LABEL_CONTENT_TYPE = 3;
    static final long LABEL_X5CHAIN = 33;

    private CoseEnvelopes() {
    }

    static NotationEnvelope parse(byte[] bytes) throws Refusal {
        Object decoded = decode(bytes, "envelope");
        if (!(decoded instanceof Cbor.Tagged(long tag, Object item)) || tag != COSE_SIGN1_TAG) {
            throw malformed("not a COSE_Sign1_Tagged message (CBOR tag 18)");
        }
        if (!(item instanceof List<?> message) || message.size() != 4) {
            throw malformed("COSE_Sign1 must be an array of four items");
        }
        if (!(message.get(0) instanceof byte[] protectedBytes)) throw malformed("the protected header is not a byte string");
        if (!(message.get(1) instanceof Map<?, ?> unprotected)) throw malformed("the unprotected header is not a map");
        if (!(message.get(2) instanceof byte[] payload)) throw malformed("the payload is detached or not a byte string");
        if (!(message.get(3) instanceof byte[] signature)) throw malformed("the signature is not a byte string");
        if (protectedBytes.length == 0) throw malformed("the protected header is empty");
        if (!(decode(protectedBytes, "protected header") instanceof Map<?, ?> header)) {
            throw malformed("the protected header is not a map");
        }

        if (!(header.get(LABEL_ALG) instanceof Long alg)) throw malformed("the alg header (label 1) is missing or not an integer");
        NotationAlgorithm algorithm = NotationAlgorithm.ofCose(alg).orElseThrow(() -> new Refusal(
                "COSE algorithm " + alg + " is not one Notation allows (PS256/384/512, ES256/384/512)"));
        List<String> critical = new ArrayList<>();
        Object crit = header.get(LABEL_CRIT);
        if (crit != null) {
            if (!(crit instanceof List<?> labels) || labels.size() > 16) {
                throw malformed("crit (label 2) must be an array of at most 16 labels");
            }
            for (Object label : labels) {
                if (label instanceof Long number) {
                    if (number >= 0 && number <= 8) throw malformed("crit must not list the common header label " + number);
                    critical.add("label " + number);
                } else if (label instanceof String name) {
                    critical.add(name);
                } else {
                    throw malformed("crit must list integer or text labels");
                }
            }
        }
        Object contentType = header.get(LABEL_CONTENT_TYPE);
        if (contentType != null && !(contentType instanceof String)) {
            throw new Refusal("the content type (label 3) must be text, it is " + describe(contentType));
        }
        Set<String> present = new HashSet<>();
        header.keySet().forEach(k -> present.add(k instanceof Long number ? "label " + number : (String) k));
        NotationEnvelope.SignedAttributes attributes = new NotationEnvelope.SignedAttributes((String) contentType,
                text(header, NotationEnvelope.SIGNING_SCHEME),
                time(header, NotationEnvelope.SIGNING_TIME),
                time(header, NotationEnvelope.AUTHENTIC_SIGNING_TIME),
                time(header, NotationEnvelope.EXPIRY),
                critical, present);
        Instant signingTime = NotationEnvelope.checkSignedAttributes(attributes);

        Object x5chain = unprotected.containsKey(LABEL_X5CHAIN) ? unprotected.get(LABEL_X5CHAIN) : header.get(LABEL_X5CHAIN);
        List<byte[]> chain = new ArrayList<>();
        if (x5chain instanceof byte[] single) {
            chain.add(single); // RFC 9360 allows a lone certificate as a bare byte string
        } else if (x5chain instanceof List<?> certificates && !certificates.isEmpty()) {
            if (certificates.size() > NotationEnvelope.MAX_CHAIN) {
                throw new Refusal("the certificate chain has " + certificates.size() + " certificates, more than "
                        + NotationEnvelope.MAX_CHAIN);
            }
            for (Object certificate : certificates) {
                if (!(certificate instanceof byte[] der)) throw malformed("x5chain must hold byte strings");
                chain.add(der);
            }
        } else {
            throw new Refusal("the certificate chain (x5chain, label 33) is missing");
        }

        byte[] signedBytes = new Cbor.Writer().array(4).text("Signature1").bytes(protectedBytes).bytes(new byte[0])
                .bytes(payload).toByteArray();
        return new NotationEnvelope(SignatureKind.NOTATION_COSE, algorithm, signedBytes, signature, payload,
                attributes.signingScheme(), signingTime, attributes.expiry(), List.copyOf(chain),
                unprotected.containsKey(NotationEnvelope.TIMESTAMP_SIGNATURE));
    }

    private static Object decode(byte[] bytes, String what) throws Refusal {
        try {
            return Cbor.decode(bytes);
        } catch (Cbor.Malformed e) {
            throw malformed("the " + what + " is not valid CBOR: " + e.getMessage());
        }
    }

    private static String text(Map<?, ?> header, String label) throws Refusal {
        Object value = header.get(label);
        if (value == null) return null;
        if (!(value instanceof String text)) throw malformed(label + " is not text");
        return text;
    }

    /** An epoch-based date/time: tag 1 over an integer or a float (RFC 8949 section 3.4.2). */
    private static Optional<Instant> time(Map<?, ?> header, String label) throws Refusal {
        Object value = header.get(label);
        if (value == null) return Optional.empty();
        if (value instanceof Cbor.Tagged(long tag, Object seconds) && tag == 1) {
            if (seconds instanceof Long whole) return Optional.of(Instant.ofEpochSecond(whole));
            if (seconds instanceof Double fractional && Double.isFinite(fractional) && Math.abs(fractional) < 1e15) {
                return Optional.of(Instant.ofEpochMilli((long) (fractional * 1000)));
            }
        }
        throw malformed(label + " is not an epoch date/time (tag 1)");
    }

    private static String describe(Object value) {
        return value instanceof Long ? "an integer" : value.getClass().getSimpleName();
    }

    private static Refusal malformed(String reason) {
        return new Refusal("malformed COSE: " + reason);
    }
}
