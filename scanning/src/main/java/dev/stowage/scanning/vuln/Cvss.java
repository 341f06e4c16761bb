package dev.stowage.scanning.vuln;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;

/**
 * Base scores of CVSS vectors: v2 (no prefix), v3.0 and v3.1 ({@code CVSS:3.x/}) by the FIRST specifications'
 * formulas, and v4.0 ({@code CVSS:4.0/}) by the specification's MacroVector method, with the data of
 * {@link Cvss4Tables}. A vector that is not well formed (a missing base metric, an unknown value, a metric given
 * twice) has no score: {@link OptionalDouble#empty()}, never an exception.
 */
public final class Cvss {
    private Cvss() {
    }

    public static OptionalDouble baseScore(String vector) {
        if (vector == null) return OptionalDouble.empty();
        String v = vector.trim();
        if (v.startsWith("CVSS:3.1/")) return v3(v.substring(9), true);
        if (v.startsWith("CVSS:3.0/")) return v3(v.substring(9), false);
        if (v.startsWith("CVSS:4.0/")) return v4(v.substring(9));
        if (v.startsWith("(") && v.endsWith(")")) v = v.substring(1, v.length() - 1); // NVD writes v2 in parentheses
        if (v.startsWith("AV:")) return v2(v);
        return OptionalDouble.empty();
    }

    /** Metric name to value, or null when a part is not NAME:VALUE or a name repeats. */
    private static Map<String, String> metrics(String body) {
        Map<String, String> out = new HashMap<>();
        for (String part : body.split("/", -1)) {
            int colon = part.indexOf(':');
            if (colon <= 0 || colon == part.length() - 1 || part.indexOf(':', colon + 1) >= 0) return null;
            if (out.put(part.substring(0, colon), part.substring(colon + 1)) != null) return null;
        }
        return out;
    }

    // ---- CVSS v3.0 / v3.1 (FIRST CVSS v3.1 specification, section 7; v3.0 section 8)

    private static OptionalDouble v3(String body, boolean v31) {
        Map<String, String> m = metrics(body);
        if (m == null) return OptionalDouble.empty();
        String scope = m.get("S");
        if (!"U".equals(scope) && !"C".equals(scope)) return OptionalDouble.empty();
        boolean changed = scope.equals("C");
        double av = weight(m.get("AV"), "N", 0.85, "A", 0.62, "L", 0.55, "P", 0.2);
        double ac = weight(m.get("AC"), "L", 0.77, "H", 0.44);
        double pr = changed ? weight(m.get("PR"), "N", 0.85, "L", 0.68, "H", 0.5)
                : weight(m.get("PR"), "N", 0.85, "L", 0.62, "H", 0.27);
        double ui = weight(m.get("UI"), "N", 0.85, "R", 0.62);
        double c = weight(m.get("C"), "H", 0.56, "L", 0.22, "N", 0);
        double i = weight(m.get("I"), "H", 0.56, "L", 0.22, "N", 0);
        double a = weight(m.get("A"), "H", 0.56, "L", 0.22, "N", 0);
        if (Double.isNaN(av + ac + pr + ui + c + i + a)) return OptionalDouble.empty();
        double iss = 1 - (1 - c) * (1 - i) * (1 - a);
        double impact = changed ? 7.52 * (iss - 0.029) - 3.25 * Math.pow(iss - 0.02, 15) : 6.42 * iss;
        double exploitability = 8.22 * av * ac * pr * ui;
        if (impact <= 0) return OptionalDouble.of(0.0);
        double sum = changed ? Math.min(1.08 * (impact + exploitability), 10) : Math.min(impact + exploitability, 10);
        return OptionalDouble.of(v31 ? roundUp31(sum) : Math.ceil(sum * 10) / 10);
    }

    /** v3.1's Roundup (Appendix A): the smallest one-decimal number >= the input, free of floating-point error. */
    static double roundUp31(double input) {
        long intInput = Math.round(input * 100000);
        if (intInput % 10000 == 0) return intInput / 100000.0;
        return (Math.floor(intInput / 10000.0) + 1) / 10.0;
    }

    private static double weight(String value, Object... pairs) {
        if (value == null) return Double.NaN;
        for (int k = 0; k < pairs.length; k += 2) {
            if (pairs[k].equals(value)) return ((Number) pairs[k + 1]).doubleValue();
        }
        return Double.NaN;
    }

    // ---- CVSS v2 (FIRST CVSS v2 guide, section 3.2.1)

    private static OptionalDouble v2(String body) {
        Map<String, String> m = metrics(body);
        if (m == null) return OptionalDouble.empty();
        double av = weight(m.get("AV"), "L", 0.395, "A", 0.646, "N", 1.0);
        double ac = weight(m.get("AC"), "H", 0.35, "M", 0.61, "L", 0.71);
        double au = weight(m.get("Au"), "M", 0.45, "S", 0.56, "N", 0.704);
        double c = weight(m.get("C"), "N", 0, "P", 0.275, "C", 0.660);
        double i = weight(m.get("I"), "N", 0, "P", 0.275, "C", 0.660);
        double a = weight(m.get("A"), "N", 0, "P", 0.275, "C", 0.660);
        if (Double.isNaN(av + ac + au + c + i + a)) return OptionalDouble.empty();
        double impact = 10.41 * (1 - (1 - c) * (1 - i) * (1 - a));
        double exploitability = 20 * av * ac * au;
        double f = impact == 0 ? 0 : 1.176;
        return OptionalDouble.of(round1(((0.6 * impact) + (0.4 * exploitability) - 1.5) * f));
    }

    private static double round1(double value) {
        // through the shortest decimal form first, so 4.35 written as 4.3499999 still rounds up
        return BigDecimal.valueOf(value).setScale(6, RoundingMode.HALF_UP).setScale(1, RoundingMode.HALF_UP)
                .doubleValue();
    }

    // ---- CVSS v4.0 (FIRST CVSS v4.0 specification, section 8.2 "CVSS v4.0 Scoring")

    private static final Map<String, Set<String>> V4_VALUES = Map.ofEntries(
            Map.entry("AV", Set.of("N", "A", "L", "P")), Map.entry("AC", Set.of("L", "H")),
            Map.entry("AT", Set.of("N", "P")), Map.entry("PR", Set.of("N", "L", "H")),
            Map.entry("UI", Set.of("N", "P", "A")), Map.entry("VC", Set.of("H", "L", "N")),
            Map.entry("VI", Set.of("H", "L", "N")), Map.entry("VA", Set.of("H", "L", "N")),
            Map.entry("SC", Set.of("H", "L", "N")), Map.entry("SI", Set.of("H", "L", "N")),
            Map.entry("SA", Set.of("H", "L", "N")));
    private static final Map<String, Set<String>> V4_OPTIONAL_VALUES = Map.ofEntries(
            Map.entry("E", Set.of("X", "A", "P", "U")), Map.entry("CR", Set.of("X", "H", "M", "L")),
            Map.entry("IR", Set.of("X", "H", "M", "L")), Map.entry("AR", Set.of("X", "H", "M", "L")),
            Map.entry("MAV", Set.of("X", "N", "A", "L", "P")), Map.entry("MAC", Set.of("X", "L", "H")),
            Map.entry("MAT", Set.of("X", "N", "P")), Map.entry("MPR", Set.of("X", "N", "L", "H")),
            Map.entry("MUI", Set.of("X", "N", "P", "A")), Map.entry("MVC", Set.of("X", "H", "L", "N")),
            Map.entry("MVI", Set.of("X", "H", "L", "N")), Map.entry("MVA", Set.of("X", "H", "L", "N")),
            Map.entry("MSC", Set.of("X", "H", "L", "N")), Map.entry("MSI", Set.of("X", "S", "H", "L", "N")),
            Map.entry("MSA", Set.of("X", "S", "H", "L", "N")));
    /** Supplemental metrics: allowed, they do not change the score. */
    private static final Set<String> V4_SUPPLEMENTAL = Set.of("S", "AU", "R", "V", "RE", "U");

    private static OptionalDouble v4(String body) {
        Map<String, String> given = metrics(body);
        if (given == null) return OptionalDouble.empty();
        for (var e : given.entrySet()) {
            Set<String> allowed = V4_VALUES.getOrDefault(e.getKey(), V4_OPTIONAL_VALUES.get(e.getKey()));
            if (allowed == null && !V4_SUPPLEMENTAL.contains(e.getKey())) return OptionalDouble.empty();
            if (allowed != null && !allowed.contains(e.getValue())) return OptionalDouble.empty();
        }
        if (!given.keySet().containsAll(V4_VALUES.keySet())) return OptionalDouble.empty();
        return OptionalDouble.of(new Cvss4(given).score());
    }

    /** The effective values of one v4.0 vector and its score. */
    private static final class Cvss4 {
        private final Map<String, String> given;

        Cvss4(Map<String, String> given) {
            this.given = given;
        }

        /**
         * The value that counts for scoring: a modified (environmental) metric overrides its base metric; E, CR, IR
         * and AR not given (X) count as their worst case (A, H), as the specification says.
         */
        String m(String metric) {
            String value = given.getOrDefault(metric, "X");
            switch (metric) {
                case "E":
                    return value.equals("X") ? "A" : value;
                case "CR", "IR", "AR":
                    return value.equals("X") ? "H" : value;
                default:
                    String modified = given.getOrDefault("M" + metric, "X");
                    return modified.equals("X") ? value : modified;
            }
        }

        private boolean is(String metric, String value) {
            return m(metric).equals(value);
        }

        int[] macroVector() {
            int eq1;
            if (is("AV", "N") && is("PR", "N") && is("UI", "N")) eq1 = 0;
            else if ((is("AV", "N") || is("PR", "N") || is("UI", "N")) && !is("AV", "P")) eq1 = 1;
            else eq1 = 2;
            int eq2 = is("AC", "L") && is("AT", "N") ? 0 : 1;
            int eq3;
            if (is("VC", "H") && is("VI", "H")) eq3 = 0;
            else if (is("VC", "H") || is("VI", "H") || is("VA", "H")) eq3 = 1;
            else eq3 = 2;
            // subsequent-system Safety (S) exists only as an environmental value of MSI/MSA
            boolean safety = "S".equals(given.get("MSI")) || "S".equals(given.get("MSA"));
            int eq4;
            if (safety) eq4 = 0;
            else if (is("SC", "H") || is("SI", "H") || is("SA", "H")) eq4 = 1;
            else eq4 = 2;
            int eq5 = switch (m("E")) {
                case "A" -> 0;
                case "P" -> 1;
                default -> 2;
            };
            int eq6 = (is("CR", "H") && is("VC", "H")) || (is("IR", "H") && is("VI", "H"))
                    || (is("AR", "H") && is("VA", "H")) ? 0 : 1;
            return new int[]{eq1, eq2, eq3, eq4, eq5, eq6};
        }

        double score() {
            if (List.of("VC", "VI", "VA", "SC", "SI", "SA").stream().allMatch(x -> is(x, "N"))) return 0.0;
            int[] mv = macroVector();
            int eq1 = mv[0], eq2 = mv[1], eq3 = mv[2], eq4 = mv[3], eq5 = mv[4], eq6 = mv[5];
            double value = Cvss4Tables.score(eq1, eq2, eq3, eq4, eq5, eq6);

            // the score of the next lower MacroVector in each EQ; NaN where there is none
            double lowerEq1 = Cvss4Tables.score(eq1 + 1, eq2, eq3, eq4, eq5, eq6);
            double lowerEq2 = Cvss4Tables.score(eq1, eq2 + 1, eq3, eq4, eq5, eq6);
            double lowerEq3Eq6;
            if (eq3 == 0 && eq6 == 0) {
                // two ways down (00 -> 01 or 10): the higher of the two
                double left = Cvss4Tables.score(eq1, eq2, eq3, eq4, eq5, eq6 + 1);
                double right = Cvss4Tables.score(eq1, eq2, eq3 + 1, eq4, eq5, eq6);
                lowerEq3Eq6 = left > right ? left : right;
            } else if (eq3 == 1 && eq6 == 0) {
                lowerEq3Eq6 = Cvss4Tables.score(eq1, eq2, eq3, eq4, eq5, eq6 + 1);
            } else if (eq6 == 1 && eq3 < 2) {
                lowerEq3Eq6 = Cvss4Tables.score(eq1, eq2, eq3 + 1, eq4, eq5, eq6);
            } else {
                lowerEq3Eq6 = Double.NaN;
            }
            double lowerEq4 = Cvss4Tables.score(eq1, eq2, eq3, eq4 + 1, eq5, eq6);
            double lowerEq5 = Cvss4Tables.score(eq1, eq2, eq3, eq4, eq5 + 1, eq6);

            // the severity distance of this vector from the first highest-severity vector of its MacroVector
            // that is not less severe in any metric
            Map<String, Double> distance = null;
            for (String max : Cvss4Tables.maxVectors(eq1, eq2, eq3, eq4, eq5, eq6)) {
                Map<String, String> maxMetrics = metrics(max);
                Map<String, Double> d = new HashMap<>();
                boolean fits = true;
                for (String metric : Cvss4Tables.DISTANCE_METRICS) {
                    double delta = Cvss4Tables.level(metric, m(metric)) - Cvss4Tables.level(metric, maxMetrics.get(metric));
                    if (delta < 0) {
                        fits = false;
                        break;
                    }
                    d.put(metric, delta);
                }
                if (fits) {
                    distance = d;
                    break;
                }
            }
            if (distance == null) return roundV4(value); // cannot happen with the specification's tables
            double dEq1 = distance.get("AV") + distance.get("PR") + distance.get("UI");
            double dEq2 = distance.get("AC") + distance.get("AT");
            double dEq3Eq6 = distance.get("VC") + distance.get("VI") + distance.get("VA")
                    + distance.get("CR") + distance.get("IR") + distance.get("AR");
            double dEq4 = distance.get("SC") + distance.get("SI") + distance.get("SA");

            double step = 0.1;
            int existingLower = 0;
            double sum = 0;
            if (!Double.isNaN(lowerEq1)) {
                existingLower++;
                sum += (value - lowerEq1) * (dEq1 / (Cvss4Tables.depthEq1(eq1) * step));
            }
            if (!Double.isNaN(lowerEq2)) {
                existingLower++;
                sum += (value - lowerEq2) * (dEq2 / (Cvss4Tables.depthEq2(eq2) * step));
            }
            if (!Double.isNaN(lowerEq3Eq6)) {
                existingLower++;
                sum += (value - lowerEq3Eq6) * (dEq3Eq6 / (Cvss4Tables.depthEq3Eq6(eq3, eq6) * step));
            }
            if (!Double.isNaN(lowerEq4)) {
                existingLower++;
                sum += (value - lowerEq4) * (dEq4 / (Cvss4Tables.depthEq4(eq4) * step));
            }
            if (!Double.isNaN(lowerEq5)) {
                existingLower++; // EQ5 has a single value per level: its proportional distance is always 0
            }
            double mean = existingLower == 0 ? 0 : sum / existingLower;
            return roundV4(Math.max(0, Math.min(10, value - mean)));
        }

        /** One decimal, half up, after the specification's epsilon of 1e-6 against floating-point error. */
        private static double roundV4(double value) {
            return Math.round((value + 1e-6) * 10) / 10.0;
        }
    }
}
