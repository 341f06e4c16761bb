package dev.stowage.scanning.vuln;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.OptionalDouble;

import static org.assertj.core.api.Assertions.assertThat;

class CvssTest {

    /** The CVSS v3.1 specification's examples document (first.org/cvss/v3.1/examples). */
    @Test
    void v31ScoresMatchTheFirstExamples() {
        assertThat(Cvss.baseScore("CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N")).hasValue(6.1); // CVE-2013-1937
        assertThat(Cvss.baseScore("CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:L/I:L/A:N")).hasValue(6.4); // CVE-2013-0375
        assertThat(Cvss.baseScore("CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:N/A:N")).hasValue(3.1); // CVE-2014-3566
        assertThat(Cvss.baseScore("CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:H/I:H/A:H")).hasValue(9.9); // CVE-2012-1516
        assertThat(Cvss.baseScore("CVSS:3.1/AV:L/AC:L/PR:H/UI:N/S:U/C:L/I:L/A:L")).hasValue(4.2); // CVE-2009-0783
    }

    /** NVD scores CVE-2021-44228 (log4j, the vector of GHSA-jfh8-c2jp-5v3q) 10.0. */
    @Test
    void log4ShellScoresTen() {
        assertThat(Cvss.baseScore("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H")).hasValue(10.0);
    }

    /** Appendix A of v3.1: Roundup is free of floating-point error where ceil(x * 10) is not. */
    @Test
    void v31RoundUpIgnoresFloatingPointNoise() {
        assertThat(Cvss.roundUp31(4.000_000_000_000_01)).isEqualTo(4.0);
        assertThat(Cvss.roundUp31(4.02)).isEqualTo(4.1);
        assertThat(Cvss.roundUp31(4.0)).isEqualTo(4.0);
    }

    @Test
    void v40ScoresOfWellKnownVectors() {
        assertThat(Cvss.baseScore("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H")).hasValue(10.0);
        assertThat(Cvss.baseScore("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N")).hasValue(9.3);
    }

    @Test
    void v40WithNoImpactAnywhereScoresZero() {
        assertThat(Cvss.baseScore("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N")).hasValue(0.0);
    }

    /** The CVSS v2 guide's examples (section 3.3). */
    @Test
    void v2ScoresMatchTheGuideExamples() {
        assertThat(Cvss.baseScore("AV:N/AC:L/Au:N/C:N/I:N/A:C")).hasValue(7.8); // CVE-2002-0392
        assertThat(Cvss.baseScore("AV:N/AC:L/Au:N/C:C/I:C/A:C")).hasValue(10.0); // CVE-2003-0818
        assertThat(Cvss.baseScore("AV:L/AC:H/Au:N/C:C/I:C/A:C")).hasValue(6.2); // CVE-2003-0062
    }

    /** Every distinct vector in vulndata (crates.io.zip and ghsa/: 96 v3.x, 39 v4.0), as FIRST's calculators score it. */
    @Test
    void everyVectorOfTheRealDataScoresAsFirstsCalculator() throws IOException {
        List<String[]> expected = table("/vuln/cvss-vulndata.tsv");
        assertThat(expected).hasSize(135);
        for (String[] row : expected) {
            assertThat(Cvss.baseScore(row[0])).as(row[0]).hasValue(Double.parseDouble(row[1]));
        }
    }

    /**
     * 150 random v4.0 vectors (with threat, requirement and modified metrics, MSI:S/MSA:S among them), 100 v3.0/v3.1
     * and 40 v2 vectors, scored by FIRST's reference calculator.
     */
    @Test
    void generatedVectorsScoreAsFirstsCalculator() throws IOException {
        List<String[]> expected = table("/vuln/cvss-generated.tsv");
        assertThat(expected).hasSize(290);
        for (String[] row : expected) {
            assertThat(Cvss.baseScore(row[0])).as(row[0]).hasValue(Double.parseDouble(row[1]));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "", "CVSS:3.1/", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H", // missing A
            "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:X/C:H/I:H/A:H", // no such scope
            "CVSS:3.1/AV:N/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", // repeated
            "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H/", // trailing slash
            "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H", // missing SA
            "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:S/SA:H", // S only in MSI
            "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H/QQ:1", // unknown metric
            "CVSS:5.0/AV:N", "AV:N/AC:L/Au:N/C:N/I:N", "HIGH", "7.5"})
    void malformedVectorHasNoScore(String vector) {
        assertThat(Cvss.baseScore(vector)).isEmpty();
    }

    @Test
    void nullVectorHasNoScore() {
        assertThat(Cvss.baseScore(null)).isEqualTo(OptionalDouble.empty());
    }

    private static List<String[]> table(String resource) throws IOException {
        List<String[]> rows = new ArrayList<>();
        try (InputStream in = Objects.requireNonNull(CvssTest.class.getResourceAsStream(resource), resource);
             BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            for (String line; (line = reader.readLine()) != null; ) {
                if (!line.isBlank() && !line.startsWith("#")) rows.add(line.split("\t"));
            }
        }
        return rows;
    }
}
