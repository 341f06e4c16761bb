/**
 * Detectors of language packages in an image's files, each a {@link dev.stowage.scanning.inventory.PackageDetector}
 * ({@link dev.stowage.scanning.inventory.lang.LanguageDetectors#all()} lists them). Shared conventions:
 * <ul>
 *   <li>names and versions as the ecosystem's own advisories write them: Maven {@code groupId:artifactId}; Go module
 *   paths with versions without {@code v} (the purl keeps it, {@code pkg:golang/golang.org/x/net@v0.7.0}) and the
 *   toolchain as {@code stdlib}; npm names with their scope; PyPI names as the distribution writes them (the purl
 *   carries the PEP 503 form, which matching must use); Composer versions without a leading {@code v};</li>
 *   <li>what a project builds from its own sources (a Cargo workspace crate, a Go module replaced by a local
 *   directory, an npm workspace, the project's own package.json) is not a published package and is not reported;
 *   nor are development-only dependencies named in npm and Composer lockfiles;</li>
 *   <li>nothing is held in memory unbounded: each kind of file has a cap (a manifest 1 MiB, a lockfile 64 MiB), zip
 *   inflation has a budget proportional to the archive, and content over a cap is a
 *   {@link dev.stowage.scanning.inventory.MalformedContentException} with the reason.</li>
 * </ul>
 */
package dev.stowage.scanning.inventory.lang;
