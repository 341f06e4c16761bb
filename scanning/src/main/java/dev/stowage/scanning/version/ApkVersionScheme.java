package dev.stowage.scanning.version;

/**
 * apk-tools' ordering of Alpine package versions: {@code digits{.digits}[letter]{_suffix[digits]}[~hash][-rN]}.
 * Numbers compare numerically, except that a dotted component with a leading zero compares as text (so
 * {@code 8.2.0015 < 8.2.002}); suffixes order {@code _alpha < _beta < _pre < _rc <} (none) {@code < _cvs < _svn < _git
 * < _hg < _p}; when one version is a prefix of the other the longer one is newer unless what follows is a pre-release
 * suffix. A malformed version is compared up to its first malformed token, as apk does (apk-tools' test data: "1.0 <
 * 1.0bc").
 */
public final class ApkVersionScheme implements VersionScheme {
    public static final ApkVersionScheme INSTANCE = new ApkVersionScheme();

    private ApkVersionScheme() {
    }

    // Token kinds, in the order apk requires them to appear (a later kind can never be followed by an earlier one).
    private static final int INITIAL_DIGIT = 0;
    private static final int DIGIT = 1;
    private static final int LETTER = 2;
    private static final int SUFFIX = 3;
    private static final int SUFFIX_NUMBER = 4;
    private static final int COMMIT_HASH = 5;
    private static final int REVISION = 6;
    private static final int END = 7;
    private static final int INVALID = 8;

    /** Suffix ranks; {@link #NO_SUFFIX} is the rank of a release without one. */
    private static final String[] SUFFIXES = {"alpha", "beta", "pre", "rc", null, "cvs", "svn", "git", "hg", "p"};
    private static final int NO_SUFFIX = 4;

    /** A cursor over one version, yielding one token at a time. */
    private static final class Tokens {
        private final String s;
        private int pos;
        int kind;
        String value = "";
        int suffixRank;

        Tokens(String s) {
            this.s = s;
            this.kind = INITIAL_DIGIT;
            readDigits();
        }

        private void readDigits() {
            int start = pos;
            while (pos < s.length() && DigitStrings.isDigit(s.charAt(pos))) {
                pos++;
            }
            value = s.substring(start, pos);
            if (value.isEmpty()) {
                kind = INVALID;
            }
        }

        void next() {
            if (pos >= s.length()) {
                kind = END;
                return;
            }
            char c = s.charAt(pos);
            if (c >= 'a' && c <= 'z') {
                if (kind > DIGIT) {
                    kind = INVALID;
                    return;
                }
                value = String.valueOf(c);
                kind = LETTER;
                pos++;
            } else if (c == '.' || DigitStrings.isDigit(c)) {
                if (c == '.') {
                    if (kind > DIGIT) {
                        kind = INVALID;
                        return;
                    }
                    pos++;
                }
                if (kind == INITIAL_DIGIT || kind == DIGIT) {
                    kind = DIGIT;
                } else if (kind == SUFFIX) {
                    kind = SUFFIX_NUMBER;
                } else {
                    kind = INVALID;
                    return;
                }
                readDigits();
            } else if (c == '_') {
                if (kind > SUFFIX_NUMBER) {
                    kind = INVALID;
                    return;
                }
                pos++;
                int start = pos;
                while (pos < s.length() && s.charAt(pos) >= 'a' && s.charAt(pos) <= 'z') {
                    pos++;
                }
                value = s.substring(start, pos);
                suffixRank = -1;
                for (int r = 0; r < SUFFIXES.length; r++) {
                    if (value.equals(SUFFIXES[r])) {
                        suffixRank = r;
                    }
                }
                kind = suffixRank < 0 ? INVALID : SUFFIX;
            } else if (c == '~') {
                if (kind >= COMMIT_HASH) {
                    kind = INVALID;
                    return;
                }
                pos++;
                int start = pos;
                while (pos < s.length() && isHex(s.charAt(pos))) {
                    pos++;
                }
                value = s.substring(start, pos);
                kind = value.isEmpty() ? INVALID : COMMIT_HASH;
            } else if (c == '-') {
                if (kind >= REVISION || !s.startsWith("-r", pos)) {
                    kind = INVALID;
                    return;
                }
                pos += 2;
                kind = REVISION;
                readDigits();
            } else {
                kind = INVALID;
            }
        }

        private static boolean isHex(char c) {
            return DigitStrings.isDigit(c) || (c >= 'a' && c <= 'f');
        }
    }

    private static int compareTokens(Tokens a, Tokens b) {
        switch (a.kind) {
            case DIGIT:
                if (a.value.charAt(0) == '0' || b.value.charAt(0) == '0') {
                    return compareBytes(a.value, b.value);
                }
                return DigitStrings.compare(a.value, b.value);
            case INITIAL_DIGIT, SUFFIX_NUMBER, REVISION:
                return DigitStrings.compare(a.value, b.value);
            case LETTER:
                return Integer.compare(a.value.charAt(0), b.value.charAt(0));
            case SUFFIX:
                return Integer.compare(a.suffixRank, b.suffixRank);
            default:
                return compareBytes(a.value, b.value);
        }
    }

    /** Byte-wise comparison, a proper prefix first. */
    private static int compareBytes(String a, String b) {
        return DigitStrings.sign(a.compareTo(b));
    }

    @Override
    public int compare(String a, String b) {
        Tokens ta = new Tokens(a == null ? "" : a.strip());
        Tokens tb = new Tokens(b == null ? "" : b.strip());
        while (ta.kind == tb.kind && ta.kind < END) {
            int c = compareTokens(ta, tb);
            if (c != 0) {
                return c;
            }
            ta.next();
            tb.next();
        }
        if (ta.kind == tb.kind) {
            return 0;
        }
        if (ta.kind == SUFFIX && ta.suffixRank < NO_SUFFIX) {
            return -1;
        }
        if (tb.kind == SUFFIX && tb.suffixRank < NO_SUFFIX) {
            return 1;
        }
        return ta.kind > tb.kind ? -1 : 1;
    }

    @Override
    public boolean isValid(String version) {
        if (version == null) {
            return false;
        }
        Tokens t = new Tokens(version);
        while (t.kind < END) {
            t.next();
        }
        return t.kind == END;
    }

    @Override
    public String toString() {
        return "apk";
    }
}
