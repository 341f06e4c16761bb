package dev.stowage.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stowage.core.access.AccessToken;
import dev.stowage.core.access.Account;
import dev.stowage.identity.AccountService;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** Users, one's own account, personal access tokens, second factors, sign-in sessions and the signing keys. */
public final class AccountRoutes implements AdminRouteSet {
    /** The longest a personal access token or a robot may live: long-lived credentials are rotated, not forever. */
    static final java.time.Duration MAX_CREDENTIAL_LIFETIME = java.time.Duration.ofDays(3650);
    private static final Map<String, Object> NO_STORE = Map.of("Cache-Control", "no-store");
    private static final String SECOND_FACTOR_PROOF = "Authentication required, or a fresh password sign-in is needed: this "
            + "route changes a second factor";

    private final AccountService accounts;

    public AccountRoutes(AccountService accounts) {
        this.accounts = accounts;
    }

    @Override
    public void declare(AdminRoutes routes) {
        // A new account comes with a password (and maybe administrator rights): a fresh proof, not a token.
        routes.path("/api/v1/users", Access.system())
                .get(ApiDoc.op("getUsers", "List users").tag("users").response(200, "OK"),
                        call -> call.sendJson(200, accounts.users().stream().map(AccountRoutes::user).toList()))
                .post(Access.system().freshProof(), ApiDoc.op("postUsers", "Create a user").tag("users")
                        .body("NewUser").response(201, "Created"), this::createUser);
        // Setting someone's password needs a fresh proof; disabling an account, what one does when a credential
        // leaks, takes any administrator credential. Deleting an account takes a fresh proof, as creating one does.
        routes.path("/api/v1/users/{username}", Access.system())
                .get(ApiDoc.op("getUser", "Get a user").tag("users").response(200, "OK"),
                        call -> call.sendJson(200, user(accounts.user(call.variable("username")))))
                .patch(Access.system().freshProofWhenBodySets("password", "password", "disabled"),
                        ApiDoc.op("patchUser", "Change password or disabled").tag("users").body("UserChange")
                                .response(200, "OK"), this::changeUser)
                .delete(Access.system().freshProof(), ApiDoc.op("deleteUser", "Delete a user with their personal access "
                        + "tokens, sessions, second factor and memberships (audit records stay); their tokens stop working at "
                        + "once. A system administrator with a fresh sign-in; never oneself nor the last system administrator")
                        .tag("users").response(204, "Deleted").response(404, "No such user")
                        .response(409, "The caller's own account, or the last enabled system administrator"), call -> {
                            accounts.deleteUser(call.caller(), call.variable("username"));
                            call.sendEmpty(204);
                        });
        routes.path("/api/v1/me", Access.ownAccount())
                .get(ApiDoc.op("getMe", "The caller's own account: name, system administrator flag, creation time, whether "
                        + "a second factor is enrolled, and projects with roles. Every signed-in user; robots get 403")
                        .tag("me").response(200, "OK"), call -> call.sendJson(200, ownAccount(accounts.ownAccount(call.caller()))));
        routes.path("/api/v1/me/tokens", Access.ownAccount())
                .get(ApiDoc.op("getMeTokens", "The caller's own personal access tokens (no secrets); create and revoke them "
                        + "at /api/v1/users/{username}/tokens").tag("me").response(200, "OK"),
                        call -> call.sendJson(200, accounts.accessTokens(call.caller()).stream()
                                .map(AccountRoutes::accessToken).toList()));
        // The current password in the body, and a fresh sign-in: a leaked token must not be able to take the account.
        routes.path("/api/v1/me/password", Access.ownAccount().freshProof())
                .put(ApiDoc.op("putMePassword", "Change one's own password: the current password in the body, the new one "
                        + "by the same rules as the admin API (at least 12 characters); every session of the account ends. "
                        + "Needs a fresh sign-in; robots get 403").tag("me").body("PasswordChange")
                        .response(204, "Changed")
                        .response(409, "The account signs in through the identity provider and has no password here"), call -> {
                            JsonNode body = call.json("currentPassword", "newPassword");
                            accounts.changeOwnPassword(call.caller(), JsonFields.string(body, "currentPassword").toCharArray(),
                                    JsonFields.string(body, "newPassword").toCharArray());
                            call.sendEmpty(204);
                        });
        // Listing needs the account; minting a token needs a fresh password proof (a token must not beget tokens).
        routes.path("/api/v1/users/{username}/tokens", Access.account("username"))
                .get(ApiDoc.op("getUserTokens", "List personal access tokens (no secrets)").tag("tokens").response(200, "OK"),
                        call -> call.sendJson(200, accounts.accessTokens(call.variable("username")).stream()
                                .map(AccountRoutes::accessToken).toList()))
                .post(Access.account("username").freshProof(), ApiDoc.op("postUserTokens", "Create a personal access "
                        + "token; the token is shown only in this answer").tag("tokens").body("NewAccessToken")
                        .response(201, "Created"), call -> {
                            JsonNode body = call.json("name", "expiresIn");
                            AccountService.NewAccessToken created = accounts.createAccessToken(call.variable("username"),
                                    JsonFields.string(body, "name"), expiresIn(body));
                            Map<String, Object> out = accessToken(created.token());
                            out.put("token", created.plaintext());
                            call.sendJson(201, NO_STORE, out);
                        });
        routes.path("/api/v1/users/{username}/tokens/{id}", Access.account("username"))
                .delete(ApiDoc.op("deleteUserToken", "Revoke a personal access token").tag("tokens").response(204, "Revoked"),
                        call -> {
                            accounts.revokeAccessToken(call.variable("username"), call.variable("id"));
                            call.sendEmpty(204);
                        });
        // Enrolling replaces the secret and removing drops the factor: both change a credential.
        routes.path("/api/v1/users/{username}/totp", Access.account("username").freshProof())
                .post(ApiDoc.op("postUserTotp", "Start TOTP enrollment: answers the secret and an otpauth:// URI")
                        .tag("users").response(200, "OK").response(401, SECOND_FACTOR_PROOF), call -> {
                            AccountService.TotpEnrollment enrollment = accounts.enrollTotp(call.variable("username"));
                            Map<String, Object> out = new LinkedHashMap<>();
                            out.put("secret", enrollment.secret());
                            out.put("uri", enrollment.uri());
                            call.sendJson(200, NO_STORE, out);
                        })
                .delete(ApiDoc.op("deleteUserTotp", "Remove the second factor").tag("users").response(204, "Removed")
                        .response(401, SECOND_FACTOR_PROOF), call -> {
                    accounts.removeTotp(call.variable("username"));
                    call.sendEmpty(204);
                });
        routes.path("/api/v1/users/{username}/totp/confirm", Access.account("username").freshProof())
                .post(ApiDoc.op("postUserTotpConfirm", "Confirm enrollment with a current code; from then on password "
                        + "sign-ins need the code appended").tag("users").body("TotpConfirmation")
                        .response(204, "Enabled").response(400, "Wrong code")
                        .response(401, SECOND_FACTOR_PROOF), call -> {
                            accounts.confirmTotp(call.variable("username"), JsonFields.string(call.json("code"), "code"));
                            call.sendEmpty(204);
                        });
        routes.path("/api/v1/users/{username}/sessions", Access.account("username"))
                .get(ApiDoc.op("getUserSessions", "The account's sign-in sessions (refresh tokens) that have not expired, "
                        + "newest first").tag("sessions").response(200, "OK"),
                        call -> call.sendJson(200, accounts.sessions(call.variable("username")).stream()
                                .map(AccountRoutes::session).toList()))
                .delete(ApiDoc.op("deleteUserSessions", "Sign out everywhere: revokes every session; answers {revoked: n}")
                        .tag("sessions").response(200, "OK"),
                        call -> call.sendJson(200, Map.of("revoked", accounts.revokeSessions(call.variable("username")))));
        routes.path("/api/v1/users/{username}/sessions/{id}", Access.account("username"))
                .delete(ApiDoc.op("deleteUserSession", "Revokes one session; its refresh token stops working at once")
                        .tag("sessions").response(204, "Revoked").response(404, "No such session"), call -> {
                            accounts.revokeSession(call.variable("username"), call.variable("id"));
                            call.sendEmpty(204);
                        });
        routes.path("/api/v1/keys", Access.system())
                .get(ApiDoc.op("getKeys", "Ids of the token signing keys that verify now, current first").tag("keys")
                        .response(200, "OK"), call -> call.sendJson(200, Map.of("active", accounts.signingKeyIds())));
        routes.path("/api/v1/keys/rotate", Access.system())
                .post(ApiDoc.op("postKeysRotate", "New signing key for new tokens; older tokens stay valid for auth.keyGrace")
                        .tag("keys").response(200, "OK"), call -> call.sendJson(200,
                        Map.of("current", accounts.rotateSigningKey(), "active", accounts.signingKeyIds())));
    }

    private void createUser(AdminCall call) {
        JsonNode body = call.json("username", "password", "systemAdmin");
        String username = JsonFields.string(body, "username");
        String password = JsonFields.string(body, "password");
        boolean systemAdmin = JsonFields.bool(body, "systemAdmin", false);
        Account created = accounts.createUser(username, password.toCharArray(), systemAdmin);
        call.sendJson(201, Map.of("Location", "/api/v1/users/" + created.username()), user(created));
    }

    /** The body was read and checked by the route's access check (whether it sets a password decides the proof). */
    private void changeUser(AdminCall call) {
        String username = call.variable("username");
        JsonNode body = call.json("password", "disabled");
        Optional<String> password = body.has("password") ? Optional.of(JsonFields.string(body, "password")) : Optional.empty();
        Optional<Boolean> disabled = JsonFields.optionalBool(body, "disabled");
        password.ifPresent(p -> accounts.setPassword(username, p.toCharArray()));
        disabled.ifPresent(d -> accounts.setDisabled(username, d));
        call.sendJson(200, user(accounts.user(username)));
    }

    /** {@code expiresIn}: absent or null for no expiry, else from one second to ten years. */
    static java.time.Duration expiresIn(JsonNode body) {
        return JsonFields.duration(body, "expiresIn", java.time.Duration.ofSeconds(1), MAX_CREDENTIAL_LIFETIME).orElse(null);
    }

    private static Map<String, Object> session(dev.stowage.core.access.Session s) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", s.id());
        out.put("client", s.client());
        out.put("issuedAt", s.issuedAt().toString());
        out.put("expiresAt", s.expiresAt().toString());
        out.put("lastUsedAt", s.lastUsedAt() == null ? null : s.lastUsedAt().toString());
        out.put("revokedAt", s.revokedAt() == null ? null : s.revokedAt().toString());
        return out;
    }

    private static Map<String, Object> ownAccount(AccountService.OwnAccount own) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("username", own.account().username());
        out.put("systemAdmin", own.account().systemAdmin());
        out.put("createdAt", own.account().createdAt().toString());
        out.put("totpEnrolled", own.totpEnrolled());
        out.put("projects", own.memberships().stream().map(x -> {
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("project", x.project());
            p.put("role", x.role().name().toLowerCase());
            return p;
        }).toList());
        return out;
    }

    private static Map<String, Object> user(Account a) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("username", a.username());
        out.put("systemAdmin", a.systemAdmin());
        out.put("disabled", a.disabled());
        out.put("createdAt", a.createdAt().toString());
        return out;
    }

    private static Map<String, Object> accessToken(AccessToken t) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", t.id());
        out.put("name", t.name());
        out.put("expiresAt", t.expiresAt() == null ? null : t.expiresAt().toString());
        out.put("createdAt", t.createdAt().toString());
        return out;
    }
}
