package dev.stowage.trust;

import dev.stowage.signatures.TrustPolicy;

/**
 * What the registry itself signs with for a project (managed signing): the project's public keys, current and
 * retired, and its Notation trust store. A project's trust policy that trusts managed signing trusts these, so
 * signatures made before a key rotation still verify.
 */
@FunctionalInterface
public interface ManagedTrust {
    TrustPolicy of(String project);

    ManagedTrust NONE = project -> TrustPolicy.NONE;
}
