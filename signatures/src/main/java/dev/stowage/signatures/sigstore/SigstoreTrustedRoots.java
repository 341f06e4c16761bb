package dev.stowage.signatures.sigstore;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stowage.signatures.SigstoreTrustedRoot;

import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Reads a Sigstore {@code trusted_root.json} (protobuf-specs' {@code TrustedRoot}, media type
 * {@code application/vnd.dev.sigstore.trustedroot+json;version=0.1}): Fulcio certificate authorities with their
 * chains, Rekor transparency logs and CT logs with their keys and validity periods. Timestamp authorities are not read
 * (RFC 3161 timestamps are not verified yet).
 */
public final class SigstoreTrustedRoots {
    public static final String MEDIA_TYPE_PREFIX = "application/vnd.dev.sigstore.trustedroot";
    private static final int MAX_ENTRIES = 64;

    private SigstoreTrustedRoots() {}

    /** @throws IllegalArgumentException naming what is wrong (shown by the admin API as it is) */
    public static SigstoreTrustedRoot parse(String name, byte[] json) {
        try {
            return read(name, json);
        } catch (Rejected e) {
            throw new IllegalArgumentException("not a Sigstore trusted root: " + e.getMessage());
        }
    }

    public static SigstoreTrustedRoot parse(byte[] json) {
        return parse("trusted root", json);
    }

    private static SigstoreTrustedRoot read(String name, byte[] json) throws Rejected {
        String what = "trusted_root.json";
        JsonNode root = Json.parse(json, what);
        String mediaType = Json.optionalText(root, "mediaType", what).orElse("");
        if (!mediaType.startsWith(MEDIA_TYPE_PREFIX)) {
            throw Rejected.malformed(what + ": mediaType is not " + MEDIA_TYPE_PREFIX + "+json");
        }
        List<SigstoreTrustedRoot.CertificateAuthority> authorities = new ArrayList<>();
        JsonNode cas = root.has("certificateAuthorities")
                ? Json.array(root, "certificateAuthorities", what, MAX_ENTRIES) : Json.MAPPER.createArrayNode();
        for (JsonNode ca : cas) {
            String at = what + ": certificate authority " + authorities.size();
            JsonNode certificates = Json.array(Json.object(ca, "certChain", at), "certificates", at, Crypto.MAX_CHAIN);
            List<X509Certificate> chain = new ArrayList<>();
            for (JsonNode certificate : certificates) {
                if (!certificate.isObject()) throw Rejected.malformed(at + ": a certificate is not an object");
                chain.add(Crypto.certificate(Json.base64(certificate, "rawBytes", at), at));
            }
            if (chain.isEmpty()) throw Rejected.malformed(at + ": empty certChain");
            JsonNode validFor = Json.object(ca, "validFor", at);
            authorities.add(new SigstoreTrustedRoot.CertificateAuthority(Json.optionalText(ca, "uri", at).orElse(""),
                    chain, instant(validFor, "start", at).orElseThrow(() -> Rejected.malformed(at + ": validFor.start missing")),
                    instant(validFor, "end", at)));
        }
        List<SigstoreTrustedRoot.TransparencyLog> tlogs = logs(root, "tlogs", what);
        List<SigstoreTrustedRoot.TransparencyLog> ctlogs = logs(root, "ctlogs", what);
        if (authorities.isEmpty() && tlogs.isEmpty()) {
            throw Rejected.malformed(what + ": neither certificate authorities nor transparency logs");
        }
        return new SigstoreTrustedRoot(name, authorities, tlogs, ctlogs);
    }

    private static List<SigstoreTrustedRoot.TransparencyLog> logs(JsonNode root, String field, String what)
            throws Rejected {
        List<SigstoreTrustedRoot.TransparencyLog> logs = new ArrayList<>();
        if (!root.has(field)) return logs;
        for (JsonNode log : Json.array(root, field, what, MAX_ENTRIES)) {
            String at = what + ": " + field + " " + logs.size();
            if (!log.isObject()) throw Rejected.malformed(at + ": not an object");
            JsonNode publicKey = Json.object(log, "publicKey", at);
            byte[] der = Json.base64(publicKey, "rawBytes", at);
            PublicKey key = Crypto.publicKey(der, at);
            byte[] logId = Json.base64(Json.object(log, "logId", at), "keyId", at);
            JsonNode validFor = Json.object(publicKey, "validFor", at);
            logs.add(new SigstoreTrustedRoot.TransparencyLog(Json.optionalText(log, "baseUrl", at).orElse(""), logId,
                    key, instant(validFor, "start", at).orElseThrow(() -> Rejected.malformed(at + ": validFor.start missing")),
                    instant(validFor, "end", at)));
            if (!Arrays.equals(logId, Crypto.sha256(key.getEncoded())) && logId.length != 32) {
                throw Rejected.malformed(at + ": logId.keyId is not a SHA-256");
            }
        }
        return logs;
    }

    private static Optional<Instant> instant(JsonNode parent, String field, String what) throws Rejected {
        Optional<String> text = Json.optionalText(parent, field, what);
        if (text.isEmpty()) return Optional.empty();
        try {
            return Optional.of(Instant.parse(text.get()));
        } catch (DateTimeParseException e) {
            throw Rejected.malformed(what + ": " + field + " is not an RFC 3339 time");
        }
    }
}
