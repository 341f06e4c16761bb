package dev.stowage.scanning.vuln;

import dev.stowage.scanning.inventory.PackageType;
import dev.stowage.scanning.version.VersionScheme;

import java.util.regex.Pattern;

/**
 * Small version orderings for these tests only (the real ones are the version package's): a SemVer 2.0 ordering that
 * also takes Maven's and PEP 440's plain dotted versions, and a natural ordering (digit runs as numbers) that is right
 * for the Debian and Alpine versions compared here.
 */
final class TestVersionSchemes {
    private TestVersionSchemes() {
    }

    static VersionScheme of(PackageType type) {
        return type.operatingSystemPackage() ? NATURAL : SEMVER;
    }

    static final VersionScheme SEMVER = new VersionScheme() {
        private final Pattern valid = Pattern.compile("\\d+(\\.\\d+)*(-[0-9A-Za-z.-]+)?(\\+[0-9A-Za-z.-]+)?");

        @Override
        public boolean isValid(String version) {
            return valid.matcher(version).matches();
        }

        @Override
        public int compare(String a, String b) {
            String[] pa = split(a), pb = split(b);
            String[] ca = pa[0].split("\\."), cb = pb[0].split("\\.");
            for (int i = 0; i < Math.max(ca.length, cb.length); i++) {
                int c = compareNumeric(i < ca.length ? ca[i] : "0", i < cb.length ? cb[i] : "0");
                if (c != 0) return c;
            }
            if (pa[1] == null || pb[1] == null) return pa[1] == null ? (pb[1] == null ? 0 : 1) : -1;
            String[] ia = pa[1].split("\\."), ib = pb[1].split("\\.");
            for (int i = 0; i < Math.min(ia.length, ib.length); i++) {
                boolean na = digits(ia[i]), nb = digits(ib[i]);
                int c = na && nb ? compareNumeric(ia[i], ib[i]) : na ? -1 : nb ? 1 : ia[i].compareTo(ib[i]);
                if (c != 0) return c;
            }
            return Integer.compare(ia.length, ib.length);
        }

        private String[] split(String v) {
            int plus = v.indexOf('+');
            if (plus >= 0) v = v.substring(0, plus);
            int dash = v.indexOf('-');
            return dash < 0 ? new String[]{v, null} : new String[]{v.substring(0, dash), v.substring(dash + 1)};
        }
    };

    static final VersionScheme NATURAL = new VersionScheme() {
        @Override
        public boolean isValid(String version) {
            return !version.isBlank() && Character.isDigit(version.charAt(0));
        }

        @Override
        public int compare(String a, String b) {
            int i = 0, j = 0;
            while (i < a.length() && j < b.length()) {
                if (Character.isDigit(a.charAt(i)) && Character.isDigit(b.charAt(j))) {
                    int si = i, sj = j;
                    while (i < a.length() && Character.isDigit(a.charAt(i))) i++;
                    while (j < b.length() && Character.isDigit(b.charAt(j))) j++;
                    int c = compareNumeric(a.substring(si, i), b.substring(sj, j));
                    if (c != 0) return c;
                } else {
                    int c = Character.compare(a.charAt(i++), b.charAt(j++));
                    if (c != 0) return c;
                }
            }
            return Integer.compare(a.length() - i, b.length() - j);
        }
    };

    private static boolean digits(String s) {
        if (s.isEmpty()) return false;
        for (int i = 0; i < s.length(); i++) if (!Character.isDigit(s.charAt(i))) return false;
        return true;
    }

    private static int compareNumeric(String a, String b) {
        if (!digits(a) || !digits(b)) return a.compareTo(b);
        int i = 0, j = 0;
        while (i < a.length() - 1 && a.charAt(i) == '0') i++;
        while (j < b.length() - 1 && b.charAt(j) == '0') j++;
        int la = a.length() - i, lb = b.length() - j;
        if (la != lb) return Integer.compare(la, lb);
        return a.substring(i).compareTo(b.substring(j));
    }
}
