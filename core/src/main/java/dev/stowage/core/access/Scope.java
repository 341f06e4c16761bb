package dev.stowage.core.access;

import dev.stowage.core.ErrorCode;
import dev.stowage.core.RegistryException;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A resource scope of the Docker token protocol: {@code repository:team/app:pull,push} or
 * {@code registry:catalog:*}. Unknown actions are kept (and never granted) so that intersections stay exact.
 */
public record Scope(String type, String name, Set<String> actions) {
    public static final String REPOSITORY = "repository";
    public static final String REGISTRY = "registry";

    public Scope {
        actions = Set.copyOf(actions);
    }

    /** Parses one scope; the name may itself contain ':' (a registry host with a port), so split from both ends. */
    public static Scope parse(String text) {
        int first = text.indexOf(':');
        int last = text.lastIndexOf(':');
        if (first <= 0 || last == first || last == text.length() - 1) {
            throw new RegistryException(ErrorCode.UNSUPPORTED, "malformed scope: " + abbreviate(text), null, 400);
        }
        Set<String> actions = new LinkedHashSet<>();
        for (String action : text.substring(last + 1).split(",")) {
            if (!action.isBlank()) actions.add(action.trim());
        }
        return new Scope(text.substring(0, first), text.substring(first + 1, last), actions);
    }

    /** Parses the {@code scope} parameters of a token request: repeated, and each may hold several, space-separated. */
    public static List<Scope> parseAll(List<String> parameters) {
        List<Scope> scopes = new ArrayList<>();
        for (String parameter : parameters) {
            for (String one : parameter.trim().split("\\s+")) {
                if (!one.isEmpty()) scopes.add(parse(one));
            }
        }
        return scopes;
    }

    /** The scope with only the actions also in {@code allowed}. */
    public Scope restrictTo(Set<String> allowed) {
        Set<String> kept = new LinkedHashSet<>(actions);
        kept.retainAll(allowed);
        return new Scope(type, name, kept);
    }

    /** The action name a route's {@link Action} needs in a token, or null for actions that need no scope. */
    public static String actionName(Action action) {
        return switch (action) {
            case PULL -> "pull";
            case PUSH -> "push";
            case DELETE -> "delete";
            case CATALOG -> "*";
            case PING, MANAGE_PROJECT, MANAGE_SYSTEM, MANAGE_ACCOUNT, MANAGE_OWN_ACCOUNT, READ_PROJECT, DELETE_REPOSITORY,
                 SCAN_ARTIFACT, ADMIT_IMAGE -> null;
        };
    }

    @Override
    public String toString() {
        return type + ":" + name + ":" + String.join(",", actions);
    }

    private static String abbreviate(String text) {
        return text.length() > 100 ? text.substring(0, 100) + "..." : text;
    }
}
