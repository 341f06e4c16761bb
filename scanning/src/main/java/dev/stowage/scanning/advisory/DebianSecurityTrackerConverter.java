package dev.stowage.scanning.advisory;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stowage.scanning.version.DebianVersionScheme;
import java.io.IOException;
import java.io.Reader;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns the Debian security tracker's advisory lists ({@code data/DSA/list}, {@code data/DLA/list}) into OSV records,
 * one per advisory, read line by line (the lists are newest first; an advisory is its header line plus the indented
 * lines under it):
 *
 * <pre>
 * [29 Mar 2023] DSA-5380-1 xorg-server - security update
 * 	{CVE-2023-1393}
 * 	[bullseye] - xorg-server 2:1.20.11-1+deb11u6
 * </pre>
 *
 * <p>Each {@code [codename] - source-package version} line becomes one {@code affected} entry for ecosystem {@code
 * Debian:<release number>} with an ECOSYSTEM range from {@code 0} to the fixed version; {@code <unfixed>} means affected
 * with no fix yet (introduced only); {@code <not-affected>} and {@code <end-of-life>} lines, unknown codenames and
 * advisories left with no affected release are skipped with a reason. The CVE list becomes the aliases; the header
 * date is both {@code published} and {@code modified} (the lists carry no other date).
 */
public final class DebianSecurityTrackerConverter {
    private static final Pattern HEADER = Pattern.compile("^\\[(\\d{1,2}) ([A-Za-z]{3}) (\\d{4})\\]\\s+(\\S+)\\s*(.*)$");
    private static final Pattern RELEASE_LINE = Pattern.compile("^\\[([A-Za-z0-9-]+)\\]\\s+-\\s+(\\S+)\\s+(\\S+)(.*)$");
    private static final Pattern CVE = Pattern.compile("CVE-\\d{4}-\\d+");
    private static final DateTimeFormatter HEADER_DATE = DateTimeFormatter.ofPattern("d MMM uuuu", Locale.ENGLISH)
            .withResolverStyle(ResolverStyle.STRICT);

    /** Debian codenames and the release numbers OSV's Debian ecosystems are named after. */
    static final Map<String, String> RELEASES = Map.ofEntries(
            Map.entry("buzz", "1.1"), Map.entry("rex", "1.2"), Map.entry("bo", "1.3"), Map.entry("hamm", "2.0"),
            Map.entry("slink", "2.1"), Map.entry("potato", "2.2"), Map.entry("woody", "3.0"), Map.entry("sarge", "3.1"),
            Map.entry("etch", "4.0"), Map.entry("lenny", "5.0"), Map.entry("squeeze", "6.0"), Map.entry("wheezy", "7"),
            Map.entry("jessie", "8"), Map.entry("stretch", "9"), Map.entry("buster", "10"), Map.entry("bullseye", "11"),
            Map.entry("bookworm", "12"), Map.entry("trixie", "13"), Map.entry("forky", "14"), Map.entry("duke", "15"));

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private final String sourceName;

    /** @param sourceName names the input in skip reasons and records (e.g. {@code DSA-list}) */
    public DebianSecurityTrackerConverter(String sourceName) {
        this.sourceName = sourceName;
    }

    /** The advisory being assembled from a header and the lines under it. */
    private static final class Pending {
        final String id;
        final String published;
        final String summary;
        final int line;
        final List<String> aliases = new ArrayList<>();
        final ArrayNode affected = JSON.arrayNode();

        Pending(String id, String published, String summary, int line) {
            this.id = id;
            this.published = published;
            this.summary = summary;
            this.line = line;
        }
    }

    /** Reads a whole list, handing each OSV record to {@code sink} as soon as its advisory ends. */
    public ConversionReport convert(Reader list, Consumer<ObjectNode> sink) throws IOException {
        ConversionReport report = new ConversionReport();
        BoundedLineReader reader = new BoundedLineReader(list);
        Pending current = null;
        int lineNumber = 0;
        for (String line = reader.readLine(); line != null; line = reader.readLine()) {
            lineNumber++;
            if (reader.lastLineTruncated()) {
                report.skip(where(lineNumber) + ": line longer than " + BoundedLineReader.MAX_LINE + " characters");
                continue;
            }
            if (line.isBlank()) {
                continue;
            }
            if (!Character.isWhitespace(line.charAt(0))) {
                finish(current, sink, report);
                current = header(line, lineNumber, report);
                continue;
            }
            String body = line.strip();
            if (current == null) {
                report.skip(where(lineNumber) + ": indented line outside any advisory: " + body);
            } else if (body.startsWith("{")) {
                Matcher m = CVE.matcher(body);
                while (m.find()) {
                    if (!current.aliases.contains(m.group())) {
                        current.aliases.add(m.group());
                    }
                }
            } else if (body.startsWith("[")) {
                release(current, body, lineNumber, report);
            } else if (!body.startsWith("NOTE:")) {
                report.skip(where(lineNumber) + ": unrecognised line in " + current.id + ": " + body);
            }
        }
        finish(current, sink, report);
        return report;
    }

    private Pending header(String line, int lineNumber, ConversionReport report) {
        Matcher m = HEADER.matcher(line);
        if (!m.matches()) {
            report.skip(where(lineNumber) + ": not an advisory header: " + line);
            return null;
        }
        report.entryRead();
        String published;
        try {
            published = LocalDate.parse(m.group(1) + " " + m.group(2) + " " + m.group(3), HEADER_DATE) + "T00:00:00Z";
        } catch (DateTimeParseException e) {
            report.skip(where(lineNumber) + ": " + m.group(4) + " has an impossible date: " + line);
            return null;
        }
        // "package - description"; some headers have no package ("DSA-1727-1  - ...") or no description ("git-core")
        String rest = m.group(5).strip();
        String summary = rest;
        int dash = (" " + rest).indexOf(" - ");
        if (dash >= 0) {
            summary = rest.substring(Math.min(rest.length(), dash + 2)).strip();
        }
        return new Pending(m.group(4), published, summary, lineNumber);
    }

    private void release(Pending advisory, String body, int lineNumber, ConversionReport report) {
        Matcher m = RELEASE_LINE.matcher(body);
        if (!m.matches()) {
            report.skip(where(lineNumber) + ": unrecognised release line in " + advisory.id + ": " + body);
            return;
        }
        String codename = m.group(1);
        String release = RELEASES.get(codename);
        if (release == null) {
            report.skip(where(lineNumber) + ": " + advisory.id + ": unknown Debian codename '" + codename + "'");
            return;
        }
        String version = m.group(3);
        if (version.equals("<not-affected>") || version.equals("<end-of-life>")) {
            report.skip(where(lineNumber) + ": " + advisory.id + " " + codename + " " + version);
            return;
        }
        ObjectNode events = JSON.objectNode().put("introduced", "0");
        ArrayNode eventList = JSON.arrayNode().add(events);
        if (!version.equals("<unfixed>")) {
            if (version.startsWith("<")) {
                report.skip(where(lineNumber) + ": " + advisory.id + " " + codename + ": unknown tag " + version);
                return;
            }
            if (!DebianVersionScheme.INSTANCE.isValid(version)) {
                // kept: a tracker typo still says "fixed", and guessing the intended version would be worse
                report.warn(where(lineNumber) + ": " + advisory.id + " " + codename + ": fixed version '" + version
                        + "' is not a valid dpkg version; kept as written");
            }
            eventList.add(JSON.objectNode().put("fixed", version));
        }
        ObjectNode affected = advisory.affected.addObject();
        affected.putObject("package").put("ecosystem", "Debian:" + release).put("name", m.group(2));
        affected.putArray("ranges").addObject().put("type", "ECOSYSTEM").set("events", eventList);
        affected.putObject("database_specific").put("codename", codename);
    }

    private void finish(Pending advisory, Consumer<ObjectNode> sink, ConversionReport report) {
        if (advisory == null) {
            return;
        }
        if (advisory.affected.isEmpty()) {
            report.skip(where(advisory.line) + ": " + advisory.id + " names no affected release");
            return;
        }
        ObjectNode record = JSON.objectNode();
        record.put("schema_version", "1.6.0");
        record.put("id", advisory.id);
        record.put("published", advisory.published);
        record.put("modified", advisory.published);
        ArrayNode aliases = record.putArray("aliases");
        advisory.aliases.forEach(aliases::add);
        record.put("summary", advisory.summary);
        record.set("affected", advisory.affected);
        record.putArray("references").addObject().put("type", "ADVISORY")
                .put("url", "https://security-tracker.debian.org/tracker/" + advisory.id);
        record.putObject("database_specific").put("source", sourceName);
        sink.accept(record);
        report.recordWritten();
    }

    private String where(int lineNumber) {
        return sourceName + ":" + lineNumber;
    }
}
