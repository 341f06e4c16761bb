package dev.stowage.scanning.advisory;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import dev.stowage.scanning.testing.VulnDataPath;
import dev.stowage.scanning.version.ApkVersionScheme;
import org.junit.jupiter.api.Test;

class AlpineSecdbConverterTest {
    private static final Path ALPINE = VulnDataPath.root().resolve("alpine");
    /** The secdb commit the vulndata copy was taken from (06f6e960, "Document that this repo is deprecated"). */
    private static final Instant SECDB_COMMIT = Instant.parse("2020-06-08T00:00:00Z");

    private static Map<String, ObjectNode> recordsOf(AlpineSecdbConverter converter) {
        Map<String, ObjectNode> records = new LinkedHashMap<>();
        converter.writeRecords(SECDB_COMMIT, r -> assertThat(records.put(r.get("id").asText(), r)).isNull());
        return records;
    }

    private static String fixedIn(ObjectNode record, String ecosystem, String name) {
        for (JsonNode a : record.get("affected")) {
            if (a.at("/package/ecosystem").asText().equals(ecosystem) && a.at("/package/name").asText().equals(name)) {
                return a.at("/ranges/0/events/1/fixed").asText();
            }
        }
        return null;
    }

    @Test
    void readsEveryFileWithTheReadmesCountsOfPackagesKeysAndIds() throws IOException {
        // vulndata README: packages / fixed-version keys / ids per file
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("v3.3/main", "91/159/461");
        expected.put("v3.3/community", "0/0/0");
        expected.put("v3.4/main", "117/258/672");
        expected.put("v3.4/community", "2/2/14");
        expected.put("v3.5/main", "131/316/826");
        expected.put("v3.5/community", "20/25/102");
        expected.put("v3.6/main", "134/346/898");
        expected.put("v3.6/community", "31/58/219");
        expected.put("v3.7/main", "163/425/1078");
        expected.put("v3.7/community", "37/97/411");
        expected.put("v3.8/main", "164/442/1139");
        expected.put("v3.8/community", "44/125/485");
        expected.put("v3.9/main", "161/447/1121");
        expected.put("v3.9/community", "58/161/601");
        expected.put("v3.10/main", "166/460/1182");
        expected.put("v3.10/community", "73/203/720");
        expected.put("v3.11/main", "175/502/1204");
        expected.put("v3.11/community", "85/239/895");
        AlpineSecdbConverter converter = new AlpineSecdbConverter();
        Map<String, String> actual = new LinkedHashMap<>();
        int items = 0;
        for (String file : expected.keySet()) {
            String[] releaseAndRepo = file.split("/");
            try (Reader reader = Files.newBufferedReader(ALPINE.resolve(file + ".yaml"), StandardCharsets.UTF_8)) {
                AlpineSecdb.FileCounts counts = converter.read(reader, file, releaseAndRepo[0], releaseAndRepo[1]);
                assertThat(counts.release() + "/" + counts.repository()).isEqualTo(file);
                actual.put(file, counts.packages() + "/" + counts.fixedVersionKeys() + "/" + counts.items());
                items += counts.items();
            }
        }
        assertThat(actual).isEqualTo(expected);
        assertThat(converter.report().entriesRead()).isEqualTo(items);
        assertThat(converter.report().skippedReasons()).allMatch(r -> r.contains("never affected in Alpine"));
    }

    @Test
    void groupsEachVulnerabilityIntoOneRecordAcrossReleases() throws IOException {
        Map<String, ObjectNode> records = recordsOf(AlpineSecdbConverter.readTree(ALPINE));
        ObjectNode openssl = records.get("ALPINE-CVE-2019-1547");
        assertThat(openssl.get("aliases").toString()).isEqualTo("[\"CVE-2019-1547\"]");
        assertThat(openssl.get("modified").asText()).isEqualTo("2020-06-08T00:00:00Z");
        assertThat(fixedIn(openssl, "Alpine:v3.11", "openssl")).isEqualTo("1.1.1d-r1");
        assertThat(fixedIn(openssl, "Alpine:v3.10", "openssl")).isEqualTo("1.1.1d-r0");
        assertThat(fixedIn(openssl, "Alpine:v3.7", "openssl")).isEqualTo("1.0.2t-r0");
        assertThat(openssl.at("/affected/0/ranges/0").toString())
                .isEqualTo("{\"type\":\"ECOSYSTEM\",\"events\":[{\"introduced\":\"0\"},{\"fixed\":\"" + fixedIn(openssl,
                        openssl.at("/affected/0/package/ecosystem").asText(), "openssl") + "\"}]}");
        for (ObjectNode record : records.values()) {
            assertThat(record.get("id").asText()).startsWith("ALPINE-");
            assertThat(record.get("affected")).isNotEmpty();
        }
    }

    @Test
    void keepsIrregularIdsAsWrittenAndNeverInventsOne() throws IOException {
        Map<String, ObjectNode> records = recordsOf(AlpineSecdbConverter.readTree(ALPINE));
        // "CVE-2017-8904 XSA-214": the Xen advisory is an alias of the CVE
        assertThat(records.get("ALPINE-CVE-2017-8904").get("aliases").toString()).isEqualTo("[\"CVE-2017-8904\",\"XSA-214\"]");
        // a typo stays a typo, with no CVE alias
        assertThat(records.get("ALPINE-CVE_2019-2426").get("aliases")).isEmpty();
        assertThat(records).containsKey("ALPINE-CVE-2017-8073.patch");
        assertThat(records).containsKey("ALPINE-CVE-2017-17434-1");
        // "CVE 2018-16859": a space for the hyphen
        assertThat(fixedIn(records.get("ALPINE-CVE-2018-16859"), "Alpine:v3.9", "ansible")).isNotNull();
        // "CVE-????-?????  XSA-295": the placeholder is no id, the Xen advisory is
        assertThat(records.keySet()).noneMatch(id -> id.contains("?"));
        assertThat(records).containsKey("ALPINE-XSA-295");
        // several CVEs in one item: each its own record, the item's other ids related
        assertThat(records.get("ALPINE-CVE-2017-5753").get("related").toString())
                .isEqualTo("[\"CVE-2017-5715\",\"CVE-2017-5754\",\"XSA-254\"]");
        assertThat(records.get("ALPINE-CVE-2017-5754").get("aliases").toString()).doesNotContain("CVE-2017-5715", "CVE-2017-5753");
        // a parenthesised comment is no id
        assertThat(records.get("ALPINE-CVE-2018-14467").get("aliases").toString()).isEqualTo("[\"CVE-2018-14467\"]");
        assertThat(records.get("ALPINE-CVE-2018-14467").at("/database_specific/secfixes/0").asText()).isEqualTo("CVE-2018-14467 (BGP)");
    }

    @Test
    void aZeroKeyMeansNeverAffected() throws IOException {
        AlpineSecdbConverter converter = AlpineSecdbConverter.readTree(ALPINE);
        Map<String, ObjectNode> records = recordsOf(converter);
        // v3.8 main: db's "0" key whitelists five Oracle Berkeley DB CVEs, the only "0" key in the data
        assertThat(converter.report().skippedReasons()).hasSize(5)
                .allMatch(r -> r.startsWith("v3.8/main.yaml:") && r.contains(": db CVE-") && r.endsWith("never affected in Alpine"));
        for (ObjectNode r : records.values()) {
            for (JsonNode a : r.get("affected")) {
                assertThat(a.at("/package/ecosystem").asText() + " " + a.at("/package/name").asText()).isNotEqualTo("Alpine:v3.8 db");
            }
        }
    }

    @Test
    void warnsAboutEachFixedVersionApkWouldRejectAndKeepsItAsWritten() throws IOException {
        AlpineSecdbConverter converter = AlpineSecdbConverter.readTree(ALPINE);
        Map<String, ObjectNode> records = recordsOf(converter);
        List<String> warnings = converter.report().warnings();
        // secdb's typos: "4.8.0.-r1", "0.8.21.r2", "57-1-r2", "6.6.2p1-r0", "2.15.r-r1" ... (24 distinct per file)
        assertThat(warnings).hasSize(24).allMatch(w -> w.endsWith("is not a valid apk version; kept as written"));
        assertThat(warnings).contains("v3.10/community.yaml:729: phpmyadmin: fixed version '4.8.0.-r1' is not a valid apk version; kept as written");
        assertThat(fixedIn(records.get("ALPINE-CVE-2018-10188"), "Alpine:v3.10", "phpmyadmin")).isEqualTo("4.8.0.-r1");
        int invalid = 0;
        for (ObjectNode r : records.values()) {
            for (JsonNode a : r.get("affected")) {
                if (!ApkVersionScheme.INSTANCE.isValid(a.at("/ranges/0/events/1/fixed").asText())) {
                    invalid++;
                }
            }
        }
        assertThat(invalid).isPositive();
    }

    @Test
    void toleratesQuotesCommentsFlowListsAndJunkWithReasons() throws IOException {
        AlpineSecdbConverter converter = new AlpineSecdbConverter();
        ConversionReport report = converter.report();
        AlpineSecdb.FileCounts counts = converter.read(new StringReader("""
                ---
                # a comment
                distroversion: v3.12
                reponame: main
                archs:
                  - x86_64
                packages:
                  - pkg:
                      name: foo
                      secfixes:   \s
                        "1.2-r1":
                          - "CVE-2020-0001"
                        '1.1-r0': [CVE-2020-0002, XSA-1]
                        1.3-r0:
                        - CVE-2020-0001
                        what is this
                  - pkg:
                      name: bar
                      secfixes:
                        "0":
                          - CVE-2020-0003
                """), "test.yaml", "v0", "x");
        assertThat(counts).isEqualTo(new AlpineSecdb.FileCounts("v3.12", "main", 2, 4, 5));
        Map<String, ObjectNode> records = recordsOf(converter);
        // a flow list holds separate items, as a block list does
        assertThat(records.keySet()).containsExactly("ALPINE-CVE-2020-0001", "ALPINE-CVE-2020-0002", "ALPINE-XSA-1");
        // listed twice for the same package: the lower fixed version counts
        assertThat(fixedIn(records.get("ALPINE-CVE-2020-0001"), "Alpine:v3.12", "foo")).isEqualTo("1.2-r1");
        assertThat(fixedIn(records.get("ALPINE-XSA-1"), "Alpine:v3.12", "foo")).isEqualTo("1.1-r0");
        List<String> reasons = new ArrayList<>(report.skippedReasons());
        assertThat(reasons).containsExactly("test.yaml:16: unrecognised line: what is this",
                "test.yaml:21: bar CVE-2020-0003: key \"0\", never affected in Alpine");
    }

    @Test
    void tokenisesOnWhitespaceDroppingCommentsPlaceholdersAndWords() {
        assertThat(AlpineSecdbConverter.tokens("CVE-2017-5753 CVE-2017-5715 CVE-2017-5754 XSA-254 XPTI"))
                .containsExactly("CVE-2017-5753", "CVE-2017-5715", "CVE-2017-5754", "XSA-254");
        assertThat(AlpineSecdbConverter.tokens("CVE-????-?????  XSA-295")).containsExactly("XSA-295");
        assertThat(AlpineSecdbConverter.tokens("CVE 2018-16859")).containsExactly("CVE-2018-16859");
        assertThat(AlpineSecdbConverter.tokens("CVE-2018-10103 (SMB - partially fixed, but SMB printing disabled)"))
                .containsExactly("CVE-2018-10103");
        assertThat(AlpineSecdbConverter.tokens("CVE-2017-11610  ")).containsExactly("CVE-2017-11610");
        assertThat(AlpineSecdbConverter.tokens("wnpa-sec-2017-18")).containsExactly("wnpa-sec-2017-18");
        assertThat(AlpineSecdbConverter.tokens("  ")).isEmpty();
    }
}
