package dev.stowage.scanning.vuln;

import dev.stowage.scanning.inventory.FoundPackage;

import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * One vulnerability of one package of an image.
 *
 * @param id           the advisory's id (OSV {@code id}: GO-2023-1234, GHSA-..., RUSTSEC-..., DSA-..., CVE-...)
 * @param aliases      its other ids (CVE ids among them)
 * @param summary      the record's summary, or the start of its details
 * @param pkg          the package, with the layer and path it was found at
 * @param fixedVersion the lowest version that fixes it after the installed one, if any is known
 * @param severity     from the CVSS vector (score computed) or else the record's own rating
 * @param score        the CVSS base score when a vector was given
 * @param vector       that vector
 */
public record Finding(String id, List<String> aliases, String summary, FoundPackage pkg, Optional<String> fixedVersion,
                      Severity severity, OptionalDouble score, Optional<String> vector) {
    public Finding {
        aliases = List.copyOf(aliases);
    }
}
