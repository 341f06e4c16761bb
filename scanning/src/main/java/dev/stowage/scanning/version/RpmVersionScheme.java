package dev.stowage.scanning.version;

/**
 * RPM's ordering of {@code [epoch:]version[-release]} (rpm's rpmverCmp over rpmvercmp): epoch, then version, then
 * release, each compared segment by segment. Segments are maximal runs of ASCII digits or ASCII letters; everything
 * else separates them. Digit segments compare numerically and beat letter segments; {@code ~} sorts before
 * everything (even the end), {@code ^} after the end but before any further segment. A missing release sorts below
 * any release; a missing epoch counts as 0.
 */
public final class RpmVersionScheme implements VersionScheme {
    public static final RpmVersionScheme INSTANCE = new RpmVersionScheme();

    private RpmVersionScheme() {
    }

    record Evr(String epoch, String version, String release) {
        /** Splits like rpm: the epoch is a digit run before {@code :}, the release follows the last {@code -}. */
        static Evr of(String evr) {
            String s = evr == null ? "" : evr.strip();
            int digits = 0;
            while (digits < s.length() && DigitStrings.isDigit(s.charAt(digits))) {
                digits++;
            }
            String epoch = null;
            String rest = s;
            if (digits < s.length() && s.charAt(digits) == ':') {
                epoch = digits == 0 ? "0" : s.substring(0, digits);
                rest = s.substring(digits + 1);
            }
            int hyphen = rest.lastIndexOf('-');
            if (hyphen >= 0) {
                return new Evr(epoch, rest.substring(0, hyphen), rest.substring(hyphen + 1));
            }
            return new Evr(epoch, rest, null);
        }
    }

    @Override
    public int compare(String a, String b) {
        Evr ea = Evr.of(a);
        Evr eb = Evr.of(b);
        int c = rpmvercmp(ea.epoch() == null ? "0" : ea.epoch(), eb.epoch() == null ? "0" : eb.epoch());
        if (c != 0) {
            return c;
        }
        c = rpmvercmp(ea.version(), eb.version());
        if (c != 0) {
            return c;
        }
        if (ea.release() == null || eb.release() == null) {
            return ea.release() == null ? (eb.release() == null ? 0 : -1) : 1;
        }
        return rpmvercmp(ea.release(), eb.release());
    }

    private static boolean isAsciiLetter(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    private static boolean isAsciiAlphanumeric(char c) {
        return isAsciiLetter(c) || DigitStrings.isDigit(c);
    }

    private static boolean isSeparator(char c) {
        return !isAsciiAlphanumeric(c) && c != '~' && c != '^';
    }

    /** rpm's rpmvercmp on one field. */
    public static int rpmvercmp(String a, String b) {
        if (a.equals(b)) {
            return 0;
        }
        int i = 0;
        int j = 0;
        while (i < a.length() || j < b.length()) {
            while (i < a.length() && isSeparator(a.charAt(i))) {
                i++;
            }
            while (j < b.length() && isSeparator(b.charAt(j))) {
                j++;
            }
            boolean endA = i >= a.length();
            boolean endB = j >= b.length();
            char ca = endA ? 0 : a.charAt(i);
            char cb = endB ? 0 : b.charAt(j);
            if (ca == '~' || cb == '~') {
                if (ca != '~') {
                    return 1;
                }
                if (cb != '~') {
                    return -1;
                }
                i++;
                j++;
                continue;
            }
            if (ca == '^' || cb == '^') {
                if (endA) {
                    return -1;
                }
                if (endB) {
                    return 1;
                }
                if (ca != '^') {
                    return 1;
                }
                if (cb != '^') {
                    return -1;
                }
                i++;
                j++;
                continue;
            }
            if (endA || endB) {
                break;
            }
            boolean numeric = DigitStrings.isDigit(ca);
            int startA = i;
            int startB = j;
            if (numeric) {
                while (i < a.length() && DigitStrings.isDigit(a.charAt(i))) {
                    i++;
                }
                while (j < b.length() && DigitStrings.isDigit(b.charAt(j))) {
                    j++;
                }
            } else {
                while (i < a.length() && isAsciiLetter(a.charAt(i))) {
                    i++;
                }
                while (j < b.length() && isAsciiLetter(b.charAt(j))) {
                    j++;
                }
            }
            if (j == startB) {
                // the segments are of different types: a number is newer than letters
                return numeric ? 1 : -1;
            }
            String segA = a.substring(startA, i);
            String segB = b.substring(startB, j);
            int c = numeric ? DigitStrings.compare(segA, segB) : DigitStrings.sign(segA.compareTo(segB));
            if (c != 0) {
                return c;
            }
        }
        boolean endA = i >= a.length();
        boolean endB = j >= b.length();
        if (endA && endB) {
            return 0;
        }
        return endA ? -1 : 1;
    }

    /** An EVR rpm would build: non-empty version, and only characters rpm allows in a version or release. */
    @Override
    public boolean isValid(String version) {
        if (version == null || version.isBlank()) {
            return false;
        }
        Evr evr = Evr.of(version);
        if (evr.version().isEmpty() || (evr.release() != null && evr.release().isEmpty())) {
            return false;
        }
        String fields = evr.version() + (evr.release() == null ? "" : evr.release());
        for (int i = 0; i < fields.length(); i++) {
            char c = fields.charAt(i);
            if (!(isAsciiAlphanumeric(c) || c == '.' || c == '_' || c == '+' || c == '~' || c == '^' || c == '%'
                    || c == '{' || c == '}')) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return "rpm";
    }
}
