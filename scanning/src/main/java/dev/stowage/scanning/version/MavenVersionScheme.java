package dev.stowage.scanning.version;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Maven's ordering (maven-artifact's ComparableVersion, as Maven 3.9 resolves version ranges): the version is split
 * into numbers and qualifiers at {@code .}, at {@code -} (which opens a sub-list, so {@code 1-1 < 1.1}) and at every
 * switch between digits and letters (which opens one too, as does a dot before a qualifier that ends the version or
 * is followed by a number: {@code 1.0.b2} is {@code 1.0-b2}); trailing zeros and empty qualifiers are insignificant ({@code 1 == 1.0 ==
 * 1-0}); qualifiers order {@code alpha < beta < milestone < rc = cr < snapshot < "" = ga = final = release < sp}, then
 * unknown qualifiers alphabetically (case-insensitively); {@code a1}, {@code b1}, {@code m1} abbreviate alpha, beta
 * and milestone when a digit follows. Every text is a Maven version, so {@link #isValid} accepts any non-blank one.
 */
public final class MavenVersionScheme implements VersionScheme {
    public static final MavenVersionScheme INSTANCE = new MavenVersionScheme();

    private static final List<String> QUALIFIERS = List.of("alpha", "beta", "milestone", "rc", "snapshot", "", "sp");
    private static final Map<String, String> ALIASES = Map.of("ga", "", "final", "", "release", "", "cr", "rc");
    private static final int RELEASE_RANK = QUALIFIERS.indexOf("");

    private MavenVersionScheme() {
    }

    /** One parsed component; {@code compareTo(null)} compares against a missing component (padding). */
    private sealed interface Item permits Number, Qualifier, Sub {
        int compareTo(Item other);

        boolean isNull();
    }

    private record Number(String digits) implements Item {
        public int compareTo(Item other) {
            if (other == null) {
                return isNull() ? 0 : 1;
            }
            if (other instanceof Number n) {
                return DigitStrings.compare(digits, n.digits);
            }
            return 1; // 1.1 > 1-sp, 1.1 > 1-1
        }

        public boolean isNull() {
            return DigitStrings.compare(digits, "0") == 0;
        }
    }

    private record Qualifier(String value) implements Item {
        static Qualifier of(String text, boolean followedByDigit) {
            String v = text;
            if (followedByDigit && v.length() == 1) {
                v = switch (v.charAt(0)) {
                    case 'a' -> "alpha";
                    case 'b' -> "beta";
                    case 'm' -> "milestone";
                    default -> v;
                };
            }
            return new Qualifier(ALIASES.getOrDefault(v, v));
        }

        /** Known qualifiers by rank, then unknown ones after them in lexical order (ComparableVersion's trick). */
        private static String comparable(String qualifier) {
            int rank = QUALIFIERS.indexOf(qualifier);
            return rank == -1 ? QUALIFIERS.size() + "-" + qualifier : String.valueOf(rank);
        }

        public int compareTo(Item other) {
            if (other == null) {
                return DigitStrings.sign(comparable(value).compareTo(String.valueOf(RELEASE_RANK)));
            }
            if (other instanceof Qualifier q) {
                return DigitStrings.sign(comparable(value).compareTo(comparable(q.value)));
            }
            return -1; // 1.any < 1.1, 1.any < 1-1
        }

        public boolean isNull() {
            return comparable(value).equals(String.valueOf(RELEASE_RANK));
        }
    }

    private record Sub(List<Item> items) implements Item {
        void normalize() {
            for (int i = items.size() - 1; i >= 0; i--) {
                Item last = items.get(i);
                if (last.isNull()) {
                    items.remove(i);
                } else if (!(last instanceof Sub)) {
                    break;
                }
            }
        }

        public int compareTo(Item other) {
            if (other == null) {
                for (Item item : items) {
                    int c = item.compareTo(null);
                    if (c != 0) {
                        return c;
                    }
                }
                return 0;
            }
            if (other instanceof Number) {
                return -1; // 1-1 < 1.0.x
            }
            if (other instanceof Qualifier) {
                return 1; // 1-1 > 1-sp
            }
            List<Item> right = ((Sub) other).items;
            for (int i = 0; i < Math.max(items.size(), right.size()); i++) {
                Item l = i < items.size() ? items.get(i) : null;
                Item r = i < right.size() ? right.get(i) : null;
                int c = l == null ? (r == null ? 0 : -r.compareTo(null)) : l.compareTo(r);
                if (c != 0) {
                    return c;
                }
            }
            return 0;
        }

        public boolean isNull() {
            return items.isEmpty();
        }
    }

    static Sub parse(String version) {
        String v = (version == null ? "" : version).toLowerCase(Locale.ENGLISH);
        Sub root = new Sub(new ArrayList<>());
        Sub list = root;
        Deque<Sub> opened = new ArrayDeque<>();
        opened.push(root);
        boolean digit = false;
        int start = 0;
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c == '.' || c == '-') {
                list.items().add(i == start ? new Number("0") : item(digit, v.substring(start, i), false));
                start = i + 1;
                if (c == '-') {
                    list = openSub(list, opened);
                }
            } else if (DigitStrings.isDigit(c)) {
                if (!digit && i > start) {
                    // a qualifier followed by a number ("1.0.b2") starts a sub-list as if written "1.0-b2"
                    if (!list.items().isEmpty()) {
                        list = openSub(list, opened);
                    }
                    list.items().add(Qualifier.of(v.substring(start, i), true));
                    start = i;
                    list = openSub(list, opened);
                }
                digit = true;
            } else {
                if (digit && i > start) {
                    list.items().add(item(true, v.substring(start, i), false));
                    start = i;
                    list = openSub(list, opened);
                }
                digit = false;
            }
        }
        if (v.length() > start) {
            // a final qualifier after a dot counts as after a hyphen ("1.0.0.RC" as "1.0.0-RC"), so 1.0.0.x < 1.0.0-1
            if (!digit && !list.items().isEmpty()) {
                list = openSub(list, opened);
            }
            list.items().add(item(digit, v.substring(start), false));
        }
        while (!opened.isEmpty()) {
            opened.pop().normalize();
        }
        return root;
    }

    private static Sub openSub(Sub parent, Deque<Sub> opened) {
        Sub sub = new Sub(new ArrayList<>());
        parent.items().add(sub);
        opened.push(sub);
        return sub;
    }

    private static Item item(boolean digit, String text, boolean followedByDigit) {
        return digit ? new Number(text) : Qualifier.of(text, followedByDigit);
    }

    @Override
    public int compare(String a, String b) {
        return DigitStrings.sign(parse(a).compareTo(parse(b)));
    }

    @Override
    public boolean isValid(String version) {
        return version != null && !version.isBlank();
    }

    @Override
    public String toString() {
        return "maven";
    }
}
