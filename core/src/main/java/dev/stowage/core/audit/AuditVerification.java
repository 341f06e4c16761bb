package dev.stowage.core.audit;

import dev.stowage.core.spi.AuditStore;

import java.security.PublicKey;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Checks the audit trail: the chain itself (every hash recomputes, every record links to the one before, no
 * sequence is missing) and its anchors (signed checkpoints, exported heads), which find what the chain alone cannot:
 * records removed from its end, and a chain recomputed after an edit.
 */
public final class AuditVerification {
    private static final int PAGE = 10_000;

    private AuditVerification() {}

    /**
     * The chain walked from {@code fromSequence} (whose hash is {@code fromHash}; 0 and {@link AuditRecord#GENESIS}
     * for the whole trail) to its end: how many records were verified, where it ends, the first problem, and the
     * hashes of the records at the {@code watched} sequences.
     */
    public record Chain(boolean intact, long verified, long lastSequence, String lastHash, long firstBadSequence,
                        String problem, Map<Long, String> hashesAt) {}

    public static Chain walk(AuditStore store, long fromSequence, String fromHash, Set<Long> watched) {
        long after = fromSequence;
        String previous = fromHash;
        long count = 0;
        Map<Long, String> hashes = new HashMap<>();
        if (watched.contains(fromSequence)) hashes.put(fromSequence, fromHash);
        while (true) {
            List<AuditRecord> page = store.query(after, PAGE, Optional.empty(), Optional.empty(), Optional.empty(),
                    Optional.empty(), Optional.empty());
            if (page.isEmpty()) return new Chain(true, count, after, previous, -1, "", hashes);
            for (AuditRecord r : page) {
                String problem = null;
                if (r.sequence() != after + 1) {
                    problem = "records " + (after + 1) + ".." + (r.sequence() - 1) + " are missing";
                } else if (!r.previousHash().equals(previous)) {
                    problem = "chain broken at " + r.sequence() + ": it does not link to record " + after;
                } else if (!r.isIntact()) {
                    problem = "record " + r.sequence() + " was altered";
                }
                if (problem != null) return new Chain(false, count, after, previous, r.sequence(), problem, hashes);
                previous = r.hash();
                after = r.sequence();
                if (watched.contains(after)) hashes.put(after, previous);
                count++;
            }
        }
    }

    /**
     * What the walked (intact) chain and {@code anchor} disagree on, in words; empty when the chain reaches the
     * anchor's sequence and has the anchor's hash there.
     */
    public static Optional<String> disagreement(Chain chain, AuditCheckpoint anchor) {
        if (anchor.sequence() > chain.lastSequence()) {
            long first = chain.lastSequence() + 1;
            return Optional.of("the " + describe(anchor) + " is at record " + anchor.sequence() + " but the trail ends at "
                    + chain.lastSequence() + ": " + (first == anchor.sequence() ? "record " + first + " was"
                    : "records " + first + ".." + anchor.sequence() + " were") + " removed");
        }
        String hash = chain.hashesAt().get(anchor.sequence());
        if (hash == null) return Optional.of("record " + anchor.sequence() + " was not checked");
        if (!hash.equals(anchor.hash())) {
            return Optional.of("record " + anchor.sequence() + " has hash " + hash + " but the " + describe(anchor)
                    + " says " + anchor.hash() + ": a record up to " + anchor.sequence()
                    + " was changed, removed or inserted and the chain recomputed");
        }
        return Optional.empty();
    }

    /** The key among {@code trusted} whose signature {@code checkpoint} carries; empty when none. */
    public static Optional<PublicKey> signer(AuditCheckpoint checkpoint, Collection<PublicKey> trusted) {
        return trusted.stream().filter(k -> CheckpointKey.verifies(checkpoint, k)).findFirst();
    }

    /** The checkpoint with the highest sequence whose signature checks with one of {@code trusted}. */
    public static Optional<AuditCheckpoint> latestTrusted(List<AuditCheckpoint> checkpoints, Collection<PublicKey> trusted) {
        return checkpoints.stream().filter(c -> signer(c, trusted).isPresent())
                .max(java.util.Comparator.comparingLong(AuditCheckpoint::sequence));
    }

    /**
     * What a list of checkpoints in the order they were written (a stream file, a log) contradicts itself in: one
     * key's checkpoints going back in sequence (the node signed over a trail that had lost records), or two
     * checkpoints for one sequence with different hashes (a record there was replaced). Empty when consistent.
     */
    public static List<String> contradictions(List<AuditCheckpoint> inWrittenOrder) {
        List<String> out = new java.util.ArrayList<>();
        Map<String, AuditCheckpoint> lastByKey = new HashMap<>();
        Map<Long, AuditCheckpoint> bySequence = new HashMap<>();
        for (AuditCheckpoint c : inWrittenOrder) {
            AuditCheckpoint before = lastByKey.put(c.keyId(), c);
            if (before != null && c.sequence() < before.sequence()) {
                out.add("the " + describe(c) + " is at record " + c.sequence() + ", after the " + describe(before)
                        + " at record " + before.sequence() + ": checkpoints went back, so records after " + c.sequence()
                        + " were removed and their sequence numbers used again");
            }
            AuditCheckpoint same = bySequence.putIfAbsent(c.sequence(), c);
            if (same != null && !same.hash().equals(c.hash())) {
                out.add("two checkpoints for record " + c.sequence() + " disagree: the " + describe(same) + " says "
                        + same.hash() + ", the " + describe(c) + " says " + c.hash() + ": records up to " + c.sequence()
                        + " were replaced");
            }
        }
        return out;
    }

    private static String describe(AuditCheckpoint anchor) {
        return anchor.signed() ? "checkpoint signed at " + anchor.at() : "exported head";
    }
}
