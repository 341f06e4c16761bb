package dev.stowage.core.audit;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * An audit event in the tamper-evident chain: its sequence number and hash, where
 * {@code hash = SHA-256(previousHash + "\n" + canonical(event))}. Changing, removing or reordering any record
 * breaks every hash after it. The manifest digest joined the canonical form later: it is part of it only when
 * present, so the records written before keep their hashes.
 */
public record AuditRecord(long sequence, AuditEvent event, String previousHash, String hash) {
    public static final String GENESIS = "0".repeat(64);

    public static AuditRecord chain(long sequence, AuditEvent event, String previousHash) {
        return new AuditRecord(sequence, event, previousHash, hashOf(sequence, event, previousHash));
    }

    public boolean isIntact() {
        return hash.equals(hashOf(sequence, event, previousHash));
    }

    static String hashOf(long sequence, AuditEvent e, String previousHash) {
        String canonical = String.join("\u001f", Long.toString(sequence), Long.toString(e.at().toEpochMilli()),
                nz(e.actor()), nz(e.sourceAddress()), nz(e.userAgent()), nz(e.action()), nz(e.repository()),
                nz(e.reference()), Integer.toString(e.outcome()), nz(e.detail()))
                + (nz(e.digest()).isEmpty() ? "" : "\u001f" + e.digest());
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(previousHash.getBytes(StandardCharsets.US_ASCII));
            sha.update((byte) '\n');
            sha.update(canonical.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException ex) {
            throw new IllegalStateException(ex);
        }
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }
}
