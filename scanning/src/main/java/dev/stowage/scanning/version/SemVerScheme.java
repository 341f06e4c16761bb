package dev.stowage.scanning.version;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * SemVer 2.0.0 precedence (semver.org §11): major, minor, patch numerically; a pre-release sorts before its release;
 * pre-release identifiers compare left to right, numeric ones numerically and below alphanumeric ones (compared in
 * ASCII order), a shorter list first when all else is equal; build metadata is ignored. Used for Go modules (with or
 * without the {@code v} prefix, pseudo-versions and {@code 1.26.0-0}-style pre-releases), npm and crates.io.
 *
 * <p>Text that is not SemVer is still ordered: its leading dotted numbers (missing ones count as 0, so {@code 1.2}
 * sorts as {@code 1.2.0}) and what follows a {@code -} as a pre-release; text with no leading number sorts before all
 * versions, in string order.
 */
public final class SemVerScheme implements VersionScheme {
    public static final SemVerScheme INSTANCE = new SemVerScheme();

    // The regular expression semver.org suggests (§ "Is there a suggested regular expression"), with an optional "v".
    private static final Pattern STRICT = Pattern.compile(
            "^[vV]?(0|[1-9]\\d*)\\.(0|[1-9]\\d*)\\.(0|[1-9]\\d*)"
                    + "(?:-((?:0|[1-9]\\d*|\\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\\.(?:0|[1-9]\\d*|\\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?"
                    + "(?:\\+([0-9a-zA-Z-]+(?:\\.[0-9a-zA-Z-]+)*))?$");
    private static final Pattern LENIENT = Pattern.compile(
            "^\\s*[vV=]?\\s*(\\d+)(?:\\.(\\d+))?(?:\\.(\\d+))?(?:\\.\\d+)*(?:-?([^+\\s]*))?(?:\\+.*)?$");

    private SemVerScheme() {
    }

    /** A parsed version; {@code core} null when the text has no leading number. */
    private record Parsed(String[] core, List<String> preRelease, String text) {
        static Parsed of(String version) {
            String v = version == null ? "" : version.strip();
            Parsed plain = plain(v);
            if (plain != null) {
                return plain;
            }
            Matcher m = STRICT.matcher(v);
            if (!m.matches()) {
                m = LENIENT.matcher(v);
                if (!m.matches()) {
                    return new Parsed(null, List.of(), v);
                }
            }
            String[] core = {m.group(1), m.group(2) == null ? "0" : m.group(2), m.group(3) == null ? "0" : m.group(3)};
            String pre = m.group(4);
            List<String> identifiers = new ArrayList<>();
            if (pre != null && !pre.isEmpty()) {
                identifiers.addAll(List.of(pre.split("\\.", -1)));
            }
            return new Parsed(core, identifiers, v);
        }

        /**
         * {@code [v]MAJOR.MINOR.PATCH} in digits only, as most versions are, read without the regular expressions (which
         * give the same parts for it): matching compares an installed version with every event of every candidate
         * record, and parsing each by regular expression took most of a match's time.
         */
        private static Parsed plain(String v) {
            int start = !v.isEmpty() && (v.charAt(0) == 'v' || v.charAt(0) == 'V') ? 1 : 0;
            int first = -1;
            int second = -1;
            for (int i = start; i < v.length(); i++) {
                char c = v.charAt(i);
                if (c == '.') {
                    if (first < 0) {
                        first = i;
                    } else if (second < 0) {
                        second = i;
                    } else {
                        return null;
                    }
                } else if (c < '0' || c > '9') {
                    return null;
                }
            }
            if (second < 0 || first == start || second == first + 1 || second == v.length() - 1) {
                return null;
            }
            return new Parsed(new String[]{v.substring(start, first), v.substring(first + 1, second),
                    v.substring(second + 1)}, List.of(), v);
        }
    }

    @Override
    public int compare(String a, String b) {
        Parsed pa = Parsed.of(a);
        Parsed pb = Parsed.of(b);
        if (pa.core() == null || pb.core() == null) {
            if (pa.core() == null && pb.core() == null) {
                return DigitStrings.sign(pa.text().compareTo(pb.text()));
            }
            return pa.core() == null ? -1 : 1;
        }
        for (int i = 0; i < 3; i++) {
            int c = DigitStrings.compare(pa.core()[i], pb.core()[i]);
            if (c != 0) {
                return c;
            }
        }
        return comparePreReleases(pa.preRelease(), pb.preRelease());
    }

    static int comparePreReleases(List<String> a, List<String> b) {
        if (a.isEmpty() || b.isEmpty()) {
            return a.isEmpty() ? (b.isEmpty() ? 0 : 1) : -1;
        }
        for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
            String x = a.get(i);
            String y = b.get(i);
            boolean numericX = DigitStrings.allDigits(x);
            boolean numericY = DigitStrings.allDigits(y);
            int c;
            if (numericX && numericY) {
                c = DigitStrings.compare(x, y);
            } else if (numericX != numericY) {
                c = numericX ? -1 : 1;
            } else {
                c = DigitStrings.sign(x.compareTo(y));
            }
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(a.size(), b.size());
    }

    /** Strict SemVer 2.0.0, optionally prefixed with {@code v}. */
    @Override
    public boolean isValid(String version) {
        return version != null && STRICT.matcher(version).matches();
    }

    @Override
    public String toString() {
        return "semver";
    }
}
