package dev.stowage.core.governance;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.function.IntPredicate;

/**
 * A compiled glob with the syntax of bmatcuk/doublestar v1, which Harbor uses for its tag and repository selectors:
 * {@code *} matches any run of characters within one path segment, {@code ?} one character other than {@code /},
 * {@code [abc]}, {@code [a-z]}, {@code [^abc]} or {@code [!abc]} one character of (or not of) a class (never {@code /}),
 * {@code {a,b}} either alternative (nested freely), and {@code \x} the character x itself. {@code **} standing alone as a
 * path segment matches any number of segments: {@code **}/x matches x and a/b/x, a/**&#47;x matches a/x and a/b/c/x,
 * a/** matches everything below a (not a itself). Anywhere else (inside a segment, or inside braces) {@code **} is a
 * plain {@code *}. {@link #wildcard} compiles ECR's simpler language, where {@code *} is the only special character.
 *
 * <p>Patterns come from project administrators and are matched on the push path, so they are compiled once into a
 * Thompson automaton and run in time linear in the name: no backtracking, whatever the pattern.
 */
public final class Glob {
    public static final int MAX_LENGTH = 1024;

    private final String pattern;
    private final Automaton automaton;

    private Glob(String pattern, List<Node> nodes) {
        this.pattern = pattern;
        this.automaton = Automaton.of(nodes);
    }

    /** Compiles a doublestar pattern; a malformed one is an {@link IllegalArgumentException} saying what and where. */
    public static Glob compile(String pattern) {
        checkLength(pattern);
        return new Glob(pattern, new Parser(pattern).parseAll());
    }

    /** Compiles an ECR wildcard filter: {@code *} matches any run of characters, everything else is literal. */
    public static Glob wildcard(String pattern) {
        checkLength(pattern);
        List<Node> nodes = new ArrayList<>();
        pattern.codePoints().forEach(c -> nodes.add(c == '*' ? new Star(true) : literal(c)));
        return new Glob(pattern, nodes);
    }

    public boolean matches(String text) {
        return automaton.matches(text);
    }

    public String pattern() { return pattern; }

    @Override
    public boolean equals(Object o) {
        return o instanceof Glob other && other.pattern.equals(pattern);
    }

    @Override
    public int hashCode() { return pattern.hashCode(); }

    @Override
    public String toString() { return pattern; }

    private static void checkLength(String pattern) {
        if (pattern == null || pattern.isEmpty()) throw new IllegalArgumentException("empty pattern");
        if (pattern.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("pattern longer than " + MAX_LENGTH + " characters");
        }
    }

    private static Single literal(int c) {
        return new Single(x -> x == c);
    }

    private sealed interface Node permits Single, Star, Segments, Alternatives {}

    /** One character passing the test. */
    private record Single(IntPredicate test) implements Node {}

    /** Any run of characters; within one segment unless {@code crossesSlash}. */
    private record Star(boolean crossesSlash) implements Node {}

    /** {@code **}{@code /}: zero or more whole segments, each with its trailing slash. */
    private record Segments() implements Node {}

    private record Alternatives(List<List<Node>> choices) implements Node {}

    private static final class Parser {
        private final String pattern;
        private int pos;
        private int braceDepth;

        Parser(String pattern) { this.pattern = pattern; }

        List<Node> parseAll() {
            List<Node> nodes = parseSequence();
            if (pos < pattern.length()) throw error("unmatched '" + pattern.charAt(pos) + "'", pos);
            return nodes;
        }

        /** Reads up to the end, or up to the ',' or '}' that ends an alternative when inside braces. */
        private List<Node> parseSequence() {
            List<Node> nodes = new ArrayList<>();
            while (pos < pattern.length()) {
                char c = pattern.charAt(pos);
                if (c == '}' || (c == ',' && braceDepth > 0)) {
                    if (braceDepth == 0) throw error("unmatched '}'", pos);
                    return nodes;
                }
                switch (c) {
                    case '*' -> nodes.add(star());
                    case '?' -> {
                        pos++;
                        nodes.add(new Single(x -> x != '/'));
                    }
                    case '[' -> nodes.add(characterClass());
                    case '{' -> nodes.add(alternatives());
                    case '\\' -> {
                        if (pos + 1 >= pattern.length()) throw error("'\\' at the end escapes nothing", pos);
                        int escaped = pattern.codePointAt(pos + 1);
                        pos += 1 + Character.charCount(escaped);
                        nodes.add(literal(escaped));
                    }
                    default -> {
                        int cp = pattern.codePointAt(pos);
                        pos += Character.charCount(cp);
                        nodes.add(literal(cp));
                    }
                }
            }
            return nodes;
        }

        private Node star() {
            int start = pos;
            while (pos < pattern.length() && pattern.charAt(pos) == '*') pos++;
            boolean wholeSegment = pos - start >= 2
                    && (start == 0 || pattern.charAt(start - 1) == '/')
                    && (pos == pattern.length() || pattern.charAt(pos) == '/')
                    && braceDepth == 0;
            if (!wholeSegment) return new Star(false);
            if (pos == pattern.length()) return new Star(true);
            pos++; // the '/' after "**" belongs to the segments it matches
            return new Segments();
        }

        private Node alternatives() {
            int open = pos++;
            braceDepth++;
            List<List<Node>> choices = new ArrayList<>();
            while (true) {
                choices.add(parseSequence());
                if (pos >= pattern.length()) throw error("unclosed '{'", open);
                char c = pattern.charAt(pos++);
                if (c == '}') break;
            }
            braceDepth--;
            return new Alternatives(choices);
        }

        private Node characterClass() {
            int open = pos++;
            boolean negated = pos < pattern.length() && (pattern.charAt(pos) == '^' || pattern.charAt(pos) == '!');
            if (negated) pos++;
            List<int[]> ranges = new ArrayList<>();
            while (true) {
                if (pos >= pattern.length()) throw error("unclosed '['", open);
                if (pattern.charAt(pos) == ']') {
                    if (ranges.isEmpty()) throw error("empty character class", open);
                    pos++;
                    break;
                }
                if (pattern.charAt(pos) == '-') throw error("'-' must be escaped or stand between two characters", pos);
                int low = classCharacter(open);
                int high = low;
                if (pos < pattern.length() && pattern.charAt(pos) == '-'
                        && pos + 1 < pattern.length() && pattern.charAt(pos + 1) != ']') {
                    int dash = pos++;
                    if (pattern.charAt(pos) == '-') throw error("'-' must be escaped or stand between two characters", pos);
                    high = classCharacter(open);
                    if (high < low) throw error("range out of order", dash);
                }
                ranges.add(new int[] {low, high});
            }
            int[][] bounds = ranges.toArray(int[][]::new);
            return new Single(c -> {
                if (c == '/') return false;
                boolean inClass = false;
                for (int[] r : bounds) if (c >= r[0] && c <= r[1]) { inClass = true; break; }
                return inClass != negated;
            });
        }

        private int classCharacter(int open) {
            if (pattern.charAt(pos) == '\\') {
                pos++;
                if (pos >= pattern.length()) throw error("unclosed '['", open);
            }
            int cp = pattern.codePointAt(pos);
            pos += Character.charCount(cp);
            return cp;
        }

        private IllegalArgumentException error(String problem, int index) {
            return new IllegalArgumentException(problem + " at character " + (index + 1) + " of \"" + pattern + "\"");
        }
    }

    /** States: a character test with one successor, or a fork to several successors; the last state accepts. */
    private static final class Automaton {
        private final List<IntPredicate> tests = new ArrayList<>();
        private final List<int[]> successors = new ArrayList<>();
        private int start;
        private int accept;

        static Automaton of(List<Node> nodes) {
            Automaton a = new Automaton();
            a.accept = a.fork();
            a.start = a.sequence(nodes, a.accept);
            return a;
        }

        private int fork(int... next) {
            tests.add(null);
            successors.add(next);
            return tests.size() - 1;
        }

        private int step(IntPredicate test, int next) {
            tests.add(test);
            successors.add(new int[] {next});
            return tests.size() - 1;
        }

        /** Builds back to front, so each piece is made knowing where it continues. */
        private int sequence(List<Node> nodes, int next) {
            for (int i = nodes.size() - 1; i >= 0; i--) next = node(nodes.get(i), next);
            return next;
        }

        private int node(Node node, int next) {
            return switch (node) {
                case Single s -> step(s.test(), next);
                case Star s -> loop(s.crossesSlash() ? c -> true : c -> c != '/', next);
                case Segments s -> {
                    int slash = step(c -> c == '/', next);
                    int anything = loop(c -> true, slash);
                    yield fork(next, anything);
                }
                case Alternatives a -> fork(a.choices().stream().mapToInt(choice -> sequence(choice, next)).toArray());
            };
        }

        private int loop(IntPredicate test, int next) {
            int entry = fork();
            int body = step(test, entry);
            successors.set(entry, new int[] {body, next});
            return entry;
        }

        boolean matches(String text) {
            int size = tests.size();
            BitSet current = new BitSet(size);
            BitSet following = new BitSet(size);
            int[] stack = new int[size];
            close(current, start, stack);
            for (int i = 0; i < text.length() && !current.isEmpty(); ) {
                int c = text.codePointAt(i);
                i += Character.charCount(c);
                following.clear();
                for (int s = current.nextSetBit(0); s >= 0; s = current.nextSetBit(s + 1)) {
                    IntPredicate test = tests.get(s);
                    if (test != null && test.test(c)) close(following, successors.get(s)[0], stack);
                }
                BitSet swap = current;
                current = following;
                following = swap;
            }
            return current.get(accept);
        }

        /** Adds a state and every state reachable from it through forks. */
        private void close(BitSet set, int state, int[] stack) {
            if (set.get(state)) return;
            set.set(state);
            int top = 0;
            stack[top++] = state;
            while (top > 0) {
                int s = stack[--top];
                if (tests.get(s) != null) continue;
                for (int next : successors.get(s)) {
                    if (!set.get(next)) {
                        set.set(next);
                        stack[top++] = next;
                    }
                }
            }
        }
    }
}
