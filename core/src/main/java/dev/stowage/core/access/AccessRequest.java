package dev.stowage.core.access;

import dev.stowage.core.RepositoryName;

import java.util.Optional;

/**
 * One request as the access controller sees it: who (the raw Authorization header, to be interpreted by the
 * controller), from where, what, and the Host it was sent to and whether over TLS (to name the token realm in a
 * challenge).
 *
 * @param changesCredentials the request mints or changes a credential or second factor (a personal access token, a
 *                           password, TOTP, a robot's secret): it needs a fresh password or provider sign-in, which a
 *                           token alone is not
 */
public record AccessRequest(Optional<String> authorization, String clientAddress, Action action,
                            Optional<RepositoryName> repository, Optional<String> project, Optional<String> account,
                            Optional<String> host, boolean secure, boolean changesCredentials) {

    public AccessRequest(Optional<String> authorization, String clientAddress, Action action,
                         Optional<RepositoryName> repository, Optional<String> project, Optional<String> account,
                         Optional<String> host, boolean secure) {
        this(authorization, clientAddress, action, repository, project, account, host, secure, false);
    }

    /** A registry route: the project is the repository's first path component. */
    public static AccessRequest forRegistry(Optional<String> authorization, String clientAddress, Action action,
                                            Optional<RepositoryName> repository, Optional<String> host, boolean secure) {
        return new AccessRequest(authorization, clientAddress, action, repository,
                repository.map(RepositoryName::project), Optional.empty(), host, secure);
    }
}
