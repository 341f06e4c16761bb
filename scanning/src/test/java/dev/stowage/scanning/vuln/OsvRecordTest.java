package dev.stowage.scanning.vuln;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

import static org.assertj.core.api.Assertions.assertThat;

class OsvRecordTest {

    @Test
    void everyGoRecordParsesAndSeventeenAreWithdrawn() {
        List<OsvRecord> go = VulnData.records(VulnData.osvZip("Go"));
        assertThat(go).hasSize(4291);
        assertThat(go.stream().filter(OsvRecord::isWithdrawn)).hasSize(17);
    }

    @Test
    void everyRustSecRecordParsesAndThirteenAreWithdrawn() {
        List<OsvRecord> crates = VulnData.records(VulnData.osvZip("crates.io"));
        assertThat(crates).hasSize(1206);
        assertThat(crates.stream().filter(OsvRecord::isWithdrawn)).hasSize(13);
    }

    @Test
    void rustSecInformationalKindsAreRead() {
        var kinds = VulnData.records(VulnData.osvZip("crates.io")).stream()
                .flatMap(r -> r.affected().stream())
                .map(a -> a.informational().orElse("none"))
                .collect(java.util.stream.Collectors.groupingBy(k -> k, java.util.stream.Collectors.counting()));
        assertThat(kinds).containsEntry("unmaintained", 267L).containsEntry("unsound", 203L)
                .containsEntry("notice", 6L).containsEntry("none", 730L);
    }

    @Test
    void everyGhsaRecordParses() {
        assertThat(VulnData.records(VulnData.osvZip("Maven"))).hasSize(8);
        assertThat(VulnData.records(VulnData.osvZip("npm"))).hasSize(7);
        assertThat(VulnData.records(VulnData.osvZip("PyPI"))).hasSize(6);
        assertThat(VulnData.records(VulnData.ghsaDirectory())).hasSize(25)
                .noneMatch(OsvRecord::isWithdrawn);
    }

    @Test
    void goRecordKeepsIdAliasesAndItsSemverRange() {
        OsvRecord r = VulnData.record(VulnData.records(VulnData.osvZip("Go")), "GO-2022-1059");
        assertThat(r.aliases()).containsExactly("CVE-2022-32149", "GHSA-69ch-w2m2-3vjp");
        assertThat(r.summary()).startsWith("Denial of service via crafted Accept-Language header");
        assertThat(r.modified()).contains(Instant.parse("0001-01-01T00:00:00Z")); // vulndb's placeholder
        OsvRecord.Affected a = r.affected().get(0);
        assertThat(a.pkg().orElseThrow()).isEqualTo(new OsvRecord.Package("Go", "golang.org/x/text",
                java.util.Optional.empty()));
        assertThat(a.ranges()).containsExactly(new OsvRecord.Range(OsvRecord.RangeType.SEMVER, List.of(
                new OsvRecord.Event(OsvRecord.EventKind.INTRODUCED, "0"),
                new OsvRecord.Event(OsvRecord.EventKind.FIXED, "0.3.8"))));
        assertThat(r.severity()).isEmpty();
    }

    @Test
    void rustSecRecordKeepsPurlAndThreePairsInOneRange() {
        OsvRecord r = VulnData.record(VulnData.records(VulnData.osvZip("crates.io")), "RUSTSEC-2023-0001");
        OsvRecord.Affected a = r.affected().get(0);
        assertThat(a.pkg().orElseThrow().purl()).contains("pkg:cargo/tokio");
        assertThat(a.ranges()).hasSize(1);
        assertThat(a.ranges().get(0).events()).extracting(OsvRecord.Event::version)
                .containsExactly("1.7.0", "1.18.4", "1.19.0", "1.20.3", "1.21.0", "1.23.1");
        assertThat(a.informational()).isEmpty();
    }

    @Test
    void log4ShellIsCriticalTenFromItsVector() {
        OsvRecord r = VulnData.record(VulnData.records(VulnData.ghsaDirectory()), "GHSA-jfh8-c2jp-5v3q");
        assertThat(r.databaseSeverity()).contains("CRITICAL");
        OsvRecord.Rating rating = r.rating();
        assertThat(rating.severity()).isEqualTo(Severity.CRITICAL);
        assertThat(rating.score()).hasValue(10.0);
        assertThat(rating.vector()).contains("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H");
    }

    /** axios' GHSA has {@code "severity": []}: GitHub's MODERATE is the fallback, as MEDIUM. */
    @Test
    void recordWithoutVectorTakesItsOwnRatingModerateAsMedium() {
        OsvRecord.Rating rating = VulnData.record(VulnData.records(VulnData.ghsaDirectory()), "GHSA-wf5p-g6vw-rhxx")
                .rating();
        assertThat(rating.severity()).isEqualTo(Severity.MEDIUM);
        assertThat(rating.score()).isEmpty();
        assertThat(rating.vector()).isEmpty();
    }

    @Test
    void goRecordWithNoRatingAtAllIsUnknown() {
        assertThat(VulnData.record(VulnData.records(VulnData.osvZip("Go")), "GO-2022-1059").rating().severity())
                .isEqualTo(Severity.UNKNOWN);
    }

    /** RUSTSEC-2025-0149 (below) has only a CVSS v4.0 vector; FIRST's reference calculator scores it 7.3. */
    @Test
    void rustSecV4VectorIsScored() {
        OsvRecord r = VulnData.record(VulnData.records(VulnData.osvZip("crates.io")), "RUSTSEC-2025-0149");
        String vector = "CVSS:4.0/AV:L/AC:L/AT:P/PR:L/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N";
        assertThat(r.rating().vector()).contains(vector);
        assertThat(r.rating().score()).isEqualTo(Cvss.baseScore(vector));
        assertThat(r.rating().score()).hasValue(7.3);
        assertThat(r.rating().severity()).isEqualTo(Severity.HIGH);
    }

    @Test
    void v4VectorWinsOverV3() {
        String json = """
                {"id":"X-1","severity":[
                  {"type":"CVSS_V3","score":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H"},
                  {"type":"CVSS_V4","score":"CVSS:4.0/AV:L/AC:L/AT:P/PR:L/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"}],
                 "database_specific":{"severity":"LOW"}}""";
        assertThat(valid(json).rating().score()).hasValue(7.3);
    }

    @Test
    void unscorableVectorFallsBackToTheNextVersionThenTheOwnRating() {
        String json = """
                {"id":"X-1","severity":[{"type":"CVSS_V4","score":"CVSS:4.0/AV:N"},
                  {"type":"CVSS_V3","score":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N"}]}""";
        assertThat(valid(json).rating().score()).hasValue(5.3);
        assertThat(valid("""
                {"id":"X-1","severity":[{"type":"CVSS_V3","score":"garbage"}],"database_specific":{"severity":"high"}}""")
                .rating().severity()).isEqualTo(Severity.HIGH);
    }

    @Test
    void ubuntuPriorityIsTheFallbackOfUbuntuRecords() {
        assertThat(valid("""
                {"id":"UBUNTU-CVE-2024-1","severity":[{"type":"Ubuntu","score":"medium"}]}""").rating().severity())
                .isEqualTo(Severity.MEDIUM);
        assertThat(valid("""
                {"id":"UBUNTU-CVE-2024-1","severity":[{"type":"Ubuntu","score":"negligible"}]}""").rating().severity())
                .isEqualTo(Severity.LOW);
    }

    @Test
    void affectedEntrySeverityCountsWhenTheRecordHasNone() {
        String json = """
                {"id":"X-1","affected":[{"package":{"ecosystem":"npm","name":"a"},
                  "severity":[{"type":"CVSS_V3","score":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H"}]}]}""";
        assertThat(valid(json).rating().severity()).isEqualTo(Severity.CRITICAL);
    }

    /** Older GHSA files write empty arrays as "[\n\n  ]"; unknown fields of later schemas are ignored. */
    @Test
    void toleratesEmptyArraysMissingFieldsAndUnknownFields() {
        OsvRecord r = valid("{\"id\":\"X-1\",\"aliases\":[\n\n  ],\"future_field\":{\"x\":[1,2]},"
                + "\"affected\":[{\"package\":{\"ecosystem\":\"PyPI\",\"name\":\"a\"},\"ranges\":[\n\n  ],"
                + "\"versions\":[\"1.0\"],\"new\":true}]}");
        assertThat(r.aliases()).isEmpty();
        assertThat(r.modified()).isEmpty();
        assertThat(r.summary()).isEmpty();
        assertThat(r.affected().get(0).versions()).containsExactly("1.0");
    }

    @Test
    void gitOnlyAffectedEntryHasNoPackage() {
        OsvRecord r = valid("""
                {"id":"X-1","affected":[{"ranges":[{"type":"GIT","repo":"https://x","events":[{"introduced":"abc"}]}]}]}""");
        assertThat(r.affected().get(0).pkg()).isEmpty();
        assertThat(r.affected().get(0).ranges().get(0).type()).isEqualTo(OsvRecord.RangeType.GIT);
    }

    @Test
    void withdrawnTimeIsRead() {
        OsvRecord r = VulnData.record(VulnData.records(VulnData.osvZip("Go")), "GO-2022-0617");
        assertThat(r.withdrawn()).contains(Instant.parse("2024-08-21T16:25:56Z"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "not json at all|not valid JSON",
            "[1,2]|the document is not a JSON object",
            "{}|id is missing",
            "{\"id\":7}|id is not a string",
            "{\"id\":\"  \"}|id is empty",
            "{\"id\":\"X\",\"aliases\":\"CVE-1\"}|aliases is not an array",
            "{\"id\":\"X\",\"aliases\":[1]}|aliases holds a value that is not a string",
            "{\"id\":\"X\",\"modified\":\"yesterday\"}|modified is not an RFC 3339 time: yesterday",
            "{\"id\":\"X\",\"affected\":{}}|affected is not an array",
            "{\"id\":\"X\",\"affected\":[{\"package\":\"npm/a\"}]}|affected[0].package is not an object",
            "{\"id\":\"X\",\"affected\":[{\"ranges\":[{\"type\":\"SEMVER\",\"events\":[\"1.0\"]}]}]}|affected[0].ranges[0].events[0] is not an object",
            "{\"id\":\"X\",\"affected\":[{\"ranges\":[{\"type\":\"SEMVER\",\"events\":[{\"introduced\":\"0\",\"fixed\":\"1\"}]}]}]}|affected[0].ranges[0].events[0] names more than one event",
            "{\"id\":\"X\",\"affected\":[{\"ranges\":[{\"type\":\"SEMVER\",\"events\":[{\"fixed\":2}]}]}]}|affected[0].ranges[0].events[0].fixed is not a version string",
    })
    void malformedRecordIsRejectedWithAReason(String json, String reason) {
        OsvRecord.Parsed parsed = OsvRecord.parse(json.getBytes(StandardCharsets.UTF_8));
        assertThat(parsed).isInstanceOf(OsvRecord.Parsed.Rejected.class);
        assertThat(((OsvRecord.Parsed.Rejected) parsed).reason()).startsWith(reason);
    }

    @Test
    void deeplyNestedDocumentIsRejectedNotAStackOverflow() {
        String json = "{\"id\":\"X\",\"x\":" + "[".repeat(100_000) + "]".repeat(100_000) + "}";
        assertThat(OsvRecord.parse(json.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(OsvRecord.Parsed.Rejected.class);
    }

    @Test
    void emptyInputIsRejected() {
        assertThat(OsvRecord.parse(new byte[0])).isInstanceOf(OsvRecord.Parsed.Rejected.class);
    }

    private static OsvRecord valid(String json) {
        OsvRecord.Parsed parsed = OsvRecord.parse(json.getBytes(StandardCharsets.UTF_8));
        assertThat(parsed).isInstanceOf(OsvRecord.Parsed.Valid.class);
        return Objects.requireNonNull(((OsvRecord.Parsed.Valid) parsed).record());
    }
}
