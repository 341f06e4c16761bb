package dev.stowage.scanning.version;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * RubyGems' ordering (Gem::Version): a {@code -} means {@code .pre.}; the version splits into runs of digits and of
 * letters; trailing zeros of the release part and of the pre-release part are insignificant; a letter segment sorts
 * before a number (so {@code 1.0.a < 1.0}), letters compare as text. Invalid text sorts before every version.
 */
public final class RubyGemsVersionScheme implements VersionScheme {
    public static final RubyGemsVersionScheme INSTANCE = new RubyGemsVersionScheme();

    // Gem::Version::ANCHORED_VERSION_PATTERN (RubyGems' documented version syntax).
    private static final Pattern VALID =
            Pattern.compile("^\\s*([0-9]+(?:\\.[0-9a-zA-Z]+)*(?:-[0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*)?)?\\s*$");
    private static final Pattern SEGMENT = Pattern.compile("[0-9]+|[a-zA-Z]+");

    private RubyGemsVersionScheme() {
    }

    /** Segments: {@code String} for letters, digit strings wrapped as {@link Num}. */
    private record Num(String digits) {
    }

    private static List<Object> canonicalSegments(String version) {
        String v = version.strip();
        if (v.isEmpty()) {
            v = "0";
        }
        List<Object> segments = new ArrayList<>();
        Matcher m = SEGMENT.matcher(v.replace("-", ".pre."));
        while (m.find()) {
            String s = m.group();
            segments.add(DigitStrings.isDigit(s.charAt(0)) ? new Num(s) : s);
        }
        int firstString = 0;
        while (firstString < segments.size() && segments.get(firstString) instanceof Num) {
            firstString++;
        }
        List<Object> release = dropTrailingZeros(segments.subList(0, firstString));
        List<Object> pre = dropTrailingZeros(segments.subList(firstString, segments.size()));
        release.addAll(pre);
        return release;
    }

    private static List<Object> dropTrailingZeros(List<Object> segments) {
        List<Object> copy = new ArrayList<>(segments);
        while (!copy.isEmpty() && copy.get(copy.size() - 1) instanceof Num n && DigitStrings.compare(n.digits(), "0") == 0) {
            copy.remove(copy.size() - 1);
        }
        return copy;
    }

    @Override
    public int compare(String a, String b) {
        boolean validA = isValid(a);
        boolean validB = isValid(b);
        if (!validA || !validB) {
            if (!validA && !validB) {
                return DigitStrings.sign(String.valueOf(a).compareTo(String.valueOf(b)));
            }
            return validA ? 1 : -1;
        }
        List<Object> left = canonicalSegments(a);
        List<Object> right = canonicalSegments(b);
        for (int i = 0; i < Math.max(left.size(), right.size()); i++) {
            Object l = i < left.size() ? left.get(i) : new Num("0");
            Object r = i < right.size() ? right.get(i) : new Num("0");
            int c;
            if (l instanceof Num nl && r instanceof Num nr) {
                c = DigitStrings.compare(nl.digits(), nr.digits());
            } else if (l instanceof String sl && r instanceof String sr) {
                c = DigitStrings.sign(sl.compareTo(sr));
            } else {
                c = l instanceof String ? -1 : 1;
            }
            if (c != 0) {
                return c;
            }
        }
        return 0;
    }

    @Override
    public boolean isValid(String version) {
        return version != null && VALID.matcher(version).matches();
    }

    @Override
    public String toString() {
        return "rubygems";
    }
}
