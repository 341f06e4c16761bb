package dev.stowage.core;

import java.util.Optional;

/** What a manifest URL names: a tag or a digest. */
public sealed interface Reference {
    record ByTag(Tag tag) implements Reference {
        @Override public String toString() { return tag.value(); }
    }

    record ByDigest(Digest digest) implements Reference {
        @Override public String toString() { return digest.toString(); }
    }

    static Reference parse(String text) {
        if (Digest.looksLikeDigest(text)) return new ByDigest(Digest.parse(text));
        return new ByTag(Tag.of(text));
    }

    default Optional<Tag> asTag() {
        return this instanceof ByTag t ? Optional.of(t.tag()) : Optional.empty();
    }
}
