package dev.stowage.scanning.external;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * An adapter's vulnerability report ({@code application/vnd.security.vulnerability.report; version=1.1}), as sent.
 * {@link HarborReportMapper} turns it into Stowage findings.
 */
public record HarborReport(Optional<Instant> generatedAt, String scannerName, String scannerVendor,
                           String scannerVersion, String artifactRepository, String artifactDigest,
                           List<Vulnerability> vulnerabilities) {
    public HarborReport {
        vulnerabilities = List.copyOf(vulnerabilities);
    }

    /**
     * One item of {@code vulnerabilities}. {@code purl} and {@code layerDigest} are not in the v1.1 schema but the
     * Trivy adapter sends them ({@code purl}, {@code layer.digest}); empty when absent.
     *
     * @param severity the adapter's label as sent: Unknown, Negligible, Low, Medium, High or Critical
     */
    public record Vulnerability(String id, String packageName, String version, Optional<String> fixVersion,
                                String severity, String description, List<String> links,
                                OptionalDouble scoreV3, Optional<String> vectorV3,
                                OptionalDouble scoreV2, Optional<String> vectorV2,
                                Optional<String> purl, Optional<String> layerDigest) {
        public Vulnerability {
            links = List.copyOf(links);
        }
    }
}
