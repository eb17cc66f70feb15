package dev.kvbm.bench;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A saved run: per metric id, its speed relative to the in-run reference and the error of that speed.
 * Comparing speeds rather than raw figures keeps a slower or noisier machine from reading as a
 * regression: both the figure and its reference move together.
 *
 * <p>File format (JSON, one metric a line so diffs stay readable):
 * {@code {"kvbmBaseline":1,"metrics":{"id":{"speed":1.02,"error":0.03,"value":12.1,"unit":"GB/s"},...}}}
 */
public final class Baseline {
    /** A baseline entry. */
    public record Entry(double speed, double error, double value, String unit) {
    }

    private static final Pattern ENTRY = Pattern.compile(
            "\"([^\"]+)\"\\s*:\\s*\\{\\s*\"speed\"\\s*:\\s*([-0-9.eE]+)\\s*,\\s*\"error\"\\s*:\\s*([-0-9.eE]+)\\s*,"
                    + "\\s*\"value\"\\s*:\\s*([-0-9.eE]+)\\s*,\\s*\"unit\"\\s*:\\s*\"([^\"]*)\"\\s*}");

    private final Map<String, Entry> entries;

    private Baseline(Map<String, Entry> entries) {
        this.entries = entries;
    }

    public Map<String, Entry> entries() {
        return entries;
    }

    /** A baseline of {@code metrics}; fio figures (their own reference) carry no speed to compare and are left out. */
    public static Baseline of(List<Metric> metrics) {
        Map<String, Entry> m = new LinkedHashMap<>();
        for (Metric x : metrics) {
            if (x.group().equals("disk-fio")) {
                continue;
            }
            m.put(x.id(), new Entry(x.speed(), x.speedError(), x.value(), x.unit()));
        }
        return new Baseline(m);
    }

    public static Baseline read(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new KvbmException(ErrorCode.IO_ERROR, "cannot read baseline " + file + ": " + e.getMessage(), e);
        }
        if (!text.contains("\"kvbmBaseline\"")) {
            throw KvbmException.forField(ErrorCode.INVALID_ARGUMENT, "baseline", file
                    + " is not a kvbm baseline (no \"kvbmBaseline\" key); write one with --save-baseline");
        }
        Map<String, Entry> m = new LinkedHashMap<>();
        Matcher matcher = ENTRY.matcher(text);
        while (matcher.find()) {
            m.put(matcher.group(1), new Entry(Double.parseDouble(matcher.group(2)), Double.parseDouble(matcher.group(3)),
                    Double.parseDouble(matcher.group(4)), matcher.group(5)));
        }
        if (m.isEmpty()) {
            throw KvbmException.forField(ErrorCode.INVALID_ARGUMENT, "baseline", file + " holds no metrics");
        }
        return new Baseline(m);
    }

    public void write(Path file) {
        StringBuilder b = new StringBuilder("{\"kvbmBaseline\":1,\"metrics\":{\n");
        int i = 0;
        for (Map.Entry<String, Entry> e : entries.entrySet()) {
            Entry v = e.getValue();
            b.append(String.format(Locale.ROOT, "  \"%s\":{\"speed\":%.6g,\"error\":%.6g,\"value\":%.6g,\"unit\":\"%s\"}%s%n",
                    e.getKey(), v.speed(), v.error(), v.value(), v.unit(), ++i < entries.size() ? "," : ""));
        }
        b.append("}}\n");
        try {
            if (file.getParent() != null) {
                Files.createDirectories(file.getParent());
            }
            Files.writeString(file, b.toString(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new KvbmException(ErrorCode.IO_ERROR, "cannot write baseline " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * The metrics that regressed: speed dropped by more than {@code threshold} and the two speeds' error
     * bars do not overlap (so noise alone does not fail a run).
     */
    public List<Regression> compare(List<Metric> current, double threshold) {
        List<Regression> out = new ArrayList<>();
        for (Metric m : current) {
            Entry base = entries.get(m.id());
            if (base == null || !(base.speed() > 0)) {
                continue;
            }
            double drop = 1 - m.speed() / base.speed();
            boolean separated = m.speed() + m.speedError() < base.speed() - base.error();
            if (drop > threshold && separated) {
                out.add(new Regression(m.id(), base.speed(), base.error(), m.speed(), m.speedError(), drop));
            }
        }
        return out;
    }

    /** How many of {@code current}'s ids the baseline knows. */
    public int overlap(List<Metric> current) {
        return (int) current.stream().filter(m -> entries.containsKey(m.id())).count();
    }
}
