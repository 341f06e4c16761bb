package dev.stowage.scanning.version;

import dev.stowage.scanning.inventory.PackageType;

/** The version ordering of each package type. */
public final class VersionSchemes {
    private VersionSchemes() {
    }

    public static VersionScheme of(PackageType type) {
        return switch (type) {
            case DEBIAN -> DebianVersionScheme.INSTANCE;
            case ALPINE -> ApkVersionScheme.INSTANCE;
            case RPM -> RpmVersionScheme.INSTANCE;
            case GO, NPM, CARGO -> SemVerScheme.INSTANCE;
            case PYPI -> Pep440Scheme.INSTANCE;
            case MAVEN -> MavenVersionScheme.INSTANCE;
            case RUBYGEMS -> RubyGemsVersionScheme.INSTANCE;
            // NuGet (NuGet.Versioning: up to four numeric parts, case-insensitive pre-release labels) and Composer
            // (semver-like with stability flags) are close enough to SemVer for matching with its lenient fallback:
            // neither has a scheme of its own yet.
            case NUGET, PHP_COMPOSER -> SemVerScheme.INSTANCE;
        };
    }
}
