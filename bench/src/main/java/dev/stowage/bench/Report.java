package dev.stowage.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Results as a plain table and as Markdown, with the ratio of the first registry to the second. */
final class Report {
    record Sample(double units, double seconds, String unit, LatencyRecorder.Summary latency, double cpuSeconds) {
        Sample withCpu(double cpu) {
            return new Sample(units, seconds, unit, latency, cpu);
        }
    }

    private record Row(String workload, Map<String, Aggregate> byRegistry) {}

    record Aggregate(double rate, String unit, double p50ms, double p99ms, double cpuSeconds) {}

    private final List<Row> rows = new ArrayList<>();

    /**
     * A measurement of Stowage alone against a goal (in-process workloads such as scanning): {@code value} and
     * {@code goal} in the same unit, lower is better unless {@code atLeast} (a floor, such as a ratio to keep); a row
     * without a goal ({@code goal} NaN) is context for the others.
     */
    record GoalRow(String workload, String measured, double value, double goal, String goalText, boolean atLeast) {
        GoalRow(String workload, String measured, double value, double goal, String goalText) {
            this(workload, measured, value, goal, goalText, false);
        }

        String ratio() {
            if (Double.isNaN(goal)) return "-";
            String ratio = String.format(Locale.ROOT, "%.2f", value / goal);
            if (ratio.equals("1.00")) ratio = String.format(Locale.ROOT, "%.3f", value / goal); // which side of the line
            return ratio + " (" + ((atLeast ? value >= goal : value <= goal) ? "met" : "missed") + ")";
        }
    }

    /** Results of one registry under two settings (scanning on and off, say), side by side with their ratio. */
    private record Comparison(List<String> columns, Row row) {}

    private final List<Comparison> comparisons = new ArrayList<>();

    /** A row of its own whose columns are {@code columns} (not the registries), ratio of the first to the second. */
    void comparison(String workload, List<String> columns, Map<String, List<Sample>> samples) {
        Map<String, Aggregate> byColumn = new LinkedHashMap<>();
        for (String c : columns) if (samples.containsKey(c)) byColumn.put(c, aggregate(samples.get(c)));
        comparisons.add(new Comparison(List.copyOf(columns), new Row(workload, byColumn)));
    }

    /** The rate of {@code columns[0]} over that of {@code columns[1]} in a comparison row, NaN if one is missing. */
    static double rateRatio(Map<String, Aggregate> byColumn, List<String> columns) {
        Aggregate a = byColumn.get(columns.get(0));
        Aggregate b = byColumn.get(columns.get(1));
        return a == null || b == null || b.rate() == 0 ? Double.NaN : a.rate() / b.rate();
    }

    private final List<GoalRow> goalRows = new ArrayList<>();
    private List<String> names = List.of();
    private String command = "";

    void header(List<RegistryProcess> registries, String commandLine) {
        names = registries.stream().map(r -> r.name).toList();
        command = commandLine;
    }

    void add(String workload, Map<String, List<Sample>> samples) {
        Map<String, Aggregate> byRegistry = new LinkedHashMap<>();
        for (var e : samples.entrySet()) byRegistry.put(e.getKey(), aggregate(e.getValue()));
        rows.add(new Row(workload, byRegistry));
    }

    /** Rates add up over rounds (total units / total time); latencies take the worst round's percentiles. */
    static Aggregate aggregate(List<Sample> samples) {
        double units = 0;
        double seconds = 0;
        double p50 = 0;
        double p99 = 0;
        double cpu = 0;
        for (Sample s : samples) {
            units += s.units();
            seconds += s.seconds();
            p50 = Math.max(p50, s.latency().p50() / 1e6);
            p99 = Math.max(p99, s.latency().p99() / 1e6);
            cpu += s.cpuSeconds();
        }
        return new Aggregate(seconds == 0 ? 0 : units / seconds, samples.getFirst().unit(), p50, p99, cpu);
    }

    /** The aggregate of {@code registry} in the row named {@code workload}, if measured. */
    java.util.Optional<Aggregate> aggregate(String workload, String registry) {
        return rows.stream().filter(r -> r.workload().equals(workload)).findFirst()
                .map(r -> r.byRegistry().get(registry));
    }

    void goal(GoalRow row) {
        goalRows.add(row);
    }

    List<GoalRow> goalRows() {
        return List.copyOf(goalRows);
    }

    /**
     * A row measured otherwise than by a workload's rate (start-up time, peak memory): a cell and a value per
     * registry, the ratio of their values beside them.
     */
    private record Fact(String workload, Map<String, String> cells, Map<String, Double> values) {}

    private final List<Fact> facts = new ArrayList<>();

    void fact(String workload, Map<String, String> cells, Map<String, Double> values) {
        facts.add(new Fact(workload, Map.copyOf(cells), Map.copyOf(values)));
    }

    static final String PEAK_MEMORY = "peak resident memory over the whole run (VmHWM)";

    /** Peak resident memory of each registry the bench started, as a row of its own. */
    void memory(List<RegistryProcess> registries) {
        Map<String, String> cells = new LinkedHashMap<>();
        Map<String, Double> values = new LinkedHashMap<>();
        for (RegistryProcess r : registries) {
            r.peakRssMiB().ifPresent(mib -> {
                cells.put(r.name, String.format(Locale.ROOT, "%.0f MiB", mib));
                values.put(r.name, mib);
            });
        }
        if (!cells.isEmpty()) fact(PEAK_MEMORY, cells, values);
    }

    /** The registry the others are compared with: the second (Distribution when the bench starts both). */
    private String baseline() {
        return names.size() >= 2 ? names.get(1) : null;
    }

    /** The registries compared with the baseline, each a ratio column. */
    private List<String> compared() {
        return names.size() >= 2 ? names.stream().filter(n -> !n.equals(baseline())).toList() : List.of();
    }

    private String ratio(Row row, String name) {
        Aggregate a = row.byRegistry().get(name);
        Aggregate b = row.byRegistry().get(baseline());
        if (a == null || b == null || b.rate() == 0) return "n/a";
        return String.format(Locale.ROOT, "%.2fx", a.rate() / b.rate());
    }

    private String ratio(Fact fact, String name) {
        Double a = fact.values().get(name);
        Double b = fact.values().get(baseline());
        if (a == null || b == null || b == 0) return "n/a";
        return String.format(Locale.ROOT, "%.2fx", a / b);
    }

    private static String cell(Aggregate a) {
        if (a == null) return "-";
        String cpu = Double.isNaN(a.cpuSeconds()) ? "" : String.format(Locale.ROOT, ", cpu %.1f s", a.cpuSeconds());
        return String.format(Locale.ROOT, "%.1f %s (p50 %.2f ms, p99 %.2f ms%s)", a.rate(), a.unit(), a.p50ms(), a.p99ms(), cpu);
    }

    String text() {
        StringBuilder out = new StringBuilder();
        for (Comparison c : comparisons) {
            out.append(c.row().workload()).append('\n');
            for (String col : c.columns()) out.append("  ").append(col).append(": ").append(cell(c.row().byRegistry().get(col))).append('\n');
            out.append(String.format(Locale.ROOT, "  ratio %s/%s: %.2fx%n", c.columns().get(0), c.columns().get(1),
                    rateRatio(c.row().byRegistry(), c.columns())));
        }
        for (Row row : rows) {
            out.append(row.workload()).append('\n');
            for (String name : names) out.append("  ").append(name).append(": ").append(cell(row.byRegistry().get(name))).append('\n');
            for (String name : compared()) {
                out.append("  ratio ").append(name).append('/').append(baseline()).append(": ").append(ratio(row, name)).append('\n');
            }
        }
        for (Fact fact : facts) {
            out.append(fact.workload()).append('\n');
            for (String name : names) out.append("  ").append(name).append(": ").append(fact.cells().getOrDefault(name, "-")).append('\n');
            for (String name : compared()) {
                out.append("  ratio ").append(name).append('/').append(baseline()).append(": ").append(ratio(fact, name)).append('\n');
            }
        }
        for (GoalRow g : goalRows) {
            out.append(g.workload()).append("\n  ").append(g.measured());
            if (!Double.isNaN(g.goal())) out.append("\n  goal ").append(g.goalText()).append(": ").append(g.ratio());
            out.append('\n');
        }
        return out.toString();
    }

    String markdown() {
        StringBuilder md = new StringBuilder();
        md.append("Command: `").append(command).append("`  \n");
        md.append("Machine: ").append(Runtime.getRuntime().availableProcessors()).append(" cores, ")
                .append(System.getProperty("os.name")).append(' ').append(System.getProperty("os.version"))
                .append(String.format(Locale.ROOT, ", load average %.2f at the end",
                        java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage()))
                .append("\n\n");
        if (!goalRows.isEmpty()) {
            md.append("| workload | measured | goal | measured/goal |\n|---|---|---|---|\n");
            for (GoalRow g : goalRows) {
                md.append("| ").append(g.workload()).append(" | ").append(g.measured()).append(" | ")
                        .append(Double.isNaN(g.goal()) ? "-" : g.goalText()).append(" | ").append(g.ratio()).append(" |\n");
            }
            md.append('\n');
        }
        List<String> shown = List.of();
        for (Comparison c : comparisons) {
            if (!c.columns().equals(shown)) {
                if (!shown.isEmpty()) md.append('\n');
                shown = c.columns();
                md.append("| workload |");
                for (String col : shown) md.append(' ').append(col).append(" |");
                md.append(" ratio ").append(shown.get(0)).append('/').append(shown.get(1)).append(" |\n|---|");
                md.append("---|".repeat(shown.size() + 1)).append('\n');
            }
            md.append("| ").append(c.row().workload()).append(" |");
            for (String col : shown) md.append(' ').append(cell(c.row().byRegistry().get(col))).append(" |");
            md.append(String.format(Locale.ROOT, " %.2fx |%n", rateRatio(c.row().byRegistry(), shown)));
        }
        if (!comparisons.isEmpty()) md.append('\n');
        if (names.isEmpty()) return md.toString();
        md.append("| workload |");
        for (String n : names) md.append(' ').append(n).append(" |");
        for (String n : compared()) md.append(" ratio ").append(n).append('/').append(baseline()).append(" |");
        md.append("\n|---|").append("---|".repeat(names.size() + compared().size())).append('\n');
        for (Row row : rows) {
            md.append("| ").append(row.workload()).append(" |");
            for (String n : names) md.append(' ').append(cell(row.byRegistry().get(n))).append(" |");
            for (String n : compared()) md.append(' ').append(ratio(row, n)).append(" |");
            md.append('\n');
        }
        for (Fact fact : facts) {
            md.append("| ").append(fact.workload()).append(" |");
            for (String n : names) md.append(' ').append(fact.cells().getOrDefault(n, "-")).append(" |");
            for (String n : compared()) md.append(' ').append(ratio(fact, n)).append(" |");
            md.append('\n');
        }
        return md.toString();
    }
}
