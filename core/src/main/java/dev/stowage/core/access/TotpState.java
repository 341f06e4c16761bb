package dev.stowage.core.access;

/** An account's second factor: its TOTP secret, whether it has been confirmed, and the last time step used. */
public record TotpState(String secret, boolean enabled, long lastStep) {
    @Override
    public String toString() {
        return "TotpState[enabled=" + enabled + ", lastStep=" + lastStep + "]";
    }
}
