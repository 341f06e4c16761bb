package dev.stowage.app;

import picocli.CommandLine;

import java.math.BigDecimal;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A size as people write it: {@code 10GiB}, {@code 500MB}, {@code 1.5TiB} or plain bytes. Binary units (KiB, MiB,
 * GiB, TiB) are powers of 1024, decimal ones (KB, MB, GB, TB) of 1000, as disks and docker print them.
 */
final class ByteSize {
    private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([kmgtp]i?b?|b)?", Pattern.CASE_INSENSITIVE);
    private static final Map<String, Long> UNITS = Map.ofEntries(
            Map.entry("", 1L), Map.entry("b", 1L),
            Map.entry("k", 1000L), Map.entry("kb", 1000L), Map.entry("ki", 1L << 10), Map.entry("kib", 1L << 10),
            Map.entry("m", 1000_000L), Map.entry("mb", 1000_000L), Map.entry("mi", 1L << 20), Map.entry("mib", 1L << 20),
            Map.entry("g", 1000_000_000L), Map.entry("gb", 1000_000_000L), Map.entry("gi", 1L << 30), Map.entry("gib", 1L << 30),
            Map.entry("t", 1000_000_000_000L), Map.entry("tb", 1000_000_000_000L), Map.entry("ti", 1L << 40), Map.entry("tib", 1L << 40),
            Map.entry("p", 1000_000_000_000_000L), Map.entry("pb", 1000_000_000_000_000L), Map.entry("pi", 1L << 50),
            Map.entry("pib", 1L << 50));

    private ByteSize() {}

    static long parse(String text) {
        Matcher m = SIZE.matcher(text.strip());
        if (!m.matches()) throw new IllegalArgumentException("'" + text + "' is not a size (bytes, or a number and a unit: 10GiB, 500MB)");
        long unit = UNITS.get(m.group(2) == null ? "" : m.group(2).toLowerCase(Locale.ROOT));
        try {
            return new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(unit)).setScale(0, java.math.RoundingMode.CEILING)
                    .longValueExact();
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("'" + text + "' is too large a size");
        }
    }

    /** For picocli options that take bytes: {@code @Option(..., converter = ByteSize.Converter.class) Long bytes}. */
    static final class Converter implements CommandLine.ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            try {
                return parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }
}
