package dev.stowage.scanning.external;

import dev.stowage.scanning.inventory.FoundPackage;
import dev.stowage.scanning.inventory.Inventory;
import dev.stowage.scanning.inventory.OperatingSystem;
import dev.stowage.scanning.inventory.PackageType;
import dev.stowage.scanning.vuln.Finding;
import dev.stowage.scanning.vuln.Severity;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;

import static org.assertj.core.api.Assertions.assertThat;

/** The Trivy-shaped report of a Debian 11 image, fetched from a spec-following adapter, as Stowage findings. */
class HarborReportMapperTest {
    private static final String BASE_LAYER = "sha256:" + "ba".repeat(32);
    private static final FoundPackage LIBSSL = new FoundPackage(PackageType.DEBIAN, "libssl1.1", "1.1.1n-0+deb11u3",
            "openssl", null, "pkg:deb/debian/libssl1.1@1.1.1n-0%2Bdeb11u3?arch=amd64&distro=debian-11", BASE_LAYER,
            "/var/lib/dpkg/status");
    private static final Inventory BULLSEYE = new Inventory(
            Optional.of(new OperatingSystem("debian", "11", "Debian GNU/Linux 11 (bullseye)")),
            List.of(LIBSSL), List.of());

    private static HarborReport report;

    @BeforeAll
    static void fetchReport() throws Exception {
        try (SpecAdapter adapter = new SpecAdapter(null, null);
             ScannerAdapterClient client = new ScannerAdapterClient(
                     new ScannerAdapterRegistration("trivy", adapter.url(), AdapterAuthentication.NONE),
                     ScannerAdapterClient.Settings.defaults())) {
            adapter.report = ScannerAdapterClientTest.bullseyeReport();
            report = client.scan(ScannerAdapterClientTest.TARGET, ScannerAdapterClientTest.PULL_TOKEN,
                    Instant.now().plus(Duration.ofMinutes(1)));
        }
    }

    @Test
    void aPackageOfTheInventoryGivesTheFindingStowagesLayerAndPath() {
        Finding finding = HarborReportMapper.findings(report, BULLSEYE).get(0);

        assertThat(finding.id()).isEqualTo("CVE-2023-0286");
        assertThat(finding.pkg()).isEqualTo(LIBSSL);
        assertThat(finding.fixedVersion()).hasValue("1.1.1n-0+deb11u4");
        assertThat(finding.severity()).isEqualTo(Severity.HIGH);
        assertThat(finding.score()).hasValue(7.4);
        assertThat(finding.vector()).hasValue("CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:H");
        assertThat(finding.summary()).isEqualTo("There is a type confusion vulnerability relating to X.400 address"
                + " processing inside an X.509 GeneralName.");
    }

    @Test
    void aPurlDecidesTheTypeOfAPackageStowageDidNotFind() {
        Finding finding = HarborReportMapper.findings(report, BULLSEYE).get(2);

        assertThat(finding.pkg().type()).isEqualTo(PackageType.GO);
        assertThat(finding.pkg().name()).isEqualTo("github.com/docker/distribution");
        assertThat(finding.pkg().version()).isEqualTo("2.6.2+incompatible");
        assertThat(finding.pkg().purl()).isEqualTo("pkg:golang/github.com/docker/distribution@v2.6.2%2Bincompatible");
        assertThat(finding.pkg().layer()).isEqualTo("sha256:9b1c5e3b8a2f4d6c7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d");
        assertThat(finding.pkg().path()).isEmpty();
    }

    @Test
    void aGoModuleOfTheInventoryIsMatchedThoughTheAdapterWritesItsVersionWithV() {
        FoundPackage distribution = new FoundPackage(PackageType.GO, "github.com/docker/distribution",
                "2.6.2+incompatible", null, null, "pkg:golang/github.com/docker/distribution@v2.6.2%2Bincompatible",
                "sha256:" + "9b".repeat(32), "/usr/bin/docker-registry");
        Inventory withGoBinary = new Inventory(BULLSEYE.operatingSystem(), List.of(LIBSSL, distribution), List.of());

        Finding finding = HarborReportMapper.findings(report, withGoBinary).get(2);

        assertThat(finding.pkg()).isEqualTo(distribution);
        assertThat(finding.fixedVersion()).hasValue("2.7.0-rc.0+incompatible");
    }

    @Test
    void cvssV3IsPreferredAndCveIdsOfTheLinksBecomeAliases() {
        Finding finding = HarborReportMapper.findings(report, BULLSEYE).get(2);

        assertThat(finding.id()).isEqualTo("GHSA-h62f-wm92-2cmw");
        assertThat(finding.aliases()).containsExactly("CVE-2017-11468");
        assertThat(finding.score()).hasValue(7.5);
        assertThat(finding.vector()).hasValue("CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H");
        assertThat(finding.severity()).isEqualTo(Severity.MEDIUM);
    }

    @Test
    void withoutPurlTheImagesOperatingSystemDecidesTheType() {
        Finding onDebian = HarborReportMapper.findings(report, BULLSEYE).get(3);
        Finding onAlpine = HarborReportMapper.findings(report, new Inventory(
                Optional.of(new OperatingSystem("alpine", "3.19.1", "Alpine Linux v3.19")), List.of(), List.of())).get(3);

        assertThat(onDebian.pkg().type()).isEqualTo(PackageType.DEBIAN);
        assertThat(onDebian.pkg().purl()).isEqualTo("pkg:deb/debian/tar@1.34%2Bdfsg-1");
        assertThat(onDebian.pkg().layer()).isEmpty();
        assertThat(onAlpine.pkg().type()).isEqualTo(PackageType.ALPINE);
        assertThat(onAlpine.pkg().purl()).isEqualTo("pkg:apk/alpine/tar@1.34%2Bdfsg-1");
    }

    @Test
    void withNothingKnownThePackageIsTakenForDebian() {
        Finding finding = HarborReportMapper.findings(report,
                new Inventory(Optional.empty(), List.of(), List.of())).get(3);

        assertThat(finding.pkg().type()).isEqualTo(PackageType.DEBIAN);
        assertThat(finding.pkg().purl()).isEqualTo("pkg:deb/tar@1.34%2Bdfsg-1");
    }

    @Test
    void negligibleIsLowEvenWithAHighV2Score() {
        Finding finding = HarborReportMapper.findings(report, BULLSEYE).get(3);

        assertThat(finding.severity()).isEqualTo(Severity.LOW);
        assertThat(finding.score()).hasValue(10.0);
        assertThat(finding.vector()).hasValue("AV:N/AC:L/Au:N/C:C/I:C/A:C");
        assertThat(finding.fixedVersion()).isEmpty();
    }

    @ParameterizedTest
    @CsvSource({"Critical,,CRITICAL", "High,,HIGH", "Medium,,MEDIUM", "Low,,LOW", "Negligible,,LOW",
            "Unknown,,UNKNOWN", "Unknown,9.8,CRITICAL", "Unknown,5.3,MEDIUM", "Bogus,,UNKNOWN", "high,,HIGH"})
    void severityComesFromTheLabelElseTheScore(String label, Double score, Severity expected) {
        assertThat(HarborReportMapper.severity(label,
                score == null ? OptionalDouble.empty() : OptionalDouble.of(score))).isEqualTo(expected);
    }
}
