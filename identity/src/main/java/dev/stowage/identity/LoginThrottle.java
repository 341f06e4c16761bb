package dev.stowage.identity;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.stowage.core.ErrorCode;
import dev.stowage.core.RegistryException;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;

/**
 * Slows down password guessing before it costs a hash: failed sign-ins are counted per account (a user's password)
 * and per client address, and an attempt that must wait is refused with 429 {@code TOOMANYREQUESTS} and
 * {@code Retry-After} without looking at the password at all.
 * <ul>
 *   <li><b>Per account</b>, for passwords only (the caller passes no account for robot secrets and personal access
 *   tokens: those are 256-bit random values no one can guess, so counting their failures per account would protect
 *   nothing and only let anyone who knows the name lock them out): after {@code accountFailures} failures in a row, each further attempt waits 1 s, 2 s,
 *   4 s ... after the last failure, up to {@code maxBackoff}. A success resets the count; so does a quiet quarter
 *   of an hour. Never a lockout: the wait is bounded, and an address that has not failed recently waits at most
 *   {@link #CLEAN_ADDRESS_WAIT}, so that an attacker hammering one account from elsewhere delays its owner by
 *   seconds, not indefinitely (the price: guessing from many fresh addresses gets one try per address and per
 *   {@link #CLEAN_ADDRESS_WAIT}).</li>
 *   <li><b>Per address</b>: at most {@code addressFailures} failures a minute from one client address, whatever the
 *   account names (spraying unknown usernames is guessing too). Attempts the per-account backoff refused count
 *   towards this limit too (without marking the address as failing), so that one address cannot keep sending
 *   attempts at an account under backoff without end.</li>
 * </ul>
 * Counters live in memory on each node, bounded in number.
 */
public final class LoginThrottle {
    /** The longest an address that has not failed recently waits for an account under attack from elsewhere. */
    public static final Duration CLEAN_ADDRESS_WAIT = Duration.ofSeconds(5);
    /** A failure this old no longer counts against the account. */
    static final Duration ACCOUNT_MEMORY = Duration.ofMinutes(15);
    static final Duration ADDRESS_WINDOW = Duration.ofMinutes(1);

    /**
     * @param accountFailures failures in a row before an account's attempts must wait (0: no per-account limit)
     * @param addressFailures failures a minute from one client address (0: no per-address limit)
     * @param maxBackoff      the longest wait the per-account backoff grows to
     */
    public record Settings(int accountFailures, int addressFailures, Duration maxBackoff) {
        public static final Settings DEFAULTS = new Settings(5, 20, Duration.ofMinutes(5));
        public static final Settings OFF = new Settings(0, 0, Duration.ZERO);

        public Settings {
            if (accountFailures < 0 || addressFailures < 0) throw new IllegalArgumentException("failure limits must not be negative");
            if (maxBackoff.isNegative()) throw new IllegalArgumentException("the maximum backoff must not be negative");
        }
    }

    private static final class AccountFailures {
        int count;
        Instant last;
        /** Attempts being checked now: once there are failures they count as failures, so a burst sent at once
         *  cannot get more tries through than the limit. */
        int pending;
    }

    private static final class AddressFailures {
        int count;
        /** Attempts in this window that the per-account backoff refused. */
        int refused;
        Instant windowStart;
        int pending;
    }

    /** One sign-in attempt let through; closing it ends its share of the in-flight counts. */
    public final class Attempt implements AutoCloseable {
        private AccountFailures account;
        private AddressFailures address;

        @Override
        public void close() {
            if (account != null) {
                synchronized (account) { account.pending--; }
                account = null;
            }
            if (address != null) {
                synchronized (address) { address.pending--; }
                address = null;
            }
        }
    }

    private final Settings settings;
    private final InstantSource clock;
    private final Cache<String, AccountFailures> accounts = Caffeine.newBuilder()
            .maximumSize(100_000).expireAfterAccess(ACCOUNT_MEMORY).build();
    private final Cache<String, AddressFailures> addresses = Caffeine.newBuilder()
            .maximumSize(100_000).expireAfterAccess(ADDRESS_WINDOW.multipliedBy(2)).build();

    public LoginThrottle(Settings settings, InstantSource clock) {
        this.settings = settings;
        this.clock = clock;
    }

    /**
     * Password checks for addresses that have failed within the minute, node-wide: each such address may try its
     * allowance, but together they may not keep the hashing threads busy (many addresses times their allowance would),
     * so they share a rate. Addresses without failures never wait for it.
     */
    static final double FAILING_ADDRESS_RATE = 2.0;
    static final int FAILING_ADDRESS_BURST = 20;

    private final TokenBucket failingAddresses = new TokenBucket(FAILING_ADDRESS_RATE, FAILING_ADDRESS_BURST);

    /** A token bucket: {@code rate} tokens a second, at most {@code burst} saved up. */
    private static final class TokenBucket {
        private final double rate;
        private final double burst;
        private double tokens;
        private Instant refilled;

        TokenBucket(double rate, int burst) {
            this.rate = rate;
            this.burst = burst;
            this.tokens = burst;
        }

        synchronized boolean take(Instant now) {
            if (refilled != null && now.isAfter(refilled)) {
                tokens = Math.min(burst, tokens + Duration.between(refilled, now).toNanos() / 1e9 * rate);
            }
            refilled = now;
            if (tokens < 1) return false;
            tokens--;
            return true;
        }
    }

    public LoginThrottle(Settings settings) {
        this(settings, InstantSource.system());
    }

    /**
     * Lets an attempt to sign in as {@code account} from {@code clientAddress} through, or refuses it (429 with
     * Retry-After) when it has to wait. Attempts in flight count as failures once the account or address has failed.
     *
     * @param account       the account whose password is tried, or null for a credential that is not throttled per
     *                      account (a robot secret, a personal access token)
     * @param clientAddress the client address, or empty when the caller does not know it (then only the per-account
     *                      limit applies, with the full backoff)
     */
    public Attempt begin(String account, String clientAddress) {
        return begin(account, clientAddress, () -> false);
    }

    /**
     * As {@link #begin(String, String)}, but an attempt the account's backoff would refuse goes through when
     * {@code provenCorrect} says its credentials matched a moment ago (asked only then, after the address's limit):
     * they are no guess, and refusing them would let anyone failing on the account keep its owner out.
     */
    public Attempt begin(String account, String clientAddress, java.util.function.BooleanSupplier provenCorrect) {
        Instant now = clock.instant();
        String address = bucketOf(clientAddress);
        boolean addressFailing = address.isEmpty();
        Attempt attempt = new Attempt();
        if (!address.isEmpty() && settings.addressFailures() > 0) {
            AddressFailures failures = addresses.get(address, a -> new AddressFailures());
            synchronized (failures) {
                Instant windowEnd = failures.windowStart == null ? now : failures.windowStart.plus(ADDRESS_WINDOW);
                if (now.isBefore(windowEnd) && failures.count + failures.refused > 0) {
                    addressFailing = failures.count > 0;
                    if (failures.count + failures.refused + failures.pending >= settings.addressFailures()) {
                        throw tooMany("too many failed sign-ins from this address", now,
                                failures.count + failures.refused >= settings.addressFailures() ? windowEnd : now);
                    }
                }
                failures.pending++;
                attempt.address = failures;
            }
        }
        if (addressFailing && !address.isEmpty() && !failingAddresses.take(now)) {
            attempt.close();
            throw tooMany("sign-ins from addresses that failed recently are being limited", now, now.plusSeconds(1));
        }
        if (account == null || settings.accountFailures() == 0) return attempt;
        AccountFailures failures = accounts.get(account, a -> new AccountFailures());
        RegistryException refusal = null;
        synchronized (failures) {
            boolean recent = failures.count > 0 && !failures.last.plus(ACCOUNT_MEMORY).isBefore(now);
            if (recent && failures.count >= settings.accountFailures()) {
                Duration wait = backoff(failures.count);
                if (!addressFailing && wait.compareTo(CLEAN_ADDRESS_WAIT) > 0) wait = CLEAN_ADDRESS_WAIT;
                Instant until = failures.last.plus(wait);
                if (now.isBefore(until)) refusal = tooMany("too many failed sign-ins for this account", now, until);
            }
            if (refusal == null && recent && failures.count + failures.pending >= settings.accountFailures()
                    && failures.count < settings.accountFailures()) {
                refusal = tooMany("too many failed sign-ins for this account", now, now);
            }
            if (refusal == null) {
                failures.pending++;
                attempt.account = failures;
                return attempt;
            }
        }
        if (provenCorrect.getAsBoolean()) return attempt; // asked outside the lock: it may read the database
        refusedFrom(address, now);
        attempt.close();
        throw refusal;
    }

    /** An attempt refused by the per-account backoff counts towards its address's limit. */
    private void refusedFrom(String address, Instant now) {
        if (address.isEmpty() || settings.addressFailures() == 0) return;
        AddressFailures failures = addresses.get(address, a -> new AddressFailures());
        synchronized (failures) {
            startWindowIfOver(failures, now);
            failures.refused++;
        }
    }

    private static void startWindowIfOver(AddressFailures failures, Instant now) {
        if (failures.windowStart == null || !now.isBefore(failures.windowStart.plus(ADDRESS_WINDOW))) {
            failures.windowStart = now;
            failures.count = 0;
            failures.refused = 0;
        }
    }

    /**
     * Counts a failed attempt (wrong or unknown credentials, a wrong second factor); {@code account} null counts it
     * for the address only (as {@link #begin} was told).
     */
    public void failed(String account, String clientAddress) {
        Instant now = clock.instant();
        String address = bucketOf(clientAddress);
        if (account != null && settings.accountFailures() > 0) {
            AccountFailures failures = accounts.get(account, a -> new AccountFailures());
            synchronized (failures) {
                if (failures.last != null && failures.last.plus(ACCOUNT_MEMORY).isBefore(now)) failures.count = 0;
                failures.count++;
                failures.last = now;
            }
        }
        if (!address.isEmpty() && settings.addressFailures() > 0) {
            AddressFailures failures = addresses.get(address, a -> new AddressFailures());
            synchronized (failures) {
                startWindowIfOver(failures, now);
                failures.count++;
            }
        }
    }

    /**
     * A sign-in whose password was checked and matched: the account's failures are forgotten. The address's are not
     * (a guesser must not clear its record by signing in to an account of its own).
     */
    public void succeeded(String account) {
        accounts.invalidate(account);
    }

    /**
     * The address as counted: IPv4 as it is, IPv6 by its /64 (one host usually holds a whole /64, and rotating
     * through it must not buy fresh allowances).
     */
    static String bucketOf(String address) {
        if (address == null || address.indexOf(':') < 0) return address == null ? "" : address;
        try {
            java.net.InetAddress parsed = java.net.InetAddress.getByName(address); // a literal: no lookup
            if (!(parsed instanceof java.net.Inet6Address)) return address;
            byte[] network = dev.stowage.core.access.ClientNetwork.of(parsed).getAddress();
            return java.util.HexFormat.of().formatHex(network, 0, 8) + "::/64";
        } catch (java.net.UnknownHostException | SecurityException e) {
            return address;
        }
    }

    /** 1 s after the limit is reached, doubling with each further failure, up to the configured maximum. */
    private Duration backoff(int failures) {
        int doublings = Math.min(failures - settings.accountFailures(), 30);
        Duration wait = Duration.ofSeconds(1L << doublings);
        return wait.compareTo(settings.maxBackoff()) > 0 ? settings.maxBackoff() : wait;
    }

    private static RegistryException tooMany(String why, Instant now, Instant until) {
        long seconds = Math.max(1, (Duration.between(now, until).toMillis() + 999) / 1000);
        return new RegistryException(ErrorCode.TOOMANYREQUESTS, why + "; retry in " + seconds + " s", null, 429)
                .withHeader("Retry-After", Long.toString(seconds));
    }
}
