package dev.stowage.signatures;

import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A project's trust policy: the public keys, X.509 trust stores and keyless Sigstore identities whose signatures it
 * accepts. A signature verifies when it is cryptographically valid over a payload naming the manifest's digest and is
 * made by one of these.
 */
public record TrustPolicy(List<TrustedKey> keys, List<X509TrustStore> trustStores, List<KeylessIdentity> identities) {
    public static final TrustPolicy NONE = new TrustPolicy(List.of(), List.of(), List.of());

    public TrustPolicy {
        keys = List.copyOf(keys);
        trustStores = List.copyOf(trustStores);
        identities = List.copyOf(identities);
    }

    public boolean trustsAnything() {
        return !keys.isEmpty() || !trustStores.isEmpty() || !identities.isEmpty();
    }

    /** A trusted public key (ECDSA P-256/P-384, Ed25519, RSA) under an administrator's name. */
    public record TrustedKey(String name, PublicKey key) {}

    /**
     * Notation's model: trusted root (or intermediate) CA certificates, and the subjects a signing certificate may
     * have ({@code trustedIdentities}: full distinguished names as in Notation's {@code x509.subject:} entries, or
     * {@code *} for any subject the roots issued). The store's {@code type} is Notation's trust store type: a
     * {@code ca} store verifies {@code notary.x509} signatures only, a {@code signingAuthority} store
     * {@code notary.x509.signingAuthority} signatures only, whose signed signing time the verifier believes.
     */
    public record X509TrustStore(String name, List<X509Certificate> roots, List<String> trustedIdentities,
                                 X509TrustStoreType type) {
        public X509TrustStore {
            roots = List.copyOf(roots);
            trustedIdentities = List.copyOf(trustedIdentities);
            java.util.Objects.requireNonNull(type, "type");
        }

        /** A {@code ca} store, the kind almost every policy has. */
        public X509TrustStore(String name, List<X509Certificate> roots, List<String> trustedIdentities) {
            this(name, roots, trustedIdentities, X509TrustStoreType.CA);
        }
    }

    /** Notation's trust store types ({@code x509/ca}, {@code x509/signingAuthority}), by their policy names. */
    public enum X509TrustStoreType {
        CA("ca"),
        SIGNING_AUTHORITY("signingAuthority");

        private final String policyName;

        X509TrustStoreType(String policyName) {
            this.policyName = policyName;
        }

        public String policyName() { return policyName; }
    }

    /**
     * A keyless Sigstore identity: the certificate's OIDC issuer and its subject (SAN), each exact or a regular
     * expression that must match whole, as cosign's {@code --certificate-identity(-regexp)} and
     * {@code --certificate-oidc-issuer(-regexp)}.
     */
    public record KeylessIdentity(String name, Optional<String> issuer, Optional<Pattern> issuerRegExp,
                                  Optional<String> subject, Optional<Pattern> subjectRegExp) {
        public boolean matches(String oidcIssuer, String identity) {
            boolean issuerOk = issuer.map(oidcIssuer::equals).orElse(true)
                    && issuerRegExp.map(p -> boundedMatch(p, oidcIssuer)).orElse(true);
            boolean subjectOk = subject.map(identity::equals).orElse(true)
                    && subjectRegExp.map(p -> boundedMatch(p, identity)).orElse(true);
            return issuerOk && subjectOk;
        }

        /** How many characters a match may read: an expression that backtracks past it matches nothing. */
        static final int MATCH_BUDGET = 1_000_000;

        /**
         * A whole match that gives up (as no match) after {@link #MATCH_BUDGET} character reads: an administrator's
         * expression such as {@code (a+)+$} against a signer's crafted identity must not hold a verification thread.
         */
        static boolean boundedMatch(Pattern pattern, String text) {
            try {
                return pattern.matcher(new Budgeted(text, MATCH_BUDGET)).matches();
            } catch (Budgeted.Exhausted e) {
                return false;
            }
        }

        private static final class Budgeted implements CharSequence {
            static final class Exhausted extends RuntimeException {
                Exhausted() {
                    super(null, null, false, false);
                }
            }

            private final String text;
            private final int[] left;

            Budgeted(String text, int budget) {
                this(text, new int[] {budget});
            }

            private Budgeted(String text, int[] left) {
                this.text = text;
                this.left = left;
            }

            @Override
            public char charAt(int index) {
                if (--left[0] < 0) throw new Exhausted();
                return text.charAt(index);
            }

            @Override
            public int length() {
                return text.length();
            }

            @Override
            public CharSequence subSequence(int start, int end) {
                return new Budgeted(text.substring(start, end), left);
            }

            @Override
            public String toString() {
                return text;
            }
        }
    }
}
