package dev.stowage.core;

import java.math.BigDecimal;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Sizes as people write them: {@code 10GiB}, {@code 500MB}, {@code 1.5 TiB}, {@code 4096}. IEC units (KiB, MiB, GiB,
 * TiB, PiB, EiB) are powers of 1024 and SI units (kB, MB, GB, TB, PB, EB) powers of 1000, exactly; a bare number or
 * {@code B} is bytes. Units are case-insensitive. The result must be a whole number of bytes that fits a long.
 */
public final class ByteSizes {
    private static final Pattern SIZE = Pattern.compile("\\s*([0-9]+(?:\\.[0-9]+)?)\\s*([a-zA-Z]*)\\s*");
    private static final Map<String, BigDecimal> UNITS = Map.ofEntries(
            Map.entry("", BigDecimal.ONE), Map.entry("b", BigDecimal.ONE),
            Map.entry("k", BigDecimal.TEN.pow(3)), Map.entry("kb", BigDecimal.TEN.pow(3)),
            Map.entry("mb", BigDecimal.TEN.pow(6)), Map.entry("gb", BigDecimal.TEN.pow(9)),
            Map.entry("tb", BigDecimal.TEN.pow(12)), Map.entry("pb", BigDecimal.TEN.pow(15)),
            Map.entry("eb", BigDecimal.TEN.pow(18)),
            Map.entry("kib", BigDecimal.valueOf(1L << 10)), Map.entry("mib", BigDecimal.valueOf(1L << 20)),
            Map.entry("gib", BigDecimal.valueOf(1L << 30)), Map.entry("tib", BigDecimal.valueOf(1L << 40)),
            Map.entry("pib", BigDecimal.valueOf(1L << 50)), Map.entry("eib", BigDecimal.valueOf(1L << 60)));
    private static final BigDecimal MAX = BigDecimal.valueOf(Long.MAX_VALUE);

    private ByteSizes() {}

    /** The number of bytes {@code text} says; IllegalArgumentException with a message saying what is accepted. */
    public static long parse(String text) {
        Matcher m = text == null ? null : SIZE.matcher(text);
        BigDecimal unit = m != null && m.matches() ? UNITS.get(m.group(2).toLowerCase(Locale.ROOT)) : null;
        if (unit == null) {
            throw new IllegalArgumentException("not a size: " + text + " (a number of bytes, or a number with a unit:"
                    + " KiB, MiB, GiB, TiB (powers of 1024) or kB, MB, GB, TB (powers of 1000), e.g. 10GiB or 500MB)");
        }
        BigDecimal bytes = new BigDecimal(m.group(1)).multiply(unit);
        if (bytes.compareTo(MAX) > 0) throw new IllegalArgumentException("size too large: " + text);
        if (bytes.stripTrailingZeros().scale() > 0) {
            throw new IllegalArgumentException("not a whole number of bytes: " + text);
        }
        return bytes.longValueExact();
    }
}
