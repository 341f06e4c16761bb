package dev.stowage.signatures.notation;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stowage.core.Descriptor;
import dev.stowage.core.Digest;
import dev.stowage.core.MediaTypes;
import dev.stowage.signatures.SignatureMediaTypes;
import dev.stowage.signatures.SignaturePush;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Makes Notation signatures as {@code notation sign} stores them: a JWS envelope (flattened JSON serialization, signing
 * scheme {@code notary.x509}) over the payload {@code {"targetArtifact": <subject descriptor>}}, in an OCI image manifest
 * with artifactType {@code application/vnd.cncf.notary.signature}, the empty config, the envelope as its one layer
 * ({@code application/jose+json}), the image as its {@code subject}, and notation's annotations (the chain's SHA-256
 * thumbprints, the creation time). The manifest is a referrer, so it has no tag.
 */
public final class NotationSigning {
    /** What the unprotected {@code io.cncf.notary.signingAgent} header says made the signature. */
    public static final String SIGNING_AGENT = "stowage";
    static final String PAYLOAD_CONTENT_TYPE = "application/vnd.cncf.notary.payload.v1+json";
    static final String THUMBPRINT_ANNOTATION = "io.cncf.notary.x509chain.thumbprint#S256";
    static final String CREATED_ANNOTATION = "org.opencontainers.image.created";
    static final byte[] EMPTY_CONFIG = "{}".getBytes(StandardCharsets.UTF_8);

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();

    private NotationSigning() {
    }

    /**
     * Signs {@code subject} with {@code key}, whose certificate is {@code chain}'s first (leaf first, then
     * intermediates, then the root, as the envelope's {@code x5c} must be). The key decides the algorithm (RSA
     * 2048/3072/4096, EC P-256/384/521); any other key is an {@link IllegalArgumentException}.
     */
    public static SignaturePush sign(Descriptor subject, PrivateKey key, List<X509Certificate> chain, Instant signingTime) {
        return sign(subject, key, chain, signingTime, Optional.empty());
    }

    /** As {@link #sign(Descriptor, PrivateKey, List, Instant)}, with a signed "best by" {@code io.cncf.notary.expiry}. */
    public static SignaturePush sign(Descriptor subject, PrivateKey key, List<X509Certificate> chain, Instant signingTime,
                                     Optional<Instant> expiry) {
        byte[] envelope = jwsEnvelope(subject, key, chain, signingTime, expiry);
        Digest envelopeDigest = Digest.sha256Of(envelope);
        Digest configDigest = Digest.sha256Of(EMPTY_CONFIG);

        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("schemaVersion", 2);
        manifest.put("mediaType", MediaTypes.OCI_MANIFEST);
        manifest.put("artifactType", SignatureMediaTypes.NOTATION_SIGNATURE);
        Map<String, Object> config = descriptor(MediaTypes.OCI_EMPTY, configDigest, EMPTY_CONFIG.length);
        config.put("data", Base64.getEncoder().encodeToString(EMPTY_CONFIG));
        manifest.put("config", config);
        manifest.put("layers", List.of(descriptor(SignatureMediaTypes.JWS_ENVELOPE, envelopeDigest, envelope.length)));
        manifest.put("subject", descriptor(subject.mediaType(), subject.digest(), subject.size()));
        Map<String, String> annotations = new LinkedHashMap<>();
        annotations.put(THUMBPRINT_ANNOTATION, thumbprints(chain));
        annotations.put(CREATED_ANNOTATION, rfc3339(signingTime));
        manifest.put("annotations", annotations);

        return new SignaturePush(MediaTypes.OCI_MANIFEST, json(manifest),
                Map.of(envelopeDigest, envelope, configDigest, EMPTY_CONFIG), Optional.empty());
    }

    /** The JWS envelope alone, as the signature manifest's layer holds it. */
    public static byte[] jwsEnvelope(Descriptor subject, PrivateKey key, List<X509Certificate> chain, Instant signingTime,
                                     Optional<Instant> expiry) {
        if (chain.isEmpty()) throw new IllegalArgumentException("a Notation signature needs the signing certificate");
        NotationAlgorithm algorithm = NotationAlgorithm.forKey(key).orElseThrow(() -> new IllegalArgumentException(
                "Notation signs with RSA 2048/3072/4096 or EC P-256/384/521 keys, not " + NotationAlgorithm.describe(key)));

        // Go's encoding/json writes map keys sorted, which is how notation's protected header reads
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("alg", algorithm.jwsName());
        List<String> crit = new ArrayList<>(List.of(NotationEnvelope.SIGNING_SCHEME));
        if (expiry.isPresent()) crit.add(NotationEnvelope.EXPIRY);
        header.put("crit", crit);
        header.put("cty", PAYLOAD_CONTENT_TYPE);
        expiry.ifPresent(e -> header.put(NotationEnvelope.EXPIRY, rfc3339(e)));
        header.put(NotationEnvelope.SIGNING_SCHEME, NotationEnvelope.SCHEME_X509);
        header.put(NotationEnvelope.SIGNING_TIME, rfc3339(signingTime));

        Map<String, Object> target = new LinkedHashMap<>(descriptor(subject.mediaType(), subject.digest(), subject.size()));
        String protectedPart = BASE64URL.encodeToString(json(header));
        String payloadPart = BASE64URL.encodeToString(json(Map.of("targetArtifact", target)));
        byte[] signature;
        try {
            signature = algorithm.sign(key, (protectedPart + "." + payloadPart).getBytes(StandardCharsets.US_ASCII));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("signing with " + algorithm.jwsName() + " failed", e);
        }

        Map<String, Object> unprotected = new LinkedHashMap<>();
        unprotected.put("x5c", chain.stream().map(c -> Base64.getEncoder().encodeToString(der(c))).toList());
        unprotected.put(NotationEnvelope.SIGNING_AGENT, SIGNING_AGENT);
        Map<String, Object> envelope = new LinkedHashMap<>();
        envelope.put("payload", payloadPart);
        envelope.put("protected", protectedPart);
        envelope.put("header", unprotected);
        envelope.put("signature", BASE64URL.encodeToString(signature));
        return json(envelope);
    }

    /** notation's {@code io.cncf.notary.x509chain.thumbprint#S256}: a JSON array of the chain's SHA-256 hex digests. */
    static String thumbprints(List<X509Certificate> chain) {
        List<String> thumbprints = chain.stream().map(c -> Digest.sha256Of(der(c)).hex()).toList();
        return new String(json(thumbprints), StandardCharsets.UTF_8);
    }

    static String rfc3339(Instant instant) {
        return DateTimeFormatter.ISO_INSTANT.format(instant.truncatedTo(ChronoUnit.SECONDS));
    }

    private static Map<String, Object> descriptor(String mediaType, Digest digest, long size) {
        Map<String, Object> descriptor = new LinkedHashMap<>();
        descriptor.put("mediaType", mediaType);
        descriptor.put("digest", digest.toString());
        descriptor.put("size", size);
        return descriptor;
    }

    static byte[] der(X509Certificate certificate) {
        try {
            return certificate.getEncoded();
        } catch (CertificateEncodingException e) {
            throw new IllegalArgumentException("certificate cannot be encoded", e);
        }
    }

    private static byte[] json(Object value) {
        try {
            return JSON.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }
}
