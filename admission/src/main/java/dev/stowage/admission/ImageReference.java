package dev.stowage.admission;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A container image reference as a pod spec names it, normalized as Docker and containerd do
 * (github.com/distribution/reference, {@code ParseNormalizedNamed}): a first component with a dot or a colon, or
 * {@code localhost}, is a registry host, otherwise the image is Docker Hub's ({@code docker.io}), where a single
 * component is an official image ({@code library/}). A reference with neither tag nor digest means {@code :latest};
 * one with both is pulled by its digest (the tag is only read by people).
 *
 * @param registry   the registry host as written, lower-cased ({@code docker.io} for Docker Hub), with its port
 * @param repository the path inside that registry ({@code library/nginx}, {@code team/app})
 * @param tag        the tag, if written
 * @param digest     the digest, if written ({@code sha256:...})
 */
public record ImageReference(String registry, String repository, Optional<String> tag, Optional<String> digest) {
    public static final String DOCKER_HUB = "docker.io";
    /** The reference grammar's bound on a whole name (host and path). */
    private static final int MAX_NAME = 255;
    private static final Pattern COMPONENT = Pattern.compile("[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*");
    private static final Pattern HOST = Pattern.compile(
            "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*"
                    + "|\\[[a-fA-F0-9:]+\\]");
    private static final Pattern PORT = Pattern.compile("[0-9]{1,5}");
    private static final Pattern TAG = Pattern.compile("[\\w][\\w.-]{0,127}");
    private static final Pattern DIGEST = Pattern.compile("[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}");

    /** Why a string is not an image reference. */
    public static final class InvalidReference extends Exception {
        public InvalidReference(String message) {
            super(message);
        }
    }

    /** Parses and normalizes {@code text}; the message of a refusal says what is wrong with it. */
    public static ImageReference parse(String text) throws InvalidReference {
        if (text == null || text.isEmpty()) throw new InvalidReference("the image is empty");
        if (text.length() > 1024) throw new InvalidReference("the image reference is longer than 1024 characters");
        if (!text.strip().equals(text)) throw new InvalidReference("the image has leading or trailing white space");
        String rest = text;
        Optional<String> digest = Optional.empty();
        int at = rest.indexOf('@');
        if (at >= 0) {
            String d = rest.substring(at + 1);
            if (!DIGEST.matcher(d).matches()) throw new InvalidReference("'" + d + "' is not a digest");
            if (d.startsWith("sha256:") && !d.substring(7).matches("[a-f0-9]{64}")) {
                throw new InvalidReference("a sha256 digest is 64 lowercase hexadecimal characters");
            }
            digest = Optional.of(d);
            rest = rest.substring(0, at);
        }
        Optional<String> tag = Optional.empty();
        int colon = rest.lastIndexOf(':');
        if (colon > rest.lastIndexOf('/')) {
            String t = rest.substring(colon + 1);
            if (!TAG.matcher(t).matches()) throw new InvalidReference("'" + t + "' is not a tag");
            tag = Optional.of(t);
            rest = rest.substring(0, colon);
        }
        if (rest.isEmpty()) throw new InvalidReference("the image has no name");
        if (rest.length() > MAX_NAME) throw new InvalidReference("the image name is longer than " + MAX_NAME + " characters");
        String registry;
        String path;
        int slash = rest.indexOf('/');
        String first = slash < 0 ? rest : rest.substring(0, slash);
        if (slash >= 0 && (first.contains(".") || first.contains(":") || first.equals("localhost")
                || !first.equals(first.toLowerCase(Locale.ROOT)))) {
            registry = host(first);
            path = rest.substring(slash + 1);
        } else {
            registry = DOCKER_HUB;
            path = rest;
        }
        if (registry.equals("index.docker.io")) registry = DOCKER_HUB;
        if (registry.equals(DOCKER_HUB) && !path.contains("/")) path = "library/" + path;
        for (String component : path.split("/", -1)) {
            if (!COMPONENT.matcher(component).matches()) {
                throw new InvalidReference(component.equals(component.toLowerCase(Locale.ROOT))
                        ? "'" + path + "' is not a repository name (lowercase letters, digits and separators . _ __ - "
                                + "between them, components separated by /)"
                        : "the repository name '" + path + "' must be lowercase");
            }
        }
        return new ImageReference(registry, path, tag, digest);
    }

    private static String host(String text) throws InvalidReference {
        String name = text;
        String port = null;
        int colon = text.lastIndexOf(':');
        if (colon > text.lastIndexOf(']')) {
            name = text.substring(0, colon);
            port = text.substring(colon + 1);
            if (!PORT.matcher(port).matches() || Integer.parseInt(port) > 65535) {
                throw new InvalidReference("'" + text + "' is not a registry host (bad port)");
            }
        }
        if (!HOST.matcher(name).matches()) throw new InvalidReference("'" + text + "' is not a registry host");
        return name.toLowerCase(Locale.ROOT) + (port == null ? "" : ":" + port);
    }

    /** The reference pulled: the digest when written (a tag beside it is ignored, as runtimes do), else the tag. */
    public String pulledReference() {
        return digest.orElseGet(() -> tag.orElse("latest"));
    }

    /** The tag a runtime would resolve ({@code latest} when none is written); empty when pinned by digest. */
    public Optional<String> resolvedTag() {
        return digest.isPresent() ? Optional.empty() : Optional.of(tag.orElse("latest"));
    }

    /**
     * This image pinned to {@code pinned}: {@code host/repo:tag@sha256:...}, the tag kept for people reading the
     * spec (kubelet, containerd and CRI-O pull by the digest and ignore it).
     */
    public String pinnedTo(String pinned) {
        return registry + "/" + repository + tag.map(t -> ":" + t).orElse("") + "@" + pinned;
    }

    @Override
    public String toString() {
        return registry + "/" + repository + tag.map(t -> ":" + t).orElse("") + digest.map(d -> "@" + d).orElse("");
    }
}
