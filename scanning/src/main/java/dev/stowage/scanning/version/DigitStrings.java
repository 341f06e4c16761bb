package dev.stowage.scanning.version;

/** Numeric comparison of digit strings of any length (no overflow: version numbers such as dates or build stamps can exceed a long). */
final class DigitStrings {
    private DigitStrings() {
    }

    /** Compares two runs of ASCII digits by value, ignoring leading zeros. */
    static int compare(CharSequence a, CharSequence b) {
        int ia = skipZeros(a);
        int ib = skipZeros(b);
        int lengthA = a.length() - ia;
        int lengthB = b.length() - ib;
        if (lengthA != lengthB) {
            return Integer.compare(lengthA, lengthB);
        }
        for (int k = 0; k < lengthA; k++) {
            int diff = a.charAt(ia + k) - b.charAt(ib + k);
            if (diff != 0) {
                return diff < 0 ? -1 : 1;
            }
        }
        return 0;
    }

    static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    static boolean allDigits(CharSequence s) {
        if (s.length() == 0) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (!isDigit(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    private static int skipZeros(CharSequence s) {
        int i = 0;
        while (i < s.length() && s.charAt(i) == '0') {
            i++;
        }
        return i;
    }

    static int sign(int value) {
        return Integer.compare(value, 0);
    }
}
