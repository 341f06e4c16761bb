package dev.stowage.core.event;

import dev.stowage.core.Digest;
import dev.stowage.core.RepositoryName;
import dev.stowage.core.Tag;

import dev.stowage.core.governance.QuotaVerdict;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Something that happened in the registry that subscribers outside it may want to hear about. The fields other than
 * {@code id}, {@code type} and {@code time} are null where they do not apply: {@code project} is null only for
 * an event of no project, which no project's webhook receives; {@code tag} is null for a manifest
 * pushed, pulled or deleted by digest. {@code data} carries what is specific to a type (quota figures, collection
 * counts), with values a JSON encoder understands (strings, numbers, booleans, lists and maps of those).
 */
public record RegistryEvent(String id, Type type, Instant time, String project, String repository, String digest,
                            String tag, String mediaType, String actor, Map<String, Object> data) {

    /** What happened, with the CloudEvents {@code type} attribute it is published under. */
    public enum Type {
        PUSH("dev.stowage.artifact.pushed"),
        PULL("dev.stowage.artifact.pulled"),
        DELETE("dev.stowage.artifact.deleted"),
        QUOTA_WARNING("dev.stowage.quota.warning"),
        QUOTA_EXCEEDED("dev.stowage.quota.exceeded"),
        RETENTION_COMPLETED("dev.stowage.retention.completed"),
        GC_COMPLETED("dev.stowage.gc.completed"),
        /** A vulnerability scan of a manifest finished (Harbor's name); {@code data} holds its counts by severity. */
        SCANNING_COMPLETED("dev.stowage.scanning.completed"),
        /** A vulnerability scan of a manifest failed for good; {@code data.error} says why. */
        SCANNING_FAILED("dev.stowage.scanning.failed"),
        /** A signature of a manifest verified against its project's trust policy; {@code data} names the signer. */
        SIGNATURE_VERIFIED("dev.stowage.signature.verified"),
        /** A signature of a manifest failed verification; {@code data.reason} says why. */
        SIGNATURE_FAILED("dev.stowage.signature.failed"),
        /** Sent on request to one webhook to test it; the registry never publishes it and no one subscribes to it. */
        PING("dev.stowage.webhook.ping");

        private final String cloudEventType;

        Type(String cloudEventType) {
            this.cloudEventType = cloudEventType;
        }

        public String cloudEventType() {
            return cloudEventType;
        }

        public boolean subscribable() {
            return this != PING;
        }

        /** The name ({@code PUSH}, {@code push}, {@code quota_warning}) or the CloudEvents type; empty when neither. */
        public static Optional<Type> parse(String text) {
            if (text == null) return Optional.empty();
            String trimmed = text.trim();
            String name = trimmed.toUpperCase(Locale.ROOT).replace('-', '_');
            for (Type t : values()) {
                if (t.name().equals(name) || t.cloudEventType.equals(trimmed)) return Optional.of(t);
            }
            return Optional.empty();
        }
    }

    public RegistryEvent {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(time, "time");
        data = data == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(data));
    }

    public static RegistryEvent pushed(RepositoryName repository, Digest digest, Tag tag, String mediaType, String actor) {
        return artifact(Type.PUSH, repository, digest, tag, mediaType, actor);
    }

    public static RegistryEvent pulled(RepositoryName repository, Digest digest, Tag tag, String mediaType, String actor) {
        return artifact(Type.PULL, repository, digest, tag, mediaType, actor);
    }

    /** A manifest deleted by digest (tag null), or a tag deleted (digest: the manifest it pointed to, when known). */
    public static RegistryEvent deleted(RepositoryName repository, Digest digest, Tag tag, String actor) {
        return artifact(Type.DELETE, repository, digest, tag, null, actor);
    }

    /** Usage of the project reached the warning threshold of one of its limits (once per crossing). */
    public static RegistryEvent quotaWarning(String project, QuotaVerdict.Dimension limit, long used, long limitValue) {
        return quota(Type.QUOTA_WARNING, project, limit, used, limitValue);
    }

    /** A write was refused because it would take usage of the project over one of its limits. */
    public static RegistryEvent quotaExceeded(String project, QuotaVerdict.Dimension limit, long wouldUse, long limitValue) {
        return quota(Type.QUOTA_EXCEEDED, project, limit, wouldUse, limitValue);
    }

    /** A retention run over one project finished; {@code summary} says what it kept and removed. */
    public static RegistryEvent retentionCompleted(String project, Map<String, Object> summary) {
        return new RegistryEvent(TimeOrderedIds.next(), Type.RETENTION_COMPLETED, Instant.now(), project, null, null, null,
                null, null, summary);
    }

    /**
     * A garbage collection removed something of {@code project}; {@code share} says what of it, and nothing of other
     * projects or of the registry as a whole (blobs are content-addressed and, once unreferenced, no project's).
     */
    public static RegistryEvent gcCompleted(String project, Map<String, Object> share) {
        return new RegistryEvent(TimeOrderedIds.next(), Type.GC_COMPLETED, Instant.now(), Objects.requireNonNull(project, "project"),
                null, null, null, null, null, share);
    }

    /** A scan of {@code digest} in {@code repository} ended: completed with {@code data} (counts) or failed. */
    public static RegistryEvent scanned(Type type, RepositoryName repository, Digest digest, Map<String, Object> data) {
        if (type != Type.SCANNING_COMPLETED && type != Type.SCANNING_FAILED) throw new IllegalArgumentException(type.name());
        return new RegistryEvent(TimeOrderedIds.next(), type, Instant.now(), repository.project(), repository.value(),
                digest.toString(), null, null, null, data);
    }

    private static RegistryEvent artifact(Type type, RepositoryName repository, Digest digest, Tag tag, String mediaType,
                                          String actor) {
        return new RegistryEvent(TimeOrderedIds.next(), type, Instant.now(), repository.project(), repository.value(),
                digest == null ? null : digest.toString(), tag == null ? null : tag.value(), mediaType, actor, Map.of());
    }

    /**
     * {@code data}: {@code quota} names the limit ("storage" or "artifacts") and the figures are that limit's own:
     * {@code usedBytes}/{@code limitBytes} or {@code usedArtifacts}/{@code limitArtifacts}.
     */
    private static RegistryEvent quota(Type type, String project, QuotaVerdict.Dimension limit, long used, long limitValue) {
        Map<String, Object> data = new LinkedHashMap<>();
        boolean storage = limit == QuotaVerdict.Dimension.STORAGE;
        data.put("quota", storage ? "storage" : "artifacts");
        data.put(storage ? "usedBytes" : "usedArtifacts", used);
        data.put(storage ? "limitBytes" : "limitArtifacts", limitValue);
        return new RegistryEvent(TimeOrderedIds.next(), type, Instant.now(), project, null, null, null, null, null, data);
    }
}
