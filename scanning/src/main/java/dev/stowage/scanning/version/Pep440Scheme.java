package dev.stowage.scanning.version;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * PEP 440 ordering (PyPI, pip): epoch, release (trailing zeros insignificant), pre-release ({@code a < b < rc}; the
 * spellings {@code alpha}, {@code beta}, {@code c}, {@code pre}, {@code preview} and any case or separator
 * normalise to those), post-release, development release and local version label, with PEP 440's rules for which of
 * them sort before or after the plain release ({@code 1.0.dev0 < 1.0a1 < 1.0 < 1.0.post1 < 1.0+local}). Text that is
 * not a PEP 440 version sorts before every version, in string order.
 */
public final class Pep440Scheme implements VersionScheme {
    public static final Pep440Scheme INSTANCE = new Pep440Scheme();

    // PEP 440, Appendix B ("Parsing version strings with regular expressions"), the canonical pattern.
    private static final Pattern VERSION = Pattern.compile(
            "^\\s*v?(?:(?:(?<epoch>[0-9]+)!)?(?<release>[0-9]+(?:\\.[0-9]+)*)"
                    + "(?<pre>[-_.]?(?<preL>alpha|a|beta|b|preview|pre|c|rc)[-_.]?(?<preN>[0-9]+)?)?"
                    + "(?<post>(?:-(?<postN1>[0-9]+))|(?:[-_.]?(?<postL>post|rev|r)[-_.]?(?<postN2>[0-9]+)?))?"
                    + "(?<dev>[-_.]?(?<devL>dev)[-_.]?(?<devN>[0-9]+)?)?)"
                    + "(?:\\+(?<local>[a-z0-9]+(?:[-_.][a-z0-9]+)*))?\\s*$",
            Pattern.CASE_INSENSITIVE);

    private Pep440Scheme() {
    }

    /** The comparison key; {@code pre}/{@code post}/{@code dev} null when absent. */
    private record Key(String epoch, List<String> release, int preRank, String preNumber, String post, String dev,
                       List<String> local) {
        static Key of(String version) {
            if (version == null) {
                return null;
            }
            Matcher m = VERSION.matcher(version);
            if (!m.matches()) {
                return null;
            }
            List<String> release = new ArrayList<>(List.of(m.group("release").split("\\.")));
            while (release.size() > 1 && DigitStrings.compare(release.get(release.size() - 1), "0") == 0) {
                release.remove(release.size() - 1);
            }
            int preRank = -1;
            String preNumber = null;
            if (m.group("pre") != null) {
                String label = m.group("preL").toLowerCase(Locale.ROOT);
                preRank = switch (label) {
                    case "a", "alpha" -> 0;
                    case "b", "beta" -> 1;
                    default -> 2;
                };
                preNumber = m.group("preN") == null ? "0" : m.group("preN");
            }
            String post = null;
            if (m.group("post") != null) {
                post = m.group("postN1") != null ? m.group("postN1")
                        : m.group("postN2") != null ? m.group("postN2") : "0";
            }
            String dev = m.group("dev") == null ? null : m.group("devN") == null ? "0" : m.group("devN");
            List<String> local = m.group("local") == null ? null
                    : List.of(m.group("local").toLowerCase(Locale.ROOT).split("[-_.]"));
            String epoch = m.group("epoch") == null ? "0" : m.group("epoch");
            return new Key(epoch, release, preRank, preNumber, post, dev, local);
        }
    }

    @Override
    public int compare(String a, String b) {
        Key ka = Key.of(a);
        Key kb = Key.of(b);
        if (ka == null || kb == null) {
            if (ka == null && kb == null) {
                return DigitStrings.sign(String.valueOf(a).compareTo(String.valueOf(b)));
            }
            return ka == null ? -1 : 1;
        }
        int c = DigitStrings.compare(ka.epoch(), kb.epoch());
        if (c != 0) {
            return c;
        }
        for (int i = 0; i < Math.max(ka.release().size(), kb.release().size()); i++) {
            c = DigitStrings.compare(i < ka.release().size() ? ka.release().get(i) : "0",
                    i < kb.release().size() ? kb.release().get(i) : "0");
            if (c != 0) {
                return c;
            }
        }
        c = comparePre(ka, kb);
        if (c != 0) {
            return c;
        }
        // no post-release sorts before any post-release
        c = compareOptional(ka.post(), kb.post(), -1);
        if (c != 0) {
            return c;
        }
        // no development release sorts after any development release
        c = compareOptional(ka.dev(), kb.dev(), 1);
        if (c != 0) {
            return c;
        }
        return compareLocal(ka.local(), kb.local());
    }

    /** A release's pre-release position: a bare development release ({@code 1.0.dev1}) comes before its alphas. */
    private static int comparePre(Key a, Key b) {
        int rankA = preRank(a);
        int rankB = preRank(b);
        if (rankA != rankB) {
            return Integer.compare(rankA, rankB);
        }
        if (a.preNumber() != null && b.preNumber() != null) {
            return DigitStrings.compare(a.preNumber(), b.preNumber());
        }
        return 0;
    }

    private static int preRank(Key k) {
        if (k.preNumber() != null) {
            return k.preRank();
        }
        if (k.post() == null && k.dev() != null) {
            return -1;
        }
        return 3;
    }

    private static int compareOptional(String a, String b, int absentSign) {
        if (a == null || b == null) {
            return a == null ? (b == null ? 0 : absentSign) : -absentSign;
        }
        return DigitStrings.compare(a, b);
    }

    /** No local label first; then segment by segment, letters before numbers, a shorter label first. */
    private static int compareLocal(List<String> a, List<String> b) {
        if (a == null || b == null) {
            return a == null ? (b == null ? 0 : -1) : 1;
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
                c = numericX ? 1 : -1;
            } else {
                c = DigitStrings.sign(x.compareTo(y));
            }
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(a.size(), b.size());
    }

    @Override
    public boolean isValid(String version) {
        return Key.of(version) != null;
    }

    @Override
    public String toString() {
        return "pep440";
    }
}
