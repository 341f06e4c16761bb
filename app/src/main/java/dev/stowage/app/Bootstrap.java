package dev.stowage.app;

import dev.stowage.core.access.Account;
import dev.stowage.core.spi.IdentityStore;
import dev.stowage.identity.PasswordHasher;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;

/** First start: the system administrator {@code admin}, with the given password or a generated one shown once. */
final class Bootstrap {
    private Bootstrap() {}

    static void ensureAdmin(IdentityStore identities, String password) {
        if (identities.countAccounts() > 0) return;
        boolean generated = password == null || password.isEmpty();
        String secret = generated ? generatePassword() : password;
        boolean created = identities.createAccount(new Account("admin", PasswordHasher.DEFAULT.hash(secret.toCharArray()),
                true, false, Instant.now()));
        if (created && generated) {
            // Shown once on the console, deliberately not through the logger: logs are kept and shipped.
            System.out.println("""
                    ==================================================================
                     Stowage created the administrator account.
                       username: admin
                       password: %s
                     This password is shown only now. Set STOWAGE_ADMIN_PASSWORD to
                     choose it on a fresh installation instead.
                    ==================================================================""".formatted(secret));
        }
    }

    static String generatePassword() {
        byte[] random = new byte[18];
        new SecureRandom().nextBytes(random);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    }
}
