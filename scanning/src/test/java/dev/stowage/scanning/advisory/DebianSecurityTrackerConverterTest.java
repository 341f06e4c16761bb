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
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import dev.stowage.scanning.testing.VulnDataPath;
import dev.stowage.scanning.version.DebianVersionScheme;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DebianSecurityTrackerConverterTest {
    private static final Path DEBIAN = VulnDataPath.root().resolve("debian");

    private record Result(Map<String, ObjectNode> records, ConversionReport report) {
    }

    private static Result convert(String file) throws IOException {
        Map<String, ObjectNode> records = new LinkedHashMap<>();
        try (Reader reader = Files.newBufferedReader(DEBIAN.resolve(file), StandardCharsets.US_ASCII)) {
            ConversionReport report = new DebianSecurityTrackerConverter(file).convert(reader, r -> {
                assertThat(records.put(r.get("id").asText(), r)).as("duplicate id %s", r.get("id")).isNull();
            });
            return new Result(records, report);
        }
    }

    private static Result convertText(String text) throws IOException {
        Map<String, ObjectNode> records = new LinkedHashMap<>();
        ConversionReport report = new DebianSecurityTrackerConverter("test-list")
                .convert(new StringReader(text), r -> records.put(r.get("id").asText(), r));
        return new Result(records, report);
    }

    private static long skipsContaining(ConversionReport report, String text) {
        return report.skippedReasons().stream().filter(r -> r.contains(text)).count();
    }

    @Test
    void readsEveryEntryOfTheRealDsaAndDlaLists() throws IOException {
        Result dsa = convert("DSA-list");
        Result dla = convert("DLA-list");
        assertThat(dsa.report().entriesRead()).isEqualTo(5406);
        assertThat(dla.report().entriesRead()).isEqualTo(3534);
        for (Result r : List.of(dsa, dla)) {
            long withoutAffected = skipsContaining(r.report(), "names no affected release");
            assertThat(r.report().recordsWritten() + withoutAffected).isEqualTo(r.report().entriesRead());
            assertThat(skipsContaining(r.report(), "unrecognised")).isZero();
            assertThat(skipsContaining(r.report(), "not an advisory header")).isZero();
            assertThat(skipsContaining(r.report(), "unknown Debian codename")).isZero();
            assertThat(r.report().skippedCount()).isLessThan(ConversionReport.MAX_REASONS);
        }
        // release lines carrying a tag: 55 <not-affected>, 5 <end-of-life> (one in DLA), 3 <unfixed>; the README's
        // larger counts for the last two include mentions inside NOTE lines ("NOTE: [etch] - clamav <end-of-life>")
        assertThat(skipsContaining(dsa.report(), "<not-affected>") + skipsContaining(dla.report(), "<not-affected>")).isEqualTo(55);
        assertThat(skipsContaining(dsa.report(), "<end-of-life>") + skipsContaining(dla.report(), "<end-of-life>")).isEqualTo(5);
        int affected = 0;
        int unfixed = 0;
        for (Result r : List.of(dsa, dla)) {
            for (ObjectNode record : r.records().values()) {
                for (JsonNode a : record.get("affected")) {
                    affected++;
                    if (a.at("/ranges/0/events").size() == 1) {
                        unfixed++;
                    }
                }
            }
        }
        assertThat(affected).isEqualTo(10523 - 55 - 5); // every "[codename] - package version" line, less the tags
        assertThat(unfixed).isEqualTo(3);
    }

    @Test
    void warnsAboutTheOneFixedVersionDpkgWouldRejectAndKeepsItAsWritten() throws IOException {
        List<String> invalid = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        for (String file : List.of("DSA-list", "DLA-list")) {
            Result r = convert(file);
            warnings.addAll(r.report().warnings());
            for (ObjectNode record : r.records().values()) {
                for (JsonNode a : record.get("affected")) {
                    JsonNode fixed = a.at("/ranges/0/events/1/fixed");
                    if (!fixed.isMissingNode() && !DebianVersionScheme.INSTANCE.isValid(fixed.asText())) {
                        invalid.add(record.get("id").asText() + " " + fixed.asText());
                    }
                }
            }
        }
        // "[woody] - kernel-image-2.4.17-ia64 kernel-image-2.4.17-ia64": the package name where the version belongs
        assertThat(invalid).containsExactly("DSA-423 kernel-image-2.4.17-ia64");
        assertThat(warnings).containsExactly("DSA-list:17244: DSA-423 woody: fixed version 'kernel-image-2.4.17-ia64' "
                + "is not a valid dpkg version; kept as written");
    }

    @Test
    void convertsDsa5380XorgServerAsTheTrackerStatesIt() throws IOException {
        ObjectNode record = convert("DSA-list").records().get("DSA-5380-1");
        // the tracker copy (April 2023) lists only bullseye: bookworm was not yet released
        assertThat(record.toString()).isEqualTo("{\"schema_version\":\"1.6.0\",\"id\":\"DSA-5380-1\","
                + "\"published\":\"2023-03-29T00:00:00Z\",\"modified\":\"2023-03-29T00:00:00Z\","
                + "\"aliases\":[\"CVE-2023-1393\"],\"summary\":\"security update\",\"affected\":[{\"package\":"
                + "{\"ecosystem\":\"Debian:11\",\"name\":\"xorg-server\"},\"ranges\":[{\"type\":\"ECOSYSTEM\",\"events\":"
                + "[{\"introduced\":\"0\"},{\"fixed\":\"2:1.20.11-1+deb11u6\"}]}],\"database_specific\":{\"codename\":\"bullseye\"}}],"
                + "\"references\":[{\"type\":\"ADVISORY\",\"url\":\"https://security-tracker.debian.org/tracker/DSA-5380-1\"}],"
                + "\"database_specific\":{\"source\":\"DSA-list\"}}");
    }

    @Test
    void keepsOneAffectedEntryPerReleaseAndAnUnfixedReleaseWithoutAFix() throws IOException {
        ObjectNode dsa880 = convert("DSA-list").records().get("DSA-880-1");
        assertThat(dsa880.get("affected")).hasSize(2);
        assertThat(dsa880.at("/affected/0/package/ecosystem").asText()).isEqualTo("Debian:3.0");
        assertThat(dsa880.at("/affected/0/ranges/0/events").toString()).isEqualTo("[{\"introduced\":\"0\"}]");
        assertThat(dsa880.at("/affected/1/package/ecosystem").asText()).isEqualTo("Debian:3.1");
        assertThat(dsa880.at("/affected/1/ranges/0/events/1/fixed").asText()).isEqualTo("4:2.6.2-3sarge1");
        assertThat(dsa880.get("aliases")).hasSize(4);
    }

    @Test
    void readsTheMalformedHeadersAndOddIndentationTheReadmeLists() throws IOException {
        Map<String, ObjectNode> records = convert("DSA-list").records();
        // "DSA-1727-1  - SQL injection vulnerabilites": no package in the header; the release line names it
        assertThat(records.get("DSA-1727-1").at("/affected/0/package/name").asText()).isEqualTo("proftpd-dfsg");
        assertThat(records.get("DSA-1727-1").get("summary").asText()).isEqualTo("SQL injection vulnerabilites");
        // "DSA-1304" has no revision and 8-space indentation
        assertThat(records.get("DSA-1304").at("/affected/0/ranges/0/events/1/fixed").asText()).isEqualTo("2.6.8-16sarge7");
        assertThat(records.get("DSA-1304").get("aliases")).hasSize(14);
        Map<String, ObjectNode> dla = convert("DLA-list").records();
        assertThat(dla.get("DLA-3380-1").at("/affected/0/package").toString())
                .isEqualTo("{\"ecosystem\":\"Debian:10\",\"name\":\"firmware-nonfree\"}");
    }

    @Test
    void skipsUnknownCodenamesAndStrayLinesWithAReason() throws IOException {
        Result r = convertText("""
                [01 Apr 2023] DSA-9999-1 foo - security update
                \t{CVE-2023-0001  CVE-2023-0002}
                \t[sid] - foo 1.0-1
                \t[bookworm] - foo  1.0-1~deb12u1
                \tsomething odd
                \tNOTE: a note
                garbage header
                [31 Feb 2023] DSA-9998-1 bar - impossible date
                \t[bookworm] - bar 1.0
                [02 Apr 2023] DLA-9997-1 baz - regression update
                \t[trixie] - baz <not-affected> (vulnerable code not present)
                """);
        assertThat(r.records().keySet()).containsExactly("DSA-9999-1");
        ObjectNode record = r.records().get("DSA-9999-1");
        assertThat(record.get("aliases").toString()).isEqualTo("[\"CVE-2023-0001\",\"CVE-2023-0002\"]");
        assertThat(record.at("/affected/0/package/ecosystem").asText()).isEqualTo("Debian:12");
        assertThat(record.at("/affected/0/ranges/0/events/1/fixed").asText()).isEqualTo("1.0-1~deb12u1");
        assertThat(r.report().skippedReasons()).containsExactly(
                "test-list:3: DSA-9999-1: unknown Debian codename 'sid'",
                "test-list:5: unrecognised line in DSA-9999-1: something odd",
                "test-list:7: not an advisory header: garbage header",
                "test-list:8: DSA-9998-1 has an impossible date: [31 Feb 2023] DSA-9998-1 bar - impossible date",
                "test-list:9: indented line outside any advisory: [bookworm] - bar 1.0",
                "test-list:11: DLA-9997-1 trixie <not-affected>",
                "test-list:10: DLA-9997-1 names no affected release");
        assertThat(r.report().entriesRead()).isEqualTo(3);
    }

    @Test
    void skipsAGiganticLineWithoutHoldingItAndReadsOn() throws IOException {
        String huge = "\t{" + "CVE-2023-0001 ".repeat(1_000_000) + "}";
        Result r = convertText("[01 Apr 2023] DSA-9999-1 foo - security update\r\n" + huge + "\r\n"
                + "\t[bookworm] - foo 1.0-1\r\n");
        assertThat(r.report().skippedReasons()).containsExactly("test-list:2: line longer than 65536 characters");
        assertThat(r.records().get("DSA-9999-1").at("/affected/0/ranges/0/events/1/fixed").asText()).isEqualTo("1.0-1");
        assertThat(r.records().get("DSA-9999-1").get("aliases")).isEmpty();
    }

    @Test
    void mapsEveryCodenameFromBuzzToTrixieToItsReleaseNumber() {
        Set<String> numbers = new HashSet<>(DebianSecurityTrackerConverter.RELEASES.values());
        assertThat(numbers).hasSize(DebianSecurityTrackerConverter.RELEASES.size());
        List<String> expected = new ArrayList<>(List.of("buzz=1.1", "rex=1.2", "bo=1.3", "hamm=2.0", "slink=2.1", "potato=2.2",
                "woody=3.0", "sarge=3.1", "etch=4.0", "lenny=5.0", "squeeze=6.0", "wheezy=7", "jessie=8", "stretch=9",
                "buster=10", "bullseye=11", "bookworm=12", "trixie=13"));
        for (String pair : expected) {
            String[] kv = pair.split("=");
            assertThat(DebianSecurityTrackerConverter.RELEASES.get(kv[0])).as(kv[0]).isEqualTo(kv[1]);
        }
    }
}
