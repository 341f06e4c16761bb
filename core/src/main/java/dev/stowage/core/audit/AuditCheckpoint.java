package dev.stowage.core.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A statement that the audit chain had {@code hash} as the hash of record {@code sequence} at time {@code at}.
 * Signed by a node's checkpoint key ({@code keyId} names it, {@code signature} is Ed25519 over
 * {@link #signedText()}), it anchors the chain outside the database: whoever rewrites or truncates the trail after
 * that cannot produce a matching signed checkpoint without the key. Unsigned ({@code keyId} and {@code signature}
 * empty) it is a head an operator exported and kept elsewhere.
 */
public record AuditCheckpoint(long sequence, String hash, Instant at, String keyId, String signature) {
    private static final ObjectMapper JSON = JsonMapper.builder().build();

    public AuditCheckpoint {
        at = Instant.ofEpochMilli(at.toEpochMilli()); // what is signed and stored: milliseconds
        keyId = keyId == null ? "" : keyId;
        signature = signature == null ? "" : signature;
    }

    /** An exported head: no signature, only as trustworthy as the place it was kept. */
    public static AuditCheckpoint head(long sequence, String hash, Instant at) {
        return new AuditCheckpoint(sequence, hash, at, "", "");
    }

    public boolean signed() {
        return !signature.isEmpty();
    }

    /** The bytes the signature covers; a version prefix so that nothing else a key signs can pass for a checkpoint. */
    public byte[] signedText() {
        return ("stowage-audit-checkpoint/1\n" + sequence + "\n" + hash + "\n" + at.toEpochMilli() + "\n" + keyId)
                .getBytes(StandardCharsets.UTF_8);
    }

    /** One JSON line of kind "checkpoint" (as written to the audit stream and the log), or a head without key. */
    public String toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kind", signed() ? "checkpoint" : "head");
        m.put("sequence", sequence);
        m.put("hash", hash);
        m.put("at", at.toString());
        if (signed()) {
            m.put("keyId", keyId);
            m.put("signature", signature);
        }
        try {
            return JSON.writeValueAsString(m);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A checkpoint or head from its JSON, also when embedded in a longer line (a log line, a stream line with a
     * prefix): the text from the first '{' to the last '}'. Anything else is an IllegalArgumentException saying
     * what is missing.
     */
    public static AuditCheckpoint parse(String text) {
        int start = text.indexOf('{');
        int end = text.lastIndexOf('}');
        if (start < 0 || end < start) throw new IllegalArgumentException("no JSON object in it");
        JsonNode node;
        try {
            node = JSON.readTree(text.substring(start, end + 1));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("not valid JSON: " + e.getOriginalMessage());
        }
        if (!node.path("sequence").canConvertToLong() || node.path("sequence").asLong() < 0) {
            throw new IllegalArgumentException("\"sequence\" is missing or not a number");
        }
        String hash = node.path("hash").asText("");
        if (!hash.matches("[0-9a-f]{64}")) throw new IllegalArgumentException("\"hash\" is missing or not 64 hex digits");
        Instant at;
        try {
            at = node.hasNonNull("at") ? Instant.parse(node.path("at").asText()) : Instant.EPOCH;
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("\"at\" is not an ISO-8601 instant");
        }
        String signature = node.path("signature").asText("");
        String keyId = node.path("keyId").asText("");
        if (!signature.isEmpty() && keyId.isEmpty()) throw new IllegalArgumentException("a signature without \"keyId\"");
        return new AuditCheckpoint(node.path("sequence").asLong(), hash, at, keyId, signature);
    }
}
