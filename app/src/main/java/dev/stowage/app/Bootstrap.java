package dev.stowage.app;

import dev.stowage.core.access.Account;
import dev.stowage.core.spi.IdentityStore;
import dev.stowage.core.RegistryException;
import dev.stowage.identity.AccountService;
import dev.stowage.identity.PasswordHasher;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.function.Consumer;

/** First start: the system administrator {@code admin}, with the given password or a generated one shown once. */
final class Bootstrap {
    private Bootstrap() {}

    static String adminPassword() {
        return System.getenv("STOWAGE_ADMIN_PASSWORD");
    }

    /**
     * Creates {@code admin} on a fresh installation, with {@code password} if given (it must pass the API's password
     * rule, or the start is refused) or a generated one. An installation with accounts ignores the password, and says
     * so: it is not a way to reset one.
     */
    static void ensureAdmin(IdentityStore identities, String password, Consumer<String> warnings) {
        boolean generated = password == null || password.isEmpty();
        if (identities.countAccounts() > 0) {
            if (!generated) {
                warnings.accept("warning: STOWAGE_ADMIN_PASSWORD is ignored: it only sets the first password of a new "
                        + "installation (to replace a lost password: stowage admin reset-password --data <dir>)");
            }
            return;
        }
        if (!generated) {
            try {
                AccountService.requireStrong(password.toCharArray());
            } catch (RegistryException e) {
                throw new ConfigException("STOWAGE_ADMIN_PASSWORD is refused: " + e.getMessage(),
                        "choose a longer one, or leave it unset to have one generated and shown once");
            }
        }
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
