package dev.stowage.server;

import dev.stowage.core.access.Action;

import java.util.List;
import java.util.Optional;

/**
 * Who may call an admin route, declared beside it: the action asked of the access controller, what it is asked
 * about (the whole system, the project or repository a path variable names, an account a path variable names, the
 * caller's own account), and whether the caller must have proved who they are freshly (a password or provider
 * sign-in, not a token: routes that mint or change a credential). The route table runs this check first, through
 * {@link Exchange#authorize}, before the body is read or anything is looked up.
 */
public record Access(Action action, Scope scope, Optional<String> variable, Proof proof, Optional<String> freshWhenBodySets,
                     List<String> bodyFields) {
    /** What the action is asked about. */
    public enum Scope {
        /** Anyone, unauthenticated included (the OpenAPI document). */
        PUBLIC,
        /** The system as a whole. */
        SYSTEM,
        /** The project a path variable names. */
        PROJECT,
        /** The project of the repository a path variable names (the variable may span segments). */
        REPOSITORY,
        /** The account a path variable names. */
        ACCOUNT,
        /** The caller's own account: any signed-in user. */
        OWN_ACCOUNT,
        /**
         * Any signed-in caller, user or robot: what the request touches is asked about item by item by the handler,
         * through {@link AdminCall#allows}, with the same credentials (an admission review's images).
         */
        SIGNED_IN
    }

    /** Whether any credential will do or a fresh sign-in is needed. */
    public enum Proof { ANY, FRESH }

    public Access {
        bodyFields = List.copyOf(bodyFields);
    }

    /** No check at all. */
    public static Access anyone() {
        return new Access(Action.PING, Scope.PUBLIC, Optional.empty(), Proof.ANY, Optional.empty(), List.of());
    }

    /** MANAGE_SYSTEM: system administrators. */
    public static Access system() {
        return new Access(Action.MANAGE_SYSTEM, Scope.SYSTEM, Optional.empty(), Proof.ANY, Optional.empty(), List.of());
    }

    /** {@code action} on the project named by the path variable {@code variable}. */
    public static Access project(Action action, String variable) {
        return new Access(adminAction(action), Scope.PROJECT, Optional.of(variable), Proof.ANY, Optional.empty(), List.of());
    }

    /** {@code action} on the project of the repository named by the path variable {@code variable}. */
    public static Access repository(Action action, String variable) {
        return new Access(adminAction(action), Scope.REPOSITORY, Optional.of(variable), Proof.ANY, Optional.empty(), List.of());
    }

    /**
     * Registry actions (pull, push, ...) are granted by registry tokens, the docker flow, never by the admin API's
     * credentials: a route declared with one could never be passed, so it cannot be declared.
     */
    private static Action adminAction(Action action) {
        if (REGISTRY_ACTIONS.contains(action)) {
            throw new IllegalArgumentException(action + " is a registry action; an admin route is decided by an admin "
                    + "action on the project (READ_PROJECT, SCAN_ARTIFACT, MANAGE_PROJECT, DELETE_REPOSITORY, ...)");
        }
        return action;
    }

    private static final java.util.Set<Action> REGISTRY_ACTIONS = java.util.EnumSet.of(Action.PING, Action.PULL,
            Action.PUSH, Action.DELETE, Action.CATALOG);

    /** MANAGE_ACCOUNT on the account named by the path variable {@code variable}: itself or a system administrator. */
    public static Access account(String variable) {
        return new Access(Action.MANAGE_ACCOUNT, Scope.ACCOUNT, Optional.of(variable), Proof.ANY, Optional.empty(), List.of());
    }

    /** MANAGE_OWN_ACCOUNT: any signed-in user, about themselves. */
    public static Access ownAccount() {
        return new Access(Action.MANAGE_OWN_ACCOUNT, Scope.OWN_ACCOUNT, Optional.empty(), Proof.ANY, Optional.empty(), List.of());
    }

    /**
     * {@code action} asked with no project: any signed-in user or robot passes; the handler asks again per item with
     * {@link AdminCall#allows}.
     */
    public static Access signedIn(Action action) {
        return new Access(action, Scope.SIGNED_IN, Optional.empty(), Proof.ANY, Optional.empty(), List.of());
    }

    /** The same, with a fresh sign-in (the route mints or changes a credential or second factor). */
    public Access freshProof() {
        return new Access(action, scope, variable, Proof.FRESH, Optional.empty(), List.of());
    }

    /**
     * The same, with a fresh sign-in only when the JSON body (which takes exactly {@code accepted} fields) sets
     * {@code field}. The body is read before the check, the one kind of route where it is: a body that cannot be
     * parsed is refused only after the check without a fresh proof has passed.
     */
    public Access freshProofWhenBodySets(String field, String... accepted) {
        return new Access(action, scope, variable, Proof.ANY, Optional.of(field), List.of(accepted));
    }

    /** Whether some request to the route may need a fresh sign-in (what its description's 401 says). */
    boolean mayNeedFreshProof() {
        return proof == Proof.FRESH || freshWhenBodySets.isPresent();
    }
}
