package dev.stowage.signatures.sigstore;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stowage.signatures.SigstoreTrustedRoot;
import dev.stowage.signatures.TrustMaterial;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * A Rekor transparency log entry and its offline proofs: the signed entry timestamp (SET, the log's signature over
 * the canonical JSON {@code {body, integratedTime, logID, logIndex}}) and the RFC 6962 inclusion proof ending in a
 * checkpoint signed by the log. Either, verified with the log's key from an installed trusted root, establishes when
 * the signature was made. The entry's body must also be about this very signature: {@link #checkBody}.
 */
final class Rekor {
    static final int MAX_PROOF_HASHES = 64;

    private Rekor() {}

    record InclusionProof(long logIndex, long treeSize, byte[] rootHash, List<byte[]> hashes, String checkpoint) {}

    record Entry(byte[] body, long integratedTime, long logIndex, byte[] logId, Optional<byte[]> signedEntryTimestamp,
                 Optional<InclusionProof> inclusionProof) {
        /** The canonical JSON the SET signs (RFC 8785: keys sorted, no spaces); base64 and hex need no escaping. */
        byte[] setPayload() {
            return ("{\"body\":\"" + Base64.getEncoder().encodeToString(body) + "\",\"integratedTime\":" + integratedTime
                    + ",\"logID\":\"" + HexFormat.of().formatHex(logId) + "\",\"logIndex\":" + logIndex + "}")
                    .getBytes(StandardCharsets.UTF_8);
        }
    }

    /** What the entry's body must bind: the signed payload's SHA-256, the signature, and the certificate if any. */
    record Binding(byte[] payloadSha256, byte[] signature, Optional<X509Certificate> certificate) {}

    /** The last second of year 9999: no log entry is integrated later, and every {@link Instant} holds it. */
    private static final long MAX_INTEGRATED_TIME = 253_402_300_799L;

    /**
     * Verifies the entry's SET and/or inclusion proof with the log's installed key. Returns the time the log
     * integrated it when the SET signs that time; an inclusion proof and its checkpoint sign the body and the tree,
     * never {@code integratedTime}, so with a proof alone when the entry was made is unknown (as sigstore-go counts
     * an integrated time only with a verified SET).
     */
    static Optional<Instant> verify(Entry entry, TrustMaterial trust) throws Rejected {
        if (entry.integratedTime() < 0 || entry.integratedTime() > MAX_INTEGRATED_TIME) {
            throw new Rejected("Rekor entry's integrated time is out of range");
        }
        Instant integrated = Instant.ofEpochSecond(entry.integratedTime());
        SigstoreTrustedRoot.TransparencyLog log = log(entry.logId(), trust)
                .orElseThrow(() -> new Rejected("Rekor log " + HexFormat.of().formatHex(entry.logId())
                        + " is not in an installed trusted root"));
        if (integrated.isBefore(log.validFrom()) || log.validUntil().map(integrated::isAfter).orElse(false)) {
            throw new Rejected("Rekor log key was not valid when the entry was made");
        }
        if (entry.signedEntryTimestamp().isEmpty() && entry.inclusionProof().isEmpty()) {
            throw new Rejected("Rekor entry has neither a signed entry timestamp nor an inclusion proof");
        }
        if (entry.signedEntryTimestamp().isPresent()
                && !Crypto.verifies(log.key(), entry.setPayload(), entry.signedEntryTimestamp().get())) {
            throw new Rejected("Rekor entry signature invalid");
        }
        if (entry.inclusionProof().isPresent()) verifyInclusion(entry, entry.inclusionProof().get(), log);
        return entry.signedEntryTimestamp().isPresent() ? Optional.of(integrated) : Optional.empty();
    }

    private static Optional<SigstoreTrustedRoot.TransparencyLog> log(byte[] logId, TrustMaterial trust) {
        for (SigstoreTrustedRoot root : trust.sigstoreRoots()) {
            for (SigstoreTrustedRoot.TransparencyLog log : root.transparencyLogs()) {
                if (Arrays.equals(log.logId(), logId)) return Optional.of(log);
            }
        }
        return Optional.empty();
    }

    private static void verifyInclusion(Entry entry, InclusionProof proof, SigstoreTrustedRoot.TransparencyLog log)
            throws Rejected {
        if (proof.hashes().size() > MAX_PROOF_HASHES) throw Rejected.malformed("inclusion proof: too many hashes");
        byte[] leaf = sha256((byte) 0, entry.body(), new byte[0]);
        long index = proof.logIndex();
        if (index < 0 || index >= proof.treeSize()) throw new Rejected("inclusion proof: index outside the tree");
        long fn = index;
        long sn = proof.treeSize() - 1;
        byte[] hash = leaf;
        for (byte[] sibling : proof.hashes()) {
            if (sn == 0) throw new Rejected("inclusion proof does not lead to the root hash");
            if ((fn & 1) == 1 || fn == sn) {
                hash = sha256((byte) 1, sibling, hash);
                if ((fn & 1) == 0) {
                    while ((fn & 1) == 0 && fn != 0) {
                        fn >>= 1;
                        sn >>= 1;
                    }
                }
            } else {
                hash = sha256((byte) 1, hash, sibling);
            }
            fn >>= 1;
            sn >>= 1;
        }
        if (sn != 0 || !MessageDigest.isEqual(hash, proof.rootHash())) {
            throw new Rejected("inclusion proof does not lead to the root hash");
        }
        verifyCheckpoint(proof, log);
    }

    /**
     * A checkpoint is a signed note: the body (origin, tree size, base64 root hash, optional lines), a blank line, then
     * signature lines {@code — <name> <base64(key hint ‖ signature)>}. One signature by the log's key over the body
     * must verify, and the body must name the proof's tree size and root hash.
     */
    private static void verifyCheckpoint(InclusionProof proof, SigstoreTrustedRoot.TransparencyLog log)
            throws Rejected {
        String checkpoint = proof.checkpoint();
        int split = checkpoint.indexOf("\n\n");
        if (split < 0) throw Rejected.malformed("checkpoint: no signature section");
        String body = checkpoint.substring(0, split + 1);
        String[] lines = body.split("\n", -1);
        if (lines.length < 4) throw Rejected.malformed("checkpoint: too few lines");
        if (!lines[1].equals(Long.toString(proof.treeSize()))) {
            throw new Rejected("checkpoint names another tree size than the inclusion proof");
        }
        byte[] root = Json.base64(lines[2], "checkpoint root hash");
        if (!MessageDigest.isEqual(root, proof.rootHash())) {
            throw new Rejected("checkpoint names another root hash than the inclusion proof");
        }
        List<String> signatures = new ArrayList<>();
        for (String line : checkpoint.substring(split + 2).split("\n")) {
            if (line.startsWith("\u2014 ") && signatures.size() < 16) signatures.add(line);
        }
        for (String line : signatures) {
            int space = line.lastIndexOf(' ');
            byte[] signed = Json.base64(line.substring(space + 1), "checkpoint signature");
            if (signed.length <= 4) continue;
            byte[] signature = Arrays.copyOfRange(signed, 4, signed.length);
            if (Crypto.verifies(log.key(), body.getBytes(StandardCharsets.UTF_8), signature)) return;
        }
        throw new Rejected("checkpoint not signed by the Rekor log's key");
    }

    /**
     * Whether the log entry is about this signature: Rekor's {@code hashedrekord} and {@code rekord} name the payload's
     * hash and the signature, {@code dsse} and {@code intoto} the DSSE payload's hash. A valid entry about another
     * signature proves nothing about this one.
     */
    static void checkBody(Entry entry, Binding binding) throws Rejected {
        JsonNode body = Json.parse(entry.body(), "Rekor entry body");
        String kind = Json.text(body, "kind", "Rekor entry body");
        JsonNode spec = Json.object(body, "spec", "Rekor entry body");
        String what = "Rekor " + kind + " entry";
        String payloadHash = HexFormat.of().formatHex(binding.payloadSha256());
        switch (kind) {
            case "hashedrekord", "rekord" -> {
                JsonNode data = Json.object(spec, "data", what);
                String hash = Json.text(Json.object(data, "hash", what), "value", what);
                if (!hash.equalsIgnoreCase(payloadHash)) throw new Rejected(what + " is about another payload");
                JsonNode signature = Json.object(spec, "signature", what);
                if (!Arrays.equals(Json.base64(signature, "content", what), binding.signature())) {
                    throw new Rejected(what + " is about another signature");
                }
                checkCertificate(Json.optionalObject(signature, "publicKey", what), "content", binding, what);
            }
            case "dsse" -> {
                String hash = Json.text(Json.object(spec, "payloadHash", what), "value", what);
                if (!hash.equalsIgnoreCase(payloadHash)) throw new Rejected(what + " is about another payload");
                boolean signatureFound = false;
                for (JsonNode signature : Json.array(spec, "signatures", what, 16)) {
                    if (Arrays.equals(Json.base64(signature, "signature", what), binding.signature())) {
                        signatureFound = true;
                        checkCertificate(Optional.of(signature), "verifier", binding, what);
                    }
                }
                if (!signatureFound) throw new Rejected(what + " is about another signature");
            }
            case "intoto" -> {
                JsonNode content = Json.object(spec, "content", what);
                String hash = Json.text(Json.object(content, "payloadHash", what), "value", what);
                if (!hash.equalsIgnoreCase(payloadHash)) throw new Rejected(what + " is about another payload");
            }
            default -> throw new Rejected("Rekor entry of kind " + Fulcio.printable(kind) + " is not understood");
        }
    }

    /** The entry names the signer's key or certificate as base64 of its PEM; it must be this signature's certificate. */
    private static void checkCertificate(Optional<JsonNode> holder, String field, Binding binding, String what)
            throws Rejected {
        if (binding.certificate().isEmpty() || holder.isEmpty() || !holder.get().has(field)) return;
        String pem = new String(Json.base64(holder.get(), field, what), StandardCharsets.UTF_8);
        if (!pem.contains("BEGIN CERTIFICATE")) throw new Rejected(what + " names a key, not the signing certificate");
        X509Certificate logged = Crypto.pemCertificates(pem, what + " certificate").getFirst();
        if (!logged.equals(binding.certificate().get())) throw new Rejected(what + " names another certificate");
    }

    private static byte[] sha256(byte prefix, byte[] a, byte[] b) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(prefix);
            digest.update(a);
            digest.update(b);
            return digest.digest();
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
