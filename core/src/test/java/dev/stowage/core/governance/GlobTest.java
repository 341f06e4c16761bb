package dev.stowage.core.governance;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GlobTest {

    @ParameterizedTest(name = "\"{0}\" matches \"{1}\": {2}")
    @CsvSource(delimiter = '|', value = {
            "abc        | abc       | true",
            "abc        | abcd      | false",
            "a*         | a         | true",
            "a*         | abc       | true",
            "a*         | ab/c      | false",
            "a*/b       | abc/b     | true",
            "a*/b       | a/c/b     | false",
            "*c         | abc       | true",
    })
    void singleStarStaysWithinOneSegment(String pattern, String name, boolean expected) {
        assertThat(Glob.compile(pattern).matches(name)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "\"{0}\" matches \"{1}\": {2}")
    @CsvSource(delimiter = '|', value = {
            "**         | app        | true",
            "**         | app/web/x  | true",
            "**/c       | c          | true",
            "**/c       | a/b/c      | true",
            "**/c       | a/abc      | false",
            "a/**       | a/b        | true",
            "a/**       | a/b/c      | true",
            "a/**       | a          | false",
            "a/**/d     | a/d        | true",
            "a/**/d     | a/b/c/d    | true",
            "a/**/d     | a/b/c/e    | false",
            "**/**/c    | x/y/c      | true",
    })
    void doubleStarAloneInASegmentMatchesAnyNumberOfSegments(String pattern, String name, boolean expected) {
        assertThat(Glob.compile(pattern).matches(name)).isEqualTo(expected);
    }

    @Test
    void doubleStarInsideASegmentIsASingleStar() {
        assertThat(Glob.compile("abc**").matches("abc")).isTrue();
        assertThat(Glob.compile("abc**").matches("abcdef")).isTrue();
        assertThat(Glob.compile("abc**").matches("abc/def")).isFalse();
        assertThat(Glob.compile("team/app**").matches("team/app/web")).isFalse();
    }

    @Test
    void questionMarkIsOneCharacterButNeverASlash() {
        assertThat(Glob.compile("v?.0").matches("v1.0")).isTrue();
        assertThat(Glob.compile("v?.0").matches("v10.0")).isFalse();
        assertThat(Glob.compile("a?b").matches("a/b")).isFalse();
    }

    @ParameterizedTest(name = "\"{0}\" matches \"{1}\": {2}")
    @CsvSource(delimiter = '|', value = {
            "ab[c]       | abc  | true",
            "ab[b-d]     | abc  | true",
            "ab[e-g]     | abc  | false",
            "ab[^c]      | abc  | false",
            "ab[!c]      | abd  | true",
            "ab[^e-g]    | abc  | true",
            "[\\]a]      | ]    | true",
            "[x\\-]      | -    | true",
            "[\\-x]      | x    | true",
            "a[^x]b      | a/b  | false",
            "a[/]b       | a/b  | false",
    })
    void characterClassesMatchOneCharacterOfTheClassButNeverASlash(String pattern, String name, boolean expected) {
        assertThat(Glob.compile(pattern).matches(name)).isEqualTo(expected);
    }

    @Test
    void bracesMatchAnyOfTheirAlternativesWhichMayHoldWildcards() {
        Glob glob = Glob.compile("{release,hotfix}-{v*,[0-9]*}");
        assertThat(glob.matches("release-v1")).isTrue();
        assertThat(glob.matches("hotfix-2024")).isTrue();
        assertThat(glob.matches("feature-v1")).isFalse();
        assertThat(glob.matches("release-x")).isFalse();
    }

    @Test
    void bracesNestAndMayHoldAnEmptyAlternative() {
        Glob glob = Glob.compile("v1{,.{0,1}}");
        assertThat(glob.matches("v1")).isTrue();
        assertThat(glob.matches("v1.1")).isTrue();
        assertThat(glob.matches("v1.")).isFalse();
        assertThat(glob.matches("v1.2")).isFalse();
    }

    @Test
    void commaOutsideBracesIsLiteral() {
        assertThat(Glob.compile("a,b").matches("a,b")).isTrue();
    }

    @Test
    void backslashMakesTheNextCharacterLiteral() {
        assertThat(Glob.compile("a\\*b").matches("a*b")).isTrue();
        assertThat(Glob.compile("a\\*b").matches("axb")).isFalse();
        assertThat(Glob.compile("a/\\**").matches("a/b/c")).isFalse();
    }

    @Test
    void regexMetacharactersAreLiteral() {
        assertThat(Glob.compile("team.x/*").matches("team.x/app")).isTrue();
        assertThat(Glob.compile("team.x/*").matches("teamyx/app")).isFalse();
        assertThat(Glob.compile("(a|b)+$").matches("(a|b)+$")).isTrue();
    }

    @Test
    void matchingIsCaseSensitive() {
        assertThat(Glob.compile("v*").matches("V1")).isFalse();
    }

    @Test
    void manyStarsAgainstALongNameFinishQuickly() {
        // A backtracking regex needs about 64^10 steps for this; the automaton needs a few thousand.
        Glob glob = Glob.compile("**/*a*a*a*a*a*a*a*a*a*a*/**/b");
        String name = "a".repeat(64) + "/" + "a".repeat(64) + "/c";
        long started = System.nanoTime();
        assertThat(glob.matches(name)).isFalse();
        assertThat(System.nanoTime() - started).isLessThan(1_000_000_000L);
    }

    @ParameterizedTest(name = "\"{0}\" is rejected: {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '~', value = {
            "ab[          | unclosed '[' at character 3 of \"ab[\"",
            "[^bc         | unclosed '[' at character 1",
            "[]a]         | empty character class at character 1",
            "[-x]         | '-' must be escaped or stand between two characters at character 2",
            "[x-]         | '-' must be escaped or stand between two characters at character 3",
            "[a-b-c]      | '-' must be escaped or stand between two characters at character 5",
            "[z-a]        | range out of order at character 3",
            "{a,b         | unclosed '{' at character 1",
            "a}           | unmatched '}' at character 2",
            "a\\          | '\\' at the end escapes nothing at character 2",
    })
    void malformedPatternsAreRejectedSayingWhatAndWhere(String pattern, String message) {
        assertThatThrownBy(() -> Glob.compile(pattern))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message);
    }

    @Test
    void emptyAndOverlongPatternsAreRejected() {
        assertThatThrownBy(() -> Glob.compile("")).hasMessage("empty pattern");
        assertThatThrownBy(() -> Glob.compile("a".repeat(Glob.MAX_LENGTH + 1)))
                .hasMessage("pattern longer than 1024 characters");
    }

    @Test
    void wildcardHasOnlyTheStarAsSpecialCharacter() {
        Glob filter = Glob.wildcard("release-*-[rc]?");
        assertThat(filter.matches("release-1.2-[rc]?")).isTrue();
        assertThat(filter.matches("release-1.2-r1")).isFalse();
        assertThat(Glob.wildcard("*prod*").matches("my-prod-1")).isTrue();
        assertThat(Glob.wildcard("prod").matches("prod1")).isFalse();
    }

    @Test
    void globsAreEqualWhenTheirPatternsAre() {
        assertThat(Glob.compile("v*")).isEqualTo(Glob.compile("v*")).hasToString("v*");
        assertThat(Glob.compile("v*")).isNotEqualTo(Glob.compile("v?"));
    }
}
