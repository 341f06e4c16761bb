package dev.stowage.trust.signing;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.LoadingCache;
import dev.stowage.core.Digest;
import dev.stowage.signatures.TrustPolicy;
import dev.stowage.signatures.notation.NotationCertificates;
import dev.stowage.trust.ManagedTrust;

import javax.security.auth.x500.X500Principal;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A project's managed keys: made when first needed (an ECDSA P-256 key, and with the project's first key its root CA),
 * rotated on request (a new active key with a new leaf under the same root; the old key retired, never deleted), and
 * the trust they add up to ({@link ManagedTrust}): every key's public key, active and retired, and the project's
 * root(s) as a Notation trust store whose trusted identities are the leaves' subjects. So signatures made before a
 * rotation keep verifying.
 */
public final class ManagedKeys implements ManagedTrust {
    /** The root outlives every leaf it issues; Notation checks a leaf's validity at verification time. */
    static final Duration ROOT_VALIDITY = Duration.ofDays(365L * 30);
    static final Duration LEAF_VALIDITY = Duration.ofDays(365L * 20);
    /** Rotations a project may have made; each retired key is kept (and trusted) for good, so they are bounded. */
    public static final int MAX_KEYS = 100;
    /** What the Notation trust store of the managed keys is called in verification results. */
    public static final String TRUST_STORE_NAME = "stowage-managed";
    /** Certificates issued before "now" by this much, so a verifier whose clock is a little behind accepts them. */
    private static final Duration BACKDATE = Duration.ofMinutes(5);

    /** A project has reached {@link #MAX_KEYS}. */
    public static final class TooManyKeysException extends IllegalStateException {
        TooManyKeysException(String project) {
            super("project " + project + " has " + MAX_KEYS + " managed keys, the most it may have; retired keys are kept "
                    + "so that old signatures verify, so no further rotation is possible");
        }
    }

    private final ManagedKeyStore store;
    private final Clock clock;
    /** Trust is asked for on verification; keys change only by rotation, which this node's writes clear here. */
    private final LoadingCache<String, TrustPolicy> trust;

    public ManagedKeys(ManagedKeyStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
        this.trust = Caffeine.newBuilder().maximumSize(10_000).expireAfterWrite(Duration.ofSeconds(5))
                .build(this::load);
    }

    public ManagedKeyStore store() {
        return store;
    }

    /** The project's keys, newest first. */
    public List<ManagedKey> keys(String project) {
        return store.keys(project);
    }

    /** The project's active key, made (with the project's root, the first time) if it has none. */
    public SigningKey activeKey(String project) {
        Optional<SigningKey> active = store.activeKey(project);
        if (active.isPresent()) return active.get();
        ProjectRoot root = root(project);
        store.addIfNoActiveKey(issue(root, project));
        trust.invalidate(project);
        // ours, or another node's that came first
        return store.activeKey(project).orElseThrow(() -> new IllegalStateException("no active key for " + project));
    }

    /** Retires the active key (if any) and makes a new one active; answers the new key. */
    public ManagedKey rotate(String project) {
        for (int attempt = 0; attempt < 3; attempt++) {
            Optional<SigningKey> current = store.activeKey(project);
            if (current.isEmpty()) return activeKey(project).key();
            if (store.keys(project).size() >= MAX_KEYS) throw new TooManyKeysException(project);
            SigningKey next = issue(root(project), project);
            boolean rotated = store.rotate(project, current.get().key().id(), next, clock.instant());
            trust.invalidate(project);
            if (rotated) return next.key();
        }
        throw new IllegalStateException("the managed key of " + project + " is being rotated elsewhere; try again");
    }

    private ProjectRoot root(String project) {
        Optional<ProjectRoot> existing = store.root(project);
        if (existing.isPresent()) return existing.get();
        Instant now = clock.instant();
        NotationCertificates.Issued ca = NotationCertificates.projectRoot(project, now.minus(BACKDATE), ROOT_VALIDITY);
        return store.putRootIfAbsent(new ProjectRoot(project, ca.key(), ca.certificate(), now));
    }

    private SigningKey issue(ProjectRoot root, String project) {
        Instant now = clock.instant();
        KeyPair keys = NotationCertificates.newEcKeyPair();
        NotationCertificates.Issued leaf = NotationCertificates.signingLeaf(
                new NotationCertificates.Issued(root.privateKey(), List.of(root.certificate())), project, keys,
                now.minus(BACKDATE), LEAF_VALIDITY);
        ManagedKey key = new ManagedKey(keyId(keys.getPublic()), project, ManagedKey.State.ACTIVE, keys.getPublic(),
                leaf.chain(), now, Optional.empty());
        return new SigningKey(key, keys.getPrivate());
    }

    /** The id verification results name a key by: SHA-256 (hex) of its SubjectPublicKeyInfo. */
    public static String keyId(java.security.PublicKey key) {
        return Digest.sha256Of(key.getEncoded()).hex();
    }

    /** The trust the project's managed keys add up to; {@link TrustPolicy#NONE} for a project that has none. */
    @Override
    public TrustPolicy of(String project) {
        return trust.get(project);
    }

    private TrustPolicy load(String project) {
        List<ManagedKey> keys = store.keys(project);
        if (keys.isEmpty()) return TrustPolicy.NONE;
        List<TrustPolicy.TrustedKey> trusted = new ArrayList<>();
        Map<String, X509Certificate> roots = new LinkedHashMap<>();
        Set<String> identities = new LinkedHashSet<>();
        for (ManagedKey key : keys) {
            trusted.add(new TrustPolicy.TrustedKey(TRUST_STORE_NAME + "/" + key.id(), key.publicKey()));
            roots.putIfAbsent(keyId(key.root().getPublicKey()), key.root());
            identities.add(identity(key.leaf()));
        }
        return new TrustPolicy(trusted, List.of(new TrustPolicy.X509TrustStore(TRUST_STORE_NAME,
                List.copyOf(roots.values()), List.copyOf(identities))), List.of());
    }

    /** Notation's trusted identity of a leaf: {@code x509.subject: CN=team signing,OU=team,O=Stowage}. */
    static String identity(X509Certificate leaf) {
        return "x509.subject: " + leaf.getSubjectX500Principal().getName(X500Principal.RFC2253);
    }
}
