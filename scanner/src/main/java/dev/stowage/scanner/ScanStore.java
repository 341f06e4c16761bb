package dev.stowage.scanner;

import dev.stowage.core.Digest;
import dev.stowage.core.RepositoryName;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/** Where the scanner keeps vulnerability data, inventories, reports, its queue and the projects' policies. */
public interface ScanStore {

    // --- vulnerability data ------------------------------------------------------------------------------

    /** One OSV document to store: its id, when its source says it last changed, the hash of its bytes. */
    record VulnerabilityDocument(String id, Instant modified, String sha256, byte[] document) {}

    /** What is stored of one source (an ecosystem export such as {@code Go}, or {@code Debian}). */
    record SourceStatus(String source, String origin, Instant importedAt, Instant newestModified, int records) {}

    /** The data's version: raised by every import that changed something. */
    record Generation(long number, Instant changedAt) {}

    /** The ids of a source's stored documents with the hashes of their bytes. */
    Map<String, String> documentHashes(String source);

    /**
     * Writes one batch of a source's changed documents (insert or replace by id), in one transaction. An id stored under
     * another source moves to this one.
     */
    void putDocuments(String source, List<VulnerabilityDocument> documents, Instant now);

    /** Removes documents of a source that its latest full export no longer holds. */
    void removeDocuments(String source, List<String> ids);

    /** Records a finished import of a source and, when it changed anything, raises the generation. */
    Generation finishImport(String source, String origin, Instant newestModified, boolean changed, Instant now);

    /** Every stored document, one at a time (the index is built from them without holding the raw bytes). */
    void forEachDocument(Consumer<byte[]> document);

    List<SourceStatus> sources();

    Generation generation();

    // --- inventories and reports -------------------------------------------------------------------------

    void putInventory(Digest manifest, byte[] gzippedJson, Instant now);

    Optional<byte[]> inventory(Digest manifest);

    enum Status { QUEUED, RUNNING, COMPLETED, FAILED, UNSUPPORTED }

    /** The latest report of a manifest; {@code report} is gzip'd JSON (absent while queued or running). */
    record StoredReport(Digest manifest, RepositoryName repository, Status status, String scanner, long generation, SeverityCounts counts,
                        Optional<byte[]> report, String error, Instant updatedAt) {}

    record SeverityCounts(int critical, int high, int medium, int low, int unknown) {
        public static final SeverityCounts NONE = new SeverityCounts(0, 0, 0, 0, 0);

        public int total() {
            return critical + high + medium + low + unknown;
        }
    }

    void putReport(StoredReport report);

    /** Marks a manifest queued or running without losing its last completed findings. */
    void markStatus(RepositoryName repository, Digest manifest, Status status, Instant now);

    Optional<StoredReport> report(Digest manifest);

    /** A completed report matched against older data; {@code inventory}: an image's, which a re-match reads. */
    record Behind(RepositoryName repository, Digest manifest, boolean inventory) {}

    /** Completed reports matched against an older generation than {@code generation}: what a re-match must redo. */
    List<Behind> reportsBehind(long generation, Optional<Digest> after, int limit);

    /** Takes the cluster-wide right to re-match for {@code leaseFor} (one node re-matches at a time). */
    boolean claimRematch(Instant now, java.time.Duration leaseFor);

    /** Gives the right to re-match back (at the end of a re-match, so the next data change is re-matched at once). */
    void releaseRematch();

    // --- the queue ---------------------------------------------------------------------------------------

    record Job(RepositoryName repository, Digest manifest, String reason, int attempts, Instant leaseUntil) {}

    /** Queues a manifest (once: a manifest already queued keeps its place). Answers whether it was added. */
    boolean enqueue(RepositoryName repository, Digest manifest, String reason, Instant now);

    /** Claims the oldest due job for {@code leaseFor}; other nodes skip it until the lease ends. */
    Optional<Job> claim(Instant now, java.time.Duration leaseFor);

    /** Removes a finished job (only while this node's claim on it holds). */
    void finish(Job job);

    /** Puts a failed job back, due at {@code next}. */
    void retry(Job job, Instant next);

    int queued();

    // --- policies ----------------------------------------------------------------------------------------

    Optional<ProjectScanPolicy> policy(String project);

    void putPolicy(String project, ProjectScanPolicy policy, Instant now);

    /** Every project's stored policy (the pull check keeps them all in memory). */
    Map<String, ProjectScanPolicy> policies();

    /** The allowlist of a project, or of every project when {@code scope} is empty. */
    List<AllowlistEntry> allowlist(String scope);

    void replaceAllowlist(String scope, List<AllowlistEntry> entries);
}
