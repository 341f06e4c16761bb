package dev.stowage.core.access;

/** What a request wants to do; every route maps to exactly one action. */
public enum Action {
    /** GET /v2/: check that the registry speaks the API and that the caller is known. */
    PING,
    /** Read manifests, blobs, tags and referrers of a repository. */
    PULL,
    /** Upload blobs, mount them, put manifests and tags. */
    PUSH,
    /** Delete manifests, tags and blob links. */
    DELETE,
    /** List repositories. */
    CATALOG,
    /** Change a project: its visibility, its members. */
    MANAGE_PROJECT,
    /** See a project's repositories and artifacts through the admin API: any member of it. */
    READ_PROJECT,
    /** Delete a whole repository of a project through the admin API: those whose role deletes (maintainers, admins). */
    DELETE_REPOSITORY,
    /** Queue a vulnerability scan of an artifact through the admin API: those whose role pushes (developers and up). */
    SCAN_ARTIFACT,
    /**
     * Have an image admitted to a Kubernetes cluster by an admission review: the route takes any signed-in caller (a
     * user or a robot), and each image is asked about with its repository: those who may pull it.
     */
    ADMIT_IMAGE,
    /** Manage one account's own credentials (personal access tokens): the account itself or a system admin. */
    MANAGE_ACCOUNT,
    /** A signed-in person's own account ({@code /api/v1/me}): every user, never a robot nor an anonymous caller. */
    MANAGE_OWN_ACCOUNT,
    /** Manage accounts and create projects. */
    MANAGE_SYSTEM
}
