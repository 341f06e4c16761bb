package dev.stowage.scanning.advisory;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stowage.scanning.version.ApkVersionScheme;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Turns Alpine secdb files into OSV records, <b>one per vulnerability id</b>, id {@code ALPINE-<id>} (the form
 * osv.dev gives Alpine's records, so importing osv.dev's own Alpine export later replaces these rather than
 * duplicating them), with one {@code affected} entry per (Alpine release, package): ecosystem {@code Alpine:v3.N},
 * the package (the apk origin name secdb uses), an ECOSYSTEM range from {@code 0} to the version it was fixed in.
 * Grouping per id rather than emitting one record per (package, version, id) keeps each vulnerability one record with
 * one set of aliases, as every other OSV source does, so a scanner reports it once per package however many Alpine
 * releases carry the fix.
 *
 * <p>secdb items are free text: usually one CVE, sometimes several ids ({@code CVE-2017-8904 XSA-214}), a comment in
 * parentheses, a placeholder ({@code CVE-????-?????}) or a typo ({@code CVE_2019-2426}, {@code CVE-2017-8073.patch}).
 * Each well-formed CVE in an item is a record of its own; an item without one is keyed by its first id, kept as
 * written (a typo stays a typo: ids are never guessed). The item's other ids become aliases (one CVE) or related ids
 * (several). A {@code "0"} key means "never affected in Alpine" and yields nothing. When secdb lists the same id for
 * a package twice in one release, the lower fixed version counts (apk ordering).
 */
public final class AlpineSecdbConverter {
    private static final Pattern WELL_FORMED_CVE = Pattern.compile("^CVE-\\d{4}-\\d{4,}$");
    private static final Pattern ID_TOKEN = Pattern.compile("^[A-Za-z][A-Za-z0-9_.:-]*\\d[A-Za-z0-9_.:-]*$");
    private static final Pattern BARE_CVE_NUMBER = Pattern.compile("^\\d{4}-\\d{4,}$");
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private final ConversionReport report = new ConversionReport();
    /** Records being assembled, by primary id, in first-seen order. */
    private final Map<String, Vulnerability> byId = new LinkedHashMap<>();
    private final Set<String> warnedVersions = new HashSet<>();

    private static final class Vulnerability {
        final Set<String> aliases = new LinkedHashSet<>();
        final Set<String> related = new LinkedHashSet<>();
        final Set<String> items = new LinkedHashSet<>();
        /** "Alpine:v3.11\u0000openssl" to fixed version. */
        final Map<String, String> fixedIn = new LinkedHashMap<>();
    }

    /** Reads every {@code v3.N/*.yaml} under a secdb checkout (the vulndata layout), in path order. */
    public static AlpineSecdbConverter readTree(Path root) throws IOException {
        AlpineSecdbConverter converter = new AlpineSecdbConverter();
        List<Path> files;
        try (Stream<Path> walk = Files.walk(root, 2)) {
            files = walk.filter(p -> p.getFileName().toString().endsWith(".yaml")).sorted().toList();
        }
        for (Path file : files) {
            try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                String repository = file.getFileName().toString().replaceFirst("\\.yaml$", "");
                converter.read(reader, root.relativize(file).toString(), file.getParent().getFileName().toString(), repository);
            }
        }
        return converter;
    }

    /** Adds one secdb file; {@code defaultRelease}/{@code defaultRepository} apply if the file does not name them. */
    public AlpineSecdb.FileCounts read(Reader yaml, String source, String defaultRelease, String defaultRepository)
            throws IOException {
        return AlpineSecdb.read(yaml, source, defaultRelease, defaultRepository, this::add, report);
    }

    /** Adds one secfix item. */
    public void add(AlpineSecdb.Secfix fix) {
        report.entryRead();
        String where = fix.source() + ":" + fix.line();
        if (fix.fixedVersion().equals("0")) {
            report.skip(where + ": " + fix.packageName() + " " + fix.ids() + ": key \"0\", never affected in Alpine");
            return;
        }
        if (!ApkVersionScheme.INSTANCE.isValid(fix.fixedVersion())
                && warnedVersions.add(fix.source() + '\u0000' + fix.packageName() + '\u0000' + fix.fixedVersion())) {
            // kept: secdb says it is fixed there, and apk still orders it (up to its first malformed part)
            report.warn(where + ": " + fix.packageName() + ": fixed version '" + fix.fixedVersion()
                    + "' is not a valid apk version; kept as written");
        }
        List<String> ids = tokens(fix.ids());
        if (ids.isEmpty()) {
            report.skip(where + ": " + fix.packageName() + " " + fix.fixedVersion() + ": no id in '" + fix.ids() + "'");
            return;
        }
        List<String> cves = ids.stream().filter(t -> WELL_FORMED_CVE.matcher(t).matches()).toList();
        List<String> primaries = cves.isEmpty() ? List.of(ids.get(0)) : cves;
        String ecosystem = "Alpine:" + fix.release();
        for (String primary : primaries) {
            Vulnerability v = byId.computeIfAbsent("ALPINE-" + primary, k -> new Vulnerability());
            v.items.add(fix.ids());
            if (isWellFormed(primary)) {
                v.aliases.add(primary);
            }
            for (String other : ids) {
                if (!other.equals(primary) && isWellFormed(other)) {
                    (primaries.size() == 1 ? v.aliases : v.related).add(other);
                }
            }
            v.fixedIn.merge(ecosystem + '\u0000' + fix.packageName(), fix.fixedVersion(),
                    (a, b) -> ApkVersionScheme.INSTANCE.compare(a, b) <= 0 ? a : b);
        }
    }

    private static boolean isWellFormed(String id) {
        return id.startsWith("CVE") ? WELL_FORMED_CVE.matcher(id).matches() : ID_TOKEN.matcher(id).matches();
    }

    /**
     * The ids of a secdb item: whitespace-separated tokens, without a parenthesised comment, without placeholders
     * ({@code CVE-????-?????}) and words without a digit ({@code XPTI}); "CVE 2018-16859" (a space for the hyphen) is
     * read as the one id it obviously is.
     */
    static List<String> tokens(String item) {
        String text = item;
        int comment = text.indexOf('(');
        if (comment >= 0) {
            text = text.substring(0, comment);
        }
        String[] parts = text.strip().split("\\s+");
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < parts.length; i++) {
            String token = parts[i];
            if (token.equals("CVE") && i + 1 < parts.length && BARE_CVE_NUMBER.matcher(parts[i + 1]).matches()) {
                token = "CVE-" + parts[++i];
            }
            if (token.isEmpty() || token.contains("?") || !ID_TOKEN.matcher(token).matches()) {
                continue;
            }
            if (!ids.contains(token)) {
                ids.add(token);
            }
        }
        return ids;
    }

    /**
     * Hands every record to {@code sink}.
     *
     * @param modified the records' {@code modified} time: secdb carries no dates, so the caller supplies the data's
     *                 own (e.g. the secdb commit's time), which keeps re-imports of unchanged data unchanged
     */
    public ConversionReport writeRecords(Instant modified, Consumer<ObjectNode> sink) {
        for (Map.Entry<String, Vulnerability> e : byId.entrySet()) {
            Vulnerability v = e.getValue();
            ObjectNode record = JSON.objectNode();
            record.put("schema_version", "1.6.0");
            record.put("id", e.getKey());
            record.put("modified", modified.toString());
            ArrayNode aliases = record.putArray("aliases");
            v.aliases.forEach(aliases::add);
            if (!v.related.isEmpty()) {
                ArrayNode related = record.putArray("related");
                v.related.forEach(related::add);
            }
            ArrayNode affected = record.putArray("affected");
            for (Map.Entry<String, String> fix : v.fixedIn.entrySet()) {
                String[] ecosystemAndName = fix.getKey().split("\u0000", 2);
                ObjectNode entry = affected.addObject();
                entry.putObject("package").put("ecosystem", ecosystemAndName[0]).put("name", ecosystemAndName[1]);
                ArrayNode events = entry.putArray("ranges").addObject().put("type", "ECOSYSTEM").putArray("events");
                events.addObject().put("introduced", "0");
                events.addObject().put("fixed", fix.getValue());
            }
            ArrayNode items = record.putObject("database_specific").put("source", "alpine-secdb").putArray("secfixes");
            v.items.forEach(items::add);
            sink.accept(record);
            report.recordWritten();
        }
        return report;
    }

    public ConversionReport report() {
        return report;
    }
}
