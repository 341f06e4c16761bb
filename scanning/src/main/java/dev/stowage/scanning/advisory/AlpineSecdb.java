package dev.stowage.scanning.advisory;

import java.io.IOException;
import java.io.Reader;
import java.util.function.Consumer;

/**
 * Reads an Alpine secdb file ({@code v3.N/main.yaml}, {@code community.yaml}) line by line. The files are YAML of one
 * fixed shape, so this reads that shape rather than general YAML (which would also accept anchors, tags and other
 * constructs no secdb file uses, and a much larger surface for hostile input):
 *
 * <pre>
 * distroversion: v3.11
 * reponame: main
 * packages:
 *   - pkg:
 *       name: openssl
 *       secfixes:
 *         1.1.1d-r0:
 *           - CVE-2019-1547
 * </pre>
 *
 * <p>Tolerated: comments, trailing spaces, quoted keys and items ({@code "0":}), list items at the key's own indent,
 * flow lists ({@code 1.0-r0: [CVE-a, CVE-b]}). Anything else is skipped with a reason.
 */
public final class AlpineSecdb {
    private AlpineSecdb() {
    }

    /** One item of a package's {@code secfixes}: {@code ids} is the item exactly as written (may hold several ids). */
    public record Secfix(String release, String repository, String packageName, String fixedVersion, String ids,
                         String source, int line) {
    }

    /** Counts of one file, as the vulndata README lists them: packages, fixed-version keys, id items. */
    public record FileCounts(String release, String repository, int packages, int fixedVersionKeys, int items) {
    }

    /**
     * Streams a file's secfix items to {@code sink}. The release and repository come from the file's {@code
     * distroversion} and {@code reponame}; the defaults (e.g. from the file's path) apply until they are read.
     */
    public static FileCounts read(Reader yaml, String source, String defaultRelease, String defaultRepository,
                                  Consumer<Secfix> sink, ConversionReport report) throws IOException {
        BoundedLineReader reader = new BoundedLineReader(yaml);
        String release = defaultRelease;
        String repository = defaultRepository;
        String packageName = null;
        boolean inSecfixes = false;
        String fixedVersion = null;
        int packages = 0;
        int keys = 0;
        int items = 0;
        int lineNumber = 0;
        boolean inArchs = false;
        for (String raw = reader.readLine(); raw != null; raw = reader.readLine()) {
            lineNumber++;
            if (reader.lastLineTruncated()) {
                report.skip(source + ":" + lineNumber + ": line longer than " + BoundedLineReader.MAX_LINE + " characters");
                continue;
            }
            String line = stripComment(raw).stripTrailing();
            if (line.isBlank() || line.equals("---") || line.equals("...")) {
                continue;
            }
            int indent = line.length() - line.stripLeading().length();
            String text = line.strip();
            String where = source + ":" + lineNumber;
            if (indent == 0) {
                inArchs = false;
                String key = keyOf(text);
                String value = valueOf(text);
                if (key == null) {
                    report.skip(where + ": unrecognised top-level line: " + text);
                } else if (key.equals("distroversion")) {
                    release = value;
                } else if (key.equals("reponame")) {
                    repository = value;
                } else if (key.equals("archs")) {
                    inArchs = true;
                }
                continue;
            }
            if (inArchs) {
                continue;
            }
            if (text.equals("- pkg:") || text.equals("-  pkg:")) {
                packageName = null;
                inSecfixes = false;
                fixedVersion = null;
                packages++;
                continue;
            }
            if (text.startsWith("- ") && inSecfixes && fixedVersion != null) {
                String item = unquote(text.substring(2).strip());
                if (packageName == null) {
                    report.skip(where + ": secfix item before the package's name: " + item);
                } else if (!item.isEmpty()) {
                    items++;
                    sink.accept(new Secfix(release, repository, packageName, fixedVersion, item, source, lineNumber));
                }
                continue;
            }
            String key = keyOf(text);
            if (key == null) {
                report.skip(where + ": unrecognised line: " + text);
                continue;
            }
            String value = valueOf(text);
            if (!inSecfixes && key.equals("name")) {
                packageName = value;
            } else if (!inSecfixes && key.equals("secfixes")) {
                inSecfixes = true;
                fixedVersion = null;
            } else if (inSecfixes) {
                fixedVersion = key;
                keys++;
                if (value.startsWith("[") && value.endsWith("]")) {
                    for (String flowItem : value.substring(1, value.length() - 1).split(",")) {
                        String item = unquote(flowItem.strip());
                        if (!item.isEmpty() && packageName != null) {
                            items++;
                            sink.accept(new Secfix(release, repository, packageName, fixedVersion, item, source, lineNumber));
                        }
                    }
                } else if (!value.isEmpty()) {
                    report.skip(where + ": secfix key with a scalar value, not a list: " + text);
                }
            } else {
                report.skip(where + ": unrecognised key in package " + packageName + ": " + text);
            }
        }
        return new FileCounts(release, repository, packages, keys, items);
    }

    /** The key of a {@code key: value} line (unquoted), or null when the line is not one. */
    private static String keyOf(String text) {
        String t = text.startsWith("- ") ? text.substring(2).strip() : text;
        int colon;
        if (t.startsWith("\"") || t.startsWith("'")) {
            int close = t.indexOf(t.charAt(0), 1);
            if (close < 0 || close + 1 >= t.length() || t.charAt(close + 1) != ':') {
                return null;
            }
            return t.substring(1, close);
        }
        colon = t.indexOf(": ");
        if (colon < 0) {
            colon = t.endsWith(":") ? t.length() - 1 : -1;
        }
        return colon <= 0 ? null : t.substring(0, colon).strip();
    }

    private static String valueOf(String text) {
        String t = text.startsWith("- ") ? text.substring(2).strip() : text;
        int start = 0;
        if (t.startsWith("\"") || t.startsWith("'")) {
            start = Math.max(0, t.indexOf(t.charAt(0), 1));
        }
        int colon = t.indexOf(':', start);
        return colon < 0 ? "" : unquote(t.substring(colon + 1).strip());
    }

    private static String unquote(String s) {
        if (s.length() >= 2 && (s.charAt(0) == '"' || s.charAt(0) == '\'') && s.charAt(s.length() - 1) == s.charAt(0)) {
            return s.substring(1, s.length() - 1);
        }
        return s;
    }

    /** Drops a {@code #} comment that starts the line or follows whitespace (a '#' inside a word is kept). */
    private static String stripComment(String line) {
        for (int i = 0; i < line.length(); i++) {
            if (line.charAt(i) == '#' && (i == 0 || Character.isWhitespace(line.charAt(i - 1)))) {
                return line.substring(0, i);
            }
        }
        return line;
    }
}
