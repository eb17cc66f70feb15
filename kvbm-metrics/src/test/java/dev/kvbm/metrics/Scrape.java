package dev.kvbm.metrics;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** A Prometheus text exposition read into series -> value, for assertions. */
record Scrape(Map<String, Double> series) {

    static Scrape parse(String text) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int space = line.lastIndexOf(' ');
            out.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
        }
        return new Scrape(out);
    }

    /** The value of {@code name{labels}} with labels written as Prometheus writes them (sorted, quoted). */
    double value(String name, String... labels) {
        StringBuilder key = new StringBuilder(name);
        if (labels.length > 0) {
            key.append('{');
            for (int i = 0; i < labels.length; i += 2) {
                key.append(i == 0 ? "" : ",").append(labels[i]).append("=\"").append(labels[i + 1]).append('"');
            }
            key.append('}');
        }
        Double v = series.get(key.toString());
        if (v == null) {
            throw new AssertionError("no series " + key + " in the scrape; names: " + names());
        }
        return v;
    }

    Set<String> names() {
        Set<String> names = new TreeSet<>();
        for (String s : series.keySet()) {
            int brace = s.indexOf('{');
            names.add(brace < 0 ? s : s.substring(0, brace));
        }
        return names;
    }
}
