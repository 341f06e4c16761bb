package dev.stowage.scanning.version;

/**
 * dpkg's ordering ({@code dpkg --compare-versions}, deb-version(7)): {@code [epoch:]upstream[-revision]}; the epoch is
 * compared as a number, then upstream and revision with dpkg's algorithm: alternating non-digit runs (compared
 * character by character where {@code ~} sorts before everything, even the end of the string, and letters sort
 * before all other characters) and digit runs (compared numerically).
 */
public final class DebianVersionScheme implements VersionScheme {
    public static final DebianVersionScheme INSTANCE = new DebianVersionScheme();

    private DebianVersionScheme() {
    }

    /** A version split the way dpkg's parseversion splits it (lenient: any text yields some parts). */
    record Parts(String epoch, String upstream, String revision) {
        static Parts of(String version) {
            String v = version == null ? "" : version.strip();
            String epoch = "0";
            int colon = v.indexOf(':');
            if (colon >= 0) {
                epoch = v.substring(0, colon);
                v = v.substring(colon + 1);
            }
            String revision = "";
            int hyphen = v.lastIndexOf('-');
            if (hyphen >= 0) {
                revision = v.substring(hyphen + 1);
                v = v.substring(0, hyphen);
            }
            return new Parts(epoch, v, revision);
        }
    }

    @Override
    public int compare(String a, String b) {
        Parts pa = Parts.of(a);
        Parts pb = Parts.of(b);
        int c = compareEpochs(pa.epoch(), pb.epoch());
        if (c != 0) {
            return c;
        }
        c = compareFragment(pa.upstream(), pb.upstream());
        if (c != 0) {
            return c;
        }
        return compareFragment(pa.revision(), pb.revision());
    }

    /** A malformed epoch (dpkg rejects it) still orders deterministically: below every numeric epoch, then as text. */
    private static int compareEpochs(String a, String b) {
        boolean numericA = DigitStrings.allDigits(a);
        boolean numericB = DigitStrings.allDigits(b);
        if (numericA && numericB) {
            return DigitStrings.compare(a, b);
        }
        if (numericA != numericB) {
            return numericA ? 1 : -1;
        }
        return DigitStrings.sign(a.compareTo(b));
    }

    private static int order(String s, int i) {
        if (i >= s.length()) {
            return 0;
        }
        char c = s.charAt(i);
        if (c == '~') {
            return -1;
        }
        if (DigitStrings.isDigit(c)) {
            return 0;
        }
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
            return c;
        }
        return c + 256;
    }

    /** dpkg's verrevcmp on one part (upstream or revision). */
    static int compareFragment(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() || j < b.length()) {
            while ((i < a.length() && !DigitStrings.isDigit(a.charAt(i)))
                    || (j < b.length() && !DigitStrings.isDigit(b.charAt(j)))) {
                int oa = order(a, i);
                int ob = order(b, j);
                if (oa != ob) {
                    return oa < ob ? -1 : 1;
                }
                i++;
                j++;
            }
            int startA = i;
            while (i < a.length() && DigitStrings.isDigit(a.charAt(i))) {
                i++;
            }
            int startB = j;
            while (j < b.length() && DigitStrings.isDigit(b.charAt(j))) {
                j++;
            }
            int c = DigitStrings.compare(a.substring(Math.min(startA, a.length()), Math.min(i, a.length())),
                    b.substring(Math.min(startB, b.length()), Math.min(j, b.length())));
            if (c != 0) {
                return c;
            }
        }
        return 0;
    }

    /** What {@code dpkg --compare-versions} accepts without error or warning. */
    @Override
    public boolean isValid(String version) {
        if (version == null) {
            return false;
        }
        String v = version.strip();
        if (v.isEmpty() || v.chars().anyMatch(Character::isWhitespace)) {
            return false;
        }
        Parts p = Parts.of(v);
        if (v.indexOf(':') >= 0) {
            if (!DigitStrings.allDigits(p.epoch()) || DigitStrings.compare(p.epoch(), String.valueOf(Integer.MAX_VALUE)) > 0) {
                return false;
            }
        }
        if (v.indexOf('-') >= 0 && p.revision().isEmpty()) {
            return false; // dpkg: "revision number is empty"
        }
        String upstream = p.upstream();
        if (upstream.isEmpty() || !DigitStrings.isDigit(upstream.charAt(0))) {
            return false;
        }
        for (int i = 0; i < upstream.length(); i++) {
            char c = upstream.charAt(i);
            if (!(isAlphanumeric(c) || c == '.' || c == '+' || c == '~' || c == '-' || c == ':')) {
                return false;
            }
        }
        for (int i = 0; i < p.revision().length(); i++) {
            char c = p.revision().charAt(i);
            if (!(isAlphanumeric(c) || c == '.' || c == '+' || c == '~')) {
                return false;
            }
        }
        return true;
    }

    private static boolean isAlphanumeric(char c) {
        return DigitStrings.isDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    @Override
    public String toString() {
        return "dpkg";
    }
}
