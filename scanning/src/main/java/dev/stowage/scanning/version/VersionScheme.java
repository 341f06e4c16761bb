package dev.stowage.scanning.version;

import java.util.Comparator;

/**
 * The ordering of versions in one ecosystem, as its package manager orders them (dpkg, apk, rpmvercmp, SemVer 2.0,
 * PEP 440, Maven's ComparableVersion). {@link #compare} never throws: a version the scheme cannot parse still has a
 * total, deterministic place (so a malformed advisory can never crash a scan).
 */
public interface VersionScheme extends Comparator<String> {
    /** Whether the text is a well-formed version of this scheme. */
    boolean isValid(String version);
}
