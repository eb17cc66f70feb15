package dev.kvbm.bench;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.util.MinimalPrettyPrinter;
import java.io.IOException;
import java.io.Writer;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A saved run: per metric id, its speed relative to the in-run reference and the error of that speed.
 * Comparing speeds rather than raw figures keeps a slower or noisier machine from reading as a
 * regression: both the figure and its reference move together.
 *
 * <p>File format (JSON, one metric a line so diffs stay readable):
 * {@code {"kvbmBaseline":1,"metrics":{"id":{"speed":1.02,"error":0.03,"value":12.1,"unit":"GB/s"},...}}}, figures
 * to 6 significant digits, an unknown figure (one sample: no error) as {@code null}. Read and written with Jackson.
 */
public final class Baseline {
    /** A baseline entry. */
    public record Entry(double speed, double error, double value, String unit) {
    }

    private static final JsonFactory JSON = new JsonFactory();
    private static final MathContext DIGITS = new MathContext(6);

    private final Map<String, Entry> entries;

    private Baseline(Map<String, Entry> entries) {
        this.entries = entries;
    }

    public Map<String, Entry> entries() {
        return entries;
    }

    /** A baseline of {@code metrics}. */
    public static Baseline of(List<Metric> metrics) {
        Map<String, Entry> m = new LinkedHashMap<>();
        for (Metric x : metrics) {
            m.put(x.id(), new Entry(x.speed(), x.speedError(), x.value(), x.unit()));
        }
        return new Baseline(m);
    }

    public static Baseline read(Path file) {
        Map<String, Entry> m = new LinkedHashMap<>();
        boolean marked = false;
        try (JsonParser p = JSON.createParser(Files.newBufferedReader(file, StandardCharsets.UTF_8))) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw notABaseline(file);
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String key = p.currentName();
                JsonToken value = p.nextToken();
                if (key.equals("kvbmBaseline")) {
                    marked = true;
                } else if (key.equals("metrics") && value == JsonToken.START_OBJECT) {
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        String id = p.currentName();
                        m.put(id, entry(p, file, id));
                    }
                    continue;
                }
                p.skipChildren();
            }
        } catch (JsonProcessingException e) {
            if (!marked) {
                throw notABaseline(file);
            }
            throw KvbmException.forField(ErrorCode.INVALID_ARGUMENT, "baseline", file + " is not valid JSON: "
                    + e.getOriginalMessage() + " at line " + e.getLocation().getLineNr());
        } catch (IOException e) {
            throw new KvbmException(ErrorCode.IO_ERROR, "cannot read baseline " + file + ": " + e.getMessage(), e);
        }
        if (!marked) {
            throw notABaseline(file);
        }
        if (m.isEmpty()) {
            throw KvbmException.forField(ErrorCode.INVALID_ARGUMENT, "baseline", file + " holds no metrics");
        }
        return new Baseline(m);
    }

    private static KvbmException notABaseline(Path file) {
        return KvbmException.forField(ErrorCode.INVALID_ARGUMENT, "baseline", file
                + " is not a kvbm baseline (no \"kvbmBaseline\" key); write one with --save-baseline");
    }

    /** One metric's object: {@code speed}, {@code error}, {@code value} (numbers or null) and {@code unit}. */
    private static Entry entry(JsonParser p, Path file, String id) throws IOException {
        if (p.nextToken() != JsonToken.START_OBJECT) {
            throw KvbmException.forField(ErrorCode.INVALID_ARGUMENT, "baseline", file + ": metric " + id
                    + " must be an object");
        }
        double speed = Double.NaN;
        double error = Double.NaN;
        double value = Double.NaN;
        String unit = "";
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String key = p.currentName();
            JsonToken t = p.nextToken();
            switch (key) {
                case "speed" -> speed = figure(p, t, file, id, key);
                case "error" -> error = figure(p, t, file, id, key);
                case "value" -> value = figure(p, t, file, id, key);
                case "unit" -> unit = p.getValueAsString("");
                default -> p.skipChildren();
            }
        }
        return new Entry(speed, error, value, unit);
    }

    private static double figure(JsonParser p, JsonToken t, Path file, String id, String key) throws IOException {
        if (t == JsonToken.VALUE_NULL) {
            return Double.NaN;
        }
        if (!t.isNumeric()) {
            throw KvbmException.forField(ErrorCode.INVALID_ARGUMENT, "baseline", file + ": metric " + id + ": " + key
                    + " must be a number (got " + p.getText() + ")");
        }
        return p.getDoubleValue();
    }

    public void write(Path file) {
        try {
            if (file.getParent() != null) {
                Files.createDirectories(file.getParent());
            }
            try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
                 JsonGenerator g = JSON.createGenerator(out).setPrettyPrinter(new OneMetricALine())) {
                g.writeStartObject();
                g.writeNumberField("kvbmBaseline", 1);
                g.writeObjectFieldStart("metrics");
                for (Map.Entry<String, Entry> e : entries.entrySet()) {
                    Entry v = e.getValue();
                    g.writeObjectFieldStart(e.getKey());
                    figure(g, "speed", v.speed());
                    figure(g, "error", v.error());
                    figure(g, "value", v.value());
                    g.writeStringField("unit", v.unit());
                    g.writeEndObject();
                }
                g.writeEndObject();
                g.writeEndObject();
                g.writeRaw('\n');
            }
        } catch (IOException e) {
            throw new KvbmException(ErrorCode.IO_ERROR, "cannot write baseline " + file + ": " + e.getMessage(), e);
        }
    }

    private static void figure(JsonGenerator g, String name, double v) throws IOException {
        g.writeFieldName(name);
        if (Double.isFinite(v)) {
            g.writeNumber(new BigDecimal(v).round(DIGITS));
        } else {
            g.writeNull();
        }
    }

    /** Compact JSON with each metric on its own line, so diffs of a committed baseline stay readable. */
    private static final class OneMetricALine extends MinimalPrettyPrinter {
        private static final long serialVersionUID = 1L;

        @Override
        public void beforeObjectEntries(JsonGenerator g) throws IOException {
            if (g.getOutputContext().getNestingDepth() == 2) {
                g.writeRaw("\n  ");
            }
        }

        @Override
        public void writeObjectEntrySeparator(JsonGenerator g) throws IOException {
            g.writeRaw(',');
            if (g.getOutputContext().getNestingDepth() == 2) {
                g.writeRaw("\n  ");
            }
        }

        @Override
        public void writeEndObject(JsonGenerator g, int entries) throws IOException {
            if (g.getOutputContext().getNestingDepth() == 2 && entries > 0) {
                g.writeRaw('\n');
            }
            g.writeRaw('}');
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
